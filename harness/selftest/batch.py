"""selftest.batch: `make grade` on a small class with every kind of broken
submission (issue 10), part of `make test`.

The class (chapters 3 and 4 only, GRADE_TIMEOUT=2): a correct folder, a partly
correct one (a mutant) under a name with a space, a comma, a quote and a
non-ASCII letter, the same mutant in a folder nested two deep, one that does
not compile, a crashing zip archive whose relu_layer.c is a symbolic link and
which tries path traversal, a hanging tar.gz, a folder with a missing file,
and a hostile one (a fork loop, with a harness/ and Makefile of its own that
must be ignored); beside them a stray file and a hidden entry.

What each learner must get is computed from course.toml's points and weights
and from the bad cases' own lists of failing tests (selftest.robustness,
selftest.mutants), never a hard-coded total: the gradebook row by row, the
feedback file's PASS/FAIL lines and messages, the summary's counts and most
common cause. A re-run must regrade nothing; a changed submission only
itself. Then each check is run against deliberately broken copies of the
batch grader (a column dropped, a crash counted as passed, a missing file
reported as a compile error, every cause the same, a re-run that regrades
all, a hidden test's message shown): each must be caught.
"""
import atexit
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile

from selftest import Failure
from selftest import mutants
from selftest import robustness
from workbook import course

ROOT = course.ROOT
PY = sys.executable or "python3"
CHAPTERS = [3, 4]
ENV = {"GRADE_TIMEOUT": "2"}
SWAP = "mul: x and y swapped"  # a mutant of chapter 3 (selftest/mutants/ch03.py)


def fmt(x):
    text = "%.2f" % (x + 0.0)
    return text.rstrip("0").rstrip(".")


def case(name):
    """(tests that fail, words their messages hold) of a bad case in robustness.CASES."""
    for c, fails, says, opts in robustness.CASES:
        if c == name:
            return set(fails) | set(opts.get("also_fail", [])), [w for w in says if "{" not in w]
    for c, says in robustness.BUILD_CASES:
        if c == name:
            return None, [w for w in says if "{" not in w]
    raise Failure("no bad case %s in selftest.robustness" % name)


def solution(nn, f):
    with open(os.path.join(ROOT, "solutions", nn, f), "rb") as fh:
        return fh.read()


def bad(name, rel="ch03/mul_layer.c"):
    with open(os.path.join(robustness.BAD, name, rel), "rb") as fh:
        return fh.read()


def inserted(nn, file, function, code):
    """A solution file with code put first in function's body (and <stdio.h> included)."""
    from workbook import batch
    text = solution(nn, file).decode()
    at = dict(batch.backward_functions(text))[function]
    return ("#include <stdio.h>\n" + text[:at] + "\n    " + code + text[at:]).encode()


def tests_of(chapter, function):
    """The tests course.toml lists for a function."""
    return set(next(f.tests for f in course.chapter(chapter).functions if f.name == function))


def mutant_text():
    """chapter 3's mul_layer.c with the SWAP mutant, and the likely cause its message gives."""
    for name, file, old, new, fails, says in mutants.MUTANTS[3]:
        if name == SWAP:
            text = mutants.apply(solution("ch03", file).decode(), old, new)
            return text.encode(), set(robustness.MUL)
    raise Failure("no mutant %r in selftest/mutants/ch03.py" % SWAP)


def layout(overrides=None, drop=()):
    """{ "chNN/file": bytes } for chapters 3 and 4: the solutions, with overrides."""
    files = {}
    for n in CHAPTERS:
        ch = course.chapter(n)
        for f in ch.files:
            files[ch.nn + "/" + f] = solution(ch.nn, f)
    files.update(overrides or {})
    for rel in drop:
        del files[rel]
    return files


def write_tree(folder, files):
    for rel, data in files.items():
        path = os.path.join(folder, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def build_class(subs, token):
    """Write the class into subs; return {learner: expectation}: for each graded
    chapter, the set of tests that fail, or a chapter problem with its words."""
    swapped, swap_fails = mutant_text()
    seg_fails, seg_says = case("segfault")
    hang_fails, hang_says = case("infinite-loop")
    fork_fails, fork_says = case("fork-loop")
    _, syntax_says = case("syntax-error")
    expect = {}

    def learner(name, **chapters):
        expect[name] = {3: chapters.get("ch3", (set(), [])), 4: chapters.get("ch4", (set(), []))}

    write_tree(os.path.join(subs, "alice"), layout())
    learner("alice")

    odd = "Zoë O'Brien, jr"
    write_tree(os.path.join(subs, odd), layout({"ch03/mul_layer.c": swapped}))
    learner(odd, ch3=(swap_fails, ["likely cause: dx = dout * x"]))

    # nested two deep, with the exercises/ folder around it
    write_tree(os.path.join(subs, "heidi", "Heidi's work", "exercises"), layout({"ch03/mul_layer.c": swapped}))
    learner("heidi", ch3=(swap_fails, ["likely cause: dx = dout * x"]))

    write_tree(os.path.join(subs, "carol"), layout({"ch03/mul_layer.c": bad("syntax-error")}))
    learner("carol", ch3=("problem", syntax_says))

    # a zip: crashes in chapter 3; chapter 4's relu_layer.c is a symbolic link to the
    # instructor's solution; members that climb out or are absolute
    with zipfile.ZipFile(os.path.join(subs, "dave.zip"), "w") as z:
        for rel, data in layout({"ch03/mul_layer.c": bad("segfault")}, drop=["ch04/relu_layer.c"]).items():
            z.writestr("dave/" + rel, data)
        link = zipfile.ZipInfo("dave/ch04/relu_layer.c")
        link.external_attr = 0o120777 << 16
        z.writestr(link, os.path.join(ROOT, "solutions", "ch04", "relu_layer.c"))
        z.writestr("../../escape-%s.c" % token, b"int escaped;\n")
        z.writestr("/tmp/absolute-%s.c" % token, b"int escaped;\n")
    learner("dave", ch3=(seg_fails, seg_says), ch4=("problem", ["file missing", "symbolic link"]))

    # a tar.gz: hangs on the book's example; a symbolic link and a climbing member beside it
    with tarfile.open(os.path.join(subs, "erin.tar.gz"), "w:gz") as t:
        for rel, data in layout({"ch03/mul_layer.c": bad("infinite-loop")}).items():
            info = tarfile.TarInfo("erin-submission/" + rel)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("erin-submission/ch04/notes.c")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        t.addfile(link)
        climb = tarfile.TarInfo("../escape-%s.c" % token)
        climb.size = 4
        t.addfile(climb, io.BytesIO(b"int;"))
    learner("erin", ch3=(hang_fails, hang_says))

    write_tree(os.path.join(subs, "frank"), layout(drop=["ch04/relu_layer.c"]))
    learner("frank", ch4=("problem", ["file missing", "ch04/relu_layer.c"]))

    # hostile: a fork loop, a file written, and a harness of its own that would pass everything
    probe = "/tmp/wbbatch-probe-%s" % token
    write_tree(os.path.join(subs, "grace"), layout({
        "ch03/mul_layer.c": bad("fork-loop"),
        "ch04/sigmoid_layer.c": inserted("ch04", "sigmoid_layer.c", "sigmoid_backward",
                                         'FILE *probe = fopen("%s", "w"); if (probe) fclose(probe);' % probe)}))
    write_tree(os.path.join(subs, "grace"), {
        "harness/grader/test_ch03.c": b"int main(void) { return 0; }\n",
        "Makefile": b"check:\n\t@echo all tests passed\n",
        "course.toml": b"",
    })
    learner("grace", ch3=(fork_fails, fork_says),
            ch4=(tests_of(4, "sigmoid_backward"), ["stopped: your code tried to open a file for writing"]))

    # hostile: ends the test process early, and prints without end
    exit_fails, exit_says = case("exit-0")
    write_tree(os.path.join(subs, "ivan"), layout({
        "ch03/mul_layer.c": bad("exit-0"),
        "ch04/relu_layer.c": inserted("ch04", "relu_layer.c", "relu_backward",
                                      'for (;;) fputs("all work and no play\\n", stdout);')}))
    learner("ivan", ch3=(exit_fails, exit_says), ch4=(tests_of(4, "relu_backward"), ["printed more than"]))

    with open(os.path.join(subs, "notes.txt"), "w") as f:
        f.write("not a submission\n")
    os.makedirs(os.path.join(subs, ".git"))
    return expect


def expected_rows(expect, chs=None):
    """The gradebook, from the manifest: [header, rows in the learners' order]."""
    chs = chs or [course.chapter(n) for n in CHAPTERS]
    rows = [["learner"] + [ch.nn for ch in chs] + ["total", "max"]]
    for name in sorted(expect, key=str.casefold):
        points = []
        for ch in chs:
            fails, _ = expect[name][ch.number]
            if fails == "problem":
                points.append(0.0)
            else:
                points.append(ch.max_points - sum(ch.test(t)[1] for t in fails))
        total = sum(p * ch.weight for p, ch in zip(points, chs))
        top = sum(ch.max_points * ch.weight for ch in chs)
        rows.append([name] + [fmt(p) for p in points] + [fmt(total), fmt(top)])
    return rows


def grade_run(subs, out, extra_code=None, timeout=240, build=None):
    """`python3 -m workbook grade` on the class; extra_code patches workbook.batch first
    (a deliberately broken copy); build: the grader's objects, shared between runs.
    Returns (status, stdout, stderr)."""
    argv = ["grade", "--submissions", subs, "--out", out, "--chapter", ",".join(map(str, CHAPTERS)),
            "--jobs", "2"] + (["--build", build] if build else [])
    if extra_code:
        cmd = [PY, "-c", "import sys\nfrom workbook import batch\n%s\nsys.exit(batch.main(%r))" % (extra_code, argv)]
    else:
        cmd = [PY, "-m", "workbook"] + argv
    env = dict(os.environ, **ENV)
    env["PYTHONPATH"] = os.path.join(ROOT, "harness")
    try:
        r = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure("make grade did not finish within %d s: the batch must always finish" % timeout)
    return r.returncode, r.stdout, r.stderr


# ---- what the outputs must say ----------------------------------------------------

def verify(out, expect):
    """Every difference between the outputs in out and the expectations."""
    from workbook import batch
    problems = []
    try:
        with open(os.path.join(out, "gradebook.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        return ["no gradebook.csv: %s" % e]
    want = expected_rows(expect)
    if rows != want:
        problems.append("gradebook.csv is\n  %s\nexpected\n  %s" % ("\n  ".join(map(str, rows)),
                                                                    "\n  ".join(map(str, want))))
    # feedback: every test's verdict and the words of its message
    for name, chapters in expect.items():
        path = os.path.join(out, "feedback", batch.safe_name(name) + ".txt")
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            problems.append("no feedback file for %s (%s)" % (name, os.path.relpath(path, out)))
            continue
        if not text.startswith("Feedback for %s\n" % name):
            problems.append("%s: the feedback does not start with 'Feedback for %s'" % (path, name))
        for number, (fails, says) in chapters.items():
            ch = course.chapter(number)
            block = re.search(r"^Chapter %d: .*?(?=^Chapter \d+: |\Z)" % number, text, re.M | re.S)
            block = block.group(0) if block else ""
            if not block:
                problems.append("%s: no section for chapter %d" % (name, number))
                continue
            for word in says:
                if word not in block:
                    problems.append("%s, chapter %d: the feedback lacks %r:\n%s" % (name, number, word, block))
            if fails == "problem":
                if "PASS" in block:
                    problems.append("%s, chapter %d could not be graded, yet a test passed:\n%s"
                                    % (name, number, block))
                continue
            for f in ch.functions:
                for t in f.tests:
                    mark = "FAIL" if t in fails else "PASS"
                    if not re.search(r"^  %s  %s\b" % (mark, re.escape(t)), block, re.M):
                        problems.append("%s: %s should be a %s line in chapter %d's feedback:\n%s"
                                        % (name, t, mark, number, block))
    # summary: how many failed each test, and the most common likely cause
    try:
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        with open(os.path.join(out, "summary.txt"), encoding="utf-8") as f:
            summary_txt = f.read()
    except (OSError, ValueError) as e:
        return problems + ["no summary: %s" % e]
    rows = {(r["chapter"], r["test"]): r for r in summary.get("tests", [])}
    for number in CHAPTERS:
        ch = course.chapter(number)
        for f in ch.functions:
            for t in f.tests:
                failed = sum(1 for e in expect.values() if e[number][0] == "problem" or t in e[number][0])
                unable = sum(1 for e in expect.values() if e[number][0] == "problem")
                r = rows.get((number, t))
                if r is None:
                    problems.append("summary.json has no row for %s" % t)
                    continue
                if (r["failed"], r["chapter_not_graded"], r["learners"]) != (failed, unable, len(expect)):
                    problems.append("summary.json: %s failed by %s (%s not graded) of %s; expected %d (%d) of %d"
                                    % (t, r["failed"], r["chapter_not_graded"], r["learners"], failed, unable,
                                       len(expect)))
                if failed > (unable if f.given else 0) and \
                        "%d of %d failed  %s %s" % (failed, len(expect), ch.nn, t) not in summary_txt:
                    problems.append("summary.txt lacks the line '%d of %d failed  %s %s'"
                                    % (failed, len(expect), ch.nn, t))
    # two learners made the same mistake: the summary names it first for mul_backward_book
    top = [c for c in rows.get((3, "mul_backward_book"), {}).get("causes", [])
           if c[0].startswith("likely cause")]
    if not top or not top[0][0].startswith("likely cause: dx = dout * x") or top[0][1] != 2:
        problems.append("summary: mul_backward_book's most common likely cause should be 'dx = dout * x', twice; "
                        "it has %s" % top[:3])
    return problems


def verify_weights(out, expect, gradebook_rows):
    """The class's gradebook again with chapter 3 weighing 2 and chapter 4 0.5."""
    import copy
    from workbook import batch
    chs = []
    for n, weight in zip(CHAPTERS, (2.0, 0.5)):
        ch = copy.copy(course.chapter(n))
        ch.weight = weight
        chs.append(ch)
    entries = []
    for name in sorted(expect, key=str.casefold):
        e = batch.Entry(batch.Submission(name, "", "folder"))
        with open(os.path.join(out, "results", e.sub.safe + ".json"), encoding="utf-8") as f:
            e.results = json.load(f)["results"]
        entries.append(e)
    got, want = gradebook_rows(entries, chs), expected_rows(expect, chs)
    return [] if got == want else ["with chapter weights 2 and 0.5 the gradebook is\n  %s\nexpected\n  %s"
                                   % ("\n  ".join(map(str, got)), "\n  ".join(map(str, want)))]


def verify_hidden(feedback_text):
    """A hidden test shows in feedback as 'hidden test N: failed', never its name or message."""
    from workbook import batch

    class Sub:
        shown, name, safe = "learner", "learner", "learner"
    entry = batch.Entry(Sub())
    ch = course.chapter(3)
    tests = []
    for f in ch.functions:
        for t in f.tests:
            tests.append({"name": t, "description": "checks %s" % t, "function": f.name, "passed": t != "shopping",
                          "given": f.given, "hidden": t == "shopping", "points": 0.0 if t == "shopping" else
                          f.test_points(t), "max_points": f.test_points(t), "hint": "a hint for shopping",
                          "message": "" if t != "shopping" else "SECRET-MESSAGE likely cause: SECRET"})
    entry.results = {"chapters": [{"chapter": 3, "title": ch.title, "weight": 1.0, "points": 0.0,
                                   "max_points": ch.max_points, "problem": None, "notes": [], "tests": tests}]}
    text = feedback_text(entry, [ch])
    problems = ["the hidden test's %s shows in the feedback" % what for what, word in
                (("message", "SECRET"), ("name", "shopping"), ("hint", "a hint for shopping")) if word in text]
    if "hidden test 1: failed" not in text:
        problems.append("the hidden test is not shown as 'hidden test 1: failed'")
    return problems


# ---- the class, graded once for both checks ---------------------------------------------

_lock = threading.Lock()
_graded = {}


def graded_class():
    """(tmp, subs, out, expect, first run's stdout, stderr), graded once."""
    with _lock:
        if "tmp" not in _graded:
            tmp = tempfile.mkdtemp(prefix="wbbatch")
            atexit.register(shutil.rmtree, tmp, True)
            token = os.path.basename(tmp)
            subs, out = os.path.join(tmp, "submissions"), os.path.join(tmp, "grades")
            os.makedirs(subs)
            expect = build_class(subs, token)
            before = robustness.snapshot(subs)  # archives and folders
            status, stdout, stderr = grade_run(subs, out)
            # the learners' files are as they were, nothing is left running (checked
            # now: the broken copies' runs come next, with the same token)
            after = []
            try:
                robustness.compare_snapshots(before, robustness.snapshot(subs), "the submissions folder")
                robustness.no_stray_processes(token)
            except Failure as e:
                after.append(str(e))
            _graded.update(tmp=tmp, subs=subs, out=out, expect=expect, status=status, stdout=stdout, stderr=stderr,
                           token=token, after=after)
        return _graded


def check_class():
    g = graded_class()
    problems = []
    if g["status"] != 0:
        raise Failure("make grade exited %d:\n%s%s" % (g["status"], g["stdout"], g["stderr"][-3000:]))
    n = len(g["expect"])
    if "%d graded, 0 unchanged" % n not in g["stdout"]:
        problems.append("the first run should grade all %d learners:\n%s" % (n, g["stdout"]))
    for ignored in ("ignored: notes.txt (", "ignored: .git ("):
        if ignored not in g["stdout"]:
            problems.append("the stray entry should be reported as %r:\n%s" % (ignored, g["stdout"]))
    if not re.search(r"^\[%d/%d\] .*\(.*/min, done\)$" % (n, n), g["stderr"], re.M):
        problems.append("no progress line '[%d/%d] ... (N/min, done)' on stderr:\n%s" % (n, n, g["stderr"][-2000:]))
    problems += verify(g["out"], g["expect"])
    # nothing escaped the archives, the learners' files are as they were, nothing left running
    escaped = [p for p in (os.path.join(os.path.dirname(g["tmp"]), "escape-%s.c" % g["token"]),
                           "/tmp/absolute-%s.c" % g["token"], os.path.join(g["tmp"], "escape-%s.c" % g["token"]),
                           os.path.join(g["subs"], "escape-%s.c" % g["token"])) if os.path.exists(p)]
    if os.path.exists("/tmp/wbbatch-probe-%s" % g["token"]):
        escaped.append("/tmp/wbbatch-probe-%s (written by a learner's code)" % g["token"])
    if escaped:
        problems.append("archive members were written outside: %s" % escaped)
    problems += g["after"]
    with open(os.path.join(g["out"], "gradebook.csv"), "rb") as f:
        book = f.read()
    if b'"Zo\xc3\xab O\'Brien, jr"' not in book:
        problems.append("gradebook.csv does not quote the name with a comma: %r" % book[:300])
    # re-run: nothing regraded, the same gradebook; one submission changed: only it
    status, stdout, stderr = grade_run(g["subs"], g["out"])
    if status != 0 or "0 graded, %d unchanged" % n not in stdout:
        problems.append("a re-run must regrade nothing:\n%s%s" % (stdout, stderr[-1500:]))
    with open(os.path.join(g["out"], "gradebook.csv"), "rb") as f:
        if f.read() != book:
            problems.append("a re-run changed the gradebook")
    problems += verify(g["out"], g["expect"])
    # (on copies: the other check reads the class at the same time)
    subs, out = os.path.join(g["tmp"], "changed", "submissions"), os.path.join(g["tmp"], "changed", "grades")
    shutil.copytree(g["subs"], subs, symlinks=True)
    shutil.copytree(g["out"], out, ignore=shutil.ignore_patterns(".build"))
    with open(os.path.join(subs, "frank", "ch03", "add_layer.c"), "a") as f:
        f.write("/* frank's comment */\n")
    status, stdout, stderr = grade_run(subs, out, build=os.path.join(g["out"], ".build"))
    if status != 0 or "1 graded, %d unchanged" % (n - 1) not in stdout or "frank: 5/10 points," not in stderr:
        problems.append("after one file changed, only frank should be regraded:\n%s%s" % (stdout, stderr[-1500:]))
    # bad input: no folder, an empty folder, one learner's exercises given as the class
    for args, says in (([], "say where the submissions are"), (["--submissions", os.path.join(g["tmp"], "none")],
                                                                 "does not exist"),
                       (["--submissions", os.path.join(g["subs"], "alice")], "looks like one learner's exercises")):
        r = subprocess.run([PY, "-m", "workbook", "grade", "--out", os.path.join(g["tmp"], "o2")] + args, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "harness")))
        if r.returncode != 2 or says not in r.stdout:
            problems.append("grade %s: exit %d, said %r (expected 2 and %r)" % (args, r.returncode, r.stdout, says))
    empty = os.path.join(g["tmp"], "empty")
    os.makedirs(empty, exist_ok=True)
    r = subprocess.run([PY, "-m", "workbook", "grade", "--submissions", empty, "--out", os.path.join(g["tmp"], "o2")],
                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "harness")))
    if r.returncode != 2 or "holds no submissions" not in r.stdout:
        problems.append("an empty SUBMISSIONS: exit %d, said %r" % (r.returncode, r.stdout))
    from workbook import batch
    problems += verify_hidden(batch.feedback_text)
    problems += verify_weights(g["out"], g["expect"], batch.gradebook_rows)
    if batch.csv_cell("=HYPERLINK(1)") != "'=HYPERLINK(1)":
        problems.append("a learner named '=...' would be a formula in the gradebook")
    if problems:
        raise Failure("\n".join(problems))


# (what is broken, code patching workbook.batch, words the finding must contain, needs a re-run)
BROKEN = [
    ("the gradebook drops the max column",
     "rows = batch.gradebook_rows\nbatch.gradebook_rows = lambda *a: [r[:-1] for r in rows(*a)]",
     "gradebook.csv is"),
    ("a crashed test counts as passed",
     "points = batch.chapter_points\n"
     "batch.chapter_points = lambda c: (points(c)[0] + sum(t['max_points'] for t in c['tests'] "
     "if 'crashed' in t['message']), points(c)[1])",
     "gradebook.csv is"),
    ("a missing file reported as a compile error",
     "batch.missing_problem = lambda missing, why: 'does not compile'\n"
     "cached = batch.load_cached\n"
     "batch.load_cached = lambda path, key: None if 'frank' in path else cached(path, key)",
     "lacks 'file missing'"),
    ("every failure's cause the same",
     "batch.cause_of = lambda test, record: 'failed'",
     "most common likely cause"),
    ("a re-run regrades every submission",
     "batch.load_cached = lambda path, key: None\n"
     "batch.run_grader = lambda *a: (None, {}, 'grading stopped: not run')",
     "a re-run must regrade nothing"),
]


def check_catches_broken():
    g = graded_class()
    if g["status"] != 0:
        raise Failure("the class could not be graded (see the check above)")
    missed = []
    for k, (what, code, finding) in enumerate(BROKEN):
        out = os.path.join(g["tmp"], "broken%d" % k)
        shutil.copytree(g["out"], out, ignore=shutil.ignore_patterns(".build"))
        status, stdout, stderr = grade_run(g["subs"], out, code, build=os.path.join(g["out"], ".build"))
        found = verify(out, g["expect"])
        if "a re-run" in finding and "0 graded, %d unchanged" % len(g["expect"]) not in stdout:
            found.append("a re-run must regrade nothing")
        if status != 0 and not found:
            found = ["exit %d" % status]
        if not any(finding in f for f in found):
            missed.append("%s: not caught (expected a finding with %r); found: %s\n%s"
                          % (what, finding, found[:2], stderr[-800:]))
    # a feedback writer that shows hidden tests
    from workbook import batch

    def leaky(entry, chapters):
        return batch.feedback_text(entry, chapters).replace("hidden test 1: failed", "") + "shopping SECRET"
    if not verify_hidden(leaky):
        missed.append("feedback showing a hidden test's name and message: not caught")

    def unweighted(entries, chapters):  # a gradebook that forgets the weights
        import copy
        flat = [copy.copy(ch) for ch in chapters]
        for ch in flat:
            ch.weight = 1.0
        return batch.gradebook_rows(entries, flat)
    if not verify_weights(g["out"], g["expect"], unweighted):
        missed.append("a gradebook that ignores chapter weights: not caught")
    if missed:
        raise Failure("\n".join(missed))


def archive_findings(folder):
    """What reading each awkward archive gives, as a list of problems (none when
    every one is read as it must be)."""
    from workbook import batch
    ch = course.chapter(3)
    wanted = [ch.nn + "/" + f for f in ch.files]
    problems = []

    def read(name, build, kind):
        path = os.path.join(folder, name)
        build(path)
        try:
            return batch.collect(batch.Submission(name.split(".")[0], path, kind), wanted), None
        except batch.BatchError as e:
            return None, str(e)

    # not an archive at all
    got, error = read("damaged.zip", lambda p: open(p, "wb").write(b"PK\x03\x04 not really a zip"), "zip")
    if not error or "cannot be read" not in error:
        problems.append("a damaged zip: %s" % (error or got))
    # a member far larger than an exercise file (zeros compress well)
    def big(p):
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("ch03/mul_layer.c", b"\0" * (batch.MAX_FILE + 10))
    got, error = read("big.zip", big, "zip")
    if error or "larger than" not in got[1].get("ch03/mul_layer.c", ""):
        problems.append("a member over %d bytes must not be taken: %s" % (batch.MAX_FILE, error or got[1]))
    # only climbing members: nothing taken, whatever they are named
    def climbing(p):
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("../ch03/mul_layer.c", b"int stolen;\n")
            z.writestr("x/../../ch03/add_layer.c", b"int stolen;\n")
    got, error = read("climb.zip", climbing, "zip")
    if error or got[0]:
        problems.append("members with '..' must never be taken: %s" % (error or sorted(got[0])))
    # a tar whose member claims more than may be unpacked
    def huge(p):
        info = tarfile.TarInfo("ch03/mul_layer.c")
        info.size = batch.MAX_UNPACKED + 1
        with open(p, "wb") as f:  # the header alone: the size it claims is what counts
            f.write(info.tobuf(tarfile.GNU_FORMAT) + b"\0" * 1024)
    got, error = read("huge.tar", huge, "tar")
    if not error or "more than" not in error:
        problems.append("a tar member over %d MB must stop the reading: %s" % (batch.MAX_UNPACKED >> 20, error or got))
    return problems


def check_archives():
    """Awkward archives are read safely, and a reader that takes '..' members is caught."""
    from workbook import batch
    tmp = tempfile.mkdtemp(prefix="wbarchive")
    try:
        problems = archive_findings(tmp)
        if problems:
            raise Failure("\n".join(problems))
        clean = batch.clean_member
        batch.clean_member = lambda name: name.replace("\\", "/")  # a broken copy: every path accepted
        try:
            shutil.rmtree(tmp)
            os.makedirs(tmp)
            if not any("'..'" in p for p in archive_findings(tmp)):
                raise Failure("a reader that takes members with '..' was not caught")
        finally:
            batch.clean_member = clean
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks():
    """[(name, function, args)]; a function with fn.in_tree = True runs make in
    this tree, so it runs in the serial make stream."""
    return [
        ("make grade: a class with every kind of broken submission gets the exact gradebook, feedback, "
         "summary; a re-run skips", check_class, ()),
        ("make grade's checks catch each deliberately broken batch grader", check_catches_broken, ()),
        ("make grade reads damaged, oversized and climbing archives safely", check_archives, ()),
    ]
