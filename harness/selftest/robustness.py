"""robustness.py: the grader against learner code that crashes, hangs, cheats or
misbehaves, and against bad input to the tools (issue 4). Part of `make test`.

Each bad exercise is a folder harness/selftest/bad/<case>/ch03/ holding the
learner's file(s) that replace the reference solution's; the line that
misbehaves is marked /* BAD */. A check copies solutions/ to a temporary
folder, lays the case over it, runs `make check CHAPTER=3 EXERCISES=<copy>`
and asserts the exact outcome:

  - the grader's exit status (read from make's "Error N"), and that it returned
    within a time bound;
  - which tests failed, with which words, and that every other test was still
    graded and passed;
  - where the learner's code misbehaved ("at <file>:<line>, in <function>"),
    <line> being the /* BAD */ line;
  - the learner's files are byte-identical afterwards (and nothing was added);
  - no process of the run is left behind.

selftest/__main__.py calls checks() and adds them to its list.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BAD = os.path.join(HERE, "bad")
from workbook import course
from selftest import Failure

CHAPTER = 3


def score(failing):
    """The score line's numbers when the tests in `failing` fail: (passed, total)
    over the learner's tests, as strings, as parse() reads them."""
    mine = chapter_tests(given=False)
    return (str(len([t for t in mine if t not in failing])), str(len(mine)))


def chapter_tests(given=True):
    """The chapter's test names, from the manifest; given=False: only the tests
    of the functions the learner writes, which the score line counts."""
    return [t for f in course.chapter(CHAPTER).functions if given or not f.given for t in f.tests]


MUL = ["mul_backward_book", "mul_backward_random", "shopping"]  # the tests that call mul_backward
BOOK = ["mul_backward_book"]

# ---- running the grader -------------------------------------------------------------


class Report(str):
    """What `make check` printed, and the grader's --results JSON as `results`
    (None when the grader wrote none): the checks read verdicts, messages and
    scores from the JSON, and the printed text only for how it looks."""
    results = None


def make_check(exdir, chapter=CHAPTER, env=None, timeout=90, cwd=ROOT, argv=None):
    """`make check` as a learner runs it. Returns (grader status, Report of stdout,
    stderr, seconds). The grader's status is read from make's 'Error N' line
    (make itself exits 2)."""
    cmd = list(argv or ["make", "-s", "--no-print-directory", "check"])
    if argv is None:
        if chapter is not None:
            cmd.append("CHAPTER=%s" % chapter)
        if exdir is not None:
            cmd.append("EXERCISES=%s" % exdir)
    fd, results = tempfile.mkstemp(prefix="wbresults", suffix=".json")
    os.close(fd)
    os.unlink(results)  # the grader writes it, or there is none
    if "make" in cmd:
        cmd.append("RESULTS=%s" % results)
    full_env = dict(os.environ)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # as if typed at a prompt, not run under make test
        full_env.pop(var, None)
    full_env.update(env or {})
    t0 = time.time()
    try:
        r = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure("`%s` did not return within %d s" % (" ".join(cmd), timeout))
    secs = time.time() - t0
    status = r.returncode
    m = re.search(r"^make(?:\[\d+\])?: \*\*\* \[[^\]]*\] Error (\d+)$", r.stderr, re.M)
    if m:
        status = int(m.group(1))
    out = Report(r.stdout)
    try:
        with open(results, encoding="utf-8") as f:
            out.results = json.load(f)
        os.unlink(results)
    except (OSError, ValueError):
        pass
    return status, out, r.stderr, secs


def parse(out):
    """The grader's verdicts from its --results JSON: {test: (passed, message)}
    of chapter CHAPTER, and its score [(passed, total)] as strings."""
    tests, scores = {}, []
    for c in (getattr(out, "results", None) or {}).get("chapters", []):
        if c["chapter"] == CHAPTER:
            tests = {t["name"]: (t["passed"], t["message"]) for t in c["tests"]}
            scores.append((str(c["passed"]), str(c["total"])))
    return tests, scores


# ---- what must hold after every run ------------------------------------------------


def snapshot(folder):
    """Every file under folder: content hash, mode, size and modification time."""
    found = {}
    for dirpath, dirnames, files in os.walk(folder):
        for name in dirnames + files:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            found[os.path.relpath(path, folder)] = (digest, st.st_mode, st.st_size, st.st_mtime_ns)
    return found


def compare_snapshots(before, after, what):
    if before == after:
        return
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    raise Failure("%s changed: added %s, removed %s, changed %s" % (what, added, removed, changed))


def processes_with(token):
    """Processes (other than this one) whose command line, folder or program mentions token."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        texts = []
        for link in ("cwd", "exe"):
            try:
                texts.append(os.readlink("/proc/%s/%s" % (pid, link)))
            except OSError:
                pass
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                texts.append(f.read().replace(b"\0", b" ").decode("utf-8", "replace"))
        except OSError:
            pass
        if any(token in t for t in texts):
            found.append("%s: %s" % (pid, " | ".join(texts)))
    return found


def no_stray_processes(token, grace=3.0):
    deadline = time.time() + grace
    while True:
        left = processes_with(token)
        if not left:
            return
        if time.time() > deadline:
            raise Failure("processes left behind:\n" + "\n".join(left))
        time.sleep(0.1)


def build_folders_with(token):
    found = []
    for base in (os.path.join(ROOT, "build", "grade"),
                 os.path.join(tempfile.gettempdir(), "backprop-workbook-grade-%d" % os.getuid())):
        try:
            found += [os.path.join(base, n) for n in os.listdir(base) if token in n]
        except OSError:
            pass
    return found


class Submission:
    """A copy of solutions/ with a bad case laid over it, in a fresh temporary folder.
    On exit: the files must be as they were, and no process of the run may remain."""

    def __init__(self, case=None, remove=()):
        self.case, self.remove = case, remove

    def __enter__(self):
        # mkdtemp's name (letters, digits, _) survives the grader's tag for its build folder
        self.tmp = tempfile.mkdtemp(prefix="wbrobust")
        try:
            return self.setup()
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def setup(self):
        self.token = os.path.basename(self.tmp)
        self.dir = os.path.join(self.tmp, "submission")
        shutil.copytree(os.path.join(ROOT, "solutions"), self.dir)
        if self.case:
            src = os.path.join(BAD, self.case)
            if not os.path.isdir(src):
                raise Failure("no bad case %s under %s" % (self.case, os.path.relpath(BAD, ROOT)))
            for dirpath, _, files in os.walk(src):
                for name in files:
                    rel = os.path.relpath(os.path.join(dirpath, name), src)
                    shutil.copy(os.path.join(dirpath, name), os.path.join(self.dir, rel))
        for rel in self.remove:
            os.unlink(os.path.join(self.dir, rel))
        self.before = snapshot(self.dir)
        return self

    def file(self, rel="ch03/mul_layer.c"):
        return os.path.join(self.dir, rel)

    def bad_line(self, rel="ch03/mul_layer.c"):
        with open(self.file(rel), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if "/* BAD" in line:
                    return n
        raise Failure("%s has no /* BAD */ line" % rel)

    def __exit__(self, kind, value, tb):
        try:
            if kind is None:
                compare_snapshots(self.before, snapshot(self.dir), "the learner's folder")
                no_stray_processes(self.token)
                left = build_folders_with(self.token)
                if left:
                    raise Failure("build folders left behind: %s" % left)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---- the bad learner code: one check per case --------------------------------------

# (case, tests that must fail, words their messages must contain, options)
# {file} is the exercise file as the grader shows it, {line} the /* BAD */ line.
AT = "at {file}:{line}, in mul_backward"
CASES = [
    ("segfault", MUL, ["crashed (SIGSEGV): a NULL pointer was dereferenced", AT], {}),
    ("abort", MUL, ["crashed (SIGABRT): abort() was called", AT], {}),
    ("divide-by-zero", MUL, ["crashed (SIGFPE): an integer division by zero", AT], {}),
    ("stack-overflow", BOOK, ["crashed (stack overflow): a recursion that never stops", "at {file}:", ", in deeper"],
     {}),
    ("infinite-loop", BOOK, ["timed out after 2 s: look for a loop that never ends"],
     {"env": {"GRADE_TIMEOUT": "2"}, "max_secs": 20}),
    ("huge-allocation", MUL, ["asked for 8796093022208 bytes (8192.0 GB) in one allocation; the grader allows "
                              "512 MB", AT], {}),
    ("memory-hog", BOOK, ["used more than 1024 MB of memory"], {"max_secs": 30}),
    ("fork-loop", MUL, ["stopped: your code tried to start a new process or thread", AT], {}),
    ("system", MUL, ["crashed (SIGSYS): your code made a system call the grader forbids"],
     {"absent": "/tmp/wb-selftest-system-probe"}),
    ("heap-overflow", MUL, ["wrote outside a malloc'ed block (heap-buffer-overflow)", AT], {}),
    ("use-after-free", MUL, ["read memory after it was freed (heap-use-after-free)", AT], {}),
    ("signed-overflow", MUL, ["undefined behaviour: signed integer overflow", AT], {}),
    ("exit-0", MUL, ["the test never reached its end: your code ended the process (exit() or _exit())"], {}),
    ("underscore-exit-0", MUL, ["the test never reached its end: your code ended the process (exit() or _exit())"],
     {}),
    ("fake-output", MUL[:2], ["dx is wrong", "0 everywhere"], {"fake": True, "also_fail": ["shopping"]}),
    ("nan", MUL[:2], ["dx is wrong", "produced NaN: look for 0/0"], {"also_fail": ["shopping"]}),
    ("inf", MUL[:2], ["dy is wrong", "produced Inf: look for a division by zero"],
     {"also_fail": ["shopping"]}),
    ("writes-input", ["mul_backward_book", "mul_backward_random"],
     ["mul_backward changed the layer's cache, which it must only read"], {"also_fail": ["shopping"]}),
    ("writes-past-output", MUL[:2], ["wrote dy[1], one element past the end of dy", AT,
                                     "dy points to one double: write *dy"], {"also_fail": ["shopping"]}),
    ("writes-file", MUL, ["stopped: your code tried to open a file for writing", AT], {}),
    ("closes-output", MUL, ["stopped: your code tried to close or replace the grader's own output", AT], {}),
    ("kills-runner", MUL, ["stopped: your code tried to send a signal to another process", AT], {}),
    ("prints-flood", BOOK, ["crashed (SIGXFSZ): your code printed more than 8 MB", AT], {}),
    # writes lines claiming to be the runner's into the grader's event log (and its own "end"), signed with
    # the runner's key if it can read it from the runner's memory: the grader must believe none of them
    ("forges-log", MUL, ["the test never reached its end: your code ended the process (exit() or _exit())"], {}),
]

# (case, words the chapter's one message must contain): the chapter scores 0, nothing runs
BUILD_CASES = [
    ("warning", ["{file} does not compile (warnings count as errors):",
                 "{file}:{line}:", "error: comparison of integer expressions of different signedness"]),
    ("syntax-error", ["{file} does not compile", "{file}:{line}:", "error: expected ')'"]),
    ("defines-main", ["{file} defines a main function, which belongs to the grader: remove or rename it"]),
    ("defines-harness-symbol", ["{file} defines the symbol 'gc_seed', which belongs to the grader"]),
    ("defines-libc-name", ["{file} defines 'index', a name the C library already uses: rename it"]),
    ("undefined-function", ["linking your files with the grader failed:",
                            "your code calls 'scaled_by', which is defined nowhere"]),
    ("duplicate-symbol", ["linking your files with the grader failed:", "'scale' is defined twice"]),
    ("constructor", ["{file} has a constructor or destructor function"]),
    # the compiler is limited in memory and time: it stops, and says where
    ("endless-include", ["{file} does not compile", "{file}:{line}:"]),
]


def fill(text, sub):
    return text.replace("{file}", sub.file()).replace("{line}", str(sub.bad_line()))


def check_runtime_case(case, fails, says, opts):
    all_tests = chapter_tests()
    must_fail = list(fails) + list(opts.get("also_fail", []))
    with Submission(case) as sub:
        if opts.get("absent") and os.path.exists(opts["absent"]):
            os.unlink(opts["absent"])
        status, out, err, secs = make_check(sub.dir, env=opts.get("env"))
        report, scores = parse(out)
        problems = []
        if status != 1:
            problems.append("the grader's exit status is %s, not 1" % status)
        if secs > opts.get("max_secs", 15):
            problems.append("took %.1f s (bound: %d s)" % (secs, opts.get("max_secs", 15)))
        if set(report) != set(all_tests):
            problems.append("graded %s, expected every test of chapter %d: %s"
                            % (sorted(report), CHAPTER, sorted(all_tests)))
        for t in all_tests:
            passed, message = report.get(t, (None, ""))
            if t in must_fail:
                if passed is not False:
                    problems.append("%s must fail" % t)
                if t in fails:
                    for word in says:
                        want = fill(word, sub)
                        if want not in message:
                            problems.append("%s: the message lacks %r; it is:\n%s" % (t, want, message))
            elif passed is not True:
                problems.append("%s must still pass (the other tests are graded as usual): %s" % (t, message))
        mine = chapter_tests(given=False)
        want_score = "%d/%d" % (len([t for t in mine if t not in must_fail]), len(mine))
        if ["/".join(s) for s in scores] != [want_score]:
            problems.append("score lines %s, expected exactly one: chapter %d: %s passed"
                            % (scores, CHAPTER, want_score))
        if opts.get("absent") and os.path.exists(opts["absent"]):
            problems.append("the learner's command ran: %s exists" % opts["absent"])
            os.unlink(opts["absent"])
        if opts.get("fake"):
            problems += fake_output_problems(out)
        if problems:
            raise Failure("\n".join(problems) + "\n--- the grader said:\n" + out + err)


def fake_output_problems(out):
    """What the learner printed must show only as quoted debugging output."""
    problems = []
    if "\x1b" in out or "\r" in out:
        problems.append("a raw escape or carriage return from the learner's output reached the terminal")
    for line in out.splitlines():
        if ("7/7" in line or "[PASS]" in line or "  PASS  mul_backward_book" in line) \
                and not line.startswith("        | "):
            problems.append("a fake line is not quoted as the learner's output: %r" % line)
    if "your code printed (for your debugging; it does not count):" not in out:
        problems.append("the learner's output is not labelled as not counting")
    return problems


def check_build_case(case, says):
    with Submission(case) as sub:
        status, out, err, secs = make_check(sub.dir)
        report, scores = parse(out)
        problems = []
        if status != 1:
            problems.append("the grader's exit status is %s, not 1" % status)
        mine = chapter_tests(given=False)
        if scores != [("0", str(len(mine)))]:
            problems.append("score lines %s, expected: chapter %d: 0/%d passed" % (scores, CHAPTER, len(mine)))
        for word in says:
            want = fill(word, sub)
            if want not in out:
                problems.append("the message lacks %r" % want)
        if problems:
            raise Failure("\n".join(problems) + "\n--- the grader said:\n" + out + err)


def check_other_chapters_graded():
    """A chapter that does not build scores 0; every other chapter is graded as usual."""
    with Submission("warning") as sub:
        status, out, err, secs = make_check(sub.dir, chapter=None, timeout=180)
        scores = {c["chapter"]: (c["passed"], c["total"]) for c in (out.results or {}).get("chapters", [])}
        problems = []
        if status != 1:
            problems.append("the grader's exit status is %s, not 1" % status)
        for ch in course.chapters():
            if not ch.gradable:
                continue
            got = scores.get(ch.number)
            if got is None:
                problems.append("chapter %d was not graded" % ch.number)
            elif ch.number == CHAPTER and got[0] != 0:
                problems.append("chapter %d does not build but scored %d/%d" % (ch.number, got[0], got[1]))
            elif ch.number != CHAPTER and got[0] != got[1]:
                problems.append("chapter %d (the solutions) scored %d/%d" % (ch.number, got[0], got[1]))
        if "%s does not compile (warnings count as errors):" % sub.file() not in out:
            problems.append("the compile error is not shown")
        total = sum(p for p, _ in scores.values()), sum(n for _, n in scores.values())
        if "total: %d/%d passed" % total not in out:
            problems.append("no total line 'total: %d/%d passed'" % total)
        if problems:
            raise Failure("\n".join(problems) + "\n--- the grader said:\n" + out + err)


# ---- the caller's environment ---------------------------------------------------------

def check_criterion_environment():
    """CRITERION_* (and sanitizer and compiler variables) in the caller's environment
    change nothing: exit(0) and sanitizer errors still fail, every test still runs."""
    tmp = tempfile.mkdtemp(prefix="wbrobust")
    try:
        for header in ("stdio.h", "stdlib.h", "string.h", "math.h"):
            with open(os.path.join(tmp, header), "w") as f:
                f.write('#error "CPATH from the caller reached the compiler"\n')
        hostile = {
            "CRITERION_ALWAYS_SUCCEED": "1", "CRITERION_TEST_PATTERN": "ch03/mul_forward",
            "CRITERION_JOBS": "1", "CRITERION_NO_EARLY_EXIT": "1", "CRITERION_FAIL_FAST": "1",
            "CRITERION_DISABLE_TIME_MEASUREMENTS": "1", "CRITERION_VERBOSITY_LEVEL": "0",
            "CRITERION_SHORT_FILENAME": "1", "CRITERION_ENABLE_TAP": "1", "CRITERION_OUTPUTS": "json:/dev/null",
            "CRITERION_IGNORE_WARNINGS": "1",
            "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=0:exitcode=0", "UBSAN_OPTIONS": "halt_on_error=0",
            "WB_EVENTS": "/nonexistent", "WB_EVENTS_KEY_FD": "0", "CPATH": tmp, "C_INCLUDE_PATH": tmp,
        }
        for case, fails, says in (("exit-0", MUL, "never reached its end"),
                                  ("heap-overflow", MUL, "heap-buffer-overflow")):
            with Submission(case) as sub:
                status, out, err, _ = make_check(sub.dir, env=hostile)
                report, scores = parse(out)
                problems = []
                if status != 1:
                    problems.append("the grader's exit status is %s, not 1" % status)
                for t in fails:
                    if report.get(t, (True, ""))[0] is not False or says not in report[t][1]:
                        problems.append("%s: must still fail with %r: %s" % (t, says, report.get(t)))
                if len(report) != len(chapter_tests()) or scores != [score(fails)]:
                    problems.append("every test must run and be scored: %s, %s" % (sorted(report), scores))
                if problems:
                    raise Failure("%s: " % case + "\n".join(problems) + "\n--- the grader said:\n" + out + err)
        # and the pristine stubs: the same result as in a clean environment
        status, out, err, _ = make_check("exercises", env=hostile)
        if status != 1 or parse(out)[1] != [score(chapter_tests())]:
            raise Failure("the pristine stubs under CRITERION_ALWAYS_SUCCEED=1 etc.: status %s, score %s\n%s%s"
                          % (status, parse(out)[1], out, err))
    finally:
        shutil.rmtree(tmp)


# ---- bad input to the tools -------------------------------------------------------------

def one_line_error(status, out, err, words):
    """The grader's own complaint: status 2, one line on stderr, nothing on stdout."""
    lines = [l for l in err.splitlines() if l.strip() and not re.match(r"make(\[\d+\])?: ", l)]
    problems = []
    if status != 2:
        problems.append("exit status %s, not 2" % status)
    if len(lines) != 1 or not lines[0].startswith("error: "):
        problems.append("expected one line 'error: ...' on stderr, got %r" % lines)
    elif not all(w in lines[0] for w in words):
        problems.append("the message lacks %s: %r" % ([w for w in words if w not in lines[0]], lines[0]))
    if out.strip():
        problems.append("unexpected output: %r" % out)
    return problems


def check_bad_arguments():
    problems = []
    gradable = [c for c in course.chapters() if c.gradable]
    valid = "valid chapters: %s. Example: make check CHAPTER=%d" % (
        ", ".join("%d (%s)" % (c.number, c.title) for c in gradable), gradable[0].number)
    waiting = [c for c in course.chapters() if not c.gradable]
    for chapter, words in (("9", ["chapter 9 does not exist", valid]),
                           ("%d" % waiting[0].number, ["chapter %d has no exercises yet" % waiting[0].number, valid])
                           if waiting else ("99", ["chapter 99 does not exist"]),
                           ("abc", ["CHAPTER=abc is not a chapter number", valid]),
                           ("3 4", ["CHAPTER=3 4 is not a chapter number"]),
                           ("-1", ["CHAPTER=-1 is not a chapter number"]),
                           ("3;rm", ["CHAPTER=3;rm is not a chapter number"])):
        status, out, err, _ = make_check(None, chapter=chapter)
        problems += ["CHAPTER=%s: %s" % (chapter, p) for p in one_line_error(status, out, err, words)]
    tmp = tempfile.mkdtemp(prefix="wbrobust")
    try:
        afile = os.path.join(tmp, "a-file")
        open(afile, "w").close()
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        for exdir, words in (("no/such/dir", ["EXERCISES=no/such/dir does not exist", "(default: exercises)"]),
                             (afile, ["is a file, not a folder"]),
                             ("exercises/ch03", ["EXERCISES=exercises/ch03 is one chapter's folder; give the "
                                                 "folder that holds it: EXERCISES=exercises"]),
                             (empty, ["holds none of ch03/: is it the right folder?"]),
                             ("harness", ["EXERCISES=harness holds none of ch03/"])):
            before = snapshot(tmp)
            status, out, err, _ = make_check(exdir)
            problems += ["EXERCISES=%s: %s" % (exdir, p) for p in one_line_error(status, out, err, words)]
            compare_snapshots(before, snapshot(tmp), "the EXERCISES folder")
    finally:
        shutil.rmtree(tmp)
    if problems:
        raise Failure("\n".join(problems))


def check_missing_file():
    """A deleted exercise file: that chapter scores 0 with one line saying what to do."""
    with Submission(None, remove=["ch03/mul_layer.c"]) as sub:
        status, out, err, _ = make_check(sub.dir)
        want = "%s is missing: copy the stub back from exercises/ch03/mul_layer.c." % sub.file()
        zero = [("0", str(len(chapter_tests(given=False))))]
        if status != 1 or want not in out or parse(out)[1] != zero:
            raise Failure("status %s; expected the line %r and %s:\n%s%s" % (status, want, zero, out, err))
    # inside the checkout the advice is git
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="wbrobust", dir=os.path.join(ROOT, "build"))
    try:
        shutil.copytree(os.path.join(ROOT, "exercises"), os.path.join(tmp, "ex"))
        os.unlink(os.path.join(tmp, "ex", "ch03", "add_layer.c"))
        rel = os.path.relpath(os.path.join(tmp, "ex"), ROOT)
        status, out, err, _ = make_check(rel)
        want = ("%s/ch03/add_layer.c is missing: `git checkout -- %s/ch03/add_layer.c` restores the original stub."
                % (rel, rel))
        if status != 1 or want not in out:
            raise Failure("status %s; expected %r:\n%s%s" % (status, want, out, err))
    finally:
        shutil.rmtree(tmp)


def check_read_only_checkout():
    """A checkout the grader cannot write to: it builds in a temporary folder,
    says so in one line, grades as usual and leaves the checkout untouched."""
    tmp = tempfile.mkdtemp(prefix="wbrobust")
    try:
        os.chmod(tmp, 0o755)
        copy = os.path.join(tmp, "checkout")
        os.mkdir(copy)
        for name in ("Makefile", "course.toml"):
            shutil.copy(os.path.join(ROOT, name), copy)
        for name in ("harness", "solutions", "exercises"):
            shutil.copytree(os.path.join(ROOT, name), os.path.join(copy, name),
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for dirpath, dirnames, files in os.walk(copy):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o555)
            for name in files:
                path = os.path.join(dirpath, name)
                os.chmod(path, 0o555 if os.access(path, os.X_OK) else 0o444)
        os.chmod(copy, 0o555)
        before = snapshot(copy)
        prefix = []
        if os.geteuid() == 0:  # root writes anywhere: run the grader as nobody
            prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
            if shutil.which("setpriv") is None:
                raise Failure("setpriv (util-linux) is needed to test a read-only checkout as root")
        env = {"HOME": tmp, "TMPDIR": "/tmp"}
        status, out, err, _ = make_check(None, cwd=copy, env=env,
                                         argv=prefix + ["make", "-s", "--no-print-directory", "check",
                                                        "CHAPTER=3", "EXERCISES=solutions"])
        problems = []
        if status != 0 or parse(out)[1] != [score([])]:
            problems.append("grading the solutions in a read-only checkout: status %s, score %s"
                            % (status, parse(out)[1]))
        note = [l for l in err.splitlines() if l.startswith("note: ")]
        if len(note) != 1 or "build/grade is not writable" not in note[0] or "builds in /tmp/" not in note[0]:
            problems.append("expected one note saying where it builds instead, got %r" % err)
        after = snapshot(copy)
        if before != after:
            problems.append("the read-only checkout changed")
        if problems:
            raise Failure("\n".join(problems) + "\n--- the grader said:\n" + out + err)
    finally:
        for dirpath, dirnames, _ in os.walk(tmp):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o755)
        os.chmod(tmp, 0o755)
        shutil.rmtree(tmp)


def start_grader(sub, env):
    """`make check` in its own process group, as a terminal would start it."""
    full_env = dict(os.environ)
    full_env.update(env)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        full_env.pop(var, None)
    return subprocess.Popen(["make", "-s", "--no-print-directory", "check", "CHAPTER=3", "EXERCISES=" + sub.dir],
                            cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, stdin=subprocess.DEVNULL)


def wait_for_tests(sub, proc, seconds=20):
    """Wait until the test binary of this run is running (its workers exist)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any("/test_ch03" in p for p in processes_with(sub.token)):
            time.sleep(0.3)
            return
        if proc.poll() is not None:
            raise Failure("the grader ended before its tests started:\n%s%s" % proc.communicate())
        time.sleep(0.05)
    raise Failure("the tests did not start within %d s" % seconds)


def check_interrupt():
    """Ctrl-C in the middle of a run: the grader stops at once, says so, ends every
    process it started, removes its build folder; the next run works."""
    with Submission("infinite-loop") as sub:
        proc = start_grader(sub, {"GRADE_TIMEOUT": "30"})
        wait_for_tests(sub, proc)
        t0 = time.time()
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        try:
            out, err = proc.communicate(timeout=20)  # generous: CI shares 2 cores with the other checks
        except subprocess.TimeoutExpired:
            still = subprocess.run(["ps", "-o", "pid,pgid,stat,wchan:24,args", "-s", str(proc.pid)],
                                   stdout=subprocess.PIPE, text=True).stdout
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise Failure("the grader did not stop within 20 s of Ctrl-C; still running:\n%s\n--- it said:\n%s%s"
                          % (still, out, err))
        problems = []
        if time.time() - t0 > 8:
            problems.append("stopping took %.1f s" % (time.time() - t0))
        if proc.returncode == 0:
            problems.append("an interrupted run exited 0")
        if "interrupted: grading stopped; your files were not changed" not in err:
            problems.append("no 'interrupted' message")
        if problems:
            raise Failure("\n".join(problems) + "\n--- the grader said:\n" + out + err)
    # the next run, on a correct submission, is normal
    with Submission(None) as sub:
        status, out, err, _ = make_check(sub.dir)
        if status != 0 or parse(out)[1] != [score([])]:
            raise Failure("the run after an interrupted one: status %s\n%s%s" % (status, out, err))


def check_killed_grader():
    """The grader killed outright (SIGKILL, no chance to clean up): its tests die
    with it, and the next run removes the folder it left."""
    with Submission("infinite-loop") as sub:
        proc = start_grader(sub, {"GRADE_TIMEOUT": "30"})
        wait_for_tests(sub, proc)
        grader = [p.split(":")[0] for p in processes_with("workbook check")
                  if sub.dir in p and "python" in p]
        if not grader:
            os.killpg(proc.pid, signal.SIGKILL)
            raise Failure("could not find the grader's process")
        for pid in grader:
            os.kill(int(pid), signal.SIGKILL)
        proc.communicate(timeout=10)
        no_stray_processes(sub.token, grace=5)
        left = build_folders_with(sub.token)
        if not left:
            raise Failure("expected the killed grader to leave its build folder (nothing to test)")
        status, out, err, _ = make_check(sub.dir, env={"GRADE_TIMEOUT": "2"})
        if status != 1 or "timed out after 2 s" not in out:
            raise Failure("the run after a killed one: status %s\n%s%s" % (status, out, err))
        left = [p for p in left if os.path.exists(p)]
        if left:
            raise Failure("the next run did not remove the folder the killed grader left: %s" % left)


# ---- the list ----------------------------------------------------------------------------


def checks():
    """(name, function, args) for selftest/__main__.py."""
    found = []
    for case, fails, says, opts in CASES:
        found.append(("grader survives learner code: %s" % case, check_runtime_case, (case, fails, says, opts)))
    for case, says in BUILD_CASES:
        found.append(("grader explains a build problem: %s" % case, check_build_case, (case, says)))
    found += [
        ("grader grades the other chapters when one does not build", check_other_chapters_graded, ()),
        ("grader ignores CRITERION_* and friends in the environment", check_criterion_environment, ()),
        ("grader refuses bad CHAPTER and EXERCISES in one line", check_bad_arguments, ()),
        ("grader explains a deleted exercise file", check_missing_file, ()),
        ("grader works in a read-only checkout", check_read_only_checkout, ()),
        ("grader stops cleanly on Ctrl-C", check_interrupt, ()),
        ("grader killed outright leaves no process, next run cleans", check_killed_grader, ()),
    ]
    cases_on_disk = sorted(os.listdir(BAD))
    listed = sorted([c[0] for c in CASES] + [c[0] for c in BUILD_CASES])
    if cases_on_disk != listed:
        def unlisted():
            raise Failure("bad cases on disk and in robustness.py differ: only on disk %s, only listed %s"
                          % (sorted(set(cases_on_disk) - set(listed)), sorted(set(listed) - set(cases_on_disk))))
        found.append(("every bad case under harness/selftest/bad is checked", unlisted, ()))
    return found
