"""selftest.mutants: deliberately wrong solutions the grader must reject.

Each chapter's list lives in harness/selftest/mutants/chNN.py (NN: its number) as

    MUTANTS = [(name, file, old, new, tests_that_must_fail, text_the_message_must_contain), ...]

A mutant copies solutions/, replaces the code of `old` by `new` in
solutions/chNN/<file> (comments and spacing do not count; the code must occur
exactly once: see apply below), grades that chapter, and expects every
listed test to fail with a message containing the text. `make test` runs them.
"""
import glob
import os
import re
import runpy

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    found = {}
    for path in sorted(glob.glob(os.path.join(HERE, "ch[0-9]*.py"))):
        chapter = int(re.search(r"ch(\d+)\.py$", path).group(1))
        found[chapter] = runpy.run_path(path)["MUTANTS"]
    return found


MUTANTS = load()


# ---- applying a mutant: code only, comments and spacing do not count ------------------

def code_view(text):
    """The text without its comments, each run of white space one space:
    (view, where) with where[k] the index in text of view[k]."""
    view, where = [], []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            c = " "
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":  # a literal, copied whole
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i, min(j + 1, n)):
                view.append(text[k])
                where.append(k)
            i = j + 1
            continue
        else:
            i += 1
        if c.isspace():
            if view and view[-1] == " ":
                continue
            view.append(" ")
            where.append(i - 1)
        else:
            view.append(c)
            where.append(i - 1)
    return "".join(view), where


def apply(text, old, new):
    """text with the code of `old` replaced by `new`, matched on code alone (so
    editing a comment or re-indenting never breaks a mutant). Raises ValueError
    unless that code occurs exactly once."""
    if text.count(old) == 1:  # as written: the replacement keeps its layout exactly
        return text.replace(old, new)
    view, where = code_view(text)
    needle = code_view(old)[0].strip()
    count = view.count(needle) if needle else 0
    if count != 1:
        raise ValueError("the code to replace occurs %d times (must be once)" % count)
    k = view.index(needle)
    start, end = where[k], where[k + len(needle) - 1] + 1
    # the white space `old` starts and ends with belongs to the match too
    if old[:1].isspace():
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        if old.startswith("\n") and start > 0 and text[start - 1] == "\n":
            start -= 1
    if old[-1:].isspace():
        end = text.find("\n", end) + 1 if old.endswith("\n") and "\n" in text[end:] else end
    return text[:start] + new + text[end:]
