"""selftest.classroom: the releases, Gradescope, GitHub Classroom and JUnit (workbook.dist,
workbook.platforms, workbook.junit), each validated against its format and each
validator shown failing on a broken copy.

- the student release: written, searched (by dist itself) and then searched again
  with a copy holding one planted leak per way a solution can slip in, every one of
  which must be named; then, from the unpacked archive alone, make check, make run,
  make book and a refused make test;
- Gradescope: the zip's layout; the real run_autograder against a synthetic
  /autograder tree in a temporary folder (AUTOGRADER_ROOT): a correct submission
  of every chapter (laid out as exercises/chNN/file.c) gets every point, a partly
  wrong one for chapter 3's assignment (loose files, one function broken, one file
  missing, a stray file) loses exactly the broken tests; every results.json
  validated against harness/platforms/gradescope/results.schema.json and the
  manifest's points, hidden tests and weights through the converter, and the
  validator rejecting broken results.json;
- GitHub Classroom: the workflow parsed as YAML and checked step by step (one per
  chapter with points, points summing to the course's total, commands that are make
  targets of the starter repository, the reporter reading every step);
- JUnit: make check JUNIT= on passing, failing and not compiling code, the XML
  checked against the grader's own results.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

from selftest import Failure
from workbook import course
from workbook import dist
from workbook import junit
from workbook import platforms

ROOT = course.ROOT
PY = sys.executable or "python3"
SCHEMA = os.path.join(ROOT, "harness", "platforms", "gradescope", "results.schema.json")


def sh(cmd, cwd=ROOT, env=None, timeout=600):
    e = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, cwd=cwd, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", timeout=timeout)


def gradable():
    return [ch for ch in course.chapters() if ch.gradable]


def course_total():
    return sum(ch.max_points * ch.weight for ch in gradable())


def ensure_student_book():
    """The student book the release ships: built by make book when it is not there."""
    html = os.path.join(ROOT, "build", "book", "student", "html")
    if not (os.path.isfile(os.path.join(html, "index.html")) and os.path.isfile(os.path.join(html, dist.PDF_NAME))):
        r = sh(["make", "-s", "--no-print-directory", "book", "EDITION=student"])
        if r.returncode != 0:
            raise Failure("make book EDITION=student failed:\n" + r.stdout[-2000:])


def mutant_copy(tmp, chapter, file, old, new):
    """A copy of solutions/ with one function broken."""
    sub = os.path.join(tmp, "sub")
    shutil.copytree(os.path.join(ROOT, "solutions"), sub)
    path = os.path.join(sub, course.chapter(chapter).nn, file)
    text = open(path).read()
    if text.count(old) != 1:
        raise Failure("%s: the text to break (%r) is not there once" % (path, old))
    open(path, "w").write(text.replace(old, new))
    return sub


MUL_BROKEN = (3, "mul_layer.c", "*dy = dout * layer->x;", "*dy = dout * layer->y;")


# ---- the student release ---------------------------------------------------------

def plant_leaks(folder, tmp):
    """Put one leak of each kind into an unpacked release; returns {planted path: kind}."""
    planted = {}
    sol = os.path.join(ROOT, "solutions", "ch03", "mul_layer.c")

    def put(rel, data, kind):
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        planted[rel] = kind
    data = open(sol, "rb").read()
    put("solutions/ch03/mul_layer.c", data, "a solution file in its own folder")
    put("exercises/ch04/relu_layer.c", open(os.path.join(ROOT, "solutions", "ch04", "relu_layer.c"), "rb").read(),
        "a solution file in place of a stub")
    put("chapters/03-add-mul-nodes/notes.txt", b"scratch:\n" + re.sub(rb"^\s*//.*\n", b"", data, flags=re.M),
        "solution lines in a stray text file")
    instructor = os.path.join(ROOT, "build", "book", "instructor", "html")
    if os.path.isfile(os.path.join(instructor, dist.PDF_NAME)):
        put(dist.RELEASE_BOOK + "/student/html/" + dist.PDF_NAME,
            open(os.path.join(instructor, dist.PDF_NAME), "rb").read(), "the instructor PDF as the student's")
        put(dist.RELEASE_BOOK + "/student/html/ch04.html",
            open(os.path.join(instructor, "ch04.html"), "rb").read(), "an instructor page as the student's")
    obj = os.path.join(tmp, "mul_layer.o")
    r = sh(["gcc", "-c", "-Iharness/include", sol, "-o", obj])
    if r.returncode != 0:
        raise Failure("could not compile a solution to plant it:\n" + r.stdout)
    put("harness/src/mul_layer.o", open(obj, "rb").read(), "a compiled solution")
    # the manifest's hints hold some lines by design: add one they do not hold
    secret = dist.solution_lines()
    held = dist.allowed_exposures(secret).get("course.toml", set())
    extra = next(n for n in sorted(secret, key=secret.get) if n not in held)
    toml = open(os.path.join(folder, "course.toml"), "rb").read()
    put("course.toml", toml + b"\n# " + extra.encode() + b"\n", "a solution line added to the manifest")
    put("harness/workbook/notes.json.gz", __import__("gzip").compress(json.dumps(
        {"x": "for (...) { dx[i] = layer->mask[i] ? 0.0 : dout[i]; }"}).encode()), "a solution line in a gzip")
    put(".git/HEAD", b"ref: refs/heads/main\n", "git history")
    return planted


def check_student_release():
    ensure_student_book()
    tmp = tempfile.mkdtemp(prefix="release.")
    try:
        out = os.path.join(tmp, dist.NAMES["student"])
        r = sh([PY, "-m", "workbook", "dist", "student", "--out", out])
        if r.returncode != 0 or "none found" not in r.stdout:
            raise Failure("python3 -m workbook dist student failed:\n" + r.stdout[-3000:])
        with tarfile.open(out) as tar:
            names = [m.name for m in tar.getmembers()]
            tar.extractall(tmp)
        top = os.path.join(tmp, dist.TOP)
        problems = []
        if any(n.split("/")[1:2] in (["solutions"], [".git"], ["build"]) for n in names):
            problems.append("the archive has a solutions/, .git or build/ folder")
        for want in ("Makefile", "README.md", "course.toml", "LICENSE", "CONTRIBUTING.md",
                     dist.RELEASE_BOOK + "/student/html/index.html", dist.RELEASE_BOOK + "/student/html/" + dist.PDF_NAME,
                     "exercises/.generated", "harness/grader/gradcheck.c", "book/present.lua"):
            if not os.path.isfile(os.path.join(top, want)):
                problems.append("the archive has no %s" % want)
        stubs, record = dist.pristine_exercises()
        for name, data in stubs.items():
            for folder in ("exercises", "harness/stubs"):
                path = os.path.join(top, folder, name)
                if not os.path.isfile(path) or open(path, "rb").read() != data:
                    problems.append("%s/%s is not the pristine stub" % (folder, name))
        if open(os.path.join(ROOT, "exercises", ".generated"), "rb").read() == record and \
                open(os.path.join(top, "exercises", ".generated"), "rb").read() != record:
            problems.append("exercises/.generated differs from the work tree's record")
        if problems:
            raise Failure("\n".join(problems))

        # the search, on a copy with one leak of each kind: every one must be named
        broken = os.path.join(tmp, "broken")
        shutil.copytree(top, broken)
        planted = plant_leaks(broken, tmp)
        leaks, _ = dist.scan(broken)
        missed = [("%s (%s)" % (p, kind)) for p, kind in planted.items()
                  if not any(l.startswith(p + ":") or l.startswith(p + " ") or l.startswith(p + "/")
                             for l in leaks)]
        clean = [l for l in leaks if not any(l.startswith(p) for p in planted)]
        if missed or clean:
            raise Failure("the search for solutions missed: %s\nreported a file nothing was planted in: %s\n"
                          "it said:\n%s" % (missed, clean, "\n".join(leaks)))

        # the learner's commands, from the unpacked archive alone
        env = {"PYTHONPATH": "", "MAKEFLAGS": ""}
        r = sh(["make", "-s", "--no-print-directory", "check", "CHAPTER=3"], cwd=top, env=env)
        if r.returncode == 0 or "mul_backward is not implemented yet" not in r.stdout \
                or "chapter 3: 0/5 passed" not in r.stdout:
            raise Failure("make check CHAPTER=3 in the release must fail on the stubs, saying "
                          "'not implemented yet':\n" + r.stdout[-2000:])
        r = sh(["make", "-s", "--no-print-directory", "run", "EXAMPLE=buy_apple"], cwd=top, env=env)
        if r.returncode == 0 or "mul_backward is not implemented yet" not in r.stdout:
            raise Failure("make run EXAMPLE=buy_apple in the release must build and stop at the stub:\n"
                          + r.stdout[-2000:])
        r = sh(["make", "-s", "--no-print-directory", "book", "FORMAT=html"], cwd=top, env=env)
        page = os.path.join(top, "build", "book", "student", "html", "index.html")
        if r.returncode != 0 or not os.path.isfile(page):
            raise Failure("make book FORMAT=html in the release must put the book in build/book/student/:\n"
                          + r.stdout[-2000:])
        r = sh(["make", "-s", "--no-print-directory", "test"], cwd=top, env=env)
        if r.returncode != 2 or "not in the student release" not in r.stdout:
            raise Failure("make test in the release must be refused, saying why:\n" + r.stdout[-2000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


check_student_release.in_tree = True  # it may build the student book, and reads it under its lock


# ---- Gradescope ------------------------------------------------------------------------

def validate_results(data, chapters=None):
    """Problems of a results.json: against the schema, then against the workbook's
    own rules (every test of the graded chapters once, scores within their max,
    the total the sum of the tests, the max the manifest's)."""
    import jsonschema
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    problems = ["schema: %s at %s" % (e.message, "/".join(str(p) for p in e.absolute_path) or "the top")
                for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    if problems:
        return problems
    graded = [ch for ch in gradable() if chapters is None or ch.number in chapters]
    tests = data.get("tests", [])
    want = {"ch%02d %s: %s" % (ch.number, f.name, t) for ch in graded for f in ch.functions for t in f.tests}
    names = [t["name"] for t in tests]
    if sorted(names) != sorted(want):
        problems.append("tests: %s missing, %s unexpected" % (sorted(want - set(names)), sorted(set(names) - want)))
    for t in tests:
        if not 0 <= t["score"] <= t["max_score"] + 1e-9:
            problems.append("%s: score %s outside 0..%s" % (t["name"], t["score"], t["max_score"]))
        if (t["status"] == "passed") != (t["score"] >= t["max_score"] - 1e-9) and t["max_score"] > 0:
            problems.append("%s: status %s with %s of %s" % (t["name"], t["status"], t["score"], t["max_score"]))
    if abs(data["score"] - sum(t["score"] for t in tests)) > 1e-6:
        problems.append("score %s is not the sum of the tests' scores %s"
                        % (data["score"], sum(t["score"] for t in tests)))
    total = sum(ch.max_points * ch.weight for ch in graded)
    if abs(sum(t["max_score"] for t in tests) - total) > 1e-6:
        problems.append("the tests' max scores add up to %s, course.toml's points to %s"
                        % (sum(t["max_score"] for t in tests), total))
    return problems


def unzip(zip_path, dst):
    import zipfile
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(dst)
        for info in z.infolist():  # zipfile drops the permission bits
            os.chmod(os.path.join(dst, info.filename), (info.external_attr >> 16) & 0o777 or 0o644)
    return {i.filename: i for i in z.infolist()}


def run_autograder(root, files):
    """Gradescope's run for one submission {path: bytes}: fresh submission/ and
    results/ in the synthetic root, the real run_autograder, its results.json."""
    for folder in ("submission", "results"):
        shutil.rmtree(os.path.join(root, folder), ignore_errors=True)
    os.makedirs(os.path.join(root, "submission"))
    for path, data in files.items():
        dst = os.path.join(root, "submission", path)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        open(dst, "wb").write(data)
    r = sh([os.path.join(root, "source", "run_autograder")], cwd=root, env={"AUTOGRADER_ROOT": root})
    path = os.path.join(root, "results", "results.json")
    if not os.path.isfile(path):
        raise Failure("run_autograder wrote no results.json:\n" + r.stdout[-3000:])
    return r, json.load(open(path))


def check_gradescope():
    tmp = tempfile.mkdtemp(prefix="gradescope.")
    try:
        zips = {}
        for chapter in ("", "3"):
            zips[chapter] = os.path.join(tmp, "ag%s.zip" % chapter)
            r = sh([PY, "-m", "workbook", "dist", "gradescope", "--chapter", chapter, "--out", zips[chapter]])
            if r.returncode != 0:
                raise Failure("python3 -m workbook dist gradescope --chapter '%s' failed:\n%s"
                              % (chapter, r.stdout[-3000:]))
        # a synthetic /autograder: source/ is the zip unpacked, as Gradescope does
        root = os.path.join(tmp, "autograder")
        infos = unzip(zips[""], os.path.join(root, "source"))
        for name in ("setup.sh", "run_autograder"):
            if name not in infos or not (infos[name].external_attr >> 16) & 0o100:
                raise Failure("the zip must hold an executable %s at its root" % name)
        setup = open(os.path.join(platforms.GRADESCOPE, "setup.sh")).read()
        if "harness/deps.sh grade" not in setup or "apt-get install" in setup:
            raise Failure("setup.sh must install with harness/deps.sh grade, not a list of its own")
        if any(n.startswith("workbook/solutions/") for n in infos):
            raise Failure("the autograder zip holds solutions/")

        # a correct submission, laid out as exercises/chNN/file.c: every point, chapter 6
        # graded on the submission's own layers of chapters 4 and 5
        sol = os.path.join(ROOT, "solutions")
        correct = {"exercises/%s/%s" % (ch.nn, f): open(os.path.join(sol, ch.nn, f), "rb").read()
                   for ch in gradable() for f in ch.files}
        r, data = run_autograder(root, correct)
        problems = validate_results(data)
        if abs(data["score"] - course_total()) > 1e-6:
            problems.append("a correct submission scored %s of %s" % (data["score"], course_total()))
        if problems:
            raise Failure("correct submission:\n%s\nrun_autograder said:\n%s" % ("\n".join(problems), r.stdout[-2500:]))

        # chapter 3's assignment (its zip unpacked over the same source, the grader's cache
        # kept), a partly wrong submission of loose files: mul_backward broken,
        # add_layer.c not submitted, a stray file
        unzip(zips["3"], os.path.join(root, "source"))
        broken_dir = mutant_copy(tmp, *MUL_BROKEN)
        partial = {"mul_layer.c": open(os.path.join(broken_dir, "ch03", "mul_layer.c"), "rb").read(),
                   "notes.txt": b"not an exercise"}
        r, data = run_autograder(root, partial)
        problems = validate_results(data, [3])
        by = {t["name"]: t for t in data["tests"]}
        failed = sorted(n for n, t in by.items() if t["status"] == "failed")
        mul = sorted(n for n in by if ": mul_backward_" in n)
        add = sorted(n for n in by if ": add_backward_" in n)
        given = sorted(n for n in by if "given" in by[n]["tags"])
        if not set(mul + add) <= set(failed) or set(given) & set(failed) or not given:
            problems.append("mul_backward's and add_backward's tests must fail, the given code's pass; failed: %s"
                            % failed)
        if not all("not implemented yet" in by[n]["output"] for n in add):
            problems.append("add_layer.c, not submitted, must fail as the stub ('not implemented yet')")
        if "ch03/add_layer.c" not in data["output"] or "notes.txt" not in data["output"]:
            problems.append("the output must name the missing file and the ignored one:\n" + data["output"])
        lost = sum(t["max_score"] - t["score"] for t in data["tests"])
        top = course.chapter(3).max_points * course.chapter(3).weight
        if not 0 <= data["score"] < top or abs(data["score"] + lost - top) > 1e-6:
            problems.append("score %s, lost %s, of %s" % (data["score"], lost, top))
        if "/tmp/" in json.dumps(data) or "autograde." in json.dumps(data):
            problems.append("a message names the temporary folder the submission was graded in")
        if problems:
            raise Failure("partly wrong submission (chapter 3):\n%s\nrun_autograder said:\n%s"
                          % ("\n".join(problems), r.stdout[-2500:]))
        graded = data

        # hidden tests and weights, through the converter
        results = {"version": 2, "chapters": [
            {"chapter": 3, "title": "t", "weight": 2.0, "points": 3.0, "max_points": 5.0, "problem": None,
             "notes": [], "tests": [
                 {"name": "mul_backward_book", "function": "mul_backward", "passed": False, "given": False,
                  "hidden": True, "points": 0.0, "max_points": 1.0, "hint": "h",
                  "message": "a secret message"},
                 {"name": "add_backward_book", "function": "add_backward", "passed": True, "given": False,
                  "hidden": False, "points": 1.0, "max_points": 1.0, "hint": None, "message": ""}]}]}
        data = platforms.results_json(results, [], 1.0)
        t = {x["name"]: x for x in data["tests"]}
        hidden, shown = t["ch03 mul_backward: mul_backward_book"], t["ch03 add_backward: add_backward_book"]
        if hidden["visibility"] != platforms.HIDDEN_VISIBILITY or "secret" in json.dumps(data) \
                or shown["visibility"] != "visible" or shown["score"] != 2.0 or hidden["max_score"] != 2.0:
            raise Failure("a hidden test must be %s without its message, and a weight of 2 double the points: %s"
                          % (platforms.HIDDEN_VISIBILITY, json.dumps(data["tests"], indent=1)))

        # the validator rejects broken results.json
        def broken(change):
            d = copy.deepcopy(graded)
            change(d)
            return d
        bad = {
            "a visibility Gradescope does not know": broken(lambda d: d["tests"][0].update(visibility="secret")),
            "a score that is text": broken(lambda d: d["tests"][1].update(score="1")),
            "a key Gradescope does not know": broken(lambda d: d.update(scores=1)),
            "a test left out": broken(lambda d: d["tests"].pop()),
            "a total that is not the sum": broken(lambda d: d.update(score=d["score"] + 1)),
            "a score above its max": broken(lambda d: d["tests"][2].update(score=d["tests"][2]["max_score"] + 1)),
        }
        missed = [what for what, d in bad.items() if not validate_results(d, [3])]
        if missed:
            raise Failure("the results.json validator accepted: %s" % ", ".join(missed))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- GitHub Classroom --------------------------------------------------------------------

_MAKE_N = {}  # (repo, target, chapter): `make -n` there, asked once


def validate_workflow(doc, repo):
    """Problems of a GitHub Classroom workflow (parsed YAML) for the starter repository repo."""
    problems = []
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    if not isinstance(on, (list, dict)) or "push" not in on:
        problems.append("the workflow must run on push")
    jobs = doc.get("jobs") or {}
    if len(jobs) != 1:
        return problems + ["one job expected, found %d" % len(jobs)]
    steps = list(jobs.values())[0].get("steps") or []
    graders = [s for s in steps if str(s.get("uses", "")).startswith("education/autograding-command-grader@")]
    reporters = [s for s in steps if str(s.get("uses", "")).startswith("education/autograding-grading-reporter@")]
    if not any(str(s.get("uses", "")).startswith("actions/checkout@") for s in steps):
        problems.append("no checkout step")
    want = {ch.number: ch for ch in gradable() if ch.max_points * ch.weight > 0}
    seen, total = {}, 0
    for s in graders:
        w = s.get("with") or {}
        m = re.fullmatch(r"make (\w[\w-]*) CHAPTER=(\d+)", str(w.get("command", "")))
        if not m:
            problems.append("step %r: command %r is not `make TARGET CHAPTER=N`" % (s.get("name"), w.get("command")))
            continue
        target, n = m.group(1), int(m.group(2))
        if (repo, target, n) not in _MAKE_N:
            _MAKE_N[repo, target, n] = sh(["make", "-n", "--no-print-directory", target, "CHAPTER=%d" % n],
                                          cwd=repo, env={"MAKEFLAGS": "", "PYTHONPATH": ""})
        r = _MAKE_N[repo, target, n]
        if r.returncode != 0 or target != "check":
            problems.append("step %r: `make %s` is not the grader's target of the starter repository (%s)"
                            % (s.get("name"), target, r.stdout.strip()[-200:]))
        if n in seen:
            problems.append("chapter %d is graded twice" % n)
        seen[n] = s
        points = w.get("max-score")
        if not isinstance(points, int) or n not in want or points != want[n].max_points * want[n].weight:
            problems.append("step %r: max-score %r, course.toml says %s"
                            % (s.get("name"), points, want[n].max_points * want[n].weight if n in want else "none"))
        else:
            total += points
        if not re.fullmatch(r"[A-Za-z0-9]+", str(s.get("id", ""))):
            problems.append("step %r: its id %r must be letters and digits (the reporter's runner ids)"
                            % (s.get("name"), s.get("id")))
    if sorted(seen) != sorted(want):
        problems.append("chapters graded %s, chapters with points %s" % (sorted(seen), sorted(want)))
    if abs(total - course_total()) > 1e-9:
        problems.append("the steps' points add up to %s, the course's total is %s" % (total, course_total()))
    if len(reporters) != 1 or steps.index(reporters[0]) != len(steps) - 1:
        problems.append("one reporter step, last")
    else:
        runners = str((reporters[0].get("with") or {}).get("runners", "")).split(",")
        env = reporters[0].get("env") or {}
        ids = [str(s.get("id")) for s in graders]
        if sorted(runners) != sorted(ids):
            problems.append("the reporter reads %s, the grading steps are %s" % (runners, ids))
        for i in ids:
            if env.get("%s_RESULTS" % i.upper()) != "${{ steps.%s.outputs.result }}" % i:
                problems.append("the reporter's env must pass %s_RESULTS from steps.%s.outputs.result" % (i.upper(), i))
    return problems


def check_classroom():
    import yaml
    ensure_student_book()
    tmp = tempfile.mkdtemp(prefix="classroom.")
    try:
        out = os.path.join(tmp, "classroom")
        r = sh([PY, "-m", "workbook", "dist", "classroom", "--out", out])
        if r.returncode != 0:
            raise Failure("python3 -m workbook dist classroom failed:\n" + r.stdout[-3000:])
        if os.path.exists(os.path.join(out, "solutions")):
            raise Failure("the starter repository holds solutions/")
        path = os.path.join(out, ".github", "workflows", "classroom.yml")
        text = open(path).read()
        doc = yaml.safe_load(text)
        problems = validate_workflow(doc, out)
        if problems:
            raise Failure("%s:\n%s" % (path, "\n".join(problems)))
        steps = list(doc["jobs"].values())[0]["steps"]
        graders = [s for s in steps if "command-grader" in str(s.get("uses"))]

        def broken(change):
            d = copy.deepcopy(doc)
            change(list(d["jobs"].values())[0]["steps"])
            return d
        bad = {
            "a chapter left out": broken(lambda s: s.remove(next(x for x in s if x.get("id") == graders[0]["id"]))),
            "a point too many": broken(lambda s: s[steps.index(graders[1])]["with"].update(
                {"max-score": graders[1]["with"]["max-score"] + 1})),
            "a target that does not exist": broken(lambda s: s[steps.index(graders[2])]["with"].update(
                command="make chek CHAPTER=%s" % graders[2]["with"]["command"].split("=")[1])),
            "a step the reporter does not read": broken(lambda s: s[-1]["with"].update(
                runners=",".join(g["id"] for g in graders[1:]))),
            "a runner id with a dash": broken(lambda s: s[steps.index(graders[0])].update(id="chapter-1")),
        }
        missed = [what for what, d in bad.items() if not validate_workflow(d, out)]
        if missed:
            raise Failure("the workflow validator accepted: %s" % ", ".join(missed))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


check_classroom.in_tree = True  # the starter repository ships the student book: built here when missing


# ---- JUnit -------------------------------------------------------------------------------

def validate_junit(xml_text, results):
    """Problems of a JUnit file against the grader's results it came from."""
    try:
        top = ET.fromstring(xml_text.encode("utf-8") if isinstance(xml_text, str) else xml_text)
    except ET.ParseError as e:
        return ["not well-formed XML: %s" % e]
    problems = []
    if top.tag != "testsuites":
        return ["the root is <%s>, not <testsuites>" % top.tag]
    suites = top.findall("testsuite")
    chapters = results["chapters"]
    if len(suites) != len(chapters):
        return ["%d test suites for %d chapters" % (len(suites), len(chapters))]
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite, c in zip(suites, chapters):
        nn = "ch%02d" % c["chapter"]
        if not suite.get("name", "").startswith(nn + ":"):
            problems.append("suite %r for chapter %d" % (suite.get("name"), c["chapter"]))
        cases = suite.findall("testcase")
        if [x.get("name") for x in cases] != [t["name"] for t in c["tests"]]:
            problems.append("%s: test cases %s, the grader ran %s"
                            % (nn, [x.get("name") for x in cases], [t["name"] for t in c["tests"]]))
            continue
        counts = {"tests": len(cases), "failures": 0, "errors": 0}
        for case, t in zip(cases, c["tests"]):
            bad = case.findall("failure") + case.findall("error")
            if t["passed"] != (not bad) or len(bad) > 1:
                problems.append("%s.%s: passed %s, but %d failure/error elements" % (nn, t["name"], t["passed"], len(bad)))
                continue
            if bad:
                counts["errors" if bad[0].tag == "error" else "failures"] += 1
                first = (t["message"] or "").split("\n", 1)[0]
                if not t.get("hidden") and (bad[0].get("message") != junit.clean(first)[:500]
                                            or junit.clean(t["message"]) not in (bad[0].text or "")):
                    problems.append("%s.%s: the failure does not carry the grader's message" % (nn, t["name"]))
                if (bad[0].tag == "error") != bool(c["problem"]):
                    problems.append("%s.%s: <%s> for a chapter %s" % (nn, t["name"], bad[0].tag,
                                    "that could not be graded" if c["problem"] else "that was graded"))
            if not case.get("classname", "").startswith(nn + "."):
                problems.append("%s.%s: classname %r" % (nn, t["name"], case.get("classname")))
        for key, value in counts.items():
            totals[key] += value
            if suite.get(key) != str(value):
                problems.append("%s: %s=%r, counted %d" % (nn, key, suite.get(key), value))
    for key, value in totals.items():
        if top.get(key) != str(value):
            problems.append("testsuites %s=%r, counted %d" % (key, top.get(key), value))
    return problems


def check_junit():
    """make check JUNIT= on passing, failing and not compiling code."""
    tmp = tempfile.mkdtemp(prefix="junit.")
    try:
        broken = mutant_copy(tmp, *MUL_BROKEN)
        bad_build = os.path.join(ROOT, "harness", "selftest", "bad", "syntax-error")
        docs = {}
        for label, exdir, passes in (("passing", "solutions", True), ("failing", broken, False),
                                     ("not compiling", bad_build, False)):
            xml_path, res = os.path.join(tmp, label + ".xml"), os.path.join(tmp, label + ".json")
            r = sh(["make", "-s", "--no-print-directory", "check", "CHAPTER=3", "EXERCISES=" + exdir,
                    "JUNIT=" + xml_path, "RESULTS=" + res])
            if (r.returncode == 0) != passes or not os.path.isfile(xml_path):
                raise Failure("make check JUNIT= on %s code: exit %d, XML written: %s\n%s"
                              % (label, r.returncode, os.path.isfile(xml_path), r.stdout[-2000:]))
            results = json.load(open(res))
            text = open(xml_path, encoding="utf-8").read()
            problems = validate_junit(text, results)
            top = ET.fromstring(text.encode())
            want = {"passing": ("0", "0"), "failing": (None, "0"), "not compiling": ("0", None)}[label]
            if (want[0] and top.get("failures") != want[0]) or (want[1] and top.get("errors") != want[1]) \
                    or (not passes and top.get("failures") == top.get("errors") == "0"):
                problems.append("failures=%s errors=%s" % (top.get("failures"), top.get("errors")))
            if problems:
                raise Failure("%s code:\n%s" % (label, "\n".join(problems)))
            docs[label] = (text, results)
        # without RESULTS the temporary results file is removed, and the status kept
        xml_path = os.path.join(tmp, "alone.xml")
        r = sh(["make", "-s", "--no-print-directory", "check", "CHAPTER=3", "EXERCISES=" + broken,
                "JUNIT=" + xml_path], env={"TMPDIR": tmp})
        if r.returncode == 0 or not os.path.isfile(xml_path) or \
                [n for n in os.listdir(tmp) if n.startswith("check.")]:
            raise Failure("make check JUNIT= alone: exit %d, XML %s, left %s"
                          % (r.returncode, os.path.isfile(xml_path), os.listdir(tmp)))
        # the validator rejects broken XML
        text, results = docs["failing"]
        drop_failure = re.sub(r"<failure .*?</failure>", "", text, count=1, flags=re.S)
        bad = {
            "a failure removed": drop_failure,
            "a wrong count": text.replace('failures="', 'failures="9', 1),
            "a test case renamed": text.replace('name="mul_backward_book"', 'name="mul_backward"', 1),
            "a message changed": re.sub(r'(<failure message=")', r"\1x", text, count=1),
            "not XML": text[: len(text) // 2],
        }
        missed = [what for what, t in bad.items() if t == text or not validate_junit(t, results)]
        if missed:
            raise Failure("the JUnit validator accepted: %s" % ", ".join(missed))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


check_junit.in_tree = True  # make check in this tree (its build/grade cache)


def instructor_problems(out):
    """What the instructor archive at `out` lacks: every solution as in the tree,
    pristine stubs, both editions of the book, HTML and PDF."""
    problems = []
    with tarfile.open(out) as tar:
        names = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
        for ch in course.chapters():
            for name in ch.files:
                rel = "solutions/%s/%s" % (ch.nn, name)
                member = tar.extractfile("%s/%s" % (dist.TOP, rel)) if rel in names else None
                if member is None or member.read() != open(os.path.join(ROOT, rel), "rb").read():
                    problems.append("the archive's %s is missing or not the tree's" % rel)
        stubs, _ = dist.pristine_exercises()
        for name, data in stubs.items():
            rel = "exercises/" + name
            member = tar.extractfile("%s/%s" % (dist.TOP, rel)) if rel in names else None
            if member is None or member.read() != data:
                problems.append("the archive's %s is not the pristine stub" % rel)
    for edition in ("student", "instructor"):
        for want in ("html/index.html", "html/ch03.html", "html/" + dist.PDF_NAME):
            if "%s/%s/%s" % (dist.RELEASE_BOOK, edition, want) not in names:
                problems.append("the archive has no %s book's %s" % (edition, want))
    return problems


def check_instructor_release():
    ensure_student_book()
    html = os.path.join(ROOT, "build", "book", "instructor", "html")
    if not (os.path.isfile(os.path.join(html, "index.html")) and os.path.isfile(os.path.join(html, dist.PDF_NAME))):
        r = sh(["make", "-s", "--no-print-directory", "book", "EDITION=instructor"])
        if r.returncode != 0:
            raise Failure("make book EDITION=instructor failed:\n" + r.stdout[-2000:])
    tmp = tempfile.mkdtemp(prefix="release.")
    try:
        out = os.path.join(tmp, dist.NAMES["instructor"])
        r = sh([PY, "-m", "workbook", "dist", "instructor", "--out", out])
        if r.returncode != 0:
            raise Failure("python3 -m workbook dist instructor failed:\n" + r.stdout[-3000:])
        problems = instructor_problems(out)
        if problems:
            raise Failure("\n".join(problems))
        # shown failing: the same archive without one solution and one PDF
        broken = os.path.join(tmp, "broken.tar.gz")
        with tarfile.open(out) as src, tarfile.open(broken, "w:gz") as dst:
            for m in src.getmembers():
                if m.name.endswith(("solutions/ch03/mul_layer.c", "instructor/html/" + dist.PDF_NAME)):
                    continue
                dst.addfile(m, src.extractfile(m) if m.isfile() else None)
        found = instructor_problems(broken)
        if len(found) != 2:
            raise Failure("the check should name exactly the two things removed from a broken copy, named: %s"
                          % found)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


check_instructor_release.in_tree = True  # builds the books here when missing


def checks():
    """[(name, function, args)]; a function with fn.in_tree = True runs make in
    this tree, so it runs in the serial make stream."""
    return [
        ("dist-student: no solution line anywhere, learner's make works from it", check_student_release, ()),
        ("dist-instructor: every solution, pristine stubs, both books (a broken copy caught)",
         check_instructor_release, ()),
        ("gradescope: run_autograder on a synthetic /autograder, results.json valid", check_gradescope, ()),
        ("classroom: the workflow grades each chapter for its points", check_classroom, ()),
        ("make check JUNIT=: JUnit XML for passing, failing, not compiling", check_junit, ()),
    ]
