#!/usr/bin/env python3
"""source.py: the one reader of `// @...` markers in the workbook's C files.

  source.py exercises [--check]      write exercises/ from solutions/ (or only
                                     compare, exit 1 when they differ)
  source.py show FILE [SNIPPET] [--edition student|instructor]
                                     print a file or a snippet as the book shows it
  source.py lint                     every snippet reference in chapters/*.md
                                     resolves, and every snippet is used

Markers (see CONTRIBUTING.md):
  // @snippet NAME ... // @end NAME
  // @solution ... // @stub ... // @end solution
"""
import difflib
import glob
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import course  # noqa: E402

ROOT = course.ROOT
MARKER = re.compile(r"^(\s*)//\s*@(\w+)(?:\s+(\S+))?\s*$")
REFERENCE = re.compile(r'^```\{[^}]*\bfile="([^"]+)"(?:[^}]*\bsnippet="([^"]+)")?[^}]*\}\s*$')


class SourceError(Exception):
    pass


def _where(path, lineno):
    return "%s:%d" % (os.path.relpath(path, ROOT), lineno)


def parse(path):
    """Return (lines, snippets) where snippets maps name -> (first, last) line
    indices of the body, after checking that every marker is balanced."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    snippets, open_snippets = {}, {}
    state, state_line = None, 0  # None | "solution" | "stub"
    for i, line in enumerate(lines):
        m = MARKER.match(line)
        if not m:
            if state == "stub" and line.strip() and not re.match(r"^\s*//", line):
                raise SourceError("%s: stub line must start with '// ': %r" % (_where(path, i + 1), line))
            continue
        verb, arg = m.group(2), m.group(3)
        if verb == "snippet":
            if not arg or not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", arg):
                raise SourceError("%s: snippet names are lower-case-with-dashes, got %r" % (_where(path, i + 1), arg))
            if arg in snippets or arg in open_snippets:
                raise SourceError("%s: snippet %r is defined twice" % (_where(path, i + 1), arg))
            if state:
                raise SourceError("%s: snippet %r starts inside a @solution region" % (_where(path, i + 1), arg))
            open_snippets[arg] = i
        elif verb == "solution":
            if state:
                raise SourceError("%s: @solution inside another @solution (opened line %d)" % (_where(path, i + 1), state_line))
            state, state_line = "solution", i + 1
        elif verb == "stub":
            if state != "solution":
                raise SourceError("%s: @stub outside a @solution region" % _where(path, i + 1))
            state = "stub"
        elif verb == "end" and arg == "solution":
            if state != "stub":
                raise SourceError("%s: @end solution without its @stub part" % _where(path, i + 1))
            state = None
        elif verb == "end":
            if arg not in open_snippets:
                raise SourceError("%s: @end %s without its @snippet" % (_where(path, i + 1), arg))
            if state:
                raise SourceError("%s: snippet %r ends inside a @solution region" % (_where(path, i + 1), arg))
            snippets[arg] = (open_snippets.pop(arg) + 1, i - 1)
        else:
            raise SourceError("%s: unknown marker @%s" % (_where(path, i + 1), verb))
    if state:
        raise SourceError("%s: @solution region never ends" % _where(path, state_line))
    for name, start in open_snippets.items():
        raise SourceError("%s: snippet %r never ends (no // @end %s)" % (_where(path, start + 1), name, name))
    return lines, snippets


def render(lines, edition):
    """The lines as an edition shows them: markers dropped, solution regions
    replaced by their stubs in the student edition."""
    out, state = [], None
    for line in lines:
        m = MARKER.match(line)
        if m:
            verb, arg = m.group(2), m.group(3)
            if verb == "solution":
                state = "solution"
            elif verb == "stub":
                state = "stub"
            elif verb == "end" and arg == "solution":
                state = None
            continue
        if state == "solution" and edition == "student":
            continue
        if state == "stub":
            if edition != "student":
                continue
            line = re.sub(r"^(\s*)// ?", r"\1", line, count=1)
        out.append(line)
    return out


def dedent(lines):
    widths = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(widths) if widths else 0
    return [l[cut:] for l in lines]


def show(path, snippet=None, edition="student"):
    lines, snippets = parse(path)
    if snippet is not None:
        if snippet not in snippets:
            known = ", ".join(sorted(snippets)) or "none"
            raise SourceError("%s has no snippet %r (it defines: %s)" % (os.path.relpath(path, ROOT), snippet, known))
        first, last = snippets[snippet]
        lines = dedent(lines[first:last + 1])
    text = "\n".join(render(lines, edition))
    return text.strip("\n") + "\n"


def exercise_pairs():
    for ch in course.chapters():
        for name in ch.files:
            yield (os.path.join(ROOT, "solutions", ch.nn, name), os.path.join(ROOT, "exercises", ch.nn, name))


def cmd_exercises(check):
    stale = 0
    for src, dst in exercise_pairs():
        if not os.path.exists(src):
            raise SourceError("course.mk names %s, which does not exist" % os.path.relpath(src, ROOT))
        lines, _ = parse(src)
        want = "\n".join(render(lines, "student"))
        have = open(dst, encoding="utf-8").read() if os.path.exists(dst) else None
        if have == want:
            continue
        if check:
            stale += 1
            rel = os.path.relpath(dst, ROOT)
            print("%s is out of sync with solutions/ (run `make exercises`):" % rel, file=sys.stderr)
            diff = difflib.unified_diff((have or "").splitlines(), want.splitlines(), rel, "generated", lineterm="")
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        else:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "w", encoding="utf-8") as f:
                f.write(want)
            print("wrote %s" % os.path.relpath(dst, ROOT))
    if check and stale:
        return 1
    if check:
        print("exercises/ is in sync with solutions/")
    return 0


def marked_files():
    pats = ["solutions/ch*/*.[ch]", "chapters/*/*.[ch]", "harness/include/*.h"]
    for pat in pats:
        for p in sorted(glob.glob(os.path.join(ROOT, pat))):
            yield p


def cmd_lint():
    """Every reference resolves; every snippet is used."""
    defined = {}
    for path in marked_files():
        _, snippets = parse(path)
        for name in snippets:
            defined[(os.path.relpath(path, ROOT), name)] = False
    problems = []
    for md in sorted(glob.glob(os.path.join(ROOT, "chapters", "*", "*.md"))):
        with open(md, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = REFERENCE.match(line.strip())
                if not m:
                    continue
                ref, snip = m.group(1), m.group(2)
                where = _where(md, lineno)
                if not os.path.exists(os.path.join(ROOT, ref)):
                    problems.append("%s: file %s does not exist" % (where, ref))
                elif snip is not None and (ref, snip) not in defined:
                    problems.append("%s: %s has no snippet %r" % (where, ref, snip))
                elif snip is not None:
                    defined[(ref, snip)] = True
    for (path, name), used in sorted(defined.items()):
        if not used:
            problems.append("%s: snippet %r is defined but no chapter shows it" % (path, name))
    for p in problems:
        print("error: " + p, file=sys.stderr)
    if not problems:
        print("snippets: %d defined, all used, all references resolve" % len(defined))
    return 1 if problems else 0


def main(argv):
    try:
        if argv[:1] == ["exercises"]:
            return cmd_exercises("--check" in argv[1:])
        if argv[:1] == ["lint"]:
            return cmd_lint()
        if argv[:1] == ["show"] and len(argv) >= 2:
            edition = "student"
            args = list(argv[1:])
            if "--edition" in args:
                k = args.index("--edition")
                edition = args[k + 1]
                del args[k:k + 2]
            if edition not in ("student", "instructor"):
                raise SourceError("unknown edition %r (student or instructor)" % edition)
            path = os.path.join(ROOT, args[0])
            if not os.path.exists(path):
                raise SourceError("%s does not exist" % args[0])
            sys.stdout.write(show(path, args[1] if len(args) > 1 else None, edition))
            return 0
    except SourceError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
