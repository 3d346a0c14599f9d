"""todo_blocks.py: the book's instruction, followed to the letter, builds and passes.

The chapters tell the learner to replace the whole TODO block of each backward
(the TODO comment, the `(void)` casts and `NOT_IMPLEMENTED();`) with their code.
For every chapter, this takes the committed stubs in exercises/, replaces each
TODO block (the lines a `@stub` part produces) with the reference body (the
lines of its `@solution` part) exactly so, in a copy of exercises/, and grades
that copy with `harness/workbook/grade.py --chapter N`: every test of the chapter must
pass. A reference body that leaves a parameter unused (add_backward's `layer`)
must not stop the learner's build.

selftest/__main__.py calls checks() and adds them to its list;
`PYTHONPATH=harness python3 -m selftest --only TODO` runs them alone.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
from workbook import course
from workbook import source
from selftest import Failure

PY = sys.executable or "python3"


def completed(ch, name, exdir=None, solutions=None):
    """exercises/chNN/name as a learner who follows the book leaves it: each whole
    TODO block replaced by the reference body, nothing else touched. exdir and
    solutions default to the repository's exercises/ and solutions/."""
    exdir = exdir or os.path.join(ROOT, "exercises")
    solutions = solutions or os.path.join(ROOT, "solutions")
    rel = "exercises/%s/%s" % (ch.nn, name)
    with open(os.path.join(exdir, ch.nn, name), encoding="utf-8") as f:
        lines = f.read().split("\n")
    pos = 0
    blocks = source.regions(os.path.join(solutions, ch.nn, name))
    for k, (solution, stub) in enumerate(blocks, 1):
        at = next((i for i in range(pos, len(lines) - len(stub) + 1) if lines[i:i + len(stub)] == stub), None)
        if not stub or at is None:
            raise Failure("%s: TODO block %d of %d (%r ...) is not in the file; is exercises/ in sync "
                          "(make exercises)?" % (rel, k, len(blocks), (stub or [""])[0].strip()))
        lines[at:at + len(stub)] = solution
        pos = at + len(solution)
    text = "\n".join(lines)
    if "NOT_IMPLEMENTED" in text:
        raise Failure("%s still calls NOT_IMPLEMENTED() outside its TODO blocks" % rel)
    return text


def grade_completed(ch):
    """Grade chapter ch with every one of its files completed as the book says.
    Returns a list of problems (empty when every test passed)."""
    tmp = tempfile.mkdtemp(prefix="wbtodo")
    try:
        exdir = os.path.join(tmp, "exercises")
        shutil.copytree(os.path.join(ROOT, "exercises"), exdir)
        for name in ch.files:
            text = completed(ch, name)
            with open(os.path.join(exdir, ch.nn, name), "w", encoding="utf-8") as f:
                f.write(text)
        results = os.path.join(tmp, "results.json")
        env = dict(os.environ)
        for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
            env.pop(var, None)
        try:
            r = subprocess.run([PY, "-m", "workbook", "check", "--chapter", str(ch.number), "--exercises", exdir,
                                "--results", results], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", timeout=180,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return ["chapter %d: the grader did not return within 180 s" % ch.number]
        try:
            with open(results, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            data = {"chapters": []}
        graded = [c for c in data.get("chapters", []) if c.get("chapter") == ch.number]
        tests = graded[0].get("tests", []) if graded else []
        failing = [t for t in tests if not t.get("passed")]
        if r.returncode == 0 and tests and not failing:
            return []
        what = "chapter %d (%s), each TODO block in %s replaced by the reference body" % (
            ch.number, ch.title, ", ".join("exercises/%s/%s" % (ch.nn, n) for n in ch.files))
        problems = ["%s: grader exit %d, %d of %d tests failed" % (what, r.returncode, len(failing), len(tests))]
        seen = set()
        for t in failing:
            message = t.get("message", "").replace(exdir, "<copy of exercises>")
            if message in seen:  # a build problem fails every test with the same message
                problems.append("  %s: (the same)" % t.get("name"))
                continue
            seen.add(message)
            problems.append("  %s: %s" % (t.get("name"), message.replace("\n", "\n    ")))
        if not tests:
            problems.append("  no test results; the grader said:\n" + r.stdout[-3000:])
        return problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_todo_blocks_replaced(chapters=None):
    """Every gradable chapter, graded in parallel threads (a few seconds each)."""
    chs = [c for c in course.chapters() if c.gradable and (chapters is None or c.number in chapters)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, min(len(chs), os.cpu_count() or 2))) as pool:
        found = list(pool.map(grade_completed, chs))
    problems = [p for ps in found for p in ps]
    if problems:
        raise Failure("\n".join(problems))


def check_completion_is_the_reference():
    """Replacing the TODO blocks of the committed stubs gives exactly the reference
    file as the instructor edition shows it: the replacement is the one the book means."""
    problems = []
    for ch in course.chapters():
        for name in ch.files:
            lines, _ = source.parse(os.path.join(ROOT, "solutions", ch.nn, name))
            want = "\n".join(source.render(lines, "instructor"))
            if completed(ch, name) != want:
                problems.append("exercises/%s/%s with its TODO blocks replaced differs from the reference"
                                % (ch.nn, name))
    if problems:
        raise Failure("\n".join(problems))


def checks():
    """(name, function, args) for selftest/__main__.py."""
    return [
        ("TODO blocks replaced by the reference give the reference file", check_completion_is_the_reference, ()),
        ("every chapter passes with its TODO blocks replaced as the book says", check_todo_blocks_replaced, ()),
    ]
