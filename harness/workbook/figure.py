"""figure.py: the book's computation graphs, drawn the way the textbook draws them.

  python3 -m workbook figure GRAPH.dot OUT.svg|OUT.pdf   what make's graph rules run
  python3 -m workbook figure --self-check                bad labels must be refused

An example program prints its own graph as Graphviz DOT (harness/src/dotgraph.c,
from the numbers it has just computed): nodes, and for each edge a forward value
(a black arrow) and a gradient (a dark red arrow pointing back). Plain `dot`
draws those as two curved arrows that bend and cross, with their labels where
its layout finds room. This module draws them as the textbook does:

  * every edge a pair of straight parallel arrows, the forward value above the
    black one, the gradient below the red one (bent only where dot could not
    line the two nodes up, and then outside the labels);
  * several edges between the same two nodes (softmax -> cross-entropy) as
    parallel rows between two tall boxes;
  * a one-line key under the graph.

How: Graphviz reads the DOT (dot -Tjson0), so this module never parses DOT
itself. Graphviz measures every text (one dot run), then lays the nodes out
(rankdir=LR) with each edge's pair of labels as a box of its own between its
two nodes, which reserves the room the labels need. The arrows and labels are
then placed here, and the finished drawing (every position fixed) is rendered
by Graphviz again (neato -n2) to SVG for the HTML book and to PDF for the PDF
book: one drawing, the same fonts in both.

Sizes: labels are 12 pt (16 px when the SVG is shown at its natural size), so
the HTML book can show a figure at 88% of its size or more and keep its labels
at least as large as the captions (book.css, harness/selftest/reading.py).

The SVG carries a <desc>: the figure's values in words, which the book uses as
the figure's alt text (harness/workbook/weave.py).

Numbers are written as the text writes them: a label with an ASCII "-" used as
a minus, or in e-notation (5.5e-05), stops the build; dotgraph.c's dot_number
writes −0.3 and 5.5 × 10⁻⁵.
"""
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

FONT = "DejaVu Sans"
FONT_PT = 12.0           # every text in the figure
GRAD_COLOR = "#a50f15"   # as dotgraph.c: dark red
GAP = 3.5                # half the distance between the forward and the backward arrow
ARROW = 6.0              # arrowhead length
CLEAR = 2.5              # between a label and its arrow
NODE_GAP = 1.5           # between an arrow's tip and the node it touches
MIN_LABEL_W = 40.0       # an arrow is at least this long between its nodes
CIRCLE_MAX = 4           # an operation with a longer label is a rounded box
PAD = 6.0                # around the whole drawing


class FigureError(Exception):
    pass


def run(cmd, what, input_text=None):
    try:
        p = subprocess.run(cmd, input=input_text, capture_output=True, text=True)
    except FileNotFoundError:
        raise FigureError("%s is not installed (Debian: graphviz; `make deps-book`)" % cmd[0]) from None
    if p.returncode != 0:
        raise FigureError("%s failed: %s" % (what, (p.stderr or p.stdout).strip()[:2000]))
    return p.stdout


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------- the graph as the example printed it

class Node:
    def __init__(self, ident, label, kind):
        self.id, self.label, self.kind = ident, label, kind  # kind: leaf | op
        self.shape = None        # circle | box | text (set by layout)
        self.x = self.y = 0.0    # centre, pt, y up (Graphviz's coordinates)
        self.w = self.h = 0.0


class Channel:
    """One edge of the example's graph: tail -> head, a forward value and/or a gradient."""

    def __init__(self, tail, head, value=None, grad=None):
        self.tail, self.head, self.value, self.grad = tail, head, value, grad
        self.box = None          # the label box's centre and size after layout (x, y, w, h)


class Graph:
    def __init__(self, name):
        self.name = name
        self.nodes = []          # in the order the example made them
        self.channels = []
        self.legend = (None, None)

    def node(self, ident):
        return next(n for n in self.nodes if n.id == ident)


LEGEND_VALUE = re.compile(r"<TD>→ ([^<]*)</TD>")
LEGEND_GRAD = re.compile(r"<FONT COLOR=\"[^\"]*\">← ([^<]*)</FONT>")


def read_graph(dot_path):
    """The graph in dot_path (as dotgraph.c writes it), read by Graphviz."""
    j = json.loads(run(["dot", "-Tjson0", dot_path], "dot -Tjson0 %s" % dot_path))
    g = Graph(j.get("name", "graph"))
    nsub = j.get("_subgraph_cnt", 0)  # subgraphs come first; dotgraph.c makes none
    objects = j.get("objects", [])
    by_gvid = {}
    for o in objects[nsub:]:
        shape = o.get("shape", "ellipse")
        label = o.get("label", "\\N")
        if label == "\\N":
            label = o["name"]
        n = Node(o["name"], label, "leaf" if shape in ("plaintext", "plain", "none") else "op")
        g.nodes.append(n)
        by_gvid[o["_gvid"]] = n
    last = None
    for e in j.get("edges", []):
        tail, head = by_gvid[e["tail"]].id, by_gvid[e["head"]].id
        label = e.get("label")
        if e.get("dir") == "back":
            if last and last.tail == tail and last.head == head and last.grad is None and last.value is not None:
                last.grad = label or ""
                last = None
            else:
                g.channels.append(Channel(tail, head, None, label or ""))
                last = None
        else:
            last = Channel(tail, head, label, None)
            g.channels.append(last)
    text = j.get("label", "")
    mv, mg = LEGEND_VALUE.search(text), LEGEND_GRAD.search(text)
    g.legend = (html.unescape(mv.group(1)) if mv else None, html.unescape(mg.group(1)) if mg else None)
    return g


# A "-" used as a minus: at the start, or after a space, a bracket or an operator,
# before a digit, a letter or a bracket. And numbers in e-notation.
ASCII_MINUS = re.compile(r"(?:^|(?<=[\s(\[=/·×*+,]))-(?=\S)")
E_NOTATION = re.compile(r"\d[eE][+-]?\d")


def label_problems(g, where):
    out = []
    texts = [(n.label, "node") for n in g.nodes]
    for c in g.channels:
        edge = "edge %s -> %s" % (g.node(c.tail).label, g.node(c.head).label)
        texts += [(t, edge.replace("\n", " ")) for t in (c.value, c.grad) if t]
    for t, what in texts:
        shown = t.replace("\n", " ")
        if E_NOTATION.search(t):
            out.append("%s: the %s label %r writes a number in e-notation; write it as the text does, "
                       "5.5 × 10⁻⁵ (dotgraph.c's dot_number does)" % (where, what, shown))
        elif ASCII_MINUS.search(t):
            out.append("%s: the %s label %r has an ASCII '-' for a minus sign; write − (U+2212), as the "
                       "text does (dotgraph.c's dot_number does for numbers)" % (where, what, shown))
    return out


# ---------------------------------------------------------------- measuring and laying out

def measure(texts):
    """{text: (width, height)} in pt, as Graphviz sets it in FONT at FONT_PT."""
    texts = sorted(set(t for t in texts if t))
    if not texts:
        return {}
    lines = ["digraph M {", '  node [shape=plaintext, margin=0, width=0, height=0, fontname=%s, fontsize=%g];'
             % (quote(FONT), FONT_PT)]
    for i, t in enumerate(texts):
        lines.append("  t%d [label=%s];" % (i, quote(t)))
    lines.append("}")
    j = json.loads(run(["dot", "-Tjson0"], "dot (measuring labels)", "\n".join(lines)))
    size = {}
    for o in j.get("objects", []):
        if o["name"].startswith("t"):
            size[texts[int(o["name"][1:])]] = (float(o["width"]) * 72, float(o["height"]) * 72)
    return size


def layout(g, size):
    """Node positions and each channel's label box, from dot (rankdir=LR)."""
    line_h = size.get("0", (0, FONT_PT * 1.2))[1]
    pairs = {}
    for c in g.channels:
        pairs.setdefault((c.tail, c.head), []).append(c)
    bars = set()  # nodes that several rows of arrows join: boxes
    for (t, h), cs in pairs.items():
        if len(cs) > 1:
            bars |= {t, h}
    side_need = {}
    for c in g.channels:
        lh = label_height(c, size)
        for key in ((c.tail, "e"), (c.head, "w")):
            side_need.setdefault(key, []).append(lh)
    out = ["digraph L {",
           "  graph [rankdir=LR, ordering=in, nodesep=0.12, ranksep=0.18, splines=false];",
           "  node [fontname=%s, fontsize=%g, margin=0];" % (quote(FONT), FONT_PT)]
    for n in g.nodes:
        tw, th = size.get(n.label, (10.0, line_h))
        if n.kind == "leaf":
            n.shape = "text"
            n.w, n.h = tw + 4, max(th, line_h) + 2
        elif n.id not in bars and len(n.label) <= CIRCLE_MAX and "\n" not in n.label:
            n.shape = "circle"
            d = max(27.0, tw + 10)
            n.w = n.h = d
        else:
            n.shape = "box"
            n.w, n.h = tw + 16, th + 12
        if n.id in bars:
            need = max(sum(side_need.get((n.id, s), [0])) + 10 * (len(side_need.get((n.id, s), [])) - 1)
                       for s in "ew")
            n.h = max(n.h, need)
        out.append("  %s [shape=box, fixedsize=true, width=%.3f, height=%.3f, label=\"\"];"
                   % (quote(n.id), n.w / 72, n.h / 72))
    for k, c in enumerate(g.channels):
        w = max([MIN_LABEL_W] + [size[t][0] + 8 for t in (c.value, c.grad) if t])
        h = label_height(c, size)
        out.append('  c%d [shape=box, fixedsize=true, width=%.3f, height=%.3f, label=""];' % (k, w / 72, h / 72))
        out.append("  %s -> c%d [weight=10]; c%d -> %s [weight=10];" % (quote(c.tail), k, k, quote(c.head)))
    out.append("}")
    j = json.loads(run(["dot", "-Tjson0"], "dot (laying out %s)" % g.name, "\n".join(out)))
    pos = {}
    for o in j.get("objects", []):
        if "pos" in o:
            x, y = (float(v) for v in o["pos"].split(","))
            pos[o["name"]] = (x, y, float(o["width"]) * 72, float(o["height"]) * 72)
    for n in g.nodes:
        n.x, n.y = pos[n.id][:2]
    for k, c in enumerate(g.channels):
        c.box = pos["c%d" % k]
    # A box (an operation with a long name, or one that several rows of arrows
    # meet) spans exactly its label and the rows that meet it, wherever dot put them.
    for n in g.nodes:
        if n.shape != "box":
            continue
        ys = [c.box[1] for c in g.channels if n.id in (c.tail, c.head)]
        lo = min(ys + [n.y]) - 2 * GAP - 6
        hi = max(ys + [n.y]) + 2 * GAP + 6
        tw, th = size.get(n.label, (10.0, line_h))
        mid = (lo + hi) / 2
        lo, hi = min(lo, mid - th / 2 - 6), max(hi, mid + th / 2 + 6)
        n.y, n.h = (lo + hi) / 2, hi - lo


def label_height(c, size):
    h = 2 * GAP if (c.value and c.grad) else 0
    for t in (c.value, c.grad):
        if t:
            h += size[t][1] + CLEAR
    return h + 4


# ---------------------------------------------------------------- geometry

def clip(node, p, q, margin):
    """The point where the segment p -> q (p inside node) leaves node's shape, grown by margin."""
    px, py = p
    dx, dy = q[0] - px, q[1] - py
    cx, cy = node.x, node.y
    if node.shape == "circle":
        r = node.w / 2 + margin
        fx, fy = px - cx, py - cy
        a = dx * dx + dy * dy
        b = 2 * (fx * dx + fy * dy)
        cc = fx * fx + fy * fy - r * r
        disc = max(0.0, b * b - 4 * a * cc)
        t = (-b + math.sqrt(disc)) / (2 * a) if a else 0.0
    else:
        hw, hh = node.w / 2 + margin, node.h / 2 + margin
        ts = []
        for d, o, lo, hi in ((dx, px, cx - hw, cx + hw), (dy, py, cy - hh, cy + hh)):
            if d > 1e-9:
                ts.append((hi - o) / d)
            elif d < -1e-9:
                ts.append((lo - o) / d)
        t = min(ts) if ts else 0.0
    t = max(0.0, min(1.0, t))
    return (px + t * dx, py + t * dy)


def inside(node, y, margin=3.0):
    return node.y - node.h / 2 + margin <= y <= node.y + node.h / 2 - margin


class Drawing:
    """What neato -n2 draws: texts, node shapes and arrows at fixed positions."""

    def __init__(self):
        self.items = []   # DOT lines
        self.k = 0
        self.boxes = []   # (x0, y0, x1, y1) of everything, for the size

    def add_box(self, x0, y0, x1, y1):
        self.boxes.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))

    def text(self, x, y, t, color="#000000", w=0, h=0):
        self.k += 1
        self.items.append("  t%d [shape=plaintext, margin=0, width=0, height=0, pos=\"%.2f,%.2f\", label=%s, "
                          "fontcolor=\"%s\"];" % (self.k, x, y, quote(t), color))
        self.add_box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)

    def shape(self, n):
        self.k += 1
        if n.shape == "text":
            self.items.append("  s%d [shape=plaintext, margin=0, width=0, height=0, pos=\"%.2f,%.2f\", label=%s];"
                              % (self.k, n.x, n.y, quote(n.label)))
        elif n.shape == "circle":
            self.items.append("  s%d [shape=circle, fixedsize=true, width=%.3f, penwidth=1.2, pos=\"%.2f,%.2f\", "
                              "label=%s];" % (self.k, n.w / 72, n.x, n.y, quote(n.label)))
        else:
            self.items.append("  s%d [shape=box, style=rounded, fixedsize=true, width=%.3f, height=%.3f, penwidth=1.2, "
                              "pos=\"%.2f,%.2f\", label=%s];" % (self.k, n.w / 72, n.h / 72, n.x, n.y, quote(n.label)))
        self.add_box(n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2)

    def arrow(self, pts, color="#000000"):
        """An arrow along the polyline pts (its tip at the last point), every piece straight."""
        pts = [tuple(p) for p in pts]
        (ax, ay), (bx, by) = pts[-2], pts[-1]
        length = math.hypot(bx - ax, by - ay)
        if length < ARROW + 1:
            raise FigureError("an arrow's last piece is too short to draw (%.1f pt)" % length)
        tip = pts[-1]
        pts[-1] = (bx - ARROW * (bx - ax) / length, by - ARROW * (by - ay) / length)
        ctrl = [pts[0]]
        for p, q in zip(pts, pts[1:]):
            ctrl += [(p[0] + (q[0] - p[0]) / 3, p[1] + (q[1] - p[1]) / 3),
                     (p[0] + 2 * (q[0] - p[0]) / 3, p[1] + 2 * (q[1] - p[1]) / 3), q]
        self.k += 1
        k = self.k
        self.items.append('  p%da [shape=point, style=invis, width=0, pos="%.2f,%.2f"]; '
                          'p%db [shape=point, style=invis, width=0, pos="%.2f,%.2f"];'
                          % (k, pts[0][0], pts[0][1], k, tip[0], tip[1]))
        self.items.append('  p%da -> p%db [color="%s", penwidth=1.1, arrowsize=%.2f, pos="e,%.2f,%.2f %s"];'
                          % (k, k, color, ARROW / 10, tip[0], tip[1], " ".join("%.2f,%.2f" % p for p in ctrl)))
        for p, q in zip(pts + [tip], pts[1:] + [tip]):
            self.add_box(p[0], p[1], q[0], q[1])

    def dot(self, name):
        x0 = min(b[0] for b in self.boxes) - PAD
        y0 = min(b[1] for b in self.boxes) - PAD
        x1 = max(b[2] for b in self.boxes) + PAD
        y1 = max(b[3] for b in self.boxes) + PAD
        # two invisible corners make neato's bounding box the drawing's, padding included
        corners = ('  bb0 [shape=point, style=invis, width=0, pos="%.2f,%.2f"]; '
                   'bb1 [shape=point, style=invis, width=0, pos="%.2f,%.2f"];' % (x0, y0, x1, y1))
        return "\n".join(["digraph %s {" % quote(name),
                          '  graph [bgcolor="white", pad=0, margin=0];',
                          "  node [fontname=%s, fontsize=%g];" % (quote(FONT), FONT_PT),
                          corners] + self.items + ["}"])


def offset_line(a, b, d):
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length   # left of the direction: up for an arrow to the right
    return (a[0] + d * nx, a[1] + d * ny), (b[0] + d * nx, b[1] + d * ny)


def intersect(p1, p2, p3, p4):
    """Where the lines p1-p2 and p3-p4 meet (None if parallel)."""
    d = (p1[0] - p2[0]) * (p3[1] - p4[1]) - (p1[1] - p2[1]) * (p3[0] - p4[0])
    if abs(d) < 1e-9:
        return None
    a = p1[0] * p2[1] - p1[1] * p2[0]
    b = p3[0] * p4[1] - p3[1] * p4[0]
    return ((a * (p3[0] - p4[0]) - (p1[0] - p2[0]) * b) / d, (a * (p3[1] - p4[1]) - (p1[1] - p2[1]) * b) / d)


def offset_polyline(pts, d):
    """The polyline pts moved sideways by d (left of its direction), corners mitred."""
    segs = [offset_line(pts[i], pts[i + 1], d) for i in range(len(pts) - 1)]
    out = [segs[0][0]]
    for s1, s2 in zip(segs, segs[1:]):
        out.append(intersect(s1[0], s1[1], s2[0], s2[1]) or s1[1])
    out.append(segs[-1][1])
    return out


def simplify(pts):
    """Drop repeated points and points in the middle of a straight run."""
    out = []
    for p in pts:
        if out and math.hypot(p[0] - out[-1][0], p[1] - out[-1][1]) < 0.5:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
            if abs(cross) < 1e-6 * max(1.0, math.hypot(p[0] - a[0], p[1] - a[1])) ** 2:
                out[-1] = p
                continue
        out.append(p)
    return out


def draw(g, size):
    """Every channel as a pair of parallel arrows through its label box: straight
    where dot lined its two nodes up with the box, otherwise with a bend at
    either end of the box, never through the labels."""
    d = Drawing()
    for n in g.nodes:
        d.shape(n)
    nodes = {n.id: n for n in g.nodes}
    for c in g.channels:
        u, v = nodes[c.tail], nodes[c.head]
        bx, by, bw, bh = c.box
        a_side = u.shape != "circle" and inside(u, by)
        b_side = v.shape != "circle" and inside(v, by)
        a = (u.x + u.w / 2 + NODE_GAP, by) if a_side else (u.x, u.y)
        b = (v.x - v.w / 2 - NODE_GAP, by) if b_side else (v.x, v.y)
        centre = simplify([a, (bx - bw / 2, by), (bx + bw / 2, by), b])
        both = c.value is not None and c.grad is not None
        for text, off, color in ((c.value, GAP if both else 0.0, "#000000"),
                                 (c.grad, -GAP if both else 0.0, GRAD_COLOR)):
            if text is None:
                continue
            pts = offset_polyline(centre, off)
            if not a_side:
                pts[0] = clip(u, pts[0], pts[1], NODE_GAP)
            if not b_side:
                pts[-1] = clip(v, pts[-1], pts[-2], NODE_GAP)
            if color == GRAD_COLOR:
                d.arrow(list(reversed(pts)), color)
            else:
                d.arrow(pts, color)
            w, h = size[text]
            if color == GRAD_COLOR:
                d.text(bx, by + off - CLEAR - h / 2, text, color, w, h)
            else:
                d.text(bx, by + off + CLEAR + h / 2, text, color, w, h)
    legend(d, g, size)
    return d


def legend(d, g, size):
    value, grad = g.legend
    items = [(t, col) for t, col in ((value, "#000000"), (grad, GRAD_COLOR)) if t]
    if not items:
        return
    x0 = min(b[0] for b in d.boxes)
    x1 = max(b[2] for b in d.boxes)
    y = min(b[1] for b in d.boxes) - 18
    widths = [22 + 6 + size[t][0] for t, _ in items]
    total = sum(widths) + 24 * (len(items) - 1)
    x = (x0 + x1) / 2 - total / 2
    for (t, col), w in zip(items, widths):
        if col == GRAD_COLOR:
            d.arrow([(x + 22, y), (x, y)], col)
        else:
            d.arrow([(x, y), (x + 22, y)], col)
        tw, th = size[t]
        d.text(x + 28 + tw / 2, y, t, col, tw, th)
        x += w + 24


# ---------------------------------------------------------------- the figure in words

def describe(g):
    """What a reader reads off the figure, in words: the alt text."""
    nodes = {n.id: n for n in g.nodes}
    count = {}
    for n in g.nodes:
        if n.kind == "op":
            count[n.label] = count.get(n.label, 0) + 1
    seen = {}
    name = {}
    ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
    for n in g.nodes:
        label = n.label.replace("\n", " ")
        if n.kind == "op":
            k = seen.get(n.label, 0)
            seen[n.label] = k + 1
            if count[n.label] > 1 and k < len(ordinals):
                name[n.id] = "the %s %s node" % (ordinals[k], label)
            else:
                name[n.id] = "the %s node" % label
        else:
            name[n.id] = label
    has_grad = any(c.grad for c in g.channels)

    def carried(c):
        parts = []
        if c.value:
            parts.append(c.value.replace("\n", " "))
        if c.grad:
            parts.append("gradient " + c.grad.replace("\n", " "))
        return " (%s)" % ", ".join(parts) if parts else ""

    sentences = []
    into = {}
    for c in g.channels:
        into.setdefault(c.head, []).append(c)
    # the nodes that receive arrows, inputs before what they feed (the graph is acyclic)
    order, done = [], set(n.id for n in g.nodes if n.id not in into)
    while len(order) < len(into):
        ready = [h for h in into if h not in order and all(c.tail in done for c in into[h])]
        if not ready:  # a cycle: keep the example's order
            order += [h for h in into if h not in order]
            break
        # as a reader reads the figure: top to bottom (after layout), else in the example's order
        for h in sorted(ready, key=lambda h: (-nodes[h].y, nodes[h].x, [n.id for n in g.nodes].index(h))):
            order.append(h)
            done.add(h)
    outs = {}
    for c in g.channels:
        outs.setdefault(c.tail, []).append(c)
    told = set()  # channels already in a sentence
    for head in order:
        dest = nodes[head]
        ins = into[head]
        if any(id(c) in told for c in ins):
            continue
        after = outs.get(head, [])
        # a leaf through one operation to another leaf: one sentence for the row
        if (dest.kind == "op" and len(ins) == 1 and nodes[ins[0].tail].kind == "leaf"
                and len(after) == 1 and nodes[after[0].head].kind == "leaf"):
            c, d = ins[0], after[0]
            sentences.append("%s%s goes through %s to give %s%s" % (name[c.tail], carried(c),
                             dest.label.replace("\n", " "), name[d.head], carried(d)))
            told.add(id(d))
            continue
        parts = []
        by_tail = {}
        for c in ins:
            by_tail.setdefault(c.tail, []).append(c)
        for tail, cs in by_tail.items():
            src = nodes[tail]
            if len(cs) > 1:
                values = "; ".join(carried(c)[2:-1] for c in cs)
                parts.append("%s's outputs (%s)" % (name[tail], values))
            else:
                who = name[tail] + "'s output" if src.kind == "op" else name[tail]
                parts.append(who + carried(cs[0]))
        if dest.kind == "leaf" and len(parts) == 1:
            sentences.append("%s gives %s" % (parts[0], name[head]))
        else:
            sentences.append("%s go%s into %s" % (join(parts), "es" if len(parts) == 1 else "", name[head]))
    head = "A computation graph, read from left to right, with the forward value on each arrow"
    if has_grad:
        head += " and the gradient flowing back in brackets"
    text = head + ": " + "; ".join(sentences) + "."
    return text[0].upper() + text[1:]


def join(parts):
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------- rendering

def render(dot_path, out_path):
    """Draw the graph in dot_path to out_path, SVG or PDF by its extension."""
    where = os.path.relpath(dot_path)
    fmt = os.path.splitext(out_path)[1].lstrip(".").lower()
    if fmt not in ("svg", "pdf"):
        raise FigureError("%s: the figure is drawn as .svg or .pdf, not .%s" % (out_path, fmt))
    g = read_graph(dot_path)
    problems = label_problems(g, where)
    if problems:
        raise FigureError("\n".join(problems))
    texts = [n.label for n in g.nodes] + ["0"]
    for c in g.channels:
        texts += [c.value, c.grad]
    texts += [t for t in g.legend if t]
    size = measure(texts)
    layout(g, size)
    source = draw(g, size).dot(g.name)
    tmp = out_path + ".tmp%d" % os.getpid()
    try:
        if fmt == "svg":
            svg = run(["neato", "-n2", "-Tsvg"], "neato -n2 -Tsvg (%s)" % where, source)
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(finish_svg(svg, describe(g)))
        else:
            run(["neato", "-n2", "-Tpdf", "-o", tmp], "neato -n2 -Tpdf (%s)" % where, source)
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def finish_svg(svg, description):
    """Graphviz's SVG with the figure's description as its <desc>, and without the
    <title> of every invisible helper node (a tooltip if the SVG is ever inlined)."""
    svg = re.sub(r"<title>(?:[ptsbc]\d+[ab]?|bb[01]|p\d+a&#45;&gt;p\d+b)</title>\n?", "", svg)
    svg = re.sub(r"<!-- (?:[ptsbc]\d+[ab]?|bb[01]|p\d+a&#45;&gt;p\d+b) -->\n?", "", svg)
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + "\n<desc>%s</desc>" % html.escape(description, quote=False),
                 svg, count=1)
    return svg


DESC = re.compile(r"<desc>(.*?)</desc>", re.S)


def svg_description(path):
    """The <desc> figure.py wrote into an SVG, or None."""
    try:
        with open(path, encoding="utf-8") as f:
            m = DESC.search(f.read(20000))
    except OSError:
        return None
    return html.unescape(m.group(1)).strip() if m else None


# ---------------------------------------------------------------- self-check

BAD_LABELS = {
    "ascii-minus": ('n0 -> n1 [label="-0.3"];', "an ASCII '-' for a minus sign"),
    "e-notation": ('n0 -> n1 [label="5.5e-05"];', "e-notation"),
    "ascii-minus-in-text": ('n0 -> n1 [dir=back, label="y − t = -1.008"];', "an ASCII '-' for a minus sign"),
}
GOOD = '''digraph "g" {
  n0 [shape=plaintext, label="x"]; n1 [shape=circle, label="×(−1)"]; n2 [shape=plaintext, label="y"];
  n0 -> n1 [label="1"]; n0 -> n1 [dir=back, label="5.5 × 10⁻⁵"];
  n1 -> n2 [label="−1"]; n1 -> n2 [dir=back, label="−0.3"];
%s
}
'''


def self_check():
    failures = []
    tmp = tempfile.mkdtemp(prefix="wb-figure-selfcheck.")
    try:
        good = os.path.join(tmp, "good.dot")
        with open(good, "w", encoding="utf-8") as f:
            f.write(GOOD % "")
        try:
            render(good, os.path.join(tmp, "good.svg"))
            render(good, os.path.join(tmp, "good.pdf"))
            desc = svg_description(os.path.join(tmp, "good.svg"))
            if not desc or "5.5 × 10⁻⁵" not in desc or "−0.3" not in desc:
                failures.append("the intact graph's description lacks its values: %r" % desc)
        except FigureError as e:
            failures.append("the intact graph was refused: %s" % e)
        for name, (line, want) in BAD_LABELS.items():
            path = os.path.join(tmp, name + ".dot")
            with open(path, "w", encoding="utf-8") as f:
                f.write(GOOD % line)
            try:
                render(path, os.path.join(tmp, name + ".svg"))
                failures.append("%s: a label with %s was drawn without complaint" % (name, want))
            except FigureError as e:
                if want not in str(e):
                    failures.append("%s: refused, but not for %s: %s" % (name, want, e))
                else:
                    print("figure: self-check: caught %-20s %s" % (name, str(e).split(": ", 1)[1][:110]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures


def main(argv):
    args = argv[1:] if argv and argv[0] == "figure" else argv
    if args == ["--self-check"]:
        failures = self_check()
        for f in failures:
            print("figure: self-check FAILED: " + f, file=sys.stderr)
        return 1 if failures else 0
    if len(args) != 2:
        print("usage: python3 -m workbook figure GRAPH.dot OUT.svg|OUT.pdf | --self-check", file=sys.stderr)
        return 2
    try:
        render(args[0], args[1])
    except FigureError as e:
        print("figure: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
