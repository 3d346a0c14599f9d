"""selftest.pdf (python3 -m selftest.pdf): the PDF book as a reader meets it, page by page.

  PYTHONPATH=harness /usr/bin/python3 -m selftest.pdf [--edition student|instructor] [--pdf FILE] [--pages DIR] [--self-check]

Checks build/book/<edition>/backprop-workbook.pdf with poppler-utils
(pdfinfo, pdftotext, pdffonts, pdftoppm, pdftohtml) and the xelatex log and
LaTeX source harness/workbook/book.py keeps in build/book/<edition>/work/latex/. What
the book holds (chapters, their numbered sections and figures, the glossary,
the edition) it takes from build/book/<edition>/book.json, the model the build
wrote (book/README.md), never working it out again from the Markdown:

  pages      the page count is sane for the book's chapters; A4
  title      the title page carries the title and the edition
  contents   the table of contents and the list of figures are there, and list
             every chapter
  chapters   every chapter starts with "Chapter N" and its title, every
             numbered section (levels 2 and 3) is there as "N.k Title"
  figures    every numbered figure has its "Figure N.k." caption
  glossary   every Korean term of the glossary is in the text (so its glyphs
             were drawn, not dropped)
  fonts      every font is embedded
  tex        the xelatex log has no overfull box, missing character,
             undefined reference or unsettled label
  margin     no word and no ink in the left or right margin (a code line that
             runs off the text block shows up here), from pdftotext -bbox and
             from the pages rendered by pdftoppm
  links      every internal link leads to a page of the book, and no link
             target sits at the foot of a page after all its text (the heading
             it marks having moved to the next page)
  highlight  every listing of a C file is syntax-highlighted
  hyphen     no code (a file name, a function) is hyphenated at a line's end
  keep       what must stay together does (book/present.lua marks it, LaTeX
             records its place in book.aux): no listing, program output, box
             or figure shorter than a page split across two, a longer one
             says "continued"; a lead-in sentence ending in a colon on the
             page of what it introduces; no page holding a single item of a
             list, or ending with a section heading

It saves a few pages as PNG (title, contents, a chapter opening, an exercise,
the glossary) in build/book/<edition>/pdf-pages/ for a person to look at.

--self-check builds a small, deliberately broken PDF with the book's own
LaTeX preamble (a code line too long for the page, a Korean word in a font
without Hangul, a link to nowhere, a heading's target stranded at the foot of a
page, an uncaptioned figure, an unhighlighted listing; and, with the keeping
together switched off, a listing split at a page's foot, a list's last item
alone on a page, a lead-in cut off from its code, a long listing without
"continued", a heading at a page's foot) and a PDF whose font is not embedded,
and checks that each defect is reported. Run it with Debian's
/usr/bin/python3: it takes the page geometry from harness/workbook/book.py, which needs
python3-pandocfilters.
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

from workbook import course

ROOT = course.ROOT
BOOK = os.path.join(ROOT, "book")

PDF_NAME = "backprop-workbook.pdf"
MODEL_NAME = "book.json"
MODEL_SCHEMA = 1
MM = 72 / 25.4
TOLERANCE_PT = 1.5      # microtype lets letters hang this far into the margin,
PUNCT_TOLERANCE_PT = 3.5  # and punctuation this far
INK_BAND_MM = 1.5       # the pixel check starts this far outside the text block
PREVIEW = ["title", "contents", "chapter", "exercise", "glossary"]


class TestError(Exception):
    """The test could not run: not a finding about the book."""


def log(msg):
    print("pdf: " + msg, flush=True)


def tool(args, what=None):
    exe = args[0]
    if not shutil.which(exe):
        raise TestError("%s is not installed (Debian: apt-get install poppler-utils; `make deps` does it)" % exe)
    p = subprocess.run(args, capture_output=True)
    if p.returncode != 0:
        raise TestError("%s failed: %s" % (what or " ".join(args), p.stderr.decode(errors="replace").strip()))
    return p.stdout


def norm(s):
    """Text for comparing: ligatures (ﬀ) and math letters (𝑥) as plain letters, one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", s).replace("\u00ad", "")).strip()


def squash(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


# ---------------------------------------------------------------- what the book should hold

def geometry():
    """The text block from harness/workbook/book.py's LaTeX geometry: (left, right, top, bottom) in pt from the
    page's top-left corner, for A4 paper."""
    from workbook import book as build
    g = [v for v in build.LATEX_VARS if v.startswith("geometry=")][0][len("geometry="):]
    opts = dict(o.split("=", 1) for o in g.split(",") if "=" in o)

    def mm(k):
        m = re.fullmatch(r"([\d.]+)mm", opts[k])
        return float(m.group(1)) * MM
    w, h = 210 * MM, 297 * MM
    return {"width": w, "height": h, "left": mm("inner"), "right": w - mm("outer"),
            "top": mm("top"), "bottom": h - mm("bottom")}


def read_model(out_root):
    """build/book/<edition>/book.json, the book as harness/workbook/book.py built it."""
    path = os.path.join(out_root, MODEL_NAME)
    try:
        with open(path, encoding="utf-8") as f:
            model = json.load(f)
    except OSError:
        raise TestError("%s does not exist: build the book first (make book)" % os.path.relpath(path, ROOT))
    except ValueError as e:
        raise TestError("%s is not JSON (%s): build the book again (make book)" % (os.path.relpath(path, ROOT), e))
    if model.get("schema") != MODEL_SCHEMA:
        raise TestError("%s has schema %r; this test reads schema %d" % (os.path.relpath(path, ROOT),
                                                                        model.get("schema"), MODEL_SCHEMA))
    return model


def expectations(model):
    """What the book model says the PDF must hold."""
    chapters = []
    for ch in model["chapters"]:
        sections = [(s["number"], s["title"]) for s in ch["sections"] if s["number"] and s["level"] <= 3]
        chapters.append({"number": ch["number"], "title": ch["title"], "sections": sections,
                         "figures": len(ch["figures"])})
    return {"title": "Backpropagation in C", "edition": model["edition_label"], "chapters": chapters,
            "glossary": [g["korean"] for g in model["glossary"]],
            "min_pages": 4 + len(chapters), "max_pages": 60 * max(1, len(chapters)), "contents": True}


# ---------------------------------------------------------------- reading the PDF

def pdf_info(pdf):
    out = tool(["pdfinfo", pdf]).decode(errors="replace")
    info = dict((k.strip(), v.strip()) for k, _, v in (l.partition(":") for l in out.splitlines()))
    m = re.match(r"([\d.]+) x ([\d.]+) pts", info.get("Page size", ""))
    return int(info.get("Pages", 0)), (float(m.group(1)), float(m.group(2))) if m else None


def pages_text(pdf):
    return tool(["pdftotext", "-enc", "UTF-8", pdf, "-"]).decode("utf-8", errors="replace").split("\f")


def pages_words(pdf):
    """[[(xMin, yMin, xMax, yMax, word)] per page] from pdftotext -bbox (pt, from the top left)."""
    text = tool(["pdftotext", "-bbox", pdf, "-"]).decode("utf-8", errors="replace")
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", text, re.S):
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                      re.findall(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', page)])
    return pages


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if not m:
        raise TestError("pdftoppm wrote something that is not a PGM: %s" % path)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():m.end() + w * h]


# ---------------------------------------------------------------- the checks

def check_info(pdf, expect):
    out = []
    n, size = pdf_info(pdf)
    if not expect["min_pages"] <= n <= expect["max_pages"]:
        out.append(("pages", "%d pages; a book of %d chapters should have %d to %d"
                    % (n, len(expect["chapters"]), expect["min_pages"], expect["max_pages"])))
    if size and (abs(size[0] - 595.3) > 1 or abs(size[1] - 841.9) > 1):
        out.append(("pages", "the pages are %.0f x %.0f pt, not A4 (595 x 842)" % size))
    return n, out


def check_fonts(pdf):
    out = []
    lines = tool(["pdffonts", pdf]).decode(errors="replace").splitlines()[2:]
    for line in lines:
        cols = line.split()
        # name type... encoding emb sub uni object ID: emb is the 5th field from the end
        if len(cols) >= 7 and cols[-5] != "yes":
            out.append(("fonts", "the font %s is not embedded: the PDF shows it only where it is installed" % cols[0]))
    return out


def check_text(texts, expect):
    out = []
    flat = [norm(t) for t in texts]
    squashed = [squash(t) for t in texts]
    if not texts or squash(expect["title"]) not in squashed[0]:
        out.append(("title", "page 1 does not carry the title %r" % expect["title"]))
    if expect.get("edition") and squash(expect["edition"]) not in squashed[0]:
        out.append(("title", "page 1 does not say %r" % expect["edition"]))
    if expect.get("contents"):
        toc = [i for i, t in enumerate(flat) if re.match(r"^Contents\b", t)]
        if not toc:
            out.append(("contents", "no page starts with \"Contents\": the table of contents is missing"))
        else:
            toc_text = squash(" ".join(texts[toc[0]:toc[0] + 3]))
            for ch in expect["chapters"]:
                if squash("%d%s" % (ch["number"], ch["title"])) not in toc_text:
                    out.append(("contents", "the table of contents does not list chapter %d, %r" % (ch["number"], ch["title"])))
        if any(ch["figures"] for ch in expect["chapters"]) and not any(re.match(r"^List of figures\b", t, re.I) for t in flat):
            out.append(("contents", "no page starts with \"List of figures\""))
    body = " ".join(flat)
    body_squashed = "".join(squashed)
    for ch in expect["chapters"]:
        n = ch["number"]
        opening = [i for i, t in enumerate(flat) if re.search(r"\bchapter %d\b" % n, t, re.I)
                   and squash(ch["title"]).lower() in squashed[i].lower()]
        if not opening:
            out.append(("chapters", "no page opens chapter %d with \"Chapter %d\" and its title %r" % (n, n, ch["title"])))
        for number, title in ch["sections"]:
            if squash(number + title) not in body_squashed:
                out.append(("chapters", "section %s %r (chapter.md) is not in the PDF as \"%s %s\"" % (number, title, number, title)))
        for k in range(1, ch["figures"] + 1):
            if not re.search(r"\bFigure %d\.%d\. " % (n, k), body):
                out.append(("figures", "no caption \"Figure %d.%d. ...\": chapter %d has %d figures" % (n, k, n, ch["figures"])))
    for korean in expect["glossary"]:
        if squash(korean) not in body_squashed:
            out.append(("glossary", "the Korean term %r is not in the PDF's text: its glyphs were not drawn" % korean))
    return out


def check_log(logtext, tex_lines=None):
    out = []
    lines = logtext.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(Overfull \\[hv]box \(([\d.]+)pt too \w+\)) (.*)$", line)
        if m:
            what = lines[i + 1].strip() if i + 1 < len(lines) else ""
            where = m.group(3)
            lm = re.search(r"lines? (\d+)", where)
            if lm and tex_lines and not what:
                what = tex_lines[int(lm.group(1)) - 1].strip()
            out.append(("tex", "%s %s: %s" % (m.group(1), where, what[:120])))
        m = re.match(r"^Missing character: There is no (.+?) \((U\+[0-9A-Fa-f]+)\) in font (.*?)!?$", line)
        if m:
            out.append(("tex", "Missing character: %s (%s) is not in the font %s, so the PDF drops it" % m.groups()))
        if re.search(r"(LaTeX|Package \w+) Warning: (Reference|Citation|Hyper reference) .* undefined", line):
            out.append(("tex", line.strip()))
        if re.search(r"Label\(s\) may have changed|There were undefined references|Float too large", line):
            out.append(("tex", line.strip() + " (the PDF's cross references or layout are not settled)"))
    seen, unique = set(), []
    for p in out:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def check_words_in_margin(words, geo):
    out = []
    for n, page in enumerate(words, 1):
        for x0, y0, x1, y1, w in page:
            side = None
            if x1 > geo["right"] + (PUNCT_TOLERANCE_PT if re.search(r"[.,;:!?)\]'’”-]$", w) else TOLERANCE_PT):
                side = "right by %.1f pt" % (x1 - geo["right"])
            elif x0 < geo["left"] - TOLERANCE_PT:
                side = "left by %.1f pt" % (geo["left"] - x0)
            if side:
                line = " ".join(ww[4] for ww in page if abs(ww[1] - y0) < 2)
                out.append(("margin", "page %d: \"%s\" runs into the margin (%s): %s" % (n, w, side, line[:140])))
                break  # one report a page
    return out


def check_ink_in_margin(pdf, geo, tmp, dpi=36):
    """Render every page and look for ink in the side margins."""
    out = []
    prefix = os.path.join(tmp, "ink")
    tool(["pdftoppm", "-r", str(dpi), "-gray", pdf, prefix], "pdftoppm")
    files = sorted(f for f in os.listdir(tmp) if f.startswith("ink") and f.endswith(".pgm"))
    for k, name in enumerate(files, 1):
        w, h, px = read_pgm(os.path.join(tmp, name))
        scale = w / geo["width"]
        bands = [("left", 1 * MM * scale, (geo["left"] - INK_BAND_MM * MM) * scale),
                 ("right", (geo["right"] + INK_BAND_MM * MM) * scale, w - 1 * MM * scale)]
        for side, a, b in bands:
            a, b = int(round(a)), int(round(b))
            hits = [y for y in range(h) if min(px[y * w + a:y * w + b] or b"\xff") < 200]
            if hits:
                out.append(("margin", "page %d: ink in the %s margin, %.0f mm from the top (%d rows): something is wider "
                            "than the text block" % (k, side, hits[0] / scale / MM, len(hits))))
        os.unlink(os.path.join(tmp, name))
    return out


def pdf_xml(pdf):
    return tool(["pdftohtml", "-xml", "-i", "-q", "-nodrm", "-stdout", pdf]).decode("utf-8", errors="replace")


def check_code_hyphens(xml):
    """Code (a mono font) hyphenated at a line's end: a reader would type the hyphen."""
    out = []
    mono = set(re.findall(r'<fontspec id="(\d+)"[^>]*family="[^"]*Mono[^"]*"', xml))
    for page_no, page in re.findall(r'<page number="(\d+)"[^>]*>(.*?)</page>', xml, re.S):
        chunks = [(int(t), int(l), int(w), f, html.unescape(re.sub(r"<[^>]+>", "", x)))
                  for t, l, w, f, x in re.findall(r'<text top="(\d+)" left="(\d+)" width="(\d+)" height="\d+" font="(\d+)">(.*?)</text>', page)]
        for top, left, width, font, text in chunks:
            if font in mono and re.search(r"[A-Za-z]-$", text) and not any(
                    abs(t - top) <= 2 and l > left for t, l, _, _, _ in chunks):
                out.append(("hyphen", "page %s: the code \"%s\" is hyphenated at the end of a line; a reader "
                                      "would type the hyphen" % (page_no, text.strip())))
    return out


def check_links(pdf, n_pages, words, geo, xml):
    """Internal links lead to a page; link targets sit above some of their page's text."""
    out = []
    links = re.findall(r'<a href="([^"]*)"', xml)
    internal = 0
    for href in links:
        if re.match(r"^[a-z]+:", href):
            continue
        m = re.search(r"#(\d+)$", href)
        internal += 1
        if not m or not 1 <= int(m.group(1)) <= n_pages:
            out.append(("links", "an internal link leads nowhere (href=\"%s\")" % href))
    dests = tool(["pdfinfo", "-dests", pdf]).decode("utf-8", errors="replace").splitlines()[1:]
    for line in dests:
        m = re.match(r'^\s*(\d+)\s+\[\s*XYZ\s+([\d.-]+)\s+([\d.-]+).*?\]\s+"(.*)"$', line)
        if not m:
            continue
        page, y, name = int(m.group(1)), float(m.group(3)), m.group(4)
        if re.match(r"^(Item|page|Doc-Start|equation|cite)\b", name):
            continue  # hyperref's own, which no link of the book points at
        if not 1 <= page <= len(words):
            out.append(("links", "the link target %s is on page %d, which the PDF does not have" % (name, page)))
            continue
        y_top = geo["height"] - y
        below = [w for w in words[page - 1] if w[1] >= y_top - 1 and w[3] <= geo["bottom"] + 2]
        cut = [w for w in words[page - 1] if w[1] < y_top - 1.5 and w[3] > y_top + 1.5]
        if not below:
            out.append(("links", "the link target %s is at the foot of page %d, below all its text: links to it land "
                                 "a page before what it marks" % (name, page)))
        elif cut:
            line = " ".join(w[4] for w in words[page - 1] if abs(w[1] - cut[0][1]) < 2)
            out.append(("links", "the link target %s on page %d is at the baseline of \"%s\", not above it: a jump "
                                 "there shows that line cut off at the top of the window" % (name, page, line[:80])))
    return internal, out


def check_highlight(tex_text):
    out = []
    for m in re.finditer(r"\\wbcodetitle\{([^}]*\.[ch])\}\s*(\\begin\{(\w+)\}(.*?)\\end\{\3\})", tex_text, re.S):
        path, env, body = m.group(1), m.group(3), m.group(4)
        if env != "Shaded" or not re.search(r"\\(?!Normal)[A-Z][A-Za-z]*Tok\{", body):
            out.append(("highlight", "the listing of %s is not syntax-highlighted" % path.replace("\\_", "_")))
    return out


# ---------------------------------------------------------------- what stays together (issue 12)
# book/present.lua marks units (listings, program output, boxes, figures, and a
# lead-in sentence ending in a colon with what it introduces) as
# \wbkeep{n}{kind}{what} ... \wbkeepend{n}, and list items as \wbitem{list}{k};
# LaTeX records where each mark was set (zref-savepos: book.aux). A unit
# shorter than a page must not be split; a longer one must say "continued";
# no page may hold a single item of a list that runs over pages, or the last
# line or two of a box.

KEEP_MARK = re.compile(r"\\wbkeep\{(\w+)\}\{(\w+)\}\{((?:[^{}\\]|\\.|\{[^{}]*\})*)\}")
ZREF = re.compile(r"\\zref@newlabel\{(wb[kl][^}]*)\}\{((?:\\\w+\{[^}]*\})*)\}")
TAIL_PT = 30.0  # a box's part on a page shorter than this is a tail


def positions(aux_text):
    """{label: (page, y in pt from the page's foot)} of the marks in book.aux."""
    out = {}
    for label, props in ZREF.findall(aux_text):
        p = dict(re.findall(r"\\(\w+)\{([^}]*)\}", props))
        if "abspage" in p and "posy" in p:
            out[label] = (int(p["abspage"]), int(p["posy"]) / 65536.0)
    return out


def check_keeps(tex_text, aux_text, texts, geo):
    out = []
    pos = positions(aux_text)
    top = geo["height"] - geo["top"]       # the text block's top and foot, from the page's foot
    foot = geo["height"] - geo["bottom"]
    height = top - foot
    for n, kind, what in KEEP_MARK.findall(tex_text):
        what = re.sub(r"\\(?:textbackslash)?\{?\}?|[{}]", "", what).replace("\\_", "_").strip()
        s, e = pos.get("wbk%s-s" % n), pos.get("wbk%s-e" % n)
        if not s or not e or s[0] == e[0]:
            continue
        tall = (s[1] - foot) + (top - e[1]) + (e[0] - s[0] - 1) * height
        if tall < height - 30:
            if kind == "lead":
                out.append(("keep", "page %d: %s: the sentence ends the page and what it introduces starts "
                            "page %d" % (s[0], what, e[0])))
            else:
                out.append(("keep", "page %d: %s is split across pages %d and %d though it is only %.0f pt tall "
                            "and fits on a page" % (s[0], what, s[0], e[0], tall)))
            continue
        if kind in ("listing", "output", "code", "box") and not re.search(r"\bcontinued\b", texts[e[0] - 1][:400]):
            out.append(("keep", "page %d: %s goes on from page %d without saying \"continued\"" % (e[0], what, s[0])))
        if kind == "box" and top - e[1] < TAIL_PT:
            out.append(("keep", "page %d: the last %.0f pt of %s stand alone at the top of the page"
                        % (e[0], top - e[1], what)))
    lists = {}
    for label, (page, _) in pos.items():
        m = re.match(r"^wbl(\d+)-(\d+)$", label)
        if m:
            lists.setdefault(int(m.group(1)), {})[int(m.group(2))] = page
    for n, items in sorted(lists.items()):
        pages = sorted(set(items.values()))
        if len(pages) < 2:
            continue
        for page in pages:
            on = [k for k, p in items.items() if p == page]
            if len(on) == 1:
                out.append(("keep", "page %d holds a single item (%d of %d) of a list that runs over pages %s"
                            % (page, on[0], len(items), ", ".join(map(str, pages)))))
    return out


def check_stranded_headings(texts, expect):
    """A section heading that is the last line of its page, its text on the next."""
    out = []
    titles = {squash(number + title): "%s %s" % (number, title)
              for ch in expect["chapters"] for number, title in ch["sections"]}
    for n, text in enumerate(texts, 1):
        lines = [l for l in text.split("\n") if l.strip() and not re.fullmatch(r"\s*\d+\s*", l)
                 and not (expect.get("edition") and squash(l) == squash(expect["edition"]))]
        if lines and squash(lines[-1]) in titles:
            out.append(("keep", "page %d ends with the heading %s; its text starts on page %d"
                        % (n, titles[squash(lines[-1])], n + 1)))
    return out


def check_pdf(pdf, logfile, texfile, expect, tmp):
    if not os.path.exists(pdf):
        raise TestError("%s does not exist: build the book first (make book)" % os.path.relpath(pdf, ROOT))
    geo = geometry()
    n, problems = check_info(pdf, expect)
    problems += check_fonts(pdf)
    texts = pages_text(pdf)
    problems += check_text(texts, expect)
    tex_text = open(texfile, encoding="utf-8", errors="replace").read() if texfile and os.path.exists(texfile) else ""
    if logfile:
        if not os.path.exists(logfile):
            raise TestError("no xelatex log at %s (harness/workbook/book.py keeps it)" % logfile)
        problems += check_log(open(logfile, encoding="utf-8", errors="replace").read(), tex_text.split("\n"))
    words = pages_words(pdf)
    problems += check_words_in_margin(words, geo)
    problems += check_ink_in_margin(pdf, geo, tmp)
    xml = pdf_xml(pdf)
    problems += check_code_hyphens(xml)
    n_links, link_problems = check_links(pdf, n, words, geo, xml)
    problems += link_problems
    if tex_text:
        problems += check_highlight(tex_text)
        problems += check_stranded_headings(texts, expect)
        aux = texfile[:-4] + ".aux"
        if os.path.exists(aux):
            problems += check_keeps(tex_text, open(aux, encoding="utf-8", errors="replace").read(), texts, geo)
    return problems, {"pages": n, "links": n_links, "texts": texts}


def save_previews(pdf, texts, out_dir):
    """A few pages as PNG for a person to look at."""
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(out_dir)
    flat = [norm(t) for t in texts]

    def first(pred):
        return next((i + 1 for i, t in enumerate(flat) if pred(t)), None)
    picks = {"title": 1, "contents": first(lambda t: t.startswith("Contents")),
             "chapter": first(lambda t: re.search(r"\bchapter 1\b", t, re.I) and not t.startswith("Contents")),
             "exercise": first(lambda t: "Exercise 3.1" in t and "make check CHAPTER=3" in t),
             "glossary": first(lambda t: t.startswith("Glossary"))}
    for name in PREVIEW:
        page = picks.get(name)
        if page:
            tool(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page), pdf,
                  os.path.join(out_dir, "p%02d-%s" % (page, name))], "pdftoppm")


# ---------------------------------------------------------------- self-check

BROKEN_MD = r"""
# Deliberately broken {#ch01}

A Korean word in a font without Hangul: 역전파.

A link to nowhere: \hyperlink{wb:nowhere}{this link}.

\parbox{2.2cm}{Open \texttt{exercises/hyphenation/representation.c} now.}

```{.c}
int main(void) { return a_name_far_too_long_for_the_page_and_with_no_place_to_break_it_at_all_xxxxxxxxxxxxxxxxxxxxxxx; }
```

::: {.listing data-file="exercises/ch01/plain.c"}
```{.notalanguage}
int plain(void);
```
:::

![](tiny.pdf)

```{=latex}
\vspace*{\fill}
Filler text at the foot of the page.\par
\hypertarget{ch01:stranded}{}\nopagebreak
\clearpage
```
## A section whose target was left on the page before

Text.

```{=latex}
\clearpage
\renewcommand{\wbkeep}[3]{\par\zsavepos{wbk#1-s}}
\renewcommand{\wbkeepnext}{\par}
\renewcommand{\wbitemkeep}{}
\tcbset{wbcontinued/.style={}}
\vspace*{\dimexpr\textheight-7\baselineskip\relax}
```

```{.c}
int short_listing_line_1;
int short_listing_line_2;
int short_listing_line_3;
int short_listing_line_4;
int short_listing_line_5;
int short_listing_line_6;
int short_listing_line_7;
int short_listing_line_8;
int short_listing_line_9;
int short_listing_line_10;
int short_listing_line_11;
int short_listing_line_12;
int short_listing_line_13;
int short_listing_line_14;
int short_listing_line_15;
int short_listing_line_16;
int short_listing_line_17;
int short_listing_line_18;
int short_listing_line_19;
int short_listing_line_20;
```

```{=latex}
\clearpage
\vspace*{\dimexpr\textheight-5\baselineskip\relax}
```

1. A first item, long enough to fill two lines of the page: two lines of text at
   the foot of this page, and then some more words to be sure of it.
2. A second item, as long as the first, also two lines of text on the page, and
   some more words to fill its second line to the end.
3. A third item, which does not fit on the page any more and stands alone.

```{=latex}
\clearpage
\vspace*{\dimexpr\textheight-2.5\baselineskip\relax}
```

Some words before the lead-in. And this sentence introduces the code:

```{.c}
int a;
int b;
int c;
```

```{=latex}
\clearpage
\vspace*{\dimexpr\textheight-3\baselineskip\relax}
```

## A heading left at the foot

```{=latex}
\newpage
```

Its text, on the next page.

```{=latex}
\clearpage
```

```{.c}
int a_listing_longer_than_a_page_1;
int a_listing_longer_than_a_page_2;
int a_listing_longer_than_a_page_3;
int a_listing_longer_than_a_page_4;
int a_listing_longer_than_a_page_5;
int a_listing_longer_than_a_page_6;
int a_listing_longer_than_a_page_7;
int a_listing_longer_than_a_page_8;
int a_listing_longer_than_a_page_9;
int a_listing_longer_than_a_page_10;
int a_listing_longer_than_a_page_11;
int a_listing_longer_than_a_page_12;
int a_listing_longer_than_a_page_13;
int a_listing_longer_than_a_page_14;
int a_listing_longer_than_a_page_15;
int a_listing_longer_than_a_page_16;
int a_listing_longer_than_a_page_17;
int a_listing_longer_than_a_page_18;
int a_listing_longer_than_a_page_19;
int a_listing_longer_than_a_page_20;
int a_listing_longer_than_a_page_21;
int a_listing_longer_than_a_page_22;
int a_listing_longer_than_a_page_23;
int a_listing_longer_than_a_page_24;
int a_listing_longer_than_a_page_25;
int a_listing_longer_than_a_page_26;
int a_listing_longer_than_a_page_27;
int a_listing_longer_than_a_page_28;
int a_listing_longer_than_a_page_29;
int a_listing_longer_than_a_page_30;
int a_listing_longer_than_a_page_31;
int a_listing_longer_than_a_page_32;
int a_listing_longer_than_a_page_33;
int a_listing_longer_than_a_page_34;
int a_listing_longer_than_a_page_35;
int a_listing_longer_than_a_page_36;
int a_listing_longer_than_a_page_37;
int a_listing_longer_than_a_page_38;
int a_listing_longer_than_a_page_39;
int a_listing_longer_than_a_page_40;
int a_listing_longer_than_a_page_41;
int a_listing_longer_than_a_page_42;
int a_listing_longer_than_a_page_43;
int a_listing_longer_than_a_page_44;
int a_listing_longer_than_a_page_45;
int a_listing_longer_than_a_page_46;
int a_listing_longer_than_a_page_47;
int a_listing_longer_than_a_page_48;
int a_listing_longer_than_a_page_49;
int a_listing_longer_than_a_page_50;
int a_listing_longer_than_a_page_51;
int a_listing_longer_than_a_page_52;
int a_listing_longer_than_a_page_53;
int a_listing_longer_than_a_page_54;
int a_listing_longer_than_a_page_55;
int a_listing_longer_than_a_page_56;
int a_listing_longer_than_a_page_57;
int a_listing_longer_than_a_page_58;
int a_listing_longer_than_a_page_59;
int a_listing_longer_than_a_page_60;
int a_listing_longer_than_a_page_61;
int a_listing_longer_than_a_page_62;
int a_listing_longer_than_a_page_63;
int a_listing_longer_than_a_page_64;
int a_listing_longer_than_a_page_65;
int a_listing_longer_than_a_page_66;
int a_listing_longer_than_a_page_67;
int a_listing_longer_than_a_page_68;
int a_listing_longer_than_a_page_69;
int a_listing_longer_than_a_page_70;
int a_listing_longer_than_a_page_71;
int a_listing_longer_than_a_page_72;
int a_listing_longer_than_a_page_73;
int a_listing_longer_than_a_page_74;
int a_listing_longer_than_a_page_75;
int a_listing_longer_than_a_page_76;
int a_listing_longer_than_a_page_77;
int a_listing_longer_than_a_page_78;
int a_listing_longer_than_a_page_79;
int a_listing_longer_than_a_page_80;
```
"""


def write_unembedded_pdf(path):
    """A one-page PDF whose font (Helvetica) is not embedded."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    content = b"BT /F1 24 Tf 100 700 Td (Backpropagation in C) Tj ET"
    objs[3] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(path, "wb") as f:
        f.write(out)


def self_check():
    from workbook import book as build
    tmp = tempfile.mkdtemp(prefix="wb-pdf-selfcheck.")
    failures = []
    try:
        t0 = time.time()
        for exe in ("pandoc", "xelatex"):
            if not shutil.which(exe):
                raise TestError("%s is not installed (`make deps-book`)" % exe)
        # a tiny figure, so the uncaptioned image has something to show
        with open(os.path.join(tmp, "tiny.tex"), "w") as f:
            f.write("\\documentclass{standalone}\\begin{document}\\rule{2cm}{1cm}\\end{document}\n")
        subprocess.run(["xelatex", "-interaction=nonstopmode", "tiny.tex"], cwd=tmp, capture_output=True)
        with open(os.path.join(tmp, "broken.md"), "w", encoding="utf-8") as f:
            f.write(BROKEN_MD)
        with open(os.path.join(tmp, "edition.tex"), "w") as f:
            f.write("\\newcommand{\\wbtitle}{Broken}\\newcommand{\\wbedition}{Broken}\\newcommand{\\wbeditionnote}{}\n")
        langs = subprocess.run(["pandoc", "--list-highlight-languages"], capture_output=True, text=True).stdout.split()
        cmd = ["pandoc", "broken.md", "-s", "-o", "broken.tex", "--top-level-division=chapter", "-N",
               "--highlight-style", os.path.join(BOOK, "highlight.theme"),
               "--lua-filter", os.path.join(BOOK, "present.lua"), "-M", "present-highlight-languages=" + " ".join(langs),
               "-H", os.path.join(BOOK, "latex", "preamble.tex"), "-H", "edition.tex"]
        for v in build.LATEX_VARS:
            # the Korean word meets a font without Hangul; code may be hyphenated
            if not v.startswith(("CJKmainfont", "lof", "monofontoptions=HyphenChar")):
                cmd += ["-V", v]
        p = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        if p.returncode != 0:
            raise TestError("pandoc could not make the broken PDF's LaTeX: " + p.stderr)
        p = subprocess.run(["xelatex", "-interaction=nonstopmode", "broken.tex"], cwd=tmp, capture_output=True,
                           text=True, errors="replace", env=dict(os.environ, max_print_line="100000"))
        pdf = os.path.join(tmp, "broken.pdf")
        if not os.path.exists(pdf):
            raise TestError("xelatex made no broken PDF:\n" + p.stdout[-2000:])
        expect = {"title": "A title that is not there", "edition": None, "contents": True,
                  "chapters": [{"number": 1, "title": "Deliberately broken", "sections": [("1.1", "A section whose target was left on the page before"),
                                                ("1.2", "A heading left at the foot")], "figures": 1},
                               {"number": 2, "title": "A chapter that is not there", "sections": [], "figures": 0}],
                  "glossary": ["역전파"], "min_pages": 40, "max_pages": 100}
        problems, info = check_pdf(pdf, os.path.join(tmp, "broken.log"), os.path.join(tmp, "broken.tex"), expect, tmp)
        write_unembedded_pdf(os.path.join(tmp, "unembedded.pdf"))
        problems += check_fonts(os.path.join(tmp, "unembedded.pdf"))
        wanted = [
            ("pages", "too few pages", r"pages; a book of 2 chapters"),
            ("title", "no title page", r"page 1 does not carry"),
            ("contents", "no table of contents", r"table of contents is missing"),
            ("chapters", "a chapter of the book missing", r"chapter 2 .*A chapter that is not there"),
            ("figures", "a figure without its numbered caption", r"Figure 1\.1"),
            ("glossary", "Korean text not drawn", r"역전파"),
            ("tex", "an overfull line (the long code line)", r"Overfull \\hbox"),
            ("tex", "a missing character (Korean in Latin Modern)", r"Missing character: 역"),
            ("margin", "a word in the right margin (from pdftotext -bbox)", r"runs into the margin \(right"),
            ("margin", "ink in the right margin (from pdftoppm)", r"ink in the right margin"),
            ("links", "a link to a target that does not exist", r"leads nowhere"),
            ("links", "a heading's target stranded at the foot of the page before", r"ch01:stranded is at the foot"),
            ("highlight", "a listing of a C file without highlighting", r"exercises/ch01/plain\.c"),
            ("hyphen", "a file name hyphenated at a line's end", r"is hyphenated"),
            ("fonts", "a font that is not embedded", r"Helvetica is not embedded"),
            ("keep", "a listing shorter than a page split at its foot", r"is split across pages"),
            ("keep", "a list that leaves its last item alone on a page", r"holds a single item \(3 of 3\)"),
            ("keep", "a lead-in sentence ending in a colon cut off from its code", r"the sentence ends the page"),
            ("keep", "a listing longer than a page that does not say \"continued\"", r"without saying \"continued\""),
            ("keep", "a heading left at the foot of a page", r"ends with the heading 1\.2 A heading left"),
        ]
        for kind, what, pattern in wanted:
            hits = [m for k, m in problems if k == kind and re.search(pattern, m)]
            if hits:
                log("caught %-52s %-9s %s" % (what, kind, hits[0][:110]))
            else:
                failures.append("%s was not reported (as %s matching /%s/); reported: %s"
                                % (what, kind, pattern, "; ".join("%s: %s" % p for p in problems) or "nothing"))
        log("self-check: %d defects in a broken PDF, %.1f s" % (len(wanted), time.time() - t0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return failures


# ---------------------------------------------------------------- main

def main(argv):
    ap = argparse.ArgumentParser(description="Test the PDF book.")
    ap.add_argument("--edition", default="student", choices=["student", "instructor"])
    ap.add_argument("--pdf", help="the PDF (default: build/book/<edition>/%s)" % PDF_NAME)
    ap.add_argument("--pages", help="where to save a few pages as PNG (default: build/book/<edition>/pdf-pages)")
    ap.add_argument("--self-check", action="store_true", help="check that the test catches each defect, on a broken PDF")
    args = ap.parse_args(argv)
    t0 = time.time()
    out_root = os.path.join(ROOT, "build", "book", args.edition)
    try:
        if args.self_check:
            failures = self_check()
            for f in failures:
                print("pdf: self-check FAILED: " + f, file=sys.stderr)
            log("self-check %s in %.1f s" % ("failed" if failures else "passed", time.time() - t0))
            return 1 if failures else 0
        model = read_model(out_root)
        pdf = args.pdf or os.path.join(out_root, model["pdf"] or PDF_NAME)
        latex = os.path.join(out_root, model["latex"] or os.path.join("work", "latex"))
        expect = expectations(model)
        tmp = tempfile.mkdtemp(prefix="wb-pdf.")
        try:
            problems, info = check_pdf(pdf, None if args.pdf else os.path.join(latex, "book.log"),
                                       None if args.pdf else os.path.join(latex, "book.tex"), expect, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        pages_dir = args.pages or os.path.join(out_root, "pdf-pages")
        save_previews(pdf, info["texts"], pages_dir)
    except TestError as e:
        print("pdf: error: %s" % e, file=sys.stderr)
        return 2
    for kind, msg in problems:
        print("pdf: %s: %s" % (kind, msg), file=sys.stderr)
    log("%s edition: %d pages, %d internal links, %d problems; pages to look at in %s (%.1f s)"
        % (args.edition, info["pages"], info["links"], len(problems), os.path.relpath(pages_dir, ROOT), time.time() - t0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
