"""htmlpost.py: finishing touches on a chapter page pandoc wrote (harness/workbook/book.py calls apply).

  figure_frames(page)   every figure drawn by harness/workbook/figure.py opens full size
                        on a click or a tap (its <img> wrapped in a link to the SVG),
                        is shown at its natural size or a little smaller, never so small
                        that its labels drop below the captions' size, and scrolls
                        sideways in its frame on a narrow screen (book.css: .figure-frame)
  math_spacing(page)    pandoc's MathML spaced as TeX spaces it (the PDF is right):
                        \\exp, \\log, ... are function names, not binary operators
                        ("1 + exp(−x)", not "1+ exp ( − x)"), and a minus that
                        starts a group, or follows "=", "(" or another operator, is
                        a sign, not a subtraction ("f(−h)", "= −out²")

Both are plain rewrites of the HTML pandoc writes for the book; the browser test
(harness/selftest/reading.py) checks the result as the reader sees it.
"""
import os
import re

# The smallest share of its natural size a figure may be shown at: labels are
# 16 px (figure.py, 12 pt) and the captions 0.88 rem, 14.08 px.
FIGURE_MIN_SCALE = 0.88

FIGURE_IMG = re.compile(r'(<figure>\s*)<img src="(figures/[^"]+\.svg)"([^>]*?)\s*/?>')
SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"')


def natural_width(path):
    """The width an SVG asks for, in CSS px (Graphviz and gnuplot write pt or px)."""
    try:
        with open(path, encoding="utf-8") as f:
            m = SVG_WIDTH.search(f.read(4000))
    except OSError:
        return None
    if not m:
        return None
    return float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)


def figure_frames(page, html_dir=None):
    """Every figure's SVG in a link to itself, at its natural width or down to
    FIGURE_MIN_SCALE of it (the width from the img's width attribute, which
    book.py sets for graphs, or from the SVG file in html_dir)."""
    def one(m):
        lead, src, rest = m.group(1), m.group(2), m.group(3)
        w = re.search(r'\swidth="(\d+)(?:px)?"', rest)
        width = int(w.group(1)) if w else None
        if width is None and html_dir:
            nat = natural_width(os.path.join(html_dir, src))
            width = round(nat) if nat else None
        rest = re.sub(r'\s(?:width|height)="[^"]*"', "", rest)
        style = ' style="width:%dpx;min-width:%dpx"' % (width, round(width * FIGURE_MIN_SCALE)) if width else ""
        img = '<img src="%s"%s%s />' % (src, rest, style)
        return ('%s<a class="figure-frame" href="%s" title="Open the figure full size">%s</a>' % (lead, src, img))
    return FIGURE_IMG.sub(one, page)


MATH = re.compile(r"<math\b.*?</math>", re.S)
# a token of MathML: a tag, or the text between two tags
TOKEN = re.compile(r"<[^>]+>|[^<]+")
FUNCTIONS = {"exp", "log", "ln", "sin", "cos", "tan", "max", "min", "sup", "inf", "det", "arg", "lim"}
OPENING = {"(", "[", "{", "⟨", "|"}
CLOSING = {")", "]", "}", "⟩", "|"}
THIN = '<mspace width="0.1667em"></mspace>'


def _elements(tokens):
    """[(start, end, kind, text)] of the children in a flat token list: an
    element spans from its opening tag to its matching closing tag."""
    out, i = [], 0
    while i < len(tokens):
        t = tokens[i]
        m = re.match(r"<(/?)([a-z]+)\b[^>]*?(/?)>$", t)
        if not m:
            i += 1
            continue
        if m.group(1):   # a closing tag: the end of the container we are in
            break
        name = m.group(2)
        if m.group(3):   # <x/>
            out.append((i, i + 1, name, ""))
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(tokens) and depth:
            n = re.match(r"<(/?)([a-z]+)\b[^>]*?(/?)>$", tokens[j])
            if n and not n.group(3):
                depth += -1 if n.group(1) else 1
            j += 1
        text = "".join(x for x in tokens[i + 1:j - 1] if not x.startswith("<"))
        out.append((i, j, name, text))
        i = j
    return out


def _fix_row(tokens):
    """Rewrite the children of one container (tokens without its own tags), recursively."""
    kids = _elements(tokens)
    out = []
    pos = 0
    prev = None  # (name, text, opening tag) of the previous child
    for k, (i, j, name, text) in enumerate(kids):
        out.extend(tokens[pos:i])
        pos = j
        open_tag = tokens[i]
        inner = tokens[i + 1:j - 1] if j - i >= 2 and not open_tag.endswith("/>") else []
        nxt = kids[k + 1] if k + 1 < len(kids) else None
        if name == "mo" and text.strip() in FUNCTIONS:
            before = prev is not None and not (prev[0] == "mo" and prev[1].strip() not in CLOSING)
            after = nxt is not None and not _starts_with_opening(tokens, nxt)
            out += ([THIN] if before else []) + ["<mi>%s</mi>" % text.strip(), "<mo>&#x2061;</mo>"] + \
                   ([THIN] if after else [])
        elif name == "mo" and text.strip() in ("−", "-", "+") and "form=" not in open_tag:
            sign = prev is None or (prev[0] == "mo" and prev[1].strip() not in CLOSING
                                    and 'form="postfix"' not in prev[2])
            if sign:
                out += ['<mo form="prefix">', text, "</mo>"]
            else:
                out += tokens[i:j]
        elif inner and not open_tag.startswith(("<mi", "<mn", "<mo", "<mtext", "<annotation")):
            out += [open_tag] + _fix_row(inner) + [tokens[j - 1]]
        else:
            out += tokens[i:j]
        prev = (name, text, open_tag)
    out.extend(tokens[pos:])
    return out


def _starts_with_opening(tokens, kid):
    """Does the child kid begin with an opening fence (directly or as an mrow's first child)?"""
    i, j, name, text = kid
    for t in tokens[i:j]:
        if t.startswith("<mo"):
            continue
        if t.startswith("<"):
            if t.startswith("<mrow"):
                continue
            return False
        return t.strip() in OPENING
    return False


def math_spacing(page):
    def one(m):
        tokens = TOKEN.findall(m.group(0))
        # the whole <math>: its first tag, the children, its closing tag
        return "".join([tokens[0]] + _fix_row(tokens[1:-1]) + [tokens[-1]])
    return MATH.sub(one, page)


def table_frames(page):
    """Every table in a frame of its own that scrolls sideways, so a table wider
    than a phone moves inside its frame, not the page (pandoc's tables do not
    nest, so the first </table> after each <table> is its own)."""
    return re.sub(r"(<table(?:\s[^>]*)?>.*?</table>)", r'<div class="table-wrap">\1</div>', page, flags=re.S)


def apply(page, html_dir=None):
    return math_spacing(table_frames(figure_frames(page, html_dir)))
