"""weave.py: the chapters of the book, each read once and resolved in Python.

Used by harness/workbook/book.py (and its --self-check):

  load(chapters, edition, build_dir)   every chapter.md and book/intro.md read by
                                       pandoc (-t json, one process each, in
                                       parallel), positions found, references
                                       resolved; returns a Loaded, with every
                                       problem found, each naming FILE:LINE

Positions. pandoc's JSON has no source positions for Markdown, so a pre-pass
over each file's lines (SourceMap) lists where the fenced code blocks (by
their attributes), fenced divs, headings, images and links (by URL),
citations (by id), ids, $math$ and numbered-list markers are. The loader walks
the AST once in document order and writes into each element the line of the
next occurrence of its kind: the attribute `wb-line` (a citation: its
`citationHash`, which nothing here otherwise uses). Every message then says
`chapters/NN-slug/chapter.md:LINE: ...`. Attributes named wb-* are the
loader's bookkeeping: build.py drops them before any pandoc writer sees the
AST (strip_bookkeeping).

What is resolved (see CONTRIBUTING.md, "References in Markdown"):

  ```{.c file="PATH" snippet="NAME"}```   harness/workbook/source.py show(), in-process
  ```{.output run="NAME"}```              BUILD/examples/chNN/NAME.out
  ![caption](graph:NAME){#fig:id}         BUILD/examples/chNN/NAME.svg (HTML) / .pdf (PDF)
  ![caption](plot:NAME){#fig:id}          the same, a plot gnuplot drew (alt text: NAME.alt)
  ![caption](picture.svg)                 a file next to chapter.md
  ::: exercise / ::: tryit / ::: note     callout boxes ("Exercise 3.1", "Try this", "Note")
  ::: solution                            instructor edition only ("Solution")

The result is the same for HTML and PDF; book/present.lua later turns the
format-neutral pieces made here (Div.listing, Div.program-output,
Div.callout, data-number on figures) into HTML or LaTeX.

The AST is handled with python3-pandocfilters (walk, the element
constructors); its API version is the one the running pandoc writes, kept in
Loaded.api and written back unchanged.
"""
import bisect
import concurrent.futures
import json
import os
import re
import subprocess
import sys

try:
    import pandocfilters as pf
except ImportError:  # pragma: no cover
    sys.exit("book: error: %s has no pandocfilters module: install python3-pandocfilters (`make deps-book`) "
             "and run the book's scripts with Debian's /usr/bin/python3" % sys.executable)

from workbook import course  # the manifest
from workbook import source  # the markers: parse, show, SourceError
from workbook import figure  # a graph's description, written into its SVG
from workbook import listings  # what a listing shows, in words; how wide it may be
from workbook import consistency  # one look for each kind of box, one word for each direction

ROOT = course.ROOT
BOOK = os.path.join(ROOT, "book")

# the manifest's name in messages
MANIFEST = os.path.relpath(getattr(course, "MANIFEST", os.path.join(ROOT, "course.toml")), ROOT)

INTRO_MD = os.path.join("book", "intro.md")
LINE = "wb-line"          # the chapter.md line of an element
WOVEN = "wb-woven"        # a code block this module made (not to be resolved again)
SOURCE = "wb-source"      # a listing's file as the chapter names it (solutions/...)
SOURCE_LINES = "wb-source-lines"  # a listing's first-last line in that file
UNTITLED = "wb-untitled"  # a callout that shows no title (a tryit box under its "Try this" heading)
PLOT = "wb-plot"          # a figure that is a plot (plot:NAME): book.py places it as a graph
BOOKKEEPING = "wb-"       # the prefix of all of these


class WeaveError(Exception):
    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


# ---------------------------------------------------------------- AST helpers

ATTR_POS = {"Header": 1, "Div": 0, "Span": 0, "CodeBlock": 0, "Code": 0, "Image": 0, "Link": 0, "Table": 0}


def walk(x, action):
    """pandocfilters.walk without format and meta: action(key, value)
    returns None (keep, and walk into it), an element or a list of elements
    (replace; the walk goes on inside the replacement, not on it)."""
    return pf.walk(x, lambda key, value, fmt, meta: action(key, value), "", {})


def visit(x, fn):
    """fn(key, value) on every element, in document order (parents first)."""
    def action(key, value):
        fn(key, value)
    walk(x, action)


def get_attr(key, value):
    pos = ATTR_POS.get(key)
    return None if pos is None else value[pos]


def kv(attr):
    return dict(attr[2])


def set_kv(pairs, key, value):
    """Set key in an attribute's key-value list (in place, where it was; else last)."""
    for p in pairs:
        if p[0] == key:
            p[1] = value
            return
    pairs.append([key, value])


def del_kv(pairs, key):
    pairs[:] = [p for p in pairs if p[0] != key]


def line_of(attr):
    """The chapter.md line the loader noted for an element with attr, or None."""
    for k, v in attr[2]:
        if k == LINE:
            return int(v)
    return None


QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}


def stringify(x):
    """The text of an element or a list of them, as pandoc's stringify: notes
    and raw inlines dropped, quotes as curly quotes."""
    parts = []

    def go(key, value):
        if key == "Str":
            parts.append(value)
        elif key in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif key in ("Code", "Math"):
            parts.append(value[1])
        elif key in ("Note", "RawInline"):
            return []
        elif key == "Quoted":
            left, right = QUOTES.get(value[0]["t"], ('"', '"'))
            parts.append(left)
            walk(value[1], go)
            parts.append(right)
            return []
        return None
    walk([x] if isinstance(x, dict) else x, go)
    return "".join(parts)


def strip_bookkeeping(x):
    """x without the loader's wb-* attributes (for a pandoc writer)."""
    def action(key, value):
        attr = get_attr(key, value)
        if attr and any(k.startswith(BOOKKEEPING) for k, _ in attr[2]):
            value = list(value)
            pos = ATTR_POS[key]
            value[pos] = [attr[0], attr[1], [p for p in attr[2] if not p[0].startswith(BOOKKEEPING)]]
            return {"t": key, "c": value}
        return None
    return walk(x, action)


# ---------------------------------------------------------------- positions

FENCE = re.compile(r"^(\s*(?:>\s*)*)(`{3,}|~{3,})\s*(.*?)\s*$")
ATTR_TOKEN = re.compile(r"""\s*(?:\#([^\s}]+)|\.([^\s}]+)|([\w.:-]+)=(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s}]+))|(-)(?=\s|$))""")
HEADER = re.compile(r"^(?:\s*>)*\s{0,3}#{1,6}(?:\s|$)")
DIV_OPEN = re.compile(r"^\s*:{3,}\s*[^\s:]")
URL = re.compile(r"\]\(\s*<?([^\s)>]+)")
AUTOLINK = re.compile(r"<([A-Za-z][\w+.-]*:[^\s>]+)>")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)", re.M)
CITE = re.compile(r"(?<![\w\\])@([\w][\w:.#$%&\-+?<>~/]*)")
ATTRS = re.compile(r"\{([^{}\n]*)\}")
ID_TOKEN = re.compile(r"(?:^|\s)#([^\s}]+)")
CODE_SPAN = re.compile(r"(`+)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.S)  # within a paragraph
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])((?:[^$\\]|\\.)+?)(?<![\s\\])\$(?!\d)", re.S)
LIST_MARKER = re.compile(r"(\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])(\s+|$)")


def parse_attributes(text):
    """(id, classes, [[key, value]]) of a {...} attribute string, as pandoc reads it."""
    ident, classes, pairs = "", [], []
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    pos = 0
    while pos < len(text):
        m = ATTR_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m.group(1):
            ident = m.group(1)
        elif m.group(2):
            classes.append(m.group(2))
        elif m.group(3):
            raw = m.group(4) if m.group(4) is not None else m.group(5) if m.group(5) is not None else m.group(6)
            pairs.append([m.group(3), re.sub(r"\\(.)", r"\1", raw)])
        elif m.group(7):
            classes.append("unnumbered")
    return ident, classes, pairs


def fence_key(classes, pairs):
    """What tells a code block's fence line from another's: classes and key-values."""
    return (tuple(sorted(classes)), tuple(sorted((k, v) for k, v in pairs if not k.startswith(BOOKKEEPING))))


def fence_info_key(info):
    """fence_key of a fence line's info string: ```c, ```{.c file="x"}, ``` c {.x}."""
    info = info.strip()
    if not info:
        return fence_key([], [])
    if info.startswith("{"):
        _, classes, pairs = parse_attributes(info)
        return fence_key(classes, pairs)
    word, _, rest = info.partition(" ")
    classes, pairs = [word.strip("{}")], []
    if rest.strip().startswith("{"):
        _, more, pairs = parse_attributes(rest)
        classes += more
    return fence_key(classes, pairs)


class SourceMap:
    """Where things are in a Markdown file: found once, when it is loaded.

    index[(kind, key)] lists the lines (1-based) of each occurrence, in order:
      ("fence", fence_key)  the opening line of a fenced code block
      ("div", None)         the opening line of a fenced div (::: ...)
      ("header", None)      an ATX heading (# ...)
      ("url", URL)          a link or image target: ](URL, <URL>, [ref]: URL
      ("cite", ID)          a citation @ID
      ("id", ID)            #ID in an attribute block {...}
      ("math", TEX)         $TEX$ or $$TEX$$
      ("olist", MARKER)     a line starting (after > or outer list markers)
                            with the numbered-list marker MARKER ("200.", "b)"),
                            kept with the rest of the line
    The loader hands the occurrences out in order (take): the n-th element of
    a kind and key gets the n-th line."""

    def __init__(self, path, text):
        self.path = path
        self.lines = text.split("\n")
        self.index = {}
        self.taken = {}
        starts = [0]
        for line in self.lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        self.starts = starts
        masked = []
        fence = None  # (char, length) of the open fence
        blank_before = True
        for n, line in enumerate(self.lines, 1):
            if fence:
                m = FENCE.match(line)
                if m and m.group(2)[0] == fence[0] and len(m.group(2)) >= fence[1] and not m.group(3):
                    fence = None
                    blank_before = True
                masked.append(" " * len(line))  # same length: offsets in the text stay lines
                continue
            m = FENCE.match(line)
            if m:
                fence = (m.group(2)[0], len(m.group(2)))
                if not re.match(r"^\{=[\w-]+\}$", m.group(3)):  # ```{=latex} is raw, not a code block
                    self.add(("fence", fence_info_key(m.group(3))), n)
                masked.append(" " * len(line))
                blank_before = False
                continue
            masked.append(line)
            if DIV_OPEN.match(line):
                self.add(("div", None), n)
            elif HEADER.match(line) and blank_before:
                self.add(("header", None), n)
            elif line.strip():
                chain = re.match(r"^[\s>]*", line).end()
                rest = line[chain:]
                while True:
                    if rest.startswith(("- ", "* ", "+ ")):
                        rest = rest[2:].lstrip()
                        continue
                    m = LIST_MARKER.match(rest)
                    if not m:
                        break
                    rest = rest[m.end():]
                    self.add(("olist", m.group(1)), (n, rest))
            # pandoc reads "# x" as a heading only after a blank line, a
            # heading, a fence or a div's ::: line, not inside a paragraph
            blank_before = not line.strip() or bool(re.match(r"^\s*:{3,}", line)) or bool(HEADER.match(line))
        text = "\n".join(masked)
        text = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        found = []
        for regex, kind in ((URL, "url"), (AUTOLINK, "url"), (REF_DEF, "url"), (CITE, "cite")):
            for m in regex.finditer(text):
                key = m.group(1)
                if kind == "cite":
                    key = re.sub(r"[:.#$%&\-+?<>~/]+$", "", key)
                found.append((m.start(1), kind, key))
        for m in ATTRS.finditer(text):
            for t in ID_TOKEN.finditer(m.group(1)):
                found.append((m.start(1) + t.start(1), "id", t.group(1)))
        for m in DISPLAY_MATH.finditer(text):
            found.append((m.start(1), "math", m.group(1)))
        for m in INLINE_MATH.finditer(DISPLAY_MATH.sub(lambda d: " " * len(d.group(0)), text)):
            found.append((m.start(1), "math", m.group(1)))
        for offset, kind, key in sorted(found, key=lambda f: f[0]):
            self.add((kind, key), bisect.bisect_right(self.starts, offset))

    def add(self, key, line):
        self.index.setdefault(key, []).append(line)

    def take(self, kind, key):
        """The line of the next occurrence of (kind, key), or None."""
        lines = self.index.get((kind, key), [])
        n = self.taken.get((kind, key), 0)
        self.taken[(kind, key)] = n + 1
        return lines[n] if n < len(lines) else None

    def first(self, kind, key):
        lines = self.index.get((kind, key))
        return lines[0] if lines else None

    def math_line(self, tex):
        """The line of the $math$ pandoc quotes in a warning."""
        line = self.first("math", tex)
        if line is None:
            flat = " ".join(tex.split())
            line = next((lines[0] for (kind, key), lines in self.index.items()
                         if kind == "math" and " ".join(key.split()) == flat), None)
        return line

    def list_line(self, marker, first_word):
        """The line that starts the numbered list whose marker is MARKER ("200.")
        and whose first word is first_word (None: any)."""
        found = self.index.get(("olist", marker), [])
        for line, rest in found:
            if first_word is None or re.match(r"^\W*" + re.escape(first_word), rest):
                return line
        return found[0][0] if found else None

    def where(self, line=None):
        return "%s:%d" % (self.path, line) if line else self.path


def locate(blocks, smap):
    """Write each element's line into it (wb-line; a citation's citationHash),
    walking the AST in document order as SourceMap lists the file. In place."""
    def note(attr, line):
        if line:
            set_kv(attr[2], LINE, str(line))

    def action(key, value):
        if key == "CodeBlock":
            note(value[0], smap.take("fence", fence_key(value[0][1], value[0][2])))
        elif key == "Header":
            note(value[1], smap.take("header", None))
        elif key == "Div":
            note(value[0], smap.take("div", None))
        elif key in ("Image", "Link"):
            note(value[0], smap.take("url", value[2][0]))
        elif key == "Span" and value[0][0]:
            note(value[0], smap.take("id", value[0][0]))
        elif key == "Cite":
            for c in value[0]:
                c["citationHash"] = smap.take("cite", c["citationId"]) or 0
        return None
    walk(blocks, action)


def cite_line(citation):
    return citation.get("citationHash") or None


# ---------------------------------------------------------------- chapters

class Chapter:
    """A chapter of the book: what the manifest says, the file, the woven
    AST (doc) and what build.py's analyse finds in it."""

    def __init__(self, ch, md=None):
        self.number = ch.number
        self.nn = ch.nn
        self.manifest_title = ch.title
        self.dir = ch.path
        self.md = md or os.path.join(ch.path, "chapter.md")
        self.examples = list(ch.examples)
        self.graphs = list(ch.graphs)
        self.plots = list(getattr(ch, "plots", []))  # drawn by gnuplot from an example's --data
        self.files = list(getattr(ch, "files", []))  # the exercise files, as course.toml lists them
        self.functions = consistency.graded_functions(ch) if hasattr(ch, "functions") else []
        self.page = self.nn + ".html"
        self.src = None         # its SourceMap
        self.doc = None         # its pandoc JSON, woven
        self.h1 = None          # id of the chapter's level-1 heading
        self.title_inlines = []
        self.headers = []       # (level, id, number or None, inlines, line), level >= 2
        self.anchors = {}       # id -> (kind, label or None)
        self.figures = []       # (id, number, caption inlines)

    def where(self, line=None):
        return self.src.where(line) if self.src else self.md


def pandoc_warnings(stderr):
    """pandoc's [WARNING] messages, each with its continuation lines."""
    out = []
    for line in (stderr or "").splitlines():
        if line.startswith("[WARNING]"):
            out.append(line[len("[WARNING]"):].strip())
        elif out and line.strip():
            out[-1] += "\n" + line
    return out


def math_problems(where, smap, stderr, log=None):
    """Math pandoc cannot convert is a problem (FILE:LINE: ...); other warnings are logged."""
    problems = []
    for w in pandoc_warnings(stderr):
        m = re.match(r"Could not convert TeX math (.*?), rendering as TeX:?\n?(.*)", w, re.S)
        if m:
            reason = [l.strip() for l in m.group(2).splitlines() if l.strip() and l.strip() != "^"]
            problems.append("%s: pandoc cannot turn the math $%s$ into MathML (%s)"
                            % (smap.where(smap.math_line(m.group(1))) if smap else where, m.group(1),
                               reason[1] if len(reason) > 1 else "syntax"))
        elif log:
            log("warning: %s: %s" % (where, w.replace("\n", " ")))
    return problems


def read(md, log=None):
    """(doc, SourceMap, problems): md (relative to the repository, or absolute)
    read by pandoc once, each element given its line."""
    path = os.path.join(ROOT, md)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        return None, None, ["%s: cannot be read (%s)" % (md, e)]
    p = subprocess.run(["pandoc", "-f", "markdown", "-t", "json"], cwd=ROOT, input=text,
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, None, ["%s: pandoc could not read it:\n%s" % (md, p.stderr.strip())]
    doc = json.loads(p.stdout)
    smap = SourceMap(md, text)
    locate(doc["blocks"], smap)
    return doc, smap, math_problems(md, smap, p.stderr, log)


def parse_titles(texts):
    """{text: inlines} for callout titles (title="..."), Markdown read in one pandoc call."""
    texts = sorted(set(texts))
    if not texts:
        return {}, None
    md = "".join("::: {#wb-title-%d}\n%s\n:::\n\n" % (i, t) for i, t in enumerate(texts))
    p = subprocess.run(["pandoc", "-f", "markdown", "-t", "json"], cwd=ROOT, input=md,
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {}, "pandoc could not read the callout titles:\n" + p.stderr.strip()
    out = {}
    for b in json.loads(p.stdout)["blocks"]:
        if b["t"] == "Div" and b["c"][0][0].startswith("wb-title-"):
            i = int(b["c"][0][0][len("wb-title-"):])
            first = b["c"][1][0] if b["c"][1] else None
            out[texts[i]] = first["c"] if first and first["t"] in ("Para", "Plain") else []
    return out, None


CALLOUTS = {"exercise": "Exercise", "tryit": "Try this", "note": "Note", "solution": "Solution"}


def manifest_hint(chap, kind, names):
    """What the manifest says a chapter has: its examples or its graphs."""
    what = {"examples": "examples", "graphs": "graphs (examples with graph = true)",
            "plots": "plots (plots = [...] of its examples)"}[kind]
    if not names:
        return "%s lists no %s for chapter %d" % (MANIFEST, what, chap.number)
    return "%s lists these %s for chapter %d: %s" % (MANIFEST, what, chap.number, " ".join(names))


def weave(chap, edition, build_dir, titles):
    """Resolve code, output, figures and callouts of chap.doc (read, located),
    in place. Returns the problems, each naming chapter.md:LINE."""
    problems = []
    examples_dir = "%s/examples/%s" % (build_dir, chap.nn)
    count = {"figure": 0, "exercise": 0}
    exercise_names = []  # the graded functions the exercises name
    # the other edition's text goes first, so nothing below sees it
    chap.doc["blocks"] = consistency.edition_filter(chap.doc["blocks"], edition, walk)
    try_problems, _ = consistency.try_this_problems(chap, chap.doc["blocks"], stringify, line_of)
    problems.extend(try_problems)
    for i, b in enumerate(chap.doc["blocks"]):  # a box right under its "Try this" heading has no title of its own
        if (b["t"] == "Div" and "tryit" in b["c"][0][1] and i and chap.doc["blocks"][i - 1]["t"] == "Header"
                and stringify(chap.doc["blocks"][i - 1]["c"][2]).strip().lower() == consistency.TRY_THIS):
            set_kv(b["c"][0][2], UNTITLED, "1")

    def fail(line, message):
        problems.append("%s: %s" % (chap.where(line), message))

    def exists(path):
        return os.path.exists(os.path.join(ROOT, path))

    def source_listing(attr, text):
        ident, classes, pairs = attr
        k, line = dict(pairs), line_of(attr)
        file, snippet = k["file"], k.get("snippet")
        if text.strip():
            fail(line, "the code block for %s%s must be empty: the book shows the code from the file, never a copy"
                 % (file, (" snippet " + snippet) if snippet else ""))
            return []
        if not exists(file):
            fail(line, "file %s does not exist (paths are relative to the repository root)" % file)
            return []
        path = os.path.join(ROOT, file)
        try:
            code = source.show(path, snippet, edition).rstrip("\n")
            lines, snippets = source.parse(path)
        except source.SourceError as e:
            fail(line, str(e))
            return []
        except (OSError, UnicodeDecodeError) as e:
            fail(line, "%s cannot be read (%s)" % (file, e))
            return []
        if snippet:
            first, last = snippets[snippet]
        else:
            first, last = 0, len(lines) - (2 if len(lines) > 1 and lines[-1] == "" else 1)
        # The learner edits exercises/, so the student edition names that file.
        shown = re.sub(r"^solutions/", "exercises/", file) if edition == "student" else file
        lang = "c" if re.search(r"\.[ch]$", file) else None
        classes = list(classes) or ([lang] if lang else [])
        kvs = [["data-file", shown],
               ["data-where", listings.where(lines, first, last, whole_file=not snippet)]]
        if snippet and re.match(r"^harness/include/[\w.-]+\.h$", file):
            kvs.append(["data-full", source_page(file)])  # an excerpt of a header: the whole file a click away
        if any(source.MARKER.match(l) and source.MARKER.match(l).group(2) == "solution" for l in lines[first:last + 1]):
            kvs.append(["data-solution", edition])  # the reference code (instructor) or its stub (student)
        if snippet:
            kvs.append(["data-snippet", snippet])
        kvs += [[SOURCE, file], [SOURCE_LINES, "%d-%d" % (first + 1, last + 1)]]
        if line:
            kvs.append([LINE, str(line)])
        caption = pf.Div(["", ["listing-caption"], []], [pf.Plain([pf.Code(["", [], []], shown)])])
        return pf.Div([ident, ["listing"], kvs], [caption, pf.CodeBlock(["", classes, [[WOVEN, "1"]]], code)])

    def program_output(attr, text):
        ident, line = attr[0], line_of(attr)
        name = kv(attr)["run"]
        if text.strip():
            fail(line, "the output block for %s must be empty: the build runs the program and inserts its output" % name)
            return []
        if name not in chap.examples:
            fail(line, 'run="%s": %s is not an example of chapter %d (%s)'
                 % (name, name, chap.number, manifest_hint(chap, "examples", chap.examples)))
            return []
        path = "%s/%s.out" % (examples_dir, name)
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
                out = f.read()
        except OSError:
            fail(line, 'run="%s": %s does not exist; build the examples first (`make examples`, or use `make book`)'
                 % (name, path))
            return []
        out = out.rstrip("\n") or "(no output)"
        header = pf.Div(["", ["program-output-header"], []], [pf.Plain([pf.Code(["", [], []], "$ ./" + name)])])
        body = pf.CodeBlock(["", ["output"], [[WOVEN, "1"]]], out)
        kvs = [["data-run", name]] + ([[LINE, str(line)]] if line else [])
        return pf.Div([ident, ["program-output"], kvs], [header, body])

    def code_block(value):
        attr, text = value
        k = kv(attr)
        if WOVEN in k:
            return None
        if "file" in k:
            return source_listing(attr, text)
        if "output" in attr[1]:
            if "run" not in k:
                fail(line_of(attr), 'an {.output} block needs run="NAME" naming one of the chapter\'s examples')
                return []
            return program_output(attr, text)
        if "snippet" in k:
            fail(line_of(attr), 'a code block with snippet= also needs file="PATH"')
            return []
        if attr[1] and attr[1][0] in ("sh", "shell"):  # pandoc highlights "bash", not "sh" or "shell"
            return pf.CodeBlock([attr[0], ["bash"] + attr[1][1:], attr[2]], text)
        return None

    def image(value):
        attr, caption, (src, title) = value
        ident, classes, pairs = attr[0], attr[1], [list(p) for p in attr[2]]
        line = line_of(attr)
        alt = stringify(caption)
        if not alt.strip():
            fail(line, "image %s has no caption/alt text: write ![what it shows](%s)" % (src, src))
        if src.startswith("graph:"):
            name = src[len("graph:"):]
            if name not in chap.graphs:
                fail(line, "graph:%s is not a graph of chapter %d (%s)"
                     % (name, chap.number, manifest_hint(chap, "graphs", chap.graphs)))
                return None
            base = "%s/%s" % (examples_dir, name)
            for ext in (".svg", ".pdf"):
                if not exists(base + ext):
                    fail(line, "graph:%s: %s does not exist; build the examples first (`make examples`, or use "
                         "`make book`)" % (name, base + ext))
            src = base
            set_kv(pairs, "data-graph", name)
            # the alt text says what the figure shows, its values in words (figure.py
            # wrote them into the SVG's <desc>); the caption is read anyway
            alt = figure.svg_description(os.path.join(ROOT, base + ".svg")) or alt
        elif src.startswith("plot:"):  # drawn by gnuplot from an example's numbers
            name = src[len("plot:"):]
            if name not in chap.plots:
                fail(line, "plot:%s is not a plot of chapter %d (%s)"
                     % (name, chap.number, manifest_hint(chap, "plots", chap.plots)))
                return None
            base = "%s/%s" % (examples_dir, name)
            for ext in (".svg", ".pdf"):
                if not exists(base + ext):
                    fail(line, "plot:%s: %s does not exist; build the examples first (`make examples`, or use "
                         "`make book`)" % (name, base + ext))
            src = base
            set_kv(pairs, "data-graph", name)
            set_kv(pairs, PLOT, "1")
            # the alt text: what the plot shows, with its values, which its script wrote
            # from the same numbers (harness/src/figure.gp); the caption is read anyway
            try:
                with open(os.path.join(ROOT, base + ".alt"), encoding="utf-8") as f:
                    alt = f.read().strip() or alt
            except OSError:
                pass
        elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", src):
            fail(line, "image %s: the book is offline, so images must be files in the repository (or graph:NAME)" % src)
            return None
        else:
            path = chap.dir + "/" + src
            if not exists(path):
                fail(line, "image %s: %s does not exist (image paths are relative to the chapter's folder)" % (src, path))
                return None
            set_kv(pairs, "data-local", src)
            src = path
        set_kv(pairs, "alt", alt)
        if title.startswith("fig:"):
            count["figure"] += 1
            if not ident:
                ident = "fig:%s-%d" % (chap.nn, count["figure"])
            set_kv(pairs, "data-number", "%d.%d" % (chap.number, count["figure"]))
        return pf.Image([ident, classes, pairs], caption, [src, title])

    def callout(value):
        attr, blocks = value
        kind = next((c for c in attr[1] if c in CALLOUTS), None)
        if not kind:
            return None
        ident, pairs = attr[0], [list(p) for p in attr[2]]
        if kind == "tryit":
            title = [pf.Str("Try"), pf.Space(), pf.Str("this")]
        else:
            title = [pf.Str(CALLOUTS[kind])]
        if kind == "exercise":
            found, named = consistency.check_exercise(chap, attr, blocks, dict(pairs).get("title"),
                                                      stringify, visit, line_of)
            problems.extend(found)
            exercise_names.extend(named)
            count["exercise"] += 1
            number = "%d.%d" % (chap.number, count["exercise"])
            title += [pf.Space(), pf.Str(number)]
            set_kv(pairs, "data-number", number)
            if not ident:
                ident = "ex-%d-%d" % (chap.number, count["exercise"])
        custom = dict(pairs).get("title")
        if custom:
            title += [pf.Str(":"), pf.Space()] + json.loads(json.dumps(titles.get(custom, [pf.Str(custom)])))
        del_kv(pairs, "title")
        set_kv(pairs, "data-kind", kind)
        if dict(pairs).get(UNTITLED):  # the heading above says "Try this" already
            del_kv(pairs, UNTITLED)
            return pf.Div([ident, ["callout", kind], pairs], blocks)
        head = pf.Div(["", ["callout-title"], []], [pf.Plain(title)])
        return pf.Div([ident, ["callout", kind], pairs], [head] + blocks)

    def action(key, value):
        if key == "CodeBlock":
            return code_block(value)
        if key == "Image":
            return image(value)
        if key == "Div":
            return callout(value)
        return None

    blocks = walk(chap.doc["blocks"], action)
    if edition != "instructor":
        def no_solutions(key, value):
            if key == "Div" and "solution" in value[0][1]:
                return []
            return None
        blocks = walk(blocks, no_solutions)
    chap.doc["blocks"] = blocks
    problems.extend(finish_listings(chap, edition))
    if count["exercise"]:
        missing = [f for f in chap.functions if f not in exercise_names]
        if missing:
            problems.append("%s: no exercise box names %s, which course.toml grades in chapter %d: name each "
                            "function the learner writes, as `name`, in the exercise that asks for it"
                            % (chap.md, ", ".join(missing), chap.number))
    problems.extend(consistency.direction_problems(chap, stringify, visit, line_of))
    return problems


def source_page(path):
    """The HTML page that shows a whole file of the repository (book.py writes it)."""
    return "source-%s.html" % os.path.basename(path)


def finish_listings(chap, edition):
    """Number the listings the edition shows (Listing 3.2), tie each exercise's
    code to its exercise, and check every listing's width. In place."""
    problems = []
    exercise_of = {}  # exercises/chNN/x.c -> "3.1"

    def find_exercises(key, value):
        if key == "Div" and "callout" in value[0][1] and kv(value[0]).get("data-kind") == "exercise":
            number, ident = kv(value[0]).get("data-number"), value[0][0]

            def code(k, v):
                if k == "Code" and consistency.EXERCISE_FILE.match(v[1]):
                    exercise_of.setdefault(v[1], (number, ident))
            visit(value[1], code)
    visit(chap.doc["blocks"], find_exercises)
    n = [0]
    lines_of = {}

    def source_lines(path):
        if path not in lines_of:
            try:
                lines_of[path] = source.parse(os.path.join(ROOT, path))[0]
            except (OSError, source.SourceError, UnicodeDecodeError):
                lines_of[path] = []
        return lines_of[path]

    def go(blocks, in_callout):
        for b in blocks:
            if b["t"] != "Div":
                if b["t"] in ("BulletList", "OrderedList"):
                    for item in (b["c"] if b["t"] == "BulletList" else b["c"][1]):
                        go(item, in_callout)
                elif b["t"] == "BlockQuote":
                    go(b["c"], in_callout)
                continue
            attr, inner = b["c"]
            if "listing" in attr[1]:
                n[0] += 1
                set_kv(attr[2], "data-number", "%d.%d" % (chap.number, n[0]))
                if not attr[0]:
                    attr[0] = "lst-%d-%d" % (chap.number, n[0])  # a link target, and citable
                k = kv(attr)
                if "data-solution" in k:
                    ex = exercise_of.get(re.sub(r"^solutions/", "exercises/", k[SOURCE]))
                    if ex:
                        set_kv(attr[2], "data-exercise", ex[0])
                        set_kv(attr[2], "data-exercise-id", ex[1])
                problems.extend(consistency.width_problems(chap, (attr, inner), in_callout, kv, line_of, source_lines))
            else:
                go(inner, in_callout or "callout" in attr[1])
    go(chap.doc["blocks"], False)
    return problems


def callout_titles(doc):
    found = []

    def fn(key, value):
        if key == "Div" and any(c in CALLOUTS for c in value[0][1]):
            t = kv(value[0]).get("title")
            if t:
                found.append(t)
    visit(doc["blocks"], fn)
    return found


class Loaded:
    """What load() read: the chapters (woven), intro.md, the pandoc API version."""

    def __init__(self):
        self.chapters = []
        self.intro = None       # book/intro.md's pandoc JSON
        self.intro_src = None   # and its SourceMap
        self.api = None         # "pandoc-api-version" as the running pandoc writes it
        self.problems = []


def load(chapters, edition, build_dir, log=None, intro=True, jobs=None):
    """Read every chapter (and book/intro.md) once, resolve its references.
    chapters: Chapter objects; their .doc and .src are set. Never stops at
    the first problem: Loaded.problems has them all."""
    out = Loaded()
    out.chapters = chapters
    files = [c.md for c in chapters] + ([INTRO_MD] if intro else [])
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        results = list(pool.map(lambda md: read(md, log), files))
    for md, (doc, smap, problems) in zip(files, results):
        out.problems += problems
        if doc is not None:
            api = doc.get("pandoc-api-version")
            if out.api is None:
                out.api = api
            elif api != out.api:
                out.problems.append("%s: pandoc wrote API version %s, not %s as for the other files" % (md, api, out.api))
    if intro:
        out.intro, out.intro_src, _ = results[-1]
    for c, (doc, smap, _) in zip(chapters, results):
        c.doc, c.src = doc, smap
    titles, problem = parse_titles(t for c in chapters if c.doc for t in callout_titles(c.doc))
    if problem:
        out.problems.append(problem)
    for c in chapters:
        if c.doc is not None:
            out.problems += weave(c, edition, build_dir, titles)
    return out
