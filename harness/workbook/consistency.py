"""consistency.py: one look for each kind of box, one word for each direction.

Called by harness/workbook/weave.py on every chapter (so `make book` and
`python3 -m workbook book --self-check` both run it); each problem names
chapters/NN-slug/chapter.md:LINE.

  exercises   every ::: exercise box has a title (title="Write `fn`"), names
              the exercises/chNN/ file to open (one of the chapter's files in
              course.toml) and a function the learner writes there (a graded
              [[chapter.function]] of the chapter, as `name`); its title is
              never a bold first line instead. Every graded function of the
              chapter is named by some exercise.
  try this    a "Try this" section is one ::: tryit box, right under its heading
              (the box then shows no title of its own: the heading says it)
  editions    [text]{.student-only} / ::: student-only and .instructor-only:
              text that only one edition shows (weave.py drops it from the
              other); nothing else may be named so
  direction   upstream and downstream as book/glossary.tsv defines them:
              upstream is towards the output, downstream towards the inputs.
              On the way back a gradient arrives from upstream and is passed
              downstream; a phrase that says otherwise stops the build.
"""
import re

from workbook import listings

EXERCISE_FILE = re.compile(r"^exercises/(ch\d\d)/([\w.-]+\.c)$")
TRY_THIS = "try this"

# Phrases that use the words the other way round from the glossary (upstream:
# towards the output). Each: (pattern, what it says, how to say it).
DIRECTION = [
    (re.compile(r"\b(?:arrives?|arriving|comes?|coming|flows?|flowing|received?|receives)\s+(?:back\s+)?from\s+downstream\b", re.I),
     "a gradient arriving from downstream", "it arrives from upstream (the output's side)"),
    (re.compile(r"\b(?:pass(?:es|ed|ing)?|send(?:s|ing)?|sent|go(?:es|ing)?|flows?|flowing|hand(?:s|ed)?)\b"
                r"(?:\s+(?!the\b|an?\b)[\w'’]+){0,3}?\s+(?:back\s+)?upstream\b(?!\s+gradient)", re.I),
     "a gradient passed upstream on the way back", "it goes downstream (towards the inputs)"),
    (re.compile(r"\bbackward\b[^.]*\bafter\s+every\s+node\s+downstream\b", re.I),
     "backward running after the nodes downstream", "after every node upstream of it (between it and the output)"),
    (re.compile(r"\bchanges?\s+nothing\s+downstream\b", re.I),
     "a change that reaches downstream", "upstream (towards the output), or 'nothing after it'"),
]


def direction_problems(chap, stringify, visit, line_of):
    """Paragraphs, list items and headings that use upstream/downstream the
    other way round from the glossary."""
    out = []
    last_line = [None]

    def fn(key, value):
        attr = None
        if key in ("Header", "Div", "CodeBlock"):
            attr = value[1] if key == "Header" else value[0]
            line = line_of(attr)
            if line:
                last_line[0] = line
        if key in ("Para", "Plain"):
            text = stringify(value)
            for pattern, what, instead in DIRECTION:
                m = pattern.search(text)
                if m:
                    line = phrase_line(chap, m.group(0), last_line[0])
                    out.append("%s: \"%s\" speaks of %s; book/glossary.tsv has upstream towards the output "
                               "and downstream towards the inputs: say %s"
                               % (chap.where(line), m.group(0), what, instead))
    visit(chap.doc["blocks"], fn)
    return out


def phrase_line(chap, phrase, after):
    """The line of chapter.md where phrase (perhaps wrapped) starts, at or after line after."""
    lines = chap.src.lines if chap.src else []
    start = (after or 1) - 1
    text = "\n".join(lines[start:])
    words = phrase.split()
    m = re.search(r"\s+".join(re.escape(w) for w in words), text) if words else None
    if not m:
        return after
    return start + text.count("\n", 0, m.start()) + 1


def check_exercise(chap, attr, blocks, title, stringify, visit, line_of):
    """Problems of one exercise box (before its title was made)."""
    out = []
    where = chap.where(line_of(attr))
    if not title:
        out.append("%s: an exercise box needs a title, as every exercise in the book has: "
                   "::: {.exercise title=\"Write `name_of_the_function`\"}" % where)
    first = next((b for b in blocks if b["t"] in ("Para", "Plain")), None)
    if first and len(first["c"]) == 1 and first["c"][0]["t"] == "Strong":
        out.append("%s: the exercise's first line is a bold title (\"%s\"); give it as the box's title instead: "
                   "::: {.exercise title=\"...\"}" % (where, stringify(first)))
    codes = []
    visit(blocks, lambda k, v: codes.append(v[1]) if k == "Code" else None)
    files = []
    for c in codes:
        m = EXERCISE_FILE.match(c)
        if m and m.group(1) == chap.nn and m.group(2) in chap.files and c not in files:
            files.append(c)
    graded = chap.functions
    named = [c.rstrip("()") for c in codes if c.rstrip("()") in graded]
    if not files:
        out.append("%s: the exercise names no file to open: write `exercises/%s/FILE.c` (course.toml's files "
                   "for chapter %d: %s)" % (where, chap.nn, chap.number, ", ".join(chap.files) or "none"))
    if not named:
        out.append("%s: the exercise names no function to write (as `name`): one of chapter %d's graded "
                   "functions in course.toml: %s" % (where, chap.number, ", ".join(graded) or "none"))
    return out, named


def graded_functions(course_chapter):
    """The functions a learner writes in a chapter: the [[chapter.function]] names
    (not given code) that are functions of its solution files."""
    import os
    from workbook import course
    defined = set()
    for name in course_chapter.files:
        path = os.path.join(course.ROOT, "solutions", course_chapter.nn, name)
        try:
            with open(path, encoding="utf-8") as f:
                defined |= set(listings.functions(f.read().split("\n")))
        except (OSError, UnicodeDecodeError):
            pass
    return [f.name for f in course_chapter.functions if not getattr(f, "given", False) and f.name in defined]


def try_this_problems(chap, blocks, stringify, line_of):
    """A "Try this" section is exactly one tryit box. Returns (problems, ids of
    the boxes that follow such a heading, which show no title of their own)."""
    out, untitled = [], set()
    for i, b in enumerate(blocks):
        if b["t"] != "Header" or stringify(b["c"][2]).strip().lower() != TRY_THIS:
            continue
        where = chap.where(line_of(b["c"][1]))
        section = []
        for nb in blocks[i + 1:]:
            if nb["t"] == "Header" and nb["c"][0] <= b["c"][0]:
                break
            section.append(nb)
        boxes = [nb for nb in section if nb["t"] == "Div" and "tryit" in nb["c"][0][1]]
        if len(boxes) != 1 or section[0] is not boxes[0]:
            out.append("%s: a \"Try this\" section is one green box: put its text in ::: tryit ... ::: "
                       "right under the heading (found %s)" % (where, ", ".join(nb["t"] for nb in section) or "nothing"))
        for nb in boxes:
            untitled.add(id(nb))
    return out, untitled


EDITION_CLASSES = {"student-only": "student", "instructor-only": "instructor"}


def edition_filter(blocks, edition, walk):
    """blocks without the text of the other edition: Divs and Spans classed
    student-only or instructor-only are unwrapped in their edition, dropped in
    the other."""
    def fn(key, value):
        if key not in ("Div", "Span"):
            return None
        classes = value[0][1]
        for cls, ed in EDITION_CLASSES.items():
            if cls in classes:
                if ed != edition:
                    return []
                return walk(value[1], fn)
        return None
    return walk(blocks, fn)


def width_problems(chap, listing_div, in_callout, kv, line_of, source_lines_of):
    """A listing line wider than the page (listings.MAX_COLUMNS)."""
    attr, blocks = listing_div
    code = next((b["c"][1] for b in blocks if b["t"] == "CodeBlock"), "")
    limit = listings.MAX_COLUMNS_IN_CALLOUT if in_callout else listings.MAX_COLUMNS
    out = []
    k = kv(attr)
    for text, width in listings.width_problems(code, limit):
        path = k.get("wb-source", k.get("data-file", "?"))
        n = listings.source_line(source_lines_of(path), text)
        out.append("%s: the listing of %s has a line of %d characters, wider than a listing (at most %d%s): "
                   "%s%s: wrap it (a comment on a line of its own above the code, or a shorter one)"
                   % (chap.where(line_of(attr)), path, width, limit, " in a box" if in_callout else "",
                      path, ":%d" % n if n else " " + repr(text.strip())))
    return out


# Broken copies of chapter 3 for `python3 -m workbook book --self-check` (book.py's
# REFERENCE_BREAKAGES): name: (what is wrong, Markdown inserted, the start of the message)
REFERENCE_BREAKAGES = {
    "listing-too-wide": ("a listing with a line wider than the page",
                         '<<here>>```{.c file="harness/selftest/fixtures/wide_listing.c"}\n```\n',
                         "the listing of harness/selftest/fixtures/wide_listing.c has a line of "),
    "exercise-untitled": ("an exercise box without a title",
                          "<<here>>::: exercise\nOpen `exercises/ch03/mul_layer.c` and fill in `mul_backward`.\n:::\n",
                          "an exercise box needs a title"),
    "exercise-no-function": ("an exercise box that names no function to write",
                             '<<here>>::: {.exercise title="Write it"}\nOpen `exercises/ch03/mul_layer.c`.\n:::\n',
                             "the exercise names no function to write"),
    "exercise-bold-title": ("an exercise titled by a bold first line",
                            '<<here>>::: {.exercise title="Write `mul_backward`"}\n**Write the backward.**\n\n'
                            "Open `exercises/ch03/mul_layer.c` and fill in `mul_backward`.\n:::\n",
                            "the exercise's first line is a bold title"),
    "try-this-plain": ("a Try this section written as a plain list",
                       "<<here>>## Try this\n\n1. Change the tax.\n",
                       'a "Try this" section is one green box'),
    "downstream-upstream": ("a gradient said to arrive from downstream (the glossary: upstream)",
                            "The gradient of the price\n<<here>>arrives from downstream and goes on.\n",
                            '"arrives from downstream" speaks of a gradient arriving from downstream'),
}
