"""learner.py: the learner's loop around the grader, as rustlings has it.

  progress                         every chapter and function: done, failing or
                                   not started; what to do next (make progress)
  hint (--chapter N | --exercise NAME)
                                   one more of course.toml's hints each time it
                                   is asked (make hint)
  watch --chapter N                regrade the chapter on every save (make watch)
  reset --exercise NAME [--yes]    put one pristine stub back, keeping yours as
                                   FILE.~N~ (make reset)

What it remembers lives in build/progress/: the last results of each chapter
with the SHA-256 of the files they graded (so `progress` regrades only a
chapter whose files, or whose grader, changed since), and how many hints of
each function were shown. `make check` on exercises/ writes the same record.
Nothing here writes to exercises/ except `reset`, after asking.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from workbook import course

ROOT = course.ROOT
EXERCISES = os.path.join(ROOT, "exercises")
STATE = os.path.join(ROOT, "build", "progress")
PY = sys.executable or "python3"
NOT_STARTED = "is not implemented yet"
# what a chapter's results depend on besides the learner's files
GRADER_FILES = ["course.toml", "harness/workbook/grade.py", "harness/grader", "harness/include"]


def paint(text, code, stream=sys.stdout):
    if stream.isatty() and os.environ.get("TERM") != "dumb" and "NO_COLOR" not in os.environ:
        return "\033[%sm%s\033[0m" % (code, text)
    return text


# ---- what was graded, and when ----------------------------------------------

def _digest(paths):
    h = hashlib.sha256()
    for path in paths:
        h.update(os.path.relpath(path, ROOT).encode() + b"\0")
        try:
            with open(path, "rb") as f:
                h.update(f.read())
        except OSError:
            h.update(b"(missing)")
        h.update(b"\0")
    return h.hexdigest()


def grader_stamp():
    paths = []
    for rel in GRADER_FILES:
        full = os.path.join(ROOT, rel)
        if os.path.isdir(full):
            paths += sorted(os.path.join(full, n) for n in os.listdir(full) if n.endswith((".c", ".h")))
        else:
            paths.append(full)
    return _digest(paths)


def files_stamp(ch, exdir=EXERCISES):
    return _digest([os.path.join(exdir, ch.nn, name) for name in ch.files])


def _load(name, default):
    try:
        with open(os.path.join(STATE, name), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def _save(name, data):
    try:
        os.makedirs(STATE, exist_ok=True)
        path = os.path.join(STATE, name)
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, path)
    except OSError:
        pass  # a checkout it cannot write to: progress just regrades next time


def remember(exdir, chapters):
    """Called by the grader after grading `exdir`: keep the results of each
    chapter of the learner's own exercises/ (not a submission's) with the
    stamps they were graded under."""
    if os.path.realpath(exdir) != os.path.realpath(EXERCISES):
        return
    state = _load("results.json", {})
    stamp = grader_stamp()
    by_number = {c.number: c for c in course.chapters()}
    for record in chapters:
        ch = by_number.get(record["chapter"])
        if ch is not None:
            state[str(ch.number)] = {"grader": stamp, "files": files_stamp(ch, exdir), "record": record}
    _save("results.json", state)


def last_results(ch, state=None):
    """The chapter's last results if its files and the grader are unchanged since, else None."""
    state = _load("results.json", {}) if state is None else state
    entry = state.get(str(ch.number))
    if entry and entry.get("files") == files_stamp(ch) and entry.get("grader") == grader_stamp():
        return entry["record"]
    return None


def grade(ch, quiet=True):
    """Grade one chapter of exercises/ in a process of its own session (Ctrl-C
    reaches the caller only); returns (its record, what it printed)."""
    fd, path = tempfile.mkstemp(prefix="progress-", suffix=".json")
    os.close(fd)
    try:
        proc = subprocess.Popen([PY, "-m", "workbook", "check", "--chapter", str(ch.number), "--exercises",
                                 EXERCISES, "--results", path], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace", start_new_session=True)
        try:
            out, _ = proc.communicate()
        except BaseException:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            raise
        try:
            with open(path, encoding="utf-8") as f:
                chapters = json.load(f)["chapters"]
        except (OSError, ValueError, KeyError):
            chapters = []
        return (chapters[0] if chapters else None), out
    finally:
        os.unlink(path)


def results(chapters, regrade=True):
    """{number: record} for the chapters, regrading those whose files changed
    since they were last graded (two at a time); also returns the numbers
    regraded."""
    state = _load("results.json", {})
    got, stale = {}, []
    for ch in chapters:
        record = last_results(ch, state)
        if record is not None:
            got[ch.number] = record
        elif regrade:
            stale.append(ch)
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                if not stale:
                    return
                ch = stale.pop(0)
            record, _ = grade(ch)
            with lock:
                got[ch.number] = record
    regraded = [ch.number for ch in stale]
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got, regraded


# ---- functions, files, status ------------------------------------------------

def learner_functions(ch):
    return [f for f in ch.functions if not f.given]


def file_of(ch, function, exdir=EXERCISES):
    """The exercise file (chNN/name.c) that defines `function`, or None."""
    pattern = re.compile(r"^[A-Za-z_][\w \t*]*\b%s\s*\(" % re.escape(function.name), re.M)
    for name in ch.files:
        path = os.path.join(exdir, ch.nn, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError:
            continue
        for m in pattern.finditer(text):
            rest = text[m.end():]
            depth, i = 1, 0
            while i < len(rest) and depth:  # a definition: its ) followed by {, not ;
                depth += {"(": 1, ")": -1}.get(rest[i], 0)
                i += 1
            if rest[i:].lstrip().startswith("{"):
                return "%s/%s" % (ch.nn, name)
    return None


def status(function, record):
    """("done" | "failing" | "not started" | "not graded", passed, total) of
    one function in a chapter's record."""
    tests = function.tests
    if record is None:
        return "not graded", 0, len(tests)
    by_name = {t["name"]: t for t in record.get("tests", [])}
    mine = [by_name.get(t) for t in tests]
    passed = sum(1 for t in mine if t and t["passed"])
    if passed == len(tests):
        return "done", passed, len(tests)
    failing = [t for t in mine if t and not t["passed"]]
    if passed == 0 and failing and all(NOT_STARTED in t["message"] for t in failing):
        return "not started", 0, len(tests)
    return "failing", passed, len(tests)


def next_step(chapters, records):
    """(chapter, function, status) of the first function not done, or None."""
    for ch in chapters:
        for f in learner_functions(ch):
            state = status(f, records.get(ch.number))[0]
            if state != "done":
                return ch, f, state
    return None


def bar(done, total, width=30):
    full = int(round(width * done / total)) if total else width
    return "[" + "#" * full + "." * (width - full) + "]"


MARK = {"done": ("done", "32"), "failing": ("FAIL", "31"), "not started": ("todo", "2"),
        "not graded": ("????", "33")}


def cmd_progress(args):
    chapters = [ch for ch in course.chapters() if ch.gradable]
    records, regraded = results(chapters)
    total = sum(len(learner_functions(ch)) for ch in chapters)
    done = sum(1 for ch in chapters for f in learner_functions(ch)
               if status(f, records.get(ch.number))[0] == "done")
    print(paint("Progress: %d of %d functions done" % (done, total), "1"),
          " %s %d%%" % (bar(done, total), round(100 * done / total) if total else 100))
    for ch in chapters:
        record = records.get(ch.number)
        fs = learner_functions(ch)
        ch_done = sum(1 for f in fs if status(f, record)[0] == "done")
        print()
        print(paint("chapter %d  %s" % (ch.number, ch.title), "1") + "  %d/%d" % (ch_done, len(fs)))
        if record and record.get("problem"):
            first = record["problem"].strip().splitlines()[0]
            print("  " + paint("does not build: ", "31") + first)
        for f in fs:
            state, passed, n = status(f, record)
            word, color = MARK[state]
            where = file_of(ch, f)
            detail = {"failing": "%d of %d tests pass" % (passed, n)}.get(state, "")
            print("  %s  %-28s %-32s %s" % (paint(word, color), f.name,
                                           "exercises/" + where if where else "(uses the functions above)", detail))
        given = [t for t in (record or {}).get("tests", []) if t.get("given") and not t["passed"]]
        if given:
            print("  " + paint("and a check of the code the chapter gives you fails: was it changed? "
                               "`git diff exercises/%s` shows what changed" % ch.nn, "31"))
    print()
    step = next_step(chapters, records)
    if step is None:
        print(paint("Every function passes: you have written backpropagation, layer by layer.", "1;32"))
    else:
        ch, f, state = step
        where = file_of(ch, f)
        verb = {"not started": "write", "failing": "fix"}.get(state, "grade")
        print(paint("next: %s %s" % (verb, f.name), "1") + (" in exercises/%s" % where if where else "")
              + " (chapter %d, %s)" % (ch.number, ch.title))
        print("      make check CHAPTER=%d    make watch CHAPTER=%d    make hint EXERCISE=%s"
              % (ch.number, ch.number, f.name))
    if regraded:
        rest = len(chapters) - len(regraded)
        print(paint("(graded now: chapter %s%s)" % (", ".join(map(str, regraded)),
                                                    "; the others: their last results, unchanged since" if rest
                                                    else ""), "2"))
    return 0


# ---- which exercise -------------------------------------------------------

def find_exercise(name):
    """(chapter, function or None, chNN/file.c) for EXERCISE=name: a function
    the learner writes (mul_backward) or an exercise file (mul_layer,
    mul_layer.c, ch03/mul_layer.c)."""
    name = name.strip()
    chapters = [ch for ch in course.chapters() if ch.gradable]
    for ch in chapters:
        for f in learner_functions(ch):
            if f.name == name:
                return ch, f, file_of(ch, f) or "%s/%s" % (ch.nn, ch.files[0])
    base = name[len("exercises/"):] if name.startswith("exercises/") else name
    for ch in chapters:
        for file in ch.files:
            if base in (file, os.path.splitext(file)[0], "%s/%s" % (ch.nn, file)):
                return ch, None, "%s/%s" % (ch.nn, file)
    return None


def unknown_exercise(name):
    chapters = [ch for ch in course.chapters() if ch.gradable]
    names = ", ".join(f.name for ch in chapters for f in learner_functions(ch))
    print("error: EXERCISE=%s is neither a function you write nor an exercise file.\n"
          "       functions: %s\n"
          "       files: a name as in exercises/, e.g. EXERCISE=mul_layer or EXERCISE=ch03/mul_layer.c"
          % (name, names), file=sys.stderr)
    return 2


def chapter_arg(text):
    chapters = [ch for ch in course.chapters() if ch.gradable]
    ch = course.chapter(int(text)) if re.fullmatch(r"\s*[0-9]{1,3}\s*", text or "") else None
    if ch is None or not ch.gradable:
        print("error: CHAPTER=%s is not a chapter with exercises; valid: %s"
              % (text, ", ".join(str(c.number) for c in chapters)), file=sys.stderr)
        return None
    return ch


# ---- hint -----------------------------------------------------------------

def cmd_hint(args):
    if bool(args.chapter) == bool(args.exercise):
        print("error: say which exercise: make hint CHAPTER=3 (the first function of chapter 3 that does not "
              "pass yet) or make hint EXERCISE=mul_backward", file=sys.stderr)
        return 2
    if args.exercise:
        found = find_exercise(args.exercise)
        if found is None:
            return unknown_exercise(args.exercise)
        ch, function, rel = found
        if function is None:  # a file: its first function that does not pass
            record = results([ch])[0].get(ch.number)
            mine = [f for f in learner_functions(ch) if file_of(ch, f) == rel]
            function = next((f for f in mine if status(f, record)[0] != "done"), mine[0] if mine else None)
            if function is None:
                print("error: %s holds no function you write" % rel, file=sys.stderr)
                return 2
    else:
        ch = chapter_arg(args.chapter)
        if ch is None:
            return 2
        record = results([ch])[0].get(ch.number)
        function = next((f for f in learner_functions(ch) if status(f, record)[0] != "done"), None)
        if function is None:
            print("Every function of chapter %d passes: no hint needed. `make progress` shows what is next."
                  % ch.number)
            return 0
    hints = function.hints
    where = file_of(ch, function)
    if not hints:
        print("course.toml has no hint for %s; chapter %d of the book explains it, and `make check CHAPTER=%d` "
              "says what your code gives." % (function.name, ch.number, ch.number))
        return 0
    seen = _load("hints.json", {})
    key = "%d/%s" % (ch.number, function.name)
    shown = min(seen.get(key, 0) + 1, len(hints))
    seen[key] = shown
    _save("hints.json", seen)
    print(paint("Hints for %s" % function.name, "1") + (" (exercises/%s, chapter %d)" % (where, ch.number)
                                                       if where else " (chapter %d)" % ch.number))
    for i, text in enumerate(hints[:shown], 1):
        new = i == shown
        print()
        print(paint("hint %d of %d%s" % (i, len(hints), " (new)" if new and shown > 1 else ""), "1" if new else "2"))
        for line in wrap(text):
            print("  " + (line if new else paint(line, "2")))
    print()
    if shown < len(hints):
        print("Still stuck? Ask again for the next one: make hint EXERCISE=%s" % function.name)
    else:
        print("That is the last hint for %s. `make check CHAPTER=%d` shows your values next to the right ones."
              % (function.name, ch.number))
    return 0


def wrap(text, width=76):
    import textwrap
    out = []
    for para in text.split("\n"):
        out += textwrap.wrap(para, width) or [""]
    return out


# ---- watch -----------------------------------------------------------------

CLEAR = "\033[2J\033[H"


def show_watch(ch, record, out):
    """The chapter's tests, one line each, and only the first failing one in full."""
    lines = [paint("make watch CHAPTER=%d: %s" % (ch.number, ch.title), "1"),
             paint("graded on every save of exercises/%s/{%s}; Ctrl-C stops" % (ch.nn, ",".join(ch.files)), "2"), ""]
    if record is None:
        lines.append("the grader stopped without results; what it printed:")
        lines += ["  " + l for l in out.rstrip().splitlines()[-30:]]
        return "\n".join(lines)
    if record.get("problem"):
        lines.append(paint("does not build yet:", "31"))
        lines += ["  " + l for l in record["problem"].rstrip().splitlines()]
        return "\n".join(lines)
    first = None
    for t in record["tests"]:
        mark = paint("PASS", "32") if t["passed"] else paint("FAIL", "31")
        lines.append("  %s  %s%s" % (mark, t["name"], "  (given code)" if t["given"] else ""))
        if not t["passed"] and first is None:
            first = t
    mine = [t for t in record["tests"] if not t["given"]]
    passed = sum(t["passed"] for t in mine)
    lines.append("")
    if first is not None:
        lines.append(paint("first failing test: %s" % first["name"], "1") + "  (%s)" % first["description"])
        lines += ["  " + l for l in first["message"].rstrip().splitlines()]
        if first.get("hint") and NOT_STARTED not in first["message"]:
            lines.append("  stuck? make hint EXERCISE=%s" % first["function"])
        lines.append("")
    done = passed == len(mine) and all(t["passed"] for t in record["tests"])
    lines.append(paint("chapter %d: %d/%d passed" % (ch.number, passed, len(mine)), "1;32" if done else "1;31"))
    if done:
        after = [c for c in course.chapters() if c.gradable and c.number > ch.number]
        lines.append("Chapter %d is done.%s" % (ch.number, " Next: make watch CHAPTER=%d" % after[0].number
                                                 if after else ""))
    return "\n".join(lines)


def snapshot(ch):
    snap = {}
    for name in ch.files:
        try:
            st = os.stat(os.path.join(EXERCISES, ch.nn, name))
            snap[name] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            snap[name] = None
    return snap


def wait_for_change(ch, inotify, before, announce):
    """Block until one of the chapter's files differs from `before` (taken when
    grading began, so a save during grading counts); editors that write a new
    file and rename it over the old one included. `announce()` is called once
    the watch is in place."""
    folder = os.path.join(EXERCISES, ch.nn)
    if inotify:
        proc = subprocess.Popen(["inotifywait", "-m", "-e", "close_write,moved_to,create,delete,attrib",
                                 "--format", "%f", folder], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        try:
            for line in proc.stderr:  # "Setting up watches." then "Watches established."
                if "established" in line.lower():
                    break
            else:
                raise SystemExit("inotifywait could not watch %s; watching by polling instead" % folder)
            announce("inotify")
            if snapshot(ch) != before:
                return
            for line in proc.stdout:
                if line.strip() in ch.files and snapshot(ch) != before:
                    time.sleep(0.15)  # let an editor finish its write-and-rename
                    return
            raise SystemExit("inotifywait stopped; watching by polling from now on")
        finally:
            proc.terminate()
            proc.wait()
    announce("polling every 0.5 s")
    while snapshot(ch) == before:
        time.sleep(0.5)
    time.sleep(0.15)


class OwnTerminal:
    """Ctrl-C for this process only: it becomes the terminal's foreground
    process group while it runs, so make, its parent, never gets the SIGINT
    (which it answers with messages of its own), and hands the terminal back
    when done."""

    def __enter__(self):
        self.fd = None
        try:
            if sys.stdin.isatty():
                fd = sys.stdin.fileno()
                self.old = os.tcgetpgrp(fd)
                os.setpgid(0, 0)
                self._set(fd, os.getpgrp())
                self.fd = fd
        except OSError:
            pass
        return self

    @staticmethod
    def _set(fd, group):
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may take the terminal
        try:
            os.tcsetpgrp(fd, group)
        finally:
            signal.signal(signal.SIGTTOU, old)

    def __exit__(self, *exc):
        if self.fd is not None:
            try:
                self._set(self.fd, self.old)
            except OSError:
                pass


def cmd_watch(args):
    with OwnTerminal():
        return watch(args)


def watch(args):
    ch = chapter_arg(args.chapter or "")
    if ch is None:
        return 2
    inotify = shutil.which("inotifywait") is not None and os.environ.get("WATCH_POLL") != "1"
    tty = sys.stdout.isatty()

    def announce(how):
        print(paint("\nwaiting for a save (%s) ..." % how, "2"), flush=True)
    try:
        while True:
            before = snapshot(ch)
            print(("%s" % CLEAR if tty else "") + paint("grading chapter %d ..." % ch.number, "2"), flush=True)
            record, out = grade(ch)
            print((CLEAR if tty else "-" * 60 + "\n") + show_watch(ch, record, out), flush=True)
            while True:
                try:
                    wait_for_change(ch, inotify, before, announce)
                    break
                except SystemExit as e:
                    print(e, file=sys.stderr)
                    inotify = False
    except KeyboardInterrupt:
        print("\nwatch stopped; your files are as you saved them.")
        return 0


# ---- reset -----------------------------------------------------------------

def pristine_stub(rel):
    """The pristine stub of exercises/<rel>: generated from solutions/ where the
    tree has them; otherwise the copy a student release keeps in harness/stubs/
    (checked against exercises/.generated, the record of what was handed out)."""
    from workbook import source
    src = os.path.join(ROOT, "solutions", rel)
    if os.path.isfile(src):
        lines, _ = source.parse(src)
        return "\n".join(source.render(lines, "student")).encode("utf-8")
    kept = os.path.join(ROOT, "harness", "stubs", rel)
    recorded = source.read_record(os.path.join(ROOT, source.RECORD)).get(rel)
    try:
        with open(kept, "rb") as f:
            data = f.read()
    except OSError:
        return None
    return data if recorded is None or source.sha256(data) == recorded else None


def ask(question):
    """The answer typed at the terminal (not stdin, which make may have
    redirected), or None when there is no terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:
        os.write(fd, question.encode())
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = os.read(fd, 1)
            if not chunk:
                break
            answer += chunk
        return answer.decode("utf-8", "replace").strip().lower()
    finally:
        os.close(fd)


def cmd_reset(args):
    from workbook import source
    if not args.exercise:
        print("error: say which exercise: make reset EXERCISE=mul_layer (a file) or EXERCISE=mul_backward "
              "(the file that holds it)", file=sys.stderr)
        return 2
    found = find_exercise(args.exercise)
    if found is None:
        return unknown_exercise(args.exercise)
    ch, function, rel = found
    path = os.path.join(EXERCISES, rel)
    shown = "exercises/" + rel
    stub = pristine_stub(rel)
    if stub is None:
        print("error: no pristine stub of %s here (no solutions/%s, no harness/stubs/%s)" % (shown, rel, rel),
              file=sys.stderr)
        return 1
    have = None
    if os.path.exists(path):
        with open(path, "rb") as f:
            have = f.read()
    if have == stub:
        print("%s is already the pristine stub: nothing to reset." % shown)
        return 0
    others = [f.name for f in learner_functions(ch) if file_of(ch, f) == rel]
    what = shown + (" (it holds %s)" % ", ".join(others) if others else "")
    if have is not None and not args.yes:
        backup = os.path.relpath(source.backup_path(path), ROOT)
        answer = ask("Put the pristine stub back in %s?\nYour version is kept as %s. [y/N] " % (what, backup))
        if answer is None:
            print("error: make reset asks before it replaces your file, and there is no terminal to ask in; "
                  "to answer yes in advance: make reset EXERCISE=%s YES=1" % args.exercise, file=sys.stderr)
            return 2
        if answer not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    backup = source._backup(path, have) if have is not None else None
    source._write(path, stub)
    print("%s is the pristine stub again." % shown)
    if backup:
        print("Your version: %s (to look back at it: diff %s %s)"
              % (os.path.relpath(backup, ROOT), os.path.relpath(backup, ROOT), shown))
    return 0


def main(argv):
    verb, rest = argv[0], argv[1:]
    ap = argparse.ArgumentParser(prog="python3 -m workbook " + verb)
    if verb in ("hint", "watch"):
        ap.add_argument("--chapter", default="")
    if verb in ("hint", "reset"):
        ap.add_argument("--exercise", default="")
    if verb == "reset":
        ap.add_argument("--yes", action="store_true", help="do not ask")
    args = ap.parse_args(rest)
    try:
        return {"progress": cmd_progress, "hint": cmd_hint, "watch": cmd_watch, "reset": cmd_reset}[verb](args)
    except course.ManifestError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopped.", file=sys.stderr)
        return 130
