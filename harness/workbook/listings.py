"""listings.py: what a listing of the book shows, in words, and how wide it may be.

Used by harness/workbook/weave.py for every ```{.c file=...}``` listing:

  where(lines, first, last)   "mul_backward, whole function", "part of main",
                              "the struct AffineLayer and 2 declarations", ...:
                              what the shown lines are in their file (as
                              Crafting Interpreters says where a snippet goes)
  functions(lines)            the functions a C file defines (for the check that
                              an exercise names one of its file)
  width_problems(...)         a listing line wider than the page: the build stops

How wide: the HTML book sets code at 0.84 rem (13.44 px) in a column of 44 rem;
DejaVu Sans Mono is 8.09 px a character there, so a code box holds 82 columns,
77 inside a callout (measured in Chromium at 1280 px). The PDF's box holds
about 90 (xelatex, \\small DejaVu Sans Mono scaled to Latin Modern's x-height).
A phone scrolls a listing sideways inside its box. The limits below leave two
columns to spare; harness/selftest/reading.py checks in the browser that no
listing scrolls at 1280 px.
"""
import re

MAX_COLUMNS = 80            # a listing in the text
MAX_COLUMNS_IN_CALLOUT = 75  # a listing inside an exercise, note or solution box

IDENT = re.compile(r"[A-Za-z_]\w*")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else"}


def code_only(lines):
    """The lines with comments, strings and character literals blanked out
    (same lengths), so braces and parentheses can be counted."""
    out, in_comment = [], False
    for line in lines:
        chars, i, n = list(line), 0, len(line)
        while i < n:
            if in_comment:
                end = line.find("*/", i)
                stop = n if end < 0 else end + 2
                for k in range(i, stop):
                    chars[k] = " "
                in_comment = end < 0
                i = stop
            elif line.startswith("/*", i):
                in_comment = True
            elif line.startswith("//", i):
                for k in range(i, n):
                    chars[k] = " "
                break
            elif line[i] in "\"'":
                q, j = line[i], i + 1
                while j < n and line[j] != q:
                    j += 2 if line[j] == "\\" else 1
                for k in range(i + 1, min(j, n)):
                    chars[k] = " "
                i = j + 1
            else:
                i += 1
        out.append("".join(chars))
    return out


def outline(lines):
    """The top-level items of a C file: [(kind, name, first, last)], lines
    0-based and inclusive. kind: function (a definition), struct (a typedef or
    struct), declaration (a prototype or variable), enum, other (#include ...)."""
    code = code_only(lines)
    items = []
    depth = 0
    start = None  # first line of the statement being read at depth 0
    text = []
    for i, line in enumerate(code):
        if depth == 0 and start is None:
            s = line.strip()
            if not s:
                continue
            if s.startswith("#"):
                items.append(("other", s.split()[0], i, i))
                continue
            start, text = i, []
        text.append(line)
        for ch in line:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
        if depth == 0 and start is not None:
            joined = " ".join(text)
            stripped = line.rstrip()
            if stripped.endswith(";") or stripped.endswith("}"):
                items.append(classify(joined, start, i))
                start = None
    return items


def classify(statement, first, last):
    s = " ".join(statement.split())
    head = s.split("{", 1)[0]
    if s.startswith("typedef") or re.match(r"^(struct|union)\b", s):
        names = IDENT.findall(s.rsplit("}", 1)[-1]) if "}" in s else IDENT.findall(head)[-1:]
        kind = "enum" if re.search(r"\benum\b", head) else "struct"
        return (kind, names[0] if names else "?", first, last)
    if re.match(r"^enum\b", s):
        return ("enum", "?", first, last)
    m = re.search(r"([A-Za-z_]\w*)\s*\(", head)
    if m and "{" in s and not head.rstrip().endswith("="):
        return ("function", m.group(1), first, last)
    if m and m.group(1) not in KEYWORDS:
        return ("declaration", m.group(1), first, last)
    names = IDENT.findall(head.split("=", 1)[0])
    return ("declaration", names[-1] if names else "?", first, last)


def functions(lines):
    return [name for kind, name, _, _ in outline(lines) if kind == "function"]


def names(items):
    out = [n for _, n, _, _ in items]
    if len(out) <= 1:
        return "".join(out)
    return ", ".join(out[:-1]) + " and " + out[-1]


def where(lines, first, last, whole_file=False):
    """What lines[first..last] (0-based, inclusive) of a C file are, in words."""
    if whole_file:
        return "whole file"
    items = [it for it in outline(lines) if it[0] != "other"]
    inside = [it for it in items if it[2] < first and it[3] > last and it[0] == "function"]
    if inside:
        return "part of %s" % inside[0][1]
    covered = [it for it in items if first <= it[2] and it[3] <= last]
    cut = [it for it in items if it not in covered and it[2] <= last and it[3] >= first]
    if not covered:
        return "part of %s" % cut[0][1] if cut else "excerpt"
    funcs = [it for it in covered if it[0] == "function"]
    others = [it for it in covered if it[0] != "function"]
    if funcs and not others and not cut:
        return "%s, whole function%s" % (names(funcs), "s" if len(funcs) > 1 else "")
    structs = [it for it in covered if it[0] in ("struct", "enum")]
    decls = [it for it in covered if it[0] == "declaration"]
    parts = []
    if structs:
        parts.append("%s %s" % ("the types" if len(structs) > 1 else "the type", names(structs)))
    if decls:
        parts.append("the declaration%s of %s" % ("s" if len(decls) > 1 else "", names(decls))
                     if len(decls) <= 2 else "%d function declarations" % len(decls))
    if funcs:
        parts.append(names(funcs))
    text = parts[0] + (", with " + " and ".join(parts[1:]) if len(parts) > 1 else "")
    return text + (" (part)" if cut else "")


def width_problems(code, limit):
    """[(line_text, width)] of the lines of code wider than limit columns."""
    return [(line, len(line.expandtabs(4))) for line in code.split("\n") if len(line.expandtabs(4)) > limit]


def source_line(lines, text):
    """The 1-based line of lines that shows text (a stub line: behind "// ")."""
    want = text.strip()
    for i, line in enumerate(lines):
        if line.strip() == want or re.sub(r"^\s*// ?", "", line, count=1).strip() == want:
            return i + 1
    return None


def source_pages(site, book, edition):
    """The pages that show a whole header of which the chapters show excerpts
    (a listing's "whole file" link, weave.source_page): one pandoc run each,
    highlighted like every listing, linking back to the listings that quote it.
    Returns the pages written."""
    import html
    import os
    from workbook import book as build
    from workbook import source, weave

    quoted = {}  # path -> [(chapter, listing id, number)]
    for chap in book.chapters:
        def fn(key, value, chap=chap):
            if key == "Div" and "listing" in value[0][1]:
                k = weave.kv(value[0])
                if k.get("data-full"):
                    quoted.setdefault(k[weave.SOURCE], []).append((chap, value[0][0], k.get("data-number")))
        weave.visit(chap.doc["blocks"], fn)
    written = []
    for path, uses in sorted(quoted.items()):
        code = source.show(os.path.join(build.ROOT, path), None, edition).rstrip("\n")
        block = {"t": "CodeBlock", "c": [["", ["c"], []], code]}
        p = build.run(["pandoc", "-f", "json", "-t", "html5", "--wrap=none",
                       "--highlight-style", os.path.join(build.BOOK, "highlight.theme")],
                      "pandoc (%s)" % path, input_text=build.pandoc_json(book.api, [block]))
        links = ", ".join('<a href="%s#%s">listing %s</a> (chapter %d)' % (chap.page, html.escape(ident), number,
                                                                          chap.number)
                          for chap, ident, number in uses)
        content = ('<h1 id="source">%s</h1>\n<p>The whole file, as the repository has it. The book shows parts of it '
                   'where they are explained: %s.</p>\n<div class="listing" id="whole-file"><div class="listing-caption">'
                   '<span class="listing-number">File</span> <code>%s</code> '
                   '<span class="listing-where">whole file</span></div>\n%s</div>'
                   % (html.escape(os.path.basename(path)), links, html.escape(path), p.stdout))
        name = weave.source_page(path)
        site.page(name, "%s · %s" % (os.path.basename(path), build.TITLE), content, "source", source=path)
        written.append(name)
    return written
