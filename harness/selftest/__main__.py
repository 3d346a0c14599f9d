"""python3 -m selftest: the workbook's own tests (`make test`, `make test-quick`).

  PYTHONPATH=harness python3 -m selftest [--only SUBSTRING] [--skip-book] [--quick]

--quick is the inner loop of someone changing the grader (about a minute):
sync, lint, grading, robustness and every fourth mutant of each chapter; no
book, no installer, no learner's clone, no new chapter.

Every check prints `ok` or `FAIL` with what went wrong; the run ends with the
line `N passed, M failed` and exits non-zero when anything failed.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from workbook import course
from selftest import Failure
from selftest import mutants
from selftest.mutants import MUTANTS
from selftest import robustness  # the grader against bad learner code and bad input
from selftest import keep_work  # no make target loses a learner's edits
from selftest import new_chapter  # a chapter from harness/template builds, grades, is in the book
from selftest import install  # the installer, with stand-ins for dpkg-query and apt-get
from selftest import todo_blocks  # a correct answer written as the book says compiles and passes
from selftest import learner  # progress, hint, watch, reset: the learner's loop
from selftest import batch  # make grade: a class of submissions into a gradebook
from selftest import classroom  # dist-student/-instructor, Gradescope, GitHub Classroom, JUnit
from selftest import bench  # make bench and make train, on a short setting
from selftest import figures  # the book's plots are drawn from their examples' current numbers

ROOT = course.ROOT
PY = sys.executable or "python3"




def sh(cmd, **kw):
    return subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", **kw)


def grade(exdir, chapter=None):
    """Run the grader; return (exit status, output, results by chapter number)."""
    fd, path = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        cmd = [PY, "-m", "workbook", "check", "--exercises", exdir, "--results", path]
        if chapter is not None:
            cmd += ["--chapter", str(chapter)]
        r = sh(cmd)
        try:
            data = json.load(open(path))
        except ValueError:
            data = {"chapters": []}
        return r.returncode, r.stdout, {c["chapter"]: c for c in data["chapters"]}
    finally:
        os.unlink(path)


def gradable():
    return [ch for ch in course.chapters() if ch.gradable]


# ---- checks ------------------------------------------------------------------

def check_exercises_in_sync():
    r = sh([PY, "-m", "workbook", "exercises", "--check"])
    if r.returncode != 0:
        raise Failure(r.stdout)


def check_snippets():
    r = sh([PY, "-m", "workbook", "lint"])
    if r.returncode != 0:
        raise Failure(r.stdout)


def check_solutions_pass():
    status, out, results = grade("solutions")
    bad = [t["name"] for c in results.values() for t in c["tests"] if not t["passed"]]
    missing = [ch.number for ch in gradable() if ch.number not in results]
    if status != 0 or bad or missing:
        raise Failure("solutions must pass every test; failing: %s, chapters not graded: %s\n%s"
                      % (bad, missing, out))


def check_stubs_fail():
    status, out, results = grade("exercises")
    if status == 0:
        raise Failure("grading the pristine exercises exited 0")
    problems = []
    for ch in gradable():
        c = results.get(ch.number)
        if c is None:
            problems.append("chapter %d was not graded" % ch.number)
            continue
        for t in c["tests"]:
            given = t["given"]  # a GIVEN test checks code the chapter gives the learner
            if given and not t["passed"]:
                problems.append("%s: a given forward fails on the stub: %s" % (t["name"], t["message"]))
            if not given and t["passed"]:
                problems.append("%s passes on the pristine stub" % t["name"])
            if not given and "not implemented yet" not in t["message"]:
                problems.append("%s: the stub's failure does not say 'not implemented yet': %s"
                                % (t["name"], t["message"]))
    # an untouched copy scores 0 over the functions the learner writes; the
    # given code's checks are counted apart
    mine = sum(1 for c in results.values() for t in c["tests"] if not t["given"])
    given = sum(1 for c in results.values() for t in c["tests"] if t["given"])
    if any(c["passed"] for c in results.values()):
        problems.append("an untouched copy scores more than 0: %s"
                        % ["chapter %d: %d/%d" % (c["chapter"], c["passed"], c["total"]) for c in results.values()])
    if "total: 0/%d passed" % mine not in out or "given code: all %d checks pass" % given not in out:
        problems.append("the summary must read 'total: 0/%d passed' and 'given code: all %d checks pass':\n%s"
                        % (mine, given, out[-600:]))
    if problems:
        raise Failure("\n".join(problems))


def make_mutant(chapter, name, file, old, new):
    ch = course.chapter(chapter)
    tmp = tempfile.mkdtemp(prefix="mutant.")
    shutil.copytree(os.path.join(ROOT, "solutions"), os.path.join(tmp, "sub"))
    path = os.path.join(tmp, "sub", ch.nn, file)
    text = open(path).read()
    try:
        changed = mutants.apply(text, old, new)
    except ValueError as e:
        shutil.rmtree(tmp)
        raise Failure("mutant %r: in %s/%s, %s" % (name, ch.nn, file, e))
    open(path, "w").write(changed)
    return tmp


def edit_comments(text):
    """Every comment's words changed, the code left alone."""
    text = re.sub(r"/\*.*?\*/", lambda m: "/* (a comment, edited) */", text, flags=re.S)
    return re.sub(r"//[^\n]*", "// (edited)", text)


def check_mutants_survive_comment_edits():
    """Each mutant still finds its code once after every comment of the file is
    rewritten, and a broken matcher (plain text) is caught."""
    problems, caught = [], 0
    for chapter, items in sorted(MUTANTS.items()):
        ch = course.chapter(chapter)
        for name, file, old, new, _, _ in items:
            text = open(os.path.join(ROOT, "solutions", ch.nn, file)).read()
            edited = edit_comments(text)
            try:
                mutants.apply(edited, old, new)
            except ValueError as e:
                problems.append("chapter %d, %r: %s after its comments were edited" % (chapter, name, e))
            if edited.count(old) != 1:
                caught += 1
    if problems:
        raise Failure("\n".join(problems))
    if not caught:
        raise Failure("no mutant's text holds a comment: editing comments proves nothing")


def check_mutant(chapter, name, file, old, new, fails, says):
    tmp = make_mutant(chapter, name, file, old, new)
    try:
        status, out, results = grade(os.path.join(tmp, "sub"), chapter)
    finally:
        shutil.rmtree(tmp)
    record = results.get(chapter, {"tests": [], "notes": []})
    tests = {t["name"]: t for t in record["tests"]}
    notes = "\n".join(record.get("notes") or [])
    if status == 0:
        raise Failure("the grader accepted it\n" + out)
    for t in fails:
        if t not in tests:
            raise Failure("no test named %s in chapter %d" % (t, chapter))
        if tests[t]["passed"]:
            raise Failure("%s passed, but must fail\n%s" % (t, out))
        if says not in tests[t]["message"] and says not in notes:  # a compiler note explains the chapter
            raise Failure("%s failed without saying %r; it said:\n%s" % (t, says, tests[t]["message"]))


def check_examples():
    r = sh(["make", "-s", "examples"])
    if r.returncode != 0:
        raise Failure(r.stdout)
    for ch in course.chapters():
        for ex in ch.examples:
            want = ch.expect.get(ex)
            path = os.path.join(ROOT, "build", "examples", ch.nn, ex + ".out")
            text = open(path).read()
            if want is None:
                continue
            # a minus sign, not a dash: "784-50-10" is 784, 50, 10
            numbers = re.findall(r"(?:(?<![\w.])-)?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)
            pos = 0
            for w in want:
                while pos < len(numbers) and numbers[pos] != w:
                    pos += 1
                if pos == len(numbers):
                    raise Failure("%s printed:\n%s\nexpected the values %s in that order (missing %s)"
                                  % (ex, text, want, w))
                pos += 1


def check_bad_chapter():
    for bad, expect in (("9", "does not exist"), ("abc", "not a chapter number"), ("3x", "not a chapter number")):
        r = sh([PY, "-m", "workbook", "check", "--chapter", bad])
        if r.returncode != 2 or expect not in r.stdout or "valid chapters: " not in r.stdout:
            raise Failure("CHAPTER=%s: exit %d, said:\n%s" % (bad, r.returncode, r.stdout))


def check_missing_exercises_dir():
    r = sh([PY, "-m", "workbook", "check", "--exercises", "no/such/dir"])
    if r.returncode != 2 or "does not exist" not in r.stdout:
        raise Failure("exit %d, said:\n%s" % (r.returncode, r.stdout))


def check_make_run():
    """`make run` runs an example, or the learner's own copy, on a chosen folder."""
    r = sh(["make", "-s", "--no-print-directory", "run", "EXAMPLE=buy_apple", "EXERCISES=solutions"])
    if r.returncode != 0 or not re.search(r"price:\s+220\b", r.stdout):
        raise Failure("make run EXAMPLE=buy_apple EXERCISES=solutions:\n" + r.stdout)
    r = sh(["make", "-s", "--no-print-directory", "run", "EXAMPLE=buy_apple"])
    if r.returncode == 0 or "mul_backward is not implemented yet" not in r.stdout:
        raise Failure("make run on the pristine stubs must stop with 'not implemented yet':\n" + r.stdout)
    tmp = tempfile.mkdtemp(prefix="run.")
    try:
        mine = os.path.join(tmp, "my_apple.c")
        text = open(os.path.join(ROOT, "chapters", "03-add-mul-nodes", "buy_apple.c")).read()
        open(mine, "w").write(text.replace("tax = 1.1", "tax = 1.2"))
        r = sh(["make", "-s", "--no-print-directory", "run", "EXAMPLE=" + mine, "EXERCISES=solutions"])
        if r.returncode != 0 or not re.search(r"price:\s+240\b", r.stdout):
            raise Failure("make run on a changed copy (tax 1.2) should print price 240:\n" + r.stdout)
    finally:
        shutil.rmtree(tmp)
    r = sh(["make", "-s", "--no-print-directory", "run", "EXAMPLE=no_such_example"])
    if r.returncode == 0 or "neither an example nor a .c file" not in r.stdout:
        raise Failure("an unknown EXAMPLE must be refused with the list of examples:\n" + r.stdout)


def check_quotes_in_messages():
    """A submission folder named with a quote and a backslash: the stub's message
    carries that path into Criterion's report, which must still be read."""
    tmp = tempfile.mkdtemp(prefix="quote.")
    try:
        sub = os.path.join(tmp, 'my "work" \\ copy')
        shutil.copytree(os.path.join(ROOT, "exercises"), sub)
        status, out, results = grade(sub, 3)
        tests = results.get(3, {"tests": []})["tests"]
        bad = [t["name"] for t in tests if not t["given"] and "not implemented yet" not in t["message"]]
        if status != 1 or not tests or bad:
            raise Failure("status %d; tests without their message: %s\n%s" % (status, bad, out))
    finally:
        shutil.rmtree(tmp)


def exercise_files():
    """Every file under exercises/: {path: (bytes, mtime_ns, inode)}."""
    found = {}
    for folder, _, names in os.walk(os.path.join(ROOT, "exercises")):
        for name in names:
            path = os.path.join(folder, name)
            st = os.stat(path)
            with open(path, "rb") as f:
                found[path] = (f.read(), st.st_mtime_ns, st.st_ino)
    return found


def guard_exercises(fn):
    """fn must leave exercises/ alone: not one file written, added or removed,
    even with the same bytes (a learner's edits live there)."""
    def guarded(*args):
        before = exercise_files()
        fn(*args)
        after = exercise_files()
        touched = sorted(os.path.relpath(p, ROOT) for p in set(before) | set(after) if before.get(p) != after.get(p))
        if touched:
            raise Failure("%s wrote under exercises/, where the learner's work lives: %s"
                          % (fn.__name__, ", ".join(touched)))
    guarded.__name__ = fn.__name__
    return guarded


def check_guard_detects():
    """guard_exercises fails on a step that rewrites an exercise file with its own bytes."""
    path = os.path.join(ROOT, "exercises", "ch03", "mul_layer.c")

    def rewrites():
        with open(path, "rb") as f:
            data = f.read()
        time.sleep(0.01)
        with open(path, "wb") as f:
            f.write(data)
    try:
        guard_exercises(rewrites)()
    except Failure as e:
        if "exercises/ch03/mul_layer.c" in str(e):
            return
        raise
    raise Failure("the guard did not notice exercises/ch03/mul_layer.c being rewritten")


def check_book(edition):
    r = sh(["make", "-s", "book", "EDITION=" + edition])
    if r.returncode != 0:
        raise Failure(r.stdout[-3000:])


def check_book_reader(module, *args):
    """The built book as a reader meets it: `python3 -m MODULE ARGS`, MODULE being
    selftest.browser or selftest.pdf on an edition or in --self-check mode, or the
    book build's own --self-check."""
    r = sh([PY, "-m"] + module.split() + list(args))
    if r.returncode != 0:
        raise Failure(r.stdout[-4000:])


# ---- runner ------------------------------------------------------------------

QUICK_MUTANTS = 4  # --quick grades every fourth mutant of each chapter
# grading checks at once: each waits on its test processes part of the time, so
# three keep two cores busy; with the book's make stream beside them, two do
WORKERS = {True: 3, False: 2}  # by --quick


def all_checks(skip_book, quick=False):
    checks = [
        ("exercises/ is generated from solutions/", check_exercises_in_sync, ()),
        ("every snippet resolves and is used", check_snippets, ()),
        ("solutions pass every test", check_solutions_pass, ()),
        ("pristine stubs fail with 'not implemented yet'", check_stubs_fail, ()),
        ("unknown CHAPTER is refused with the valid list", check_bad_chapter, ()),
        ("mutants match code, not comments: they survive comment edits", check_mutants_survive_comment_edits, ()),
        ("a missing EXERCISES directory is refused", check_missing_exercises_dir, ()),
        ("messages survive quotes and backslashes in paths", check_quotes_in_messages, ()),
    ]
    for chapter, items in sorted(MUTANTS.items()):
        for k, m in enumerate(items):
            if not quick or k % QUICK_MUTANTS == 0:
                checks.append(("chapter %d rejects mutant: %s" % (chapter, m[0]), check_mutant, (chapter,) + m))
    checks += robustness.checks()
    if quick:  # sync, lint, grading, mutants, robustness: the grader's inner loop
        return checks
    checks += [
        ("examples print the book's values", check_examples, ()),
        ("make run runs an example or your own copy", check_make_run, ()),
        ("the exercises/ guard catches a rewritten file", check_guard_detects, ()),
    ]
    checks += install.checks() + todo_blocks.checks() + keep_work.checks()
    checks += new_chapter.checks()
    checks += learner.checks() + batch.checks() + bench.checks()
    checks += figures.checks()
    if not skip_book:
        checks.append(("book builds (student edition)", check_book, ("student",)))
        checks.append(("book builds (instructor edition)", check_book, ("instructor",)))
        for edition in ("student", "instructor"):
            checks.append(("book in headless Chromium, desktop and phone (%s)" % edition, check_book_reader,
                           ("selftest.browser", "--edition", edition)))
            checks.append(("book PDF: text, fonts, margins, links, TeX log (%s)" % edition, check_book_reader,
                           ("selftest.pdf", "--edition", edition)))
        checks.append(("book build refuses each deliberately broken chapter (lists)", check_book_reader,
                       ("workbook book", "--self-check")))
        checks.append(("browser test catches each deliberately broken page", check_book_reader,
                       ("selftest.browser", "--self-check")))
        checks.append(("PDF test catches each deliberately broken PDF", check_book_reader,
                       ("selftest.pdf", "--self-check")))
    # after the book's checks: the student release ships the student book they build
    checks += classroom.checks()
    return checks


def main(argv):
    # every tool this starts imports the workbook's packages from harness/
    os.environ["PYTHONPATH"] = os.path.join(ROOT, "harness")
    ap = argparse.ArgumentParser(prog="python3 -m selftest", description="the workbook's own tests")
    ap.add_argument("--only", metavar="TEXT", help="run the checks whose name contains TEXT")
    ap.add_argument("--skip-book", action="store_true", help="leave out the book's checks")
    ap.add_argument("--quick", action="store_true", help="the grader's inner loop (make test-quick)")
    args = ap.parse_args(argv)
    only = args.only
    checks = [c for c in all_checks(args.skip_book, args.quick) if only is None or only in c[0]]
    # Examples and the book use make in this tree: one after the other, in a
    # stream of their own beside the grading checks (which work in copies). The
    # guard's own check rewrites an exercise file, so it runs when all else is done.
    # A module's check that runs make in this tree says so: fn.in_tree = True.
    serial = [c for c in checks if c[1] in (check_examples, check_make_run, check_book)
              or getattr(c[1], "in_tree", False)]
    # the books first: what reads them (Chromium, the PDF's text; no make) runs
    # in a stream of its own as soon as they are built
    serial.sort(key=lambda c: c[1] is not check_book)
    readers = [c for c in checks if c[1] is check_book_reader]
    books_built = threading.Event()
    last = [c for c in checks if c[1] is check_guard_detects]
    parallel = [c for c in checks if c not in serial and c not in last and c not in readers]
    # the make-based steps must not touch a learner's files
    serial = [(name, guard_exercises(fn), args) for name, fn, args in serial]
    passed = failed = 0
    start = time.time()

    def run(check):
        name, fn, args = check
        t0 = time.time()
        try:
            fn(*args)
            return name, None, time.time() - t0
        except Failure as e:
            return name, str(e), time.time() - t0
        except Exception as e:  # noqa: BLE001  (a check's own bug is its failure, not the run's end)
            return name, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc()), time.time() - t0

    lock = threading.Lock()

    def report(item):
        nonlocal passed, failed
        name, error, secs = item
        with lock:
            if error is None:
                passed += 1
                print("ok    %-62s %5.1fs" % (name, secs), flush=True)
            else:
                failed += 1
                print("FAIL  %s\n%s" % (name, "\n".join("      " + l for l in error.rstrip().splitlines())),
                      flush=True)

    def make_stream():
        for c in serial:
            if not c[0].startswith("book builds"):
                books_built.set()  # both editions built: the readers may start
            report(run(c))
        books_built.set()

    def reader_stream():
        books_built.wait()
        for c in readers:
            report(run(c))

    stream = threading.Thread(target=make_stream)
    stream.start()
    reading = threading.Thread(target=reader_stream)
    reading.start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS[args.quick]) as pool:
        for item in pool.map(run, parallel):
            report(item)
    stream.join()
    reading.join()
    for c in last:
        report(run(c))
    print("selftest took %.0f s" % (time.time() - start))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
