"""build.py: build the workbook from chapters/*/chapter.md (Python 3, python3-pandocfilters).

  PYTHONPATH=harness /usr/bin/python3 -m workbook book --edition student|instructor [--format all|html|pdf]
  PYTHONPATH=harness /usr/bin/python3 -m workbook book --self-check

Usually run by `make book [EDITION=...]`, which first builds the examples
(their output and graphs are woven into the book). Writes

  build/book/<edition>/html/           index.html, chNN.html, glossary.html,
                                       figures.html, CSS, figures: self-contained
  build/book/<edition>/backprop-workbook.pdf
  build/book/<edition>/book.json       the book model: chapters, sections,
                                       figures, listings, exercises, glossary
                                       (schema: book/README.md)

How (see CONTRIBUTING.md for the Markdown references):

  1. harness/workbook/weave.py: pandoc chapter.md -t json    once per chapter (in parallel); each
                                                 element's line found by a pre-pass;
                                                 code (harness/workbook/source.py, in-process),
                                                 output, figures, callouts resolved
  2. this script                                 numbers, anchors, cross references
                                                 ([@fig:id], [text](#id)), image paths
  3. pandoc -t html5 + book/present.lua          one page per chapter, wrapped in
                                                 book/templates/page.html
  4. pandoc -t latex + book/present.lua          one book.tex, then xelatex
  5. every href/src in the HTML is checked       a broken internal link fails the build
  6. harness/workbook/source.py lint (run beside 1-5)     every snippet is shown somewhere

Any problem fails the build (exit status 1) with a message naming the chapter
file and line (chapters/03-add-mul-nodes/chapter.md:120: ...).

--self-check shows that the checks of the Markdown catch what they look for:
broken copies of chapter 3 (a numbered list that does not start at 1, such as
a wrapped line beginning "200. "; a missing snippet, an unknown file, a bad
output name, a graph or citation that does not exist...) must fail, naming
the copy and the line, and the intact chapters and book/intro.md must pass,
every element the loader places on its right line. It needs only pandoc, not
the examples.
"""
import argparse
import concurrent.futures
import fcntl
import html
import html.parser
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse

from workbook import course
from workbook import weave  # (first: it says what to install if pandocfilters is missing)

ROOT = course.ROOT
BOOK = os.path.join(ROOT, "book")  # the book's templates, styles, Lua, glossary and intro
import pandocfilters as pf  # noqa: E402
from workbook import navigation  # noqa: E402
from workbook import htmlpost  # noqa: E402  (figures that open full size, MathML spacing)
from workbook.weave import Chapter, get_attr, kv, line_of, stringify, visit, walk  # noqa: E402

TITLE = "Backpropagation in C: a workbook"
PDF_NAME = "backprop-workbook.pdf"
EDITIONS = {
    "student": {
        "label": "Student edition",
        "note": "Exercises show the stubs you fill in.",
    },
    "instructor": {
        "label": "Instructor edition, with solutions",
        "note": "Contains the reference solutions: do not hand it to learners.",
    },
}
LATEX_VARS = [
    "documentclass=book",
    "classoption=oneside",
    "fontsize=11pt",
    "geometry=a4paper,top=26mm,bottom=28mm,inner=27mm,outer=27mm,headheight=14pt,headsep=8mm,footskip=12mm",
    "mainfont=Latin Modern Roman",
    "sansfont=Latin Modern Sans",
    "monofont=DejaVu Sans Mono",
    "monofontoptions=Scale=MatchLowercase",
    "monofontoptions=HyphenChar=None",     # never "exer-cises/ch03/..." (book/present.lua breaks at /)
    "mathfont=Latin Modern Math",
    "CJKmainfont=Noto Serif CJK KR",
    "colorlinks=true",
    "linkcolor=wblink",
    "urlcolor=wblink",
    "toccolor=black",
    "lof=true",
    "toc-depth=1",
]


class BuildError(Exception):
    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def rel(path):
    return os.path.relpath(path, ROOT)


def log(msg):
    print("book: " + msg, flush=True)


def run(cmd, what, input_text=None, cwd=ROOT):
    """Run a command; on failure raise BuildError with its output."""
    p = subprocess.run(cmd, cwd=cwd, input=input_text, capture_output=True, text=True)
    if p.returncode != 0:
        out = (p.stderr or "") + (p.stdout or "")
        raise BuildError(["%s failed (exit %d):\n%s" % (what, p.returncode, out.strip())])
    return p


# ---------------------------------------------------------------- pandoc AST helpers
# (harness/workbook/weave.py: walk and visit over python3-pandocfilters, stringify, attributes)

def meta_string(text):
    return {"t": "MetaString", "c": text}


def without_links(inlines):
    """Inlines for a table of contents: links unwrapped, notes dropped."""
    def fn(key, value):
        if key == "Link":
            return value[1]
        if key == "Note":
            return []
        return None
    return walk(inlines, fn)


LIST_MARKERS = {"Period": "%s.", "OneParen": "%s)", "TwoParens": "(%s)"}


def list_marker(start, style, delim):
    """How pandoc read the first item's number: 200. / b) / (iii)..."""
    if style in ("LowerAlpha", "UpperAlpha") and 1 <= start <= 26:
        n = chr(ord("a" if style == "LowerAlpha" else "A") + start - 1)
    else:
        n = str(start)  # roman numerals: the message still shows the start
    return LIST_MARKERS.get(delim, "%s.") % n


def ordered_list_problems(blocks, src):
    """Numbered lists that do not start at 1. A line of prose that happens to
    begin with a number and a full stop ("200. Why ...") is read by pandoc as
    a list starting at 200, in HTML and PDF alike. src (the file's
    weave.SourceMap) names the line: the one that begins with the marker
    (after indentation, > or outer list markers), then the first word."""
    problems = []

    def fn(key, value):
        if key != "OrderedList":
            return
        (start, style, delim), items = value
        if start == 1:
            return
        words = stringify(items[0]).split() if items else []
        first = " ".join(words[:6]) + (" ..." if len(words) > 6 else "")
        marker = list_marker(start, style["t"], delim["t"])
        place = src.where(src.list_line(marker, words[0] if words else None))
        escaped = marker[:-1] + "\\" + marker[-1] if marker.endswith((".", ")")) else "\\" + marker
        problems.append(
            "%s: a numbered list starts at %s (\"%s %s\"). A line that begins with a number and "
            "\".\" or \")\" starts a list: rewrap the paragraph so that the number is not first "
            "on its line (or write `%s`); a list of your own starts at 1"
            % (place, marker, marker, first, escaped))
    visit(blocks, fn)
    return problems


def analyse(chap):
    """Headings, numbers, anchors and figures of a woven chapter. Problems
    name chapter.md:LINE (the lines harness/workbook/weave.py noted)."""
    problems = []
    blocks = chap.doc["blocks"]
    h1s = [b for b in blocks if b["t"] == "Header" and b["c"][0] == 1]
    if not blocks or blocks[0]["t"] != "Header" or blocks[0]["c"][0] != 1:
        problems.append("%s: a chapter starts with its level-1 heading, `# %s {#%s}`"
                        % (chap.md, chap.manifest_title, chap.nn))
    elif len(h1s) != 1:
        problems.append("%s: has %d level-1 headings; a chapter has one (use ## for its sections)"
                        % (chap.md, len(h1s)))
    if problems:
        raise BuildError(problems)
    first = blocks[0]
    chap.h1 = first["c"][1][0]
    chap.title_inlines = first["c"][2]
    if stringify(chap.title_inlines).strip() != chap.manifest_title.strip():
        log("warning: %s: heading %r differs from chapter %d's title in %s (%r)"
            % (chap.where(line_of(first["c"][1])), stringify(chap.title_inlines), chap.number, weave.MANIFEST,
               chap.manifest_title))

    counters = [0, 0, 0, 0, 0, 0, 0]

    def add_anchor(ident, kind, label, attr):
        if not ident:
            return
        if ident in chap.anchors:
            problems.append("%s: the id #%s is used twice" % (chap.where(line_of(attr)), ident))
        chap.anchors[ident] = (kind, label)

    def fn(key, value):
        if key == "Header":
            level, attr, inlines = value
            ident, classes = attr[0], attr[1]
            if level == 1:
                add_anchor(ident, "chapter", "Chapter %d" % chap.number, attr)
                return
            if "unnumbered" in classes:
                number = None
            else:
                counters[level] += 1
                for deeper in range(level + 1, len(counters)):
                    counters[deeper] = 0
                number = ".".join([str(chap.number)] + [str(counters[lv]) for lv in range(2, level + 1)])
            chap.headers.append((level, ident, number, inlines, line_of(attr)))
            add_anchor(ident, "section", ("Section " + number) if number else stringify(inlines), attr)
        elif key == "Image":
            attr = value[0]
            number = kv(attr).get("data-number")
            if number:
                chap.figures.append((attr[0], number, value[1]))
                add_anchor(attr[0], "figure", "Figure " + number, attr)
            else:
                add_anchor(attr[0], "anchor", None, attr)
        elif key == "Div" and "listing" in value[0][1] and kv(value[0]).get("data-number"):
            attr = value[0]  # a listing with an id can be cited: [@lst:id] prints "Listing 3.2"
            add_anchor(attr[0], "listing", "Listing " + kv(attr)["data-number"], attr)
        elif key == "Div" and "callout" in value[0][1]:
            attr = value[0]
            k = kv(attr)
            if k.get("data-kind") == "exercise":
                add_anchor(attr[0], "exercise", "Exercise " + k.get("data-number", "?"), attr)
            else:
                add_anchor(attr[0], k.get("data-kind", "anchor"), None, attr)
        else:
            attr = get_attr(key, value)
            if attr and attr[0]:
                add_anchor(attr[0], "anchor", None, attr)
    visit(blocks, fn)
    problems.extend(ordered_list_problems(blocks, chap.src))
    if problems:
        raise BuildError(problems)


# ---------------------------------------------------------------- glossary

GLOSSARY = os.path.join(BOOK, "glossary.tsv")


def read_glossary(path=GLOSSARY):
    """[(id, english, korean, meaning)] sorted by the English term: the one
    reader of book/glossary.tsv (the tests read it from book.json). Blank
    lines and lines starting with # are skipped; the first other line is the
    header, english<TAB>korean<TAB>meaning; every line after it is a term."""
    entries, seen, header = [], set(), False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if not header:
                if [c.strip().lower() for c in cols[:2]] != ["english", "korean"]:
                    raise BuildError(["%s:%d: the first line (after # comments) is the header "
                                      "english<TAB>korean<TAB>meaning" % (rel(path), n)])
                header = True
                continue
            if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
                raise BuildError(["%s:%d: a glossary line is ENGLISH<TAB>KOREAN[<TAB>MEANING]" % (rel(path), n)])
            english, korean = cols[0].strip(), cols[1].strip()
            meaning = cols[2].strip() if len(cols) > 2 else ""
            ident = "gl-" + re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")
            if ident in seen:
                raise BuildError(["%s:%d: %r appears twice" % (rel(path), n, english)])
            seen.add(ident)
            entries.append((ident, english, korean, meaning))
    entries.sort(key=lambda e: e[1].casefold())
    return entries


# ---------------------------------------------------------------- cross references

class Book:
    def __init__(self, chapters, glossary, loaded=None):
        self.chapters = chapters
        self.api = loaded.api if loaded else None  # pandoc's AST version, as it wrote it
        self.intro = loaded.intro if loaded else None
        self.intro_src = loaded.intro_src if loaded else None
        self.by_nn = {c.nn: c for c in chapters}
        self.glossary_ids = {e[0] for e in glossary}
        owners = {}
        for c in chapters:
            for ident in c.anchors:
                owners.setdefault(ident, []).append(c)
        self.owners = owners
        problems = []
        for ident, cs in owners.items():
            kinds = {c.anchors[ident][0] for c in cs}
            if len(cs) > 1 and kinds & {"figure", "exercise"}:
                problems.append("the id #%s is used in %s; figure and exercise ids must be unique in the book"
                                % (ident, " and ".join(c.md for c in cs)))
        if problems:
            raise BuildError(problems)

    def plain_cites(self, chap, inlines):
        """inlines with [@id] written as its label ("Figure 3.1"), for text
        shown away from its chapter (contents, list of figures)."""
        def fn(key, value):
            if key != "Cite":
                return None
            labels = []
            for c in value[0]:
                r = self.resolve(chap, c["citationId"])
                label = None
                if r and r[0] != "glossary":
                    label = r[0].anchors.get(r[1], (None, None))[1]
                labels.append(label or c["citationId"])
            return [{"t": "Str", "c": "\u00a0".join(", ".join(labels).split(" "))}]
        return walk(inlines, fn)

    def resolve(self, chap, ident, line=None):
        """(chapter or "glossary", id) for an id seen from chap (at line), or None."""
        if ident in chap.anchors:
            return chap, ident
        m = re.match(r"^ch(\d\d)$", ident)
        if m and ident in self.by_nn:
            c = self.by_nn[ident]
            return c, c.h1
        cs = self.owners.get(ident, [])
        if len(cs) == 1:
            return cs[0], ident
        if len(cs) > 1:
            raise BuildError(["%s: #%s is ambiguous: %s all define it; link to CHAPTER.html#%s instead"
                              % (chap.where(line), ident, ", ".join(c.md for c in cs), ident)])
        if ident in self.glossary_ids:
            return "glossary", ident
        return None


# harness/workbook/figure.py draws its labels at 12 pt (16 px): the HTML shows a
# graph at its natural size (htmlpost.figure_frames), the PDF at 3/4 of it (9 pt).
GRAPH_SCALE = {"html": 1.0, "latex": 0.75}
LATEX_MAX_WIDTH_PT = 400


def graph_size(attr, svg, target):
    """attr with a width for a Graphviz figure, from the SVG's size in pt."""
    try:
        with open(svg, encoding="utf-8") as f:
            head = f.read(4000)
    except OSError:
        return attr
    m = re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', head)
    if not m:
        return attr
    width = float(m.group(1)) * GRAPH_SCALE[target]
    pairs = [p for p in attr[2] if p[0] != "width"]
    if target == "html":
        pairs.append(["width", "%dpx" % round(width * 4 / 3)])
    elif width > LATEX_MAX_WIDTH_PT:
        pairs.append(["width", "100%"])
    else:
        pairs.append(["width", "%.0fpt" % width])
    return [attr[0], attr[1], pairs]


def latex_id(chap, ident):
    return "%s:%s" % (chap.nn, ident)


def transform(book, chap, target, out_dir=None, copies=None):
    """The chapter's blocks for one target ("html" or "latex"): cross
    references resolved, links pointed at the right page, image paths set."""
    problems = []

    def href_html(owner, ident):
        if owner == "glossary":
            return "glossary.html#" + ident
        if owner is chap:
            return "#" + ident
        if ident == owner.h1:
            return owner.page
        return owner.page + "#" + ident

    def href_latex(owner, ident):
        if owner == "glossary":
            return "#" + ident
        return "#" + latex_id(owner, ident)

    href = href_html if target == "html" else href_latex

    def cite(value):
        citations, _ = value
        out = []
        for k, c in enumerate(citations):
            ident, line = c["citationId"], weave.cite_line(c)
            r = book.resolve(chap, ident, line)
            if r is None:
                problems.append("%s: [@%s] refers to no figure, section, exercise or chapter (ids are case-sensitive; "
                                "write \\@ for a literal @)" % (chap.where(line), ident))
                return None
            owner, target_id = r
            if owner == "glossary":
                label = ident
            else:
                label = owner.anchors.get(target_id, ("anchor", None))[1]
            if not label:
                problems.append("%s: [@%s] points at something without a number; use [words](#%s) instead"
                                % (chap.where(line), ident, ident))
                return None
            if c["citationMode"]["t"] == "SuppressAuthor":
                label = label.split(" ", 1)[-1]
            # "Figure 3.1", kept on one line by a non-breaking space
            text = [pf.Str("\u00a0".join(label.split(" ")))]
            if k:
                out += [pf.Str(","), pf.Space()]
            if c["citationPrefix"]:
                out += walk(c["citationPrefix"], action) + [pf.Space()]
            out.append(pf.Link(["", ["xref"], []], text, [href(owner, target_id), ""]))
            if c["citationSuffix"]:
                out += walk(c["citationSuffix"], action)
        return out

    def link(value):
        attr, inlines, (url, title) = value
        where = chap.where(line_of(attr))
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            return None  # external: http:, mailto: ...
        m = re.match(r"^([^#]*)(?:#(.*))?$", url)
        page, frag = m.group(1), m.group(2)
        if page == "":
            r = book.resolve(chap, frag or "", line_of(attr))
            if r is None:
                problems.append("%s: the link [%s](%s) points at no anchor in the book"
                                % (where, stringify(inlines), url))
                return None
            return pf.Link(attr, inlines, [href(*r), title])
        pm = re.match(r"^(ch\d\d|index|glossary|figures)\.html$", page)
        if not pm:
            problems.append("%s: the link [%s](%s) leaves the book; link to chNN.html#id or #id"
                            % (where, stringify(inlines), url))
            return None
        name = pm.group(1)
        if name in book.by_nn:
            other = book.by_nn[name]
            ident = frag or other.h1
            if ident == other.nn:  # #chNN is always the chapter's top, whatever its heading's id
                ident = other.h1
            if ident not in other.anchors:
                problems.append("%s: the link [%s](%s): %s has no anchor #%s"
                                % (where, stringify(inlines), url, other.md, ident))
                return None
            if target == "html":
                new = other.page if ident == other.h1 else other.page + "#" + ident
                return pf.Link(attr, inlines, [new, title])
            return pf.Link(attr, inlines, ["#" + latex_id(other, ident), title])
        if name == "glossary":
            if frag and frag not in book.glossary_ids:
                problems.append("%s: the link [%s](%s): the glossary has no #%s (see book/glossary.tsv)"
                                % (where, stringify(inlines), url, frag))
                return None
            if target == "html":
                return None
            return pf.Link(attr, inlines, ["#" + (frag or "glossary"), title])
        if re.match(r"^ch\d\d$", name):
            problems.append("%s: the link [%s](%s): %s has no chapter %s"
                            % (where, stringify(inlines), url, weave.MANIFEST, name))
            return None
        if target == "html":
            return None
        return pf.Span(["", [], []], inlines)

    def image(value):
        attr, caption, (src, title) = value
        k = kv(attr)
        if "data-graph" in k:
            attr = graph_size(attr, os.path.join(ROOT, src + ".svg"), target)
            if target == "html":
                dest = figure_html_src(chap, k, src)
                copies.append((os.path.join(ROOT, src + ".svg"), os.path.join(out_dir, dest)))
                src = dest
            else:
                src = os.path.join(ROOT, src + ".pdf")
        elif "data-local" in k:
            if target == "html":
                dest = figure_html_src(chap, k, src)
                copies.append((os.path.join(ROOT, src), os.path.join(out_dir, dest)))
                src = dest
            else:
                path = os.path.join(ROOT, src)
                if path.endswith(".svg"):
                    pdf = path[:-4] + ".pdf"
                    if not os.path.exists(pdf):
                        problems.append("%s: image %s: the PDF book needs %s next to it"
                                        % (chap.where(line_of(attr)), k["data-local"], rel(pdf)))
                    path = pdf
                src = path
        return pf.Image(attr, caption, [src, title])

    def action(key, value):
        if key == "Cite":
            return cite(value)
        el = None
        if key == "Link":
            el = link(value)
        elif key == "Image":
            el = image(value)
        if target == "latex":
            key, value = (el["t"], el["c"]) if el else (key, value)
            attr = get_attr(key, value)
            if attr and attr[0] and not attr[0].startswith(chap.nn + ":"):
                value = list(value)
                value[weave.ATTR_POS[key]] = [latex_id(chap, attr[0])] + attr[1:]
                el = {"t": key, "c": value}
        return el

    blocks = walk(chap.doc["blocks"], action)
    if problems:
        raise BuildError(problems)
    return blocks


# ---------------------------------------------------------------- HTML

def pandoc_json(api, blocks, meta=None):
    """A document for a pandoc reader (-f json): its API version as the
    running pandoc wrote the chapters (book.api), the loader's bookkeeping
    (wb-* attributes) left out."""
    return json.dumps({"pandoc-api-version": api, "meta": meta or {},
                       "blocks": weave.strip_bookkeeping(blocks)})


def render_inlines_html(api, items):
    """Render many inline lists to HTML strings with one pandoc call."""
    if not items:
        return []
    blocks = [{"t": "Div", "c": [["wb-item-%d" % i, [], []], [{"t": "Plain", "c": without_links(x)}]]}
              for i, x in enumerate(items)]
    p = run(["pandoc", "-f", "json", "-t", "html5", "--mathml", "--wrap=none"], "pandoc (table of contents)",
            input_text=pandoc_json(api, blocks))
    found = dict(re.findall(r'<div id="wb-item-(\d+)">\n?(.*?)\n?</div>', p.stdout, re.S))
    return [found.get(str(i), "").strip() for i in range(len(items))]


MATH = re.compile(r"<math\b.*?</math>", re.S)
FENCE = re.compile(r'<mo stretchy="true" form="(prefix|postfix)">')
TALL = re.compile(r"<(mfrac|mtable|munderover|munder|mover|msqrt|mroot)\b")


def fix_fences(page):
    """pandoc's MathML makes every pair of brackets stretchy, and Chromium then
    sets even f(x) with gaps around the brackets. Keep stretching only for
    brackets around something tall (a fraction, a matrix, a big operator)."""
    def one(m):
        math = m.group(0)
        stack, plain = [], []
        for f in FENCE.finditer(math):
            if f.group(1) == "prefix":
                stack.append(f)
            elif stack:
                o = stack.pop()
                if not TALL.search(math, o.end(), f.start()):
                    plain += [(o.start(), o.end()), (f.start(), f.end())]
        if not plain:
            return math
        out, last = [], 0
        for start, end in sorted(plain):
            out.append(math[last:start])
            out.append(math[start:end].replace('stretchy="true"', 'stretchy="false"'))
            last = end
        out.append(math[last:])
        return "".join(out)
    return MATH.sub(one, page)


def intro_html(book):
    """book/intro.md (as the loader read it) in HTML, for index.html."""
    p = run(["pandoc", "-f", "json", "-t", "html5", "--mathml", "--wrap=none"], "pandoc (%s to HTML)" % weave.INTRO_MD,
            input_text=pandoc_json(book.api, book.intro["blocks"], book.intro["meta"]))
    problems = weave.math_problems(weave.INTRO_MD, book.intro_src, p.stderr, log)
    if problems:
        raise BuildError(problems)
    return htmlpost.math_spacing(p.stdout)


class Site:
    def __init__(self, book, edition, out_dir, work_dir, with_pdf):
        self.book = book
        self.with_pdf = with_pdf  # the PDF is copied next to the pages, so they link to it
        self.edition = edition
        self.out = out_dir
        self.work = work_dir
        with open(os.path.join(BOOK, "templates", "page.html"), encoding="utf-8") as f:
            self.template = string.Template(f.read())

    def page(self, filename, title, content, body_class, toc="", prev=None, next_=None, source=None):
        ed = EDITIONS[self.edition]
        rels = ['<link rel="%s" href="%s">' % (r, l[0]) for r, l in (("prev", prev), ("next", next_)) if l]
        banner = ""
        if self.edition == "instructor":
            banner = '<div class="edition-banner" role="note">%s. %s</div>' % (html.escape(ed["label"]), html.escape(ed["note"]))

        def nav_link(href, text):
            cur = ' aria-current="page"' if href == filename else ""
            return '<a href="%s"%s>%s</a>' % (href, cur, text)
        nav = " ".join([nav_link("index.html", "Contents"), nav_link("glossary.html", "Glossary"),
                        nav_link("figures.html", "Figures")])
        if self.with_pdf:
            nav += ' <a href="%s">PDF</a>' % PDF_NAME
        text = self.template.substitute(
            title=html.escape(title), book_title=html.escape(TITLE), edition_label=html.escape(ed["label"]),
            edition=self.edition, banner=banner, nav=nav, content=content,
            pager=navigation.pager_html(prev, next_, "bottom"), pager_top=navigation.pager_html(prev, next_, "top"),
            sidebar=navigation.sidebar_html(self.book, filename, self.titles, self.headers),
            rel_links="\n".join(rels), body_class=body_class)
        with open(os.path.join(self.out, filename), "w", encoding="utf-8") as f:
            f.write(text)
        if source:
            SOURCES[filename] = source

    def chapter_page(self, chap, prev, next_, title_html, headers_html):
        copies = []
        blocks = navigation.link_glossary(transform(self.book, chap, "html", self.out, copies), self.glossary)
        for src, dst in copies:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(src, dst)
        p = run(["pandoc", "-f", "json", "-t", "html5", "--mathml", "--wrap=none",
                 "-N", "--number-offset=%d" % (chap.number - 1),
                 "--highlight-style", os.path.join(BOOK, "highlight.theme"),
                 "--lua-filter", os.path.join(BOOK, "present.lua")],
                "pandoc (%s to HTML)" % chap.md, input_text=pandoc_json(self.book.api, blocks, chap.doc["meta"]))
        problems = weave.math_problems(chap.md, chap.src, p.stderr, log)
        if problems:
            raise BuildError(problems)
        # the chapter's own contents: unfolded in the sidebar (navigation.sidebar_html)
        self.page(chap.page, "%d %s · %s" % (chap.number, stringify(chap.title_inlines), TITLE),
                  htmlpost.apply(fix_fences(p.stdout), self.out), "chapter", prev=prev, next_=next_, source=chap.md)

    def index_page(self, titles_html, headers_html, intro_html, pdf):
        ed = EDITIONS[self.edition]
        parts = ['<header class="book-cover"><h1 class="book-title">%s</h1>' % html.escape(TITLE),
                 '<p class="book-edition">%s</p></header>' % html.escape(ed["label"]),
                 '<div class="intro">%s</div>' % intro_html,
                 '<h2 id="contents">Contents</h2>', '<ol class="book-toc">']
        for chap, title, hs in zip(self.book.chapters, titles_html, headers_html):
            parts.append('<li><a class="toc-chapter" href="%s"><span class="toc-number">%d</span> %s</a>'
                         % (chap.page, chap.number, title))
            parts.append(navigation.chapter_guide_html(chap))
            subs = []
            for (level, ident, number, _, _), text in zip(chap.headers, hs):
                if level > 3 or not ident:
                    continue
                num = '<span class="toc-number">%s</span> ' % number if number else ""
                subs.append('<li class="toc-level-%d"><a href="%s#%s">%s%s</a></li>'
                            % (level, chap.page, html.escape(ident), num, text))
            if subs:
                parts.append('<ul>%s</ul>' % "".join(subs))
            parts.append("</li>")
        parts.append('<li class="toc-back"><a class="toc-chapter" href="glossary.html">Glossary (English–Korean)</a></li>')
        parts.append('<li class="toc-back"><a class="toc-chapter" href="figures.html">List of figures</a></li>')
        parts.append("</ol>")
        if pdf:
            parts.append('<p class="pdf-link">The same book as a PDF, for print: <a href="%s">%s</a></p>' % (PDF_NAME, PDF_NAME))
        first = self.book.chapters[0]
        self.page("index.html", TITLE + (" (%s)" % ed["label"]), "\n".join(parts), "index",
                  next_=(first.page, "%d %s" % (first.number, titles_html[0])), source="book/intro.md")

    def glossary_page(self, entries):
        rows = []
        for ident, english, korean, meaning in entries:
            rows.append('<tr id="%s"><th scope="row" lang="en">%s</th><td lang="ko">%s</td><td>%s</td></tr>'
                        % (ident, html.escape(english), html.escape(korean), html.escape(meaning)))
        content = ('<h1 id="glossary">Glossary</h1>\n<p>The terms of this workbook with the words the Korean edition of '
                   '<cite>Deep Learning from Scratch</cite> (밑바닥부터 시작하는 딥러닝) uses for them.</p>\n'
                   '<div class="table-wrap"><table class="glossary"><thead><tr><th scope="col">English</th>'
                   '<th scope="col" lang="ko">한국어</th><th scope="col">Meaning</th></tr></thead><tbody>\n%s\n'
                   '</tbody></table></div>' % "\n".join(rows))
        last = self.book.chapters[-1]
        self.page("glossary.html", "Glossary · " + TITLE, content, "glossary", source="book/glossary.tsv",
                  prev=(last.page, "%d %s" % (last.number, self.titles[-1])), next_=("figures.html", "List of figures"))

    def figures_page(self, captions_html):
        parts = ['<h1 id="figures">List of figures</h1>']
        k = 0
        any_fig = False
        for chap in self.book.chapters:
            if not chap.figures:
                continue
            any_fig = True
            parts.append('<h2>%d %s</h2><ul class="figure-list">' % (chap.number, html.escape(stringify(chap.title_inlines))))
            for ident, number, _ in chap.figures:
                parts.append('<li><a href="%s#%s"><span class="toc-number">Figure %s</span><span class="fig-caption">%s</span></a></li>'
                             % (chap.page, html.escape(ident), number, captions_html[k]))
                k += 1
            parts.append("</ul>")
        if not any_fig:
            parts.append("<p>No chapter has figures yet.</p>")
        self.page("figures.html", "List of figures · " + TITLE, "\n".join(parts), "figures", source="(figure captions)",
                  prev=("glossary.html", "Glossary"))


SOURCES = {}  # html file -> the source it came from, for link-check messages


class LinkParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("id", "name") if tag == "a" else ("id",):
            if a.get(k):
                self.ids.add(a[k])
        for k in ("href", "src"):
            if a.get(k) is not None:
                self.refs.append((tag, k, a[k], self.getpos()[0]))


def check_html(out_dir, missing_ok=()):
    """Every internal href and src of the HTML resolves; nothing is fetched from the network."""
    pages = {}
    for dirpath, _, files in os.walk(out_dir):
        for name in files:
            if name.endswith(".html"):
                path = os.path.join(dirpath, name)
                p = LinkParser()
                with open(path, encoding="utf-8") as f:
                    p.feed(f.read())
                pages[os.path.relpath(path, out_dir)] = p
    problems = []
    for page, p in sorted(pages.items()):
        src = SOURCES.get(page, page)
        for tag, attr, url, line in p.refs:
            where = "%s (from %s), line %d" % (page, src, line)
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
                if attr == "src" or tag == "link":
                    problems.append("%s: %s=%s loads from outside the book; the HTML must work offline" % (where, attr, url))
                continue
            path, _, frag = url.partition("#")
            path = urllib.parse.unquote(path)
            frag = urllib.parse.unquote(frag)
            target = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if target.startswith(".."):
                problems.append("%s: %s=%s points outside the book's folder" % (where, attr, url))
                continue
            if target in missing_ok:
                continue
            if not os.path.exists(os.path.join(out_dir, target)):
                problems.append("%s: %s=%s: no such file in the book" % (where, attr, url))
                continue
            if frag and target.endswith(".html") and frag not in pages[target].ids:
                problems.append("%s: link %s: %s has no anchor #%s" % (where, url, target, frag))
    if problems:
        raise BuildError(["broken link: " + p for p in problems])
    return sum(len(p.refs) for p in pages.values())


def highlight_css(work_dir):
    tpl = os.path.join(work_dir, "highlight-css.template")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write("$highlighting-css$\n")
    p = run(["pandoc", "-f", "markdown", "-t", "html5", "-s", "--template", tpl, "--metadata", "title=x",
             "--highlight-style", os.path.join(BOOK, "highlight.theme")], "pandoc (highlight CSS)",
            input_text="```c\nint x;\n```\n")
    return "/* Generated by harness/workbook/book.py from book/highlight.theme. */\n" + p.stdout


def build_html(book, edition, out_dir, work_dir, glossary, pdf_future):
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(os.path.join(out_dir, "figures"))
    site = Site(book, edition, out_dir, work_dir, pdf_future is not None)
    shutil.copyfile(os.path.join(BOOK, "assets", "book.css"), os.path.join(out_dir, "book.css"))
    with open(os.path.join(out_dir, "highlight.css"), "w", encoding="utf-8") as f:
        f.write(highlight_css(work_dir))

    # Every heading and caption shown outside its own page, rendered in one pandoc call.
    items = []
    for c in book.chapters:
        items.append(book.plain_cites(c, c.title_inlines))
        items.extend(book.plain_cites(c, h[3]) for h in c.headers)
    for c in book.chapters:
        items.extend(book.plain_cites(c, f[2]) for f in c.figures)
    rendered = render_inlines_html(book.api, items)
    titles, headers, k = [], [], 0
    for c in book.chapters:
        titles.append(rendered[k])
        headers.append(rendered[k + 1:k + 1 + len(c.headers)])
        k += 1 + len(c.headers)
    captions = rendered[k:]
    site.titles, site.headers, site.glossary = titles, headers, glossary  # for the sidebar, glossary links

    chs = book.chapters
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        jobs = []
        for i, c in enumerate(chs):
            prev = ("index.html", "Contents") if i == 0 else (chs[i - 1].page, "%d %s" % (chs[i - 1].number, titles[i - 1]))
            nxt = (chs[i + 1].page, "%d %s" % (chs[i + 1].number, titles[i + 1])) if i + 1 < len(chs) else ("glossary.html", "Glossary")
            jobs.append(pool.submit(site.chapter_page, c, prev, nxt, titles[i], headers[i]))
        problems = []
        for j in jobs:
            try:
                j.result()
            except BuildError as e:
                problems.extend(e.problems)
        if problems:
            raise BuildError(problems)
    site.glossary_page(glossary)
    weave.listings.source_pages(site, book, edition)  # the whole headers the chapters quote in parts
    site.figures_page(captions)
    intro = intro_html(book)
    pdf, pdf_problems = False, []
    if pdf_future is not None:
        try:
            shutil.copyfile(pdf_future.result(), os.path.join(out_dir, PDF_NAME))
            pdf = True
        except BuildError as e:  # report the HTML's problems too
            pdf_problems = e.problems
    site.index_page(titles, headers, intro, pdf)
    try:  # book.js, lunr.js, search-index.js (from the pages just written), dark code colours
        navigation.write_assets(book, out_dir, work_dir, glossary, run)
    except navigation.NavigationError as e:
        raise BuildError([str(e)])
    try:
        n = check_html(out_dir, missing_ok={PDF_NAME} if pdf_problems else set())
    except BuildError as e:
        raise BuildError(pdf_problems + e.problems)
    if pdf_problems:
        raise BuildError(pdf_problems)
    return n



# ---------------------------------------------------------------- the book model (book.json)

MODEL_NAME = "book.json"
MODEL_SCHEMA = 1  # raised when a key changes meaning or goes away; new keys keep it


def pandoc_version():
    out = run(["pandoc", "--version"], "pandoc --version").stdout
    m = re.match(r"pandoc(?:\.exe)?\s+(\S+)", out)
    return m.group(1) if m else out.split("\n", 1)[0]


def figure_html_src(chap, k, src):
    """Where a figure's image is in the HTML folder (see transform)."""
    if "data-graph" in k:
        return "figures/%s-%s.svg" % (chap.nn, k["data-graph"])
    if "data-local" in k:
        return "figures/%s-%s" % (chap.nn, os.path.basename(src))
    return src


def plain_text(book, chap, inlines):
    return re.sub(r"\s+", " ", stringify(book.plain_cites(chap, inlines))).strip()


def chapter_model(book, chap):
    """What a chapter holds, as book/README.md describes book.json."""
    sections = [{"id": ident, "number": number, "title": plain_text(book, chap, inlines), "level": level,
                 "line": line}
                for level, ident, number, inlines, line in chap.headers]
    figures, listings, outputs, exercises = [], [], [], []
    exercise_file = re.compile(r"^exercises/ch\d\d/[\w.-]+\.[ch]$")

    def fn(key, value):
        if key == "Image":
            attr, caption, (src, _title) = value
            k = kv(attr)
            if k.get("data-number"):
                figures.append({"id": attr[0], "number": k["data-number"],
                                "caption": plain_text(book, chap, caption), "alt": k.get("alt", ""),
                                "src": figure_html_src(chap, k, src), "graph": k.get("data-graph"),
                                "line": line_of(attr)})
        elif key == "Div":
            attr, blocks = value
            k = kv(attr)
            if "listing" in attr[1]:
                code = next((b for b in blocks if b["t"] == "CodeBlock"), None)
                first, _, last = k.get(weave.SOURCE_LINES, "-").partition("-")
                listings.append({"id": attr[0], "number": k.get("data-number"), "file": k.get(weave.SOURCE),
                                 "shown_as": k.get("data-file"), "snippet": k.get("data-snippet"),
                                 "where": k.get("data-where"), "full": k.get("data-full"),
                                 "solution": "data-solution" in k, "exercise": k.get("data-exercise"),
                                 "longest": max((len(l) for l in code["c"][1].split("\n")), default=0) if code else 0,
                                 "lines": len(code["c"][1].split("\n")) if code else 0,
                                 "source_lines": [int(first), int(last)] if first else None,
                                 "line": line_of(attr)})
            elif "program-output" in attr[1]:
                code = next((b for b in blocks if b["t"] == "CodeBlock"), None)
                outputs.append({"run": k.get("data-run"), "lines": len(code["c"][1].split("\n")) if code else 0,
                                "line": line_of(attr)})
            elif "callout" in attr[1] and k.get("data-kind") == "exercise":
                head = blocks[0] if blocks and "callout-title" in blocks[0]["c"][0][1] else None
                codes = []

                def code(key, value):
                    if key == "Code":
                        codes.append(value[1])
                visit(blocks, code)
                files = []
                for c in codes:
                    if exercise_file.match(c) and c not in files:
                        files.append(c)
                exercises.append({"id": attr[0], "number": k.get("data-number"),
                                  "title": plain_text(book, chap, head["c"][1][0]["c"]) if head else "",
                                  "file": files[0] if files else None, "files": files, "line": line_of(attr)})
    visit(chap.doc["blocks"], fn)
    return {"number": chap.number, "nn": chap.nn, "id": chap.h1, "file": chap.md,
            "title": plain_text(book, chap, chap.title_inlines), "html": chap.page,
            "sections": sections, "figures": figures, "listings": listings, "outputs": outputs,
            "exercises": exercises}


def write_model(book, edition, out_root, glossary, pdf_path, version):
    """build/book/<edition>/book.json: the book as built (schema: book/README.md).
    pdf_path: the PDF this build wrote, or None."""
    model = {
        "schema": MODEL_SCHEMA,
        "edition": edition,
        "edition_label": EDITIONS[edition]["label"],
        "title": TITLE,
        "pandoc_version": version,
        "pandoc_api_version": book.api,
        "html": "html",
        "pdf": os.path.relpath(pdf_path, out_root) if pdf_path else None,
        "latex": os.path.join("work", "latex") if pdf_path else None,
        "chapters": [chapter_model(book, c) for c in book.chapters],
        "glossary": [{"term": english, "korean": korean, "id": ident, "definition": meaning}
                     for ident, english, korean, meaning in glossary],
    }
    path = os.path.join(out_root, MODEL_NAME)
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(model, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmp, path)
    return path


# ---------------------------------------------------------------- PDF

def latex_escape(s):
    return re.sub(r"[\\{}_%#&$^~]", lambda m: {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}",
                                                "~": r"\textasciitilde{}"}.get(m.group(0), "\\" + m.group(0)), s)


# What Latin Modern Roman lacks, as book/present.lua sets it in prose.
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿⁱᵀ", "0123456789+-niT"))
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋ᵢⱼₙ", "0123456789+-ijn"))
SUPERSCRIPTS["⁻"] = SUBSCRIPTS["₋"] = r"\ensuremath{-}"


def needs_math(ch):
    cp = ord(ch)
    return (0x0370 <= cp <= 0x03FF or 0x2100 <= cp <= 0x214F or 0x2190 <= cp <= 0x22FF
            or 0x27C0 <= cp <= 0x27EF or 0x2980 <= cp <= 0x29FF)


def latex_text(s):
    out = []
    for ch in s:
        if ch in SUPERSCRIPTS:
            out.append(r"\textsuperscript{%s}" % SUPERSCRIPTS[ch])
        elif ch in SUBSCRIPTS:
            out.append(r"\textsubscript{%s}" % SUBSCRIPTS[ch])
        elif needs_math(ch):
            out.append(r"\ensuremath{%s}" % ch)
        else:
            out.append(latex_escape(ch))
    return "".join(out)


def glossary_latex(entries):
    rows = []
    for ident, english, korean, meaning in entries:
        rows.append(r"\wbtarget{%s}\textbf{%s} & %s & %s \\ \addlinespace[3pt]"
                    % (ident, latex_text(english), latex_text(korean), latex_text(meaning)))
    return "\n".join([
        r"\chapter*{Glossary}\hypertarget{glossary}{}\label{glossary}",
        r"\addcontentsline{toc}{chapter}{Glossary}",
        r"\markboth{Glossary}{Glossary}",
        r"The terms of this workbook with the words the Korean edition of \emph{Deep Learning from Scratch}"
        r" (밑바닥부터 시작하는 딥러닝) uses for them.",
        r"\begin{wbglossary}",
        "\n".join(rows),
        r"\end{wbglossary}",
    ])


def build_pdf(book, edition, work_dir, glossary, pdf_path):
    t0 = time.time()
    tex_dir = os.path.join(work_dir, "latex")
    os.makedirs(tex_dir, exist_ok=True)
    blocks = []
    blocks.append(pf.RawBlock("latex", "\\chapter*{About this workbook}\\hypertarget{about}{}\\label{about}\n"
                                              "\\addcontentsline{toc}{chapter}{About this workbook}\n"
                                              "\\markboth{About this workbook}{}"))

    def intro_link(key, value):  # the intro is written for index.html: point its links into the PDF
        if key != "Link":
            return None
        url = value[2][0]
        m = re.match(r"^(ch\d\d|glossary)\.html(?:#(.*))?$", url)
        if not m:
            return None
        if m.group(1) == "glossary":
            new = "#" + (m.group(2) or "glossary")
        else:
            c = book.by_nn.get(m.group(1))
            if c is None:
                raise BuildError(["%s: the link %s points at no chapter"
                                  % (book.intro_src.where(line_of(value[0])), url)])
            new = "#" + latex_id(c, m.group(2) or c.h1)
        return pf.Link(value[0], value[1], [new, value[2][1]])
    blocks.extend(walk(book.intro["blocks"], intro_link))
    problems = []
    for c in book.chapters:
        try:
            blocks.extend(transform(book, c, "latex"))
        except BuildError as e:
            problems.extend(e.problems)
    if problems:
        raise BuildError(problems)
    blocks.append(pf.RawBlock("latex", glossary_latex(glossary)))
    langs = run(["pandoc", "--list-highlight-languages"], "pandoc --list-highlight-languages").stdout.split()
    meta = {"title": meta_string(TITLE), "present-highlight-languages": meta_string(" ".join(langs)),
            "lang": meta_string("en")}
    ed = EDITIONS[edition]
    edition_tex = os.path.join(tex_dir, "edition.tex")
    with open(edition_tex, "w", encoding="utf-8") as f:
        f.write("\\newcommand{\\wbtitle}{%s}\n\\newcommand{\\wbedition}{%s}\n\\newcommand{\\wbeditionnote}{%s}\n%s\n"
                % (latex_escape(TITLE), latex_escape(ed["label"]), latex_escape(ed["note"]),
                   "\\wbinstructortrue" if edition == "instructor" else ""))
    tex = os.path.join(tex_dir, "book.tex")
    cmd = ["pandoc", "-f", "json", "-t", "latex", "-s", "-o", tex, "--top-level-division=chapter", "-N", "--toc",
           "--highlight-style", os.path.join(BOOK, "highlight.theme"),
           "--lua-filter", os.path.join(BOOK, "present.lua"),
           "-H", os.path.join(BOOK, "latex", "preamble.tex"), "-H", edition_tex]
    for v in LATEX_VARS:
        cmd += ["-V", v]
    run(cmd, "pandoc (LaTeX)", input_text=pandoc_json(book.api, blocks, meta))
    with open(tex, encoding="utf-8") as f:
        text = f.read()
    targets = set(re.findall(r"\\(?:hypertarget|wbanchor|wbtarget|wbcodetarget)\{([^}]*)\}", text))
    broken = sorted(set(re.findall(r"\\hyperlink\{([^}]*)\}", text)) - targets)
    if broken:
        raise BuildError(["PDF: internal link to %s, which %s has no target for" % (b, rel(tex)) for b in broken])

    def snapshot():
        out = {}
        for ext in (".aux", ".toc", ".lof", ".out"):
            p = os.path.join(tex_dir, "book" + ext)
            out[ext] = open(p, "rb").read() if os.path.exists(p) else None
        return out
    before = snapshot()
    for n in range(1, 5):
        p = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "book.tex"],
                           cwd=tex_dir, capture_output=True, text=True, errors="replace",
                           env=dict(os.environ, max_print_line="100000"))
        logtext = ""
        logpath = os.path.join(tex_dir, "book.log")
        if os.path.exists(logpath):
            with open(logpath, encoding="utf-8", errors="replace") as f:
                logtext = f.read()
        if p.returncode != 0:
            errs = [l for l in logtext.splitlines() if l.startswith("!") or re.match(r"^\S+\.tex:\d+:", l)]
            tail = "\n".join(logtext.splitlines()[-25:])
            raise BuildError(["xelatex failed on %s:\n%s\n... (end of %s)\n%s" % (rel(tex), "\n".join(errs[:10]), rel(logpath), tail)])
        after = snapshot()
        if after == before:
            break
        before = after
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) \(U\+[0-9A-Fa-f]+\) in font ([^/:!\n]+)",
                                    logtext)))
    if missing:
        raise BuildError(["PDF: the font %s has no %s (U+%04X), so the PDF would silently drop it; write it as "
                          "math ($...$), or teach book/present.lua to set it in another font" % (font.strip(), ch, ord(ch[0]))
                          for ch, font in missing])
    shutil.copyfile(os.path.join(tex_dir, "book.pdf"), pdf_path)
    log("PDF: %s (%d xelatex runs, %.1f s)" % (rel(pdf_path), n, time.time() - t0))
    return pdf_path


# ---------------------------------------------------------------- self-check

# name: (what is wrong, Markdown appended to a copy of chapter 3, the marker
# pandoc reads, the first words the message must quote)
LIST_BREAKAGES = {
    "wrapped-number": ("a list item whose text wraps onto a line beginning \"200.\"",
                       "\n1. **Change the tax.** Before you run it, predict which of\n"
                       "   the three gradients change and which one stays at\n"
                       "   200. Why does that one stay?\n",
                       "200.", "Why does that one stay?"),
    "starts-at-3": ("a list numbered on from an earlier one, starting at 3",
                    "\nText between two lists.\n\n3. **Third step.** Run it again.\n4. Compare.\n",
                    "3.", "Third step. Run it again."),
    "paren-start": ("a list in the 2) style starting at 2",
                    "\nAnd then:\n\n2) check the output,\n3) and stop.\n",
                    "2)", "check the output,"),
}

# name: (what is wrong, Markdown inserted into a copy of chapter 3 before the
# heading BROKEN_BEFORE, the start of the message after "FILE:LINE: ", where
# LINE is the inserted line holding the text marked <<here>>)
BROKEN_BEFORE = "## Apples and oranges"
REFERENCE_BREAKAGES = {
    "missing-snippet": ("a snippet the file does not define",
                        '<<here>>```{.c file="solutions/ch03/mul_layer.c" snippet="mul-backwad"}\n```\n',
                        "solutions/ch03/mul_layer.c has no snippet 'mul-backwad' (it defines: "),
    "unknown-file": ("a file that does not exist",
                     '<<here>>```{.c file="solutions/ch03/no_such_layer.c"}\n```\n',
                     "file solutions/ch03/no_such_layer.c does not exist"),
    "bad-output": ("an output of a program that is not an example of the chapter",
                   '<<here>>```{.output run="buy_pear"}\n```\n',
                   'run="buy_pear": buy_pear is not an example of chapter 3 (%s lists these examples for chapter 3: '
                   % weave.MANIFEST),
    "copied-code": ("code pasted into a listing that the chapter also shows, earlier, empty",
                    '<<here>>```{.c file="solutions/ch03/mul_layer.c" snippet="mul-backward"}\n*dx = dout;\n```\n',
                    "the code block for solutions/ch03/mul_layer.c snippet mul-backward must be empty"),
    "snippet-no-file": ("snippet= without file=",
                        '<<here>>```{.c snippet="mul-backward"}\n```\n',
                        'a code block with snippet= also needs file="PATH"'),
    "output-no-run": ("an {.output} block without run=",
                      '<<here>>```{.output}\n```\n',
                      'an {.output} block needs run="NAME"'),
    "bad-graph": ("a graph that is not one of the chapter's",
                  "<<here>>![The pear graph.](graph:buy_pear){#fig:pear-graph}\n",
                  "graph:buy_pear is not a graph of chapter 3 (%s lists these graphs (examples with graph = true) "
                  "for chapter 3: " % weave.MANIFEST),
    "missing-image": ("an image file that does not exist",
                      "A picture:\n<<here>>![A pear.](no-such-pear.svg)\n",
                      "image no-such-pear.svg: chapters/03-add-mul-nodes/no-such-pear.svg does not exist"),
    "bad-cite": ("a cross reference to a figure that does not exist",
                 "Look at the pears\nin <<here>>[@fig:no-such-pear].\n",
                 "[@fig:no-such-pear] refers to no figure, section, exercise or chapter"),
    "bad-link": ("a link to an anchor that does not exist",
                 "Back to [the mul node](#ch03-mul-node), then\n<<here>>[the pear node](#ch03-pear-node).\n",
                 "the link [the pear node](#ch03-pear-node) points at no anchor in the book"),
    "duplicate-id": ("a heading with the id of another",
                     "<<here>>## The mul node again {#ch03-mul-node}\n",
                     "the id #ch03-mul-node is used twice"),
}


# issue 12's checks of boxes, listings and words (harness/workbook/consistency.py)
REFERENCE_BREAKAGES.update(weave.consistency.REFERENCE_BREAKAGES)


def fake_examples(build_dir, chapters):
    """Empty example outputs and graphs, so the self-check weaves without `make examples`."""
    for c in chapters:
        d = os.path.join(build_dir, "examples", c.nn)
        os.makedirs(d, exist_ok=True)
        for name in c.examples:
            open(os.path.join(d, name + ".out"), "w").close()
        for name in c.graphs + getattr(c, "plots", []):
            for ext in (".svg", ".pdf"):
                open(os.path.join(d, name + ext), "w").close()


def position_problems(chap):
    """Elements of a woven chapter (instructor edition) whose noted line does
    not hold them: (problems, how many were checked)."""
    lines = chap.src.lines
    problems, n = [], [0]

    def check(what, line, ok):
        n[0] += 1
        text = lines[line - 1] if line and 0 < line <= len(lines) else None
        if text is None or not ok(text):
            problems.append("%s: %s was placed on %s" % (chap.md, what, "line %d: %r" % (line, text) if line else "no line"))

    def fn(key, value):
        attr = get_attr(key, value)
        if key == "Header":
            check("the heading #%s" % attr[0], line_of(attr), lambda t: t.lstrip().startswith("#") and attr[0] in t)
        elif key == "Div":
            k = kv(attr)
            if "listing" in attr[1]:
                check("the listing of %s" % k[weave.SOURCE], line_of(attr),
                      lambda t: re.match(r"^\s*(```|~~~)", t) and 'file="%s"' % k[weave.SOURCE] in t)
            elif "program-output" in attr[1]:
                check("the output of %s" % k["data-run"], line_of(attr),
                      lambda t: re.match(r"^\s*(```|~~~)", t) and 'run="%s"' % k["data-run"] in t)
            elif "callout" in attr[1]:
                check("the %s callout" % k["data-kind"], line_of(attr), lambda t: t.startswith(":::") and k["data-kind"] in t)
        elif key in ("Image", "Link"):
            k = kv(attr)
            url = (("plot:" if weave.PLOT in k else "graph:") + k["data-graph"]) if "data-graph" in k \
                else k.get("data-local", value[2][0])
            check("the %s %s" % (key.lower(), url), line_of(attr), lambda t: "](" + url in t)
        elif key == "Cite":
            for c in value[0]:
                check("the citation @%s" % c["citationId"], weave.cite_line(c), lambda t: "@" + c["citationId"] in t)
    visit(chap.doc["blocks"], fn)
    return problems, n[0]


def self_check():
    """Broken copies of chapter 3 must fail with the copy's file and line
    (and, for a list, its first words); the intact Markdown must pass."""
    failures = []
    tmp = tempfile.mkdtemp(prefix="wb-build-selfcheck.")
    try:
        fake = os.path.join(tmp, "build")
        manifest = course.chapters()
        fake_examples(fake, manifest)
        glossary = read_glossary()
        intact = {}
        for edition in ("instructor",):  # every element; the student edition is built by make test
            chapters = [Chapter(c) for c in manifest]
            loaded = weave.load(chapters, edition, fake, log)
            found = list(loaded.problems)
            for chap in chapters:
                try:
                    analyse(chap)
                except BuildError as e:
                    found += e.problems
            found += ordered_list_problems(loaded.intro["blocks"], loaded.intro_src)
            if not found:
                try:
                    book = Book(chapters, glossary, loaded)
                    for chap in chapters:
                        for target in ("html", "latex"):
                            transform(book, chap, target, tmp, [])
                except BuildError as e:
                    found += e.problems
            failures += ["the intact book (%s edition) failed: %s" % (edition, p) for p in found]
            intact[edition] = (chapters, loaded)
        placed = 0
        for chap in intact["instructor"][0]:
            problems, n = position_problems(chap)
            failures += problems
            placed += n
        log("self-check: the intact chapters and %s pass; %d headings, callouts, listings, outputs, images, "
            "links and citations each on its line" % (weave.INTRO_MD, placed))

        model = next((c for c in manifest if c.number == 3), manifest[0])
        with open(os.path.join(ROOT, model.path, "chapter.md"), encoding="utf-8") as f:
            original = f.read().rstrip("\n") + "\n"
        cases = []
        for name, (what, snippet, marker, words) in LIST_BREAKAGES.items():
            text = original + snippet
            lines = text.split("\n")
            line = next(n + 1 for n in range(len(original.split("\n")) - 1, len(lines))
                        if lines[n].lstrip().startswith(marker + " "))
            cases.append((name, what, text, "%d: a numbered list starts at %s" % (line, marker), words))
        at = original.index("\n" + BROKEN_BEFORE + " ") + 1
        for name, (what, snippet, message) in REFERENCE_BREAKAGES.items():
            before = original[:at] + snippet[:snippet.index("<<here>>")]
            line = before.count("\n") + 1
            text = before + snippet[snippet.index("<<here>>") + len("<<here>>"):] + "\n" + original[at:]
            cases.append((name, what, text, "%d: %s" % (line, message), None))
        paths = []
        for name, what, text, message, words in cases:
            path = os.path.join(tmp, name, model.path, "chapter.md")
            os.makedirs(os.path.dirname(path))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(path)
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda path: broken_copy_problems(path, model, intact["instructor"], glossary,
                                                                      fake, tmp), paths))
        for (name, what, text, message, words), path, found in zip(cases, paths, results):
            want = "%s:%s" % (path, message)
            hits = [p for p in found if p.startswith(want) and (words is None or words in p)]
            if hits and len(found) == 1:
                log("self-check: caught %-16s %s" % (name, hits[0][len(tmp) + 1:][:150]))
            else:
                failures.append("%s (%s) was not reported as %r%s; found: %s"
                                % (name, what, want, " with %r" % words if words else "", found or "nothing"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    failures += weave.figure.self_check()  # a graph's labels: a true minus, no e-notation
    return failures


def broken_copy_problems(path, model, intact, glossary, build_dir, tmp):
    """Every problem the build finds in a copy of chapter model at path, in
    a book of the intact chapters: loading, numbering, cross references."""
    chapters, _ = intact
    chap = Chapter(model, md=path)
    loaded = weave.load([chap], "instructor", build_dir, intro=False, jobs=1)
    found = list(loaded.problems)
    if chap.doc is None:
        return found
    try:
        analyse(chap)
    except BuildError as e:
        found += e.problems
    if found:
        return found
    try:
        book = Book([chap if c.number == model.number else c for c in chapters], glossary, loaded)
        for target in ("html", "latex"):
            transform(book, chap, target, tmp, [])
    except BuildError as e:
        found += e.problems
    return found


# ---------------------------------------------------------------- main

def lint_problems(lint, found):
    """harness/workbook/source.py lint's findings (lint: its Popen). A reference from a
    chapter that does not resolve is already in found, named better, by
    harness/workbook/weave.py: then only the rest (a snippet no chapter shows, a broken
    marker) is added."""
    out, err = lint.communicate()
    if lint.returncode == 0:
        return []
    lines = [l[len("error: "):] for l in err.splitlines() if l.startswith("error: ")]
    if found:
        lines = [l for l in lines if not l.startswith("chapters/")]
        if not lines:
            return []
    return ["harness/workbook/source.py lint failed:\n" + ("\n".join(lines) or (err + out).strip())]



def main(argv):
    ap = argparse.ArgumentParser(description="Build the workbook (HTML and PDF).")
    ap.add_argument("--edition", choices=sorted(EDITIONS), default="student")
    ap.add_argument("--format", choices=["all", "html", "pdf"], default="all")
    ap.add_argument("--build-dir", default="build", help="the Makefile's BUILD (default: build)")
    ap.add_argument("--self-check", action="store_true",
                    help="check that the Markdown checks catch each defect, on broken copies of chapter 3")
    args = ap.parse_args(argv)
    t0 = time.time()
    if args.self_check:
        try:
            failures = self_check()
        except BuildError as e:
            failures = e.problems
        for f in failures:
            print("book: self-check FAILED: " + f, file=sys.stderr)
        log("self-check %s in %.1f s" % ("failed" if failures else "passed", time.time() - t0))
        return 1 if failures else 0
    build_dir = args.build_dir
    out_root = os.path.join(ROOT, build_dir, "book", args.edition)
    html_dir = os.path.join(out_root, "html")
    work_dir = os.path.join(out_root, "work")
    pdf_path = os.path.join(out_root, PDF_NAME)
    lint = None
    try:
        for tool in ("pandoc",) + (("xelatex",) if args.format != "html" else ()):
            if not shutil.which(tool):
                raise BuildError(["%s is not installed (`make deps-book` installs what the book needs)" % tool])
        # every snippet used somewhere: run beside the build, read at its end
        lint = subprocess.Popen([sys.executable, "-m", "workbook", "lint"], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        chapters = [Chapter(c) for c in course.chapters()]
        if not chapters:
            raise BuildError(["%s lists no chapters" % weave.MANIFEST])
        missing = ["%s: missing (%s lists chapter %d, %r)" % (c.md, weave.MANIFEST, c.number, c.manifest_title)
                   for c in chapters if not os.path.exists(os.path.join(ROOT, c.md))]
        if missing:
            raise BuildError(missing)
        os.makedirs(work_dir, exist_ok=True)
        # Two builds of one edition at once would share work/: the second waits.
        lock = open(os.path.join(out_root, ".lock"), "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            log("another build of the %s edition is running; waiting for it" % args.edition)
            fcntl.flock(lock, fcntl.LOCK_EX)
        model_path = os.path.join(out_root, MODEL_NAME)
        if os.path.exists(model_path):
            os.unlink(model_path)  # written again when this build succeeds
        glossary = read_glossary()

        loaded = weave.load(chapters, args.edition, build_dir, log)
        problems = list(loaded.problems)
        for c in chapters:
            if c.doc is not None:
                try:
                    analyse(c)
                except BuildError as e:
                    problems.extend(e.problems)
        if loaded.intro is not None:
            problems.extend(ordered_list_problems(loaded.intro["blocks"], loaded.intro_src))
        problems.extend(lint_problems(lint, problems))
        if problems:
            raise BuildError(problems)
        book = Book(chapters, glossary, loaded)

        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pdf_pool:
            pdf_future = None
            if args.format in ("all", "pdf"):
                pdf_future = pdf_pool.submit(build_pdf, book, args.edition, work_dir, glossary, pdf_path)
            if args.format in ("all", "html"):
                n = build_html(book, args.edition, html_dir, work_dir, glossary, pdf_future)
                log("HTML: %s/index.html (%d pages, %d links checked)"
                    % (rel(html_dir), len(SOURCES), n))
            elif pdf_future is not None:
                pdf_future.result()
        write_model(book, args.edition, out_root, glossary, pdf_path if pdf_future else None, pandoc_version())
        log("%s edition done in %.1f s" % (args.edition, time.time() - t0))
        return 0
    except BuildError as e:
        seen = set()
        for p in e.problems:
            if p not in seen:
                seen.add(p)
                print("book: error: " + p, file=sys.stderr)
        print("book: the %s edition was not built" % args.edition, file=sys.stderr)
        return 1
    finally:
        if lint is not None and lint.poll() is None:  # the build stopped before reading it
            lint.kill()
            lint.communicate()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
