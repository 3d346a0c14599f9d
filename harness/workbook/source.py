"""source.py: the one reader of `// @...` markers in the workbook's C files.

  source.py exercises [--force]      write exercises/ from solutions/, never over
                                     a file you edited (--force: over it too,
                                     keeping yours as FILE.~N~ next to it)
  source.py exercises --check        only compare exercises/ and its record with
                                     solutions/, exit 1 when they differ
  source.py show FILE [SNIPPET] [--edition student|instructor]
                                     print a file or a snippet as the book shows it
  source.py lint                     every snippet reference in chapters/*.md
                                     resolves, and every snippet is used

Markers (see CONTRIBUTING.md):
  // @snippet NAME ... // @end NAME
  // @solution ... // @stub ... // @end solution

exercises/.generated records the SHA-256 of every exercise file as the
generator last wrote it (sha256sum's format: `cd exercises && sha256sum -c
.generated` lists the files you changed). A file whose content is not the
recorded one was edited by the learner: `source.py exercises` keeps it and
says so; with --force it copies it to FILE.~N~ first. The record is
committed with exercises/ and `--check` checks it too.
"""
import argparse
import difflib
import glob
import hashlib
import os
import re
import shutil
import sys

from workbook import course

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


RECORD = os.path.join("exercises", ".generated")  # relative to ROOT


def regions(path):
    """The @solution regions of a file, in order: a list of (solution, stub)
    where solution is the region's reference lines as written and stub the
    lines its @stub part produces in exercises/ (the TODO block: comment,
    (void) casts, NOT_IMPLEMENTED()), each a list of lines without newlines."""
    lines, _ = parse(path)
    found, state = [], None
    for line in lines:
        m = MARKER.match(line)
        if m and m.group(2) == "solution":
            state = "solution"
            found.append(([], []))
        elif m and m.group(2) == "stub":
            state = "stub"
        elif m and m.group(2) == "end" and m.group(3) == "solution":
            state = None
        elif state == "solution":
            found[-1][0].append(line)
        elif state == "stub":
            found[-1][1].append(re.sub(r"^(\s*)// ?", r"\1", line, count=1))
    return found


def exercise_pairs():
    for ch in course.chapters():
        for name in ch.files:
            yield (os.path.join(ROOT, "solutions", ch.nn, name), os.path.join(ROOT, "exercises", ch.nn, name))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_record(path):
    """{"chNN/file.c": sha256} from the record file; unreadable lines are no entry."""
    entries = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^([0-9a-f]{64}) [ *](\S+)$", line.rstrip("\r\n"))
                if m:
                    entries[m.group(2)] = m.group(1)
    except OSError:
        pass
    return entries


def record_text(entries):
    return "".join("%s  %s\n" % (digest, rel) for rel, digest in entries if digest)


def backup_path(dst):
    """FILE.~N~, N one more than any backup of FILE so far (as `cp --backup=numbered`)."""
    folder, name = os.path.split(dst)
    taken = [int(m.group(1)) for m in (re.match(r"^%s\.~(\d+)~$" % re.escape(name), n)
                                       for n in os.listdir(folder or ".")) if m]
    return "%s.~%d~" % (dst, max(taken, default=0) + 1)


def plan(have, want, recorded, force):
    """What to do with one exercise file. have: its bytes (None: missing); want:
    the generated bytes; recorded: the SHA-256 the generator last wrote for it
    (None: no record). Returns "same", "write", "keep" (the learner edited it),
    "force" (edited, but --force: back up, then write) or "unrecorded"
    (no record of writing what is there: back up, then write)."""
    if have is None:
        return "write"
    if have == want:
        return "same"
    if recorded is not None and sha256(have) == recorded:
        return "write"  # what the generator wrote, untouched: the new stub replaces it
    if recorded is None:
        return "unrecorded"
    return "force" if force else "keep"


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".new~"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _backup(dst, have):
    backup = backup_path(dst)
    shutil.copy2(dst, backup)
    with open(backup, "rb") as f:
        if f.read() != have:
            raise SourceError("could not copy %s to %s; nothing was written" % (dst, backup))
    return backup


def cmd_exercises(check, force=False):
    record_path = os.path.join(ROOT, RECORD)
    recorded = read_record(record_path)
    entries, stale = [], 0
    for src, dst in exercise_pairs():
        if not os.path.exists(src):
            raise SourceError("course.toml names %s, which does not exist" % os.path.relpath(src, ROOT))
        lines, _ = parse(src)
        want = "\n".join(render(lines, "student")).encode("utf-8")
        key = os.path.relpath(dst, os.path.dirname(record_path)).replace(os.sep, "/")
        rel = os.path.relpath(dst, ROOT)
        have = None
        if os.path.exists(dst):
            with open(dst, "rb") as f:
                have = f.read()
        if check:
            entries.append((key, sha256(want)))
            if have != want:
                stale += 1
                print("%s is out of sync with solutions/ (run `make exercises`):" % rel, file=sys.stderr)
                old = (have or b"").decode("utf-8", "replace").splitlines()
                diff = difflib.unified_diff(old, want.decode("utf-8").splitlines(), rel, "generated", lineterm="")
                print("\n".join(list(diff)[:40]), file=sys.stderr)
            continue
        action = plan(have, want, recorded.get(key), force)
        if action == "same":
            entries.append((key, sha256(want)))
        elif action == "keep":
            entries.append((key, recorded.get(key)))
            print("kept your edited %s: the new stub was not written (to get it: make exercises FORCE=1, "
                  "which first saves your file as %s)" % (rel, os.path.relpath(backup_path(dst), ROOT)))
        else:
            backup = _backup(dst, have) if action in ("force", "unrecorded") else None
            _write(dst, want)
            entries.append((key, sha256(want)))
            if action == "force":
                print("wrote the new stub %s; your edited file is saved as %s"
                      % (rel, os.path.relpath(backup, ROOT)))
            elif action == "unrecorded":
                print("wrote %s; the file that was there (not one make exercises wrote) is saved as %s"
                      % (rel, os.path.relpath(backup, ROOT)))
            else:
                print("wrote %s" % rel)
    text = record_text(entries).encode("utf-8")
    have_record = None
    if os.path.exists(record_path):
        with open(record_path, "rb") as f:
            have_record = f.read()
    if check:
        if have_record != text:
            stale += 1
            print("%s is out of sync with exercises/ (run `make exercises`):" % RECORD, file=sys.stderr)
            old = (have_record or b"").decode("utf-8", "replace").splitlines()
            diff = difflib.unified_diff(old, text.decode("utf-8").splitlines(), RECORD, "generated", lineterm="")
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        if stale:
            return 1
        print("exercises/ is in sync with solutions/")
        return 0
    if have_record != text:
        _write(record_path, text)
        print("wrote %s" % RECORD)
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
    ap = argparse.ArgumentParser(prog="python3 -m workbook", description="the // @ markers of the C files")
    verbs = ap.add_subparsers(dest="verb", required=True)
    ex = verbs.add_parser("exercises", help="write exercises/ from solutions/")
    ex.add_argument("--check", action="store_true", help="only compare; exit 1 when they differ")
    ex.add_argument("--force", action="store_true", help="write over edited files, keeping FILE.~N~")
    verbs.add_parser("lint", help="every snippet reference resolves, every snippet is used")
    sh = verbs.add_parser("show", help="a file or a snippet as the book shows it")
    sh.add_argument("file")
    sh.add_argument("snippet", nargs="?")
    sh.add_argument("--edition", choices=["student", "instructor"], default="student")
    args = ap.parse_args(argv)
    try:
        if args.verb == "exercises":
            return cmd_exercises(args.check, args.force)
        if args.verb == "lint":
            return cmd_lint()
        path = os.path.join(ROOT, args.file)
        if not os.path.exists(path):
            raise SourceError("%s does not exist" % args.file)
        sys.stdout.write(show(path, args.snippet, args.edition))
        return 0
    except SourceError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
