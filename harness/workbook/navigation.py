"""navigation.py: how a reader finds their way through the HTML book.

Called by harness/workbook/book.py while it writes the pages:

  sidebar_html        the whole-book sidebar of every page: each chapter, the
                      current one unfolded to its sections (class page-toc), a
                      search box; on a phone a drawer behind the Contents button
  pager_html          previous/next, at the top and at the foot of a page
  link_glossary       the first use of each glossary term in a chapter links to
                      its entry in glossary.html (not in headings, code, maths,
                      links, captions or callout titles)
  chapter_guide_html  index.html's contents, per chapter: what it teaches
                      (course.toml's `teaches`) and the functions the reader
                      writes (its [[chapter.function]]s that are not given)
  write_assets        book/assets/* (book.js: theme, menu, arrow keys, search),
                      Debian's lunr.js (libjs-lunr), the dark code colours
                      (book/highlight-dark.theme), and search-index.js: every
                      section's text, a script so that the search works from
                      file:// with no server (a page cannot fetch JSON there)
"""
import html
import html.parser
import json
import os
import re
import shutil

import pandocfilters as pf

from workbook import course

ROOT = course.ROOT
BOOK = os.path.join(ROOT, "book")
ASSETS = os.path.join(BOOK, "assets")
LUNR = "/usr/share/javascript/lunr/lunr.min.js"  # Debian's libjs-lunr (harness/deps.sh, book)
SEARCH_INDEX = "search-index.js"
STYLESHEETS = ["book.css", "highlight.css", "navigation.css", "highlight-dark.css"]


class NavigationError(Exception):
    pass


# ---------------------------------------------------------------- sidebar and pager

def sidebar_html(book, current, titles_html, headers_html):
    """The whole book for the page `current` (a file name): every chapter,
    the current one unfolded to its sections (levels 2 and 3)."""
    def item(href, inner, cls, here):
        cur = ' aria-current="page"' if here else ""
        return '<li class="%s"><a href="%s"%s>%s</a>' % (cls, href, cur, inner)

    rows = [item("index.html", "About this workbook", "sidebar-front", current == "index.html") + "</li>"]
    for chap, title, hs in zip(book.chapters, titles_html, headers_html):
        here = chap.page == current
        rows.append(item(chap.page, '<span class="toc-number">%d</span> <span class="sidebar-title">%s</span>'
                         % (chap.number, title), "sidebar-chapter" + (" sidebar-current" if here else ""), here))
        if here:
            subs = []
            for (level, ident, number, _, _), text in zip(chap.headers, hs):
                if level > 3 or not ident:
                    continue
                num = '<span class="toc-number">%s</span> ' % number if number else ""
                subs.append('<li class="toc-level-%d"><a href="#%s">%s%s</a></li>' % (level, html.escape(ident), num, text))
            if subs:
                rows.append('<ul class="page-toc" aria-label="In this chapter">%s</ul>' % "".join(subs))
        rows.append("</li>")
    for href, text in (("glossary.html", "Glossary (English–Korean)"), ("figures.html", "List of figures")):
        rows.append(item(href, text, "sidebar-back", current == href) + "</li>")
    return ('<nav id="book-sidebar" class="book-sidebar" aria-label="The book">\n'
            '<div class="sidebar-search" role="search">'
            '<input id="search-input" class="search-input" type="search" placeholder="Search the book"'
            ' aria-label="Search the book" aria-controls="search-results" autocomplete="off" spellcheck="false">'
            '<div id="search-results" class="search-results" aria-live="polite" hidden></div></div>\n'
            '<ol class="sidebar-chapters">%s</ol>\n</nav>' % "".join(rows))


def pager_html(prev, next_, where):
    """Previous/next links (prev, next_: (href, title HTML) or None); where:
    "top" or "bottom" of the page."""
    if not (prev or next_):
        return ""
    parts = []
    for rel, link, label in (("prev", prev, "Previous"), ("next", next_, "Next")):
        if link:
            parts.append('<a class="pager-%s" rel="%s" href="%s"><span class="pager-dir">%s</span>'
                         '<span class="pager-title">%s</span></a>' % (rel, rel, link[0], label, link[1]))
        else:
            parts.append('<span class="pager-%s"></span>' % rel)
    return '<nav class="pager pager-%s" aria-label="Chapters (%s of the page)">%s</nav>' % (where, where, "".join(parts))


# ---------------------------------------------------------------- glossary links

def term_forms(english):
    """The words of a glossary term as prose writes them: "ReLU (rectified
    linear unit)" is used as "ReLU" or as "rectified linear unit"."""
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", english)
    forms = [m.group(1), m.group(2)] if m else [english]
    return [f.strip() for f in forms if f.strip()]


def glossary_pattern(glossary):
    """(regex, {lower-case form: (id, title)}): the longest form first, a
    plural -s/-es allowed, never part of a longer word or hyphenated compound."""
    forms = {}
    for ident, english, korean, meaning in glossary:
        title = "%s · %s: %s" % (english, korean, meaning) if meaning else "%s · %s" % (english, korean)
        for f in term_forms(english):
            forms.setdefault(f.lower(), (ident, title))
    alts = sorted(forms, key=len, reverse=True)
    words = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in alts)
    return re.compile(r"(?<![\w-])(%s)(?:e?s)?(?![\w-])" % words, re.I), forms


SKIP_INLINES = {"Code", "Math", "Link", "Image", "Cite", "RawInline", "Note"}
SKIP_BLOCK_CLASSES = {"callout-title", "listing", "program-output"}
RUN = {"Str", "Space", "SoftBreak"}


def link_glossary(blocks, glossary):
    """blocks with the first use of each glossary term linked to glossary.html#gl-...
    ([(id, english, korean, meaning)] as book.py's read_glossary gives it)."""
    if not glossary:
        return blocks
    pattern, forms = glossary_pattern(glossary)
    done = set()

    def link_run(run):
        text, spans, pos = "", [], 0
        for el in run:
            s = el["c"] if el["t"] == "Str" else " "
            spans.append((pos, pos + len(s), el))
            text += s
            pos += len(s)
        cuts = []
        for m in pattern.finditer(text):
            ident, title = forms[re.sub(r"\s+", " ", m.group(1).lower())]
            if ident in done:
                continue
            done.add(ident)
            cuts.append((m.start(), m.end(), ident, title))
        if not cuts:
            return run

        def piece(a, b):  # the inlines covering text[a:b]
            out = []
            for s, e, el in spans:
                if e <= a or s >= b:
                    continue
                if el["t"] == "Str":
                    out.append(pf.Str(el["c"][max(a, s) - s:min(b, e) - s]))
                else:
                    out.append(el)
            return out
        out, at = [], 0
        for s, e, ident, title in cuts:
            out += piece(at, s)
            out.append(pf.Link(["", ["glossary-term"], []], piece(s, e), ["glossary.html#" + ident, title]))
            at = e
        return out + piece(at, len(text))

    def inlines(items):
        out, run = [], []
        for el in items:
            if el["t"] in RUN:
                run.append(el)
                continue
            if run:
                out += link_run(run)
                run = []
            if el["t"] in SKIP_INLINES:
                out.append(el)
            elif el["t"] in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript", "Subscript"):
                out.append({"t": el["t"], "c": inlines(el["c"])})
            elif el["t"] == "Span":
                out.append({"t": "Span", "c": [el["c"][0], inlines(el["c"][1])]})
            elif el["t"] == "Quoted":
                out.append({"t": "Quoted", "c": [el["c"][0], inlines(el["c"][1])]})
            else:
                out.append(el)
        if run:
            out += link_run(run)
        return out

    def block(b):
        t, c = b["t"], b.get("c")
        if t in ("Para", "Plain"):
            return {"t": t, "c": inlines(c)}
        if t == "Div":
            if SKIP_BLOCK_CLASSES & set(c[0][1]):
                return b
            return {"t": t, "c": [c[0], [block(x) for x in c[1]]]}
        if t == "BlockQuote":
            return {"t": t, "c": [block(x) for x in c]}
        if t == "BulletList":
            return {"t": t, "c": [[block(x) for x in item] for item in c]}
        if t == "OrderedList":
            return {"t": t, "c": [c[0], [[block(x) for x in item] for item in c[1]]]}
        if t == "DefinitionList":
            return {"t": t, "c": [[inlines(term), [[block(x) for x in d] for d in defs]] for term, defs in c]}
        return b  # headings, code, raw blocks, tables, figures: left alone
    return [block(b) for b in blocks]


# ---------------------------------------------------------------- the landing page

C_NAME = re.compile(r"^[A-Za-z_]\w*$")


def written_functions(ch):
    """The functions a chapter's reader writes: its [[chapter.function]]s that
    are not given and are C functions of its exercise files."""
    defined = set()
    for f in ch.files:
        path = os.path.join(ROOT, "solutions", ch.nn, f)
        try:
            with open(path, encoding="utf-8") as fh:
                defined |= set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", fh.read()))
        except OSError:
            pass
    return [f.name for f in ch.functions if not f.given and C_NAME.match(f.name) and f.name in defined]


def inline_markdown(text):
    """`code` in a line of course.toml as HTML; the rest escaped."""
    parts = re.split(r"`([^`]+)`", text)
    return "".join(("<code>%s</code>" if i % 2 else "%s") % html.escape(p) for i, p in enumerate(parts))


def chapter_guide_html(chap):
    """What index.html says under a chapter's title: what it teaches and the
    functions the reader writes, from course.toml."""
    ch = next((c for c in course.chapters() if c.number == chap.number), None)
    if ch is None:
        return ""
    parts = []
    if ch.teaches:
        parts.append('<p class="toc-teaches">%s</p>' % inline_markdown(ch.teaches))
    names = written_functions(ch)
    if names:
        codes = ["<code>%s</code>" % html.escape(n) for n in names]
        listed = codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " and " + codes[-1]
        parts.append('<p class="toc-writes"><span class="toc-writes-label">You write</span> %s in <code>exercises/%s/</code>.</p>'
                     % (listed, ch.nn))
    return '<div class="toc-guide">%s</div>' % "".join(parts) if parts else ""


# ---------------------------------------------------------------- search documents

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP_TAGS = {"script", "style", "annotation", "nav", "header", "footer", "button"}
SKIP_CLASSES = {"header-anchor", "program-output", "pager"}


SUPERSCRIPT = str.maketrans("0123456789+-−()nT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁽⁾ⁿᵀ")


class SectionText(html.parser.HTMLParser):
    """The text of each <section id=...> of a page's <main>, its own text only
    (not its subsections'), with the heading that opens it. MathML is read as
    a line of text: a fraction as a/(b + c), a power as x² (or x^(...))."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []         # [tag, skip?, section or None, heading?, children so far, math role]
        self.sections = []      # [id, title parts, body parts] in page order
        self.current = []       # the open sections, innermost last
        self.in_main = False

    def emit(self, text):
        if not self.in_main or not self.current or any(e[1] for e in self.stack):
            return
        sec = self.current[-1]
        (sec[1] if any(e[3] for e in self.stack) else sec[2]).append(text)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag in VOID or not self.in_main:
            return
        a = dict(attrs)
        skip = tag in SKIP_TAGS or bool(SKIP_CLASSES & set((a.get("class") or "").split()))
        sec = None
        if tag == "section" and a.get("id"):
            sec = [a["id"], [], []]
            self.sections.append(sec)
            self.current.append(sec)
        role = None
        if self.stack and self.stack[-1][0] in ("mfrac", "msup") and not self.stack[-1][1]:
            parent = self.stack[-1]
            parent[4] += 1
            if parent[0] == "mfrac":
                if parent[4] == 2:
                    self.emit("/")
                if tag == "mrow":
                    role = "group"
                    self.emit("(")
            elif parent[4] == 2:
                role = "sup"
        self.stack.append([tag, skip, sec, re.match(r"^h[1-6]$", tag) is not None, 0, role])

    def handle_startendtag(self, tag, attrs):
        if self.stack and self.stack[-1][0] in ("mfrac", "msup"):
            self.stack[-1][4] += 1  # <mspace/> and the like still count as a child

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
            return
        if tag in VOID or not self.stack:
            return
        while self.stack:  # close up to the matching tag (pandoc's HTML is well nested)
            t, _, sec, _, _, role = self.stack.pop()
            if sec is not None:
                self.current.pop()
            if role == "group":
                self.emit(")")
            if t == tag:
                break

    def handle_data(self, data):
        sup = next((e for e in reversed(self.stack) if e[5] == "sup"), None)
        if sup is not None:
            mapped = data.translate(SUPERSCRIPT)
            data = mapped if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿᵀ" for c in mapped) else "^" + data
        self.emit(data)


def squash(parts):
    """One line of text; MathML's invisible operators (function application,
    invisible times, U+2061..U+2064) left out."""
    return re.sub(r"\s+", " ", re.sub("[\u2061-\u2064]", "", "".join(parts))).strip()


def search_documents(book, out_dir, glossary):
    """[{u: url, c: where, t: title, b: text}]: every section of every chapter
    (the chapter's own opening under its title), and every glossary term."""
    docs = []
    for chap in book.chapters:
        p = SectionText()
        with open(os.path.join(out_dir, chap.page), encoding="utf-8") as f:
            p.feed(f.read())
        for ident, title, body in p.sections:
            url = chap.page if ident == chap.h1 else "%s#%s" % (chap.page, ident)
            docs.append({"u": url, "c": "Chapter %d" % chap.number, "t": squash(title), "b": squash(body)})
    for ident, english, korean, meaning in glossary:
        docs.append({"u": "glossary.html#" + ident, "c": "Glossary", "t": "%s · %s" % (english, korean), "b": meaning})
    return docs


# ---------------------------------------------------------------- assets

def dark_highlight_css(run, work_dir):
    """The code colours of book/highlight-dark.theme for the dark theme:
    pandoc's CSS for the theme, each rule under :root[data-theme="dark"]."""
    tpl = os.path.join(work_dir, "highlight-dark-css.template")
    with open(tpl, "w", encoding="utf-8") as f:
        f.write("$highlighting-css$\n")
    p = run(["pandoc", "-f", "markdown", "-t", "html5", "-s", "--metadata", "title=x", "--template", tpl,
             "--highlight-style", os.path.join(BOOK, "highlight-dark.theme")],
            "pandoc (dark code colours)", input_text="```c\nint x;\n```\n")
    rules = []
    for sel, body in re.findall(r"(?m)^(code span\.\w+|div\.sourceCode)\s*\{([^}]*)\}", p.stdout):
        if "color" in body:  # colours only: sizes and margins are highlight.css's
            rules.append(':root[data-theme="dark"] %s { %s }' % (sel, " ".join(body.split())))
    if not rules:
        raise NavigationError("pandoc wrote no code colours for book/highlight-dark.theme")
    return ("/* Generated by harness/workbook/navigation.py from book/highlight-dark.theme:\n"
            "   the code colours of the dark theme (book.js sets data-theme); paper stays light. */\n"
            "@media screen {\n" + "\n".join(rules) + "\n}\n")


def write_assets(book, out_dir, work_dir, glossary, run):
    """Everything a page loads besides book.css and highlight.css (book.py
    writes those): book/assets/*, lunr.js, the dark code colours, the search
    documents. The pages must already be written (the search reads them)."""
    for name in sorted(os.listdir(ASSETS)):
        if name != "book.css":
            shutil.copyfile(os.path.join(ASSETS, name), os.path.join(out_dir, name))
    if not os.path.exists(LUNR):
        raise NavigationError("%s is missing: the book's search needs Debian's libjs-lunr (`make deps-book` "
                              "installs it, or apt-get install libjs-lunr)" % LUNR)
    shutil.copyfile(LUNR, os.path.join(out_dir, "lunr.min.js"))
    with open(os.path.join(out_dir, "highlight-dark.css"), "w", encoding="utf-8") as f:
        f.write(dark_highlight_css(run, work_dir))
    docs = search_documents(book, out_dir, glossary)
    with open(os.path.join(out_dir, SEARCH_INDEX), "w", encoding="utf-8") as f:
        f.write("/* Generated by harness/workbook/navigation.py: the text of every section, for book.js's search\n"
                "   (a script, not JSON: a page opened from file:// may not fetch a file). */\n")
        f.write("window.WB_SEARCH_DOCS = ")
        json.dump(docs, f, ensure_ascii=False, separators=(",", ":"))
        f.write(";\n")
    return len(docs)
