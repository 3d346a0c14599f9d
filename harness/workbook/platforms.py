"""platforms.py: the workbook on Gradescope and on GitHub Classroom (python3 -m workbook dist ...).

  gradescope [--chapter N] [--out FILE]
                            build/dist/gradescope-autograder.zip: setup.sh and
                            run_autograder (harness/platforms/gradescope/) at its
                            root, the student release (without its book) in workbook/,
                            and autograder.json: the chapters it grades (all, or N:
                            build/dist/gradescope-autograder-chNN.zip, an assignment
                            per chapter)
  autograde [--root DIR]    run_autograder's work, inside Gradescope's container:
                            the submission's exercise files into a fresh copy of
                            the pristine exercises/, the grader, results.json
  classroom [--out DIR]     build/dist/classroom/: the student release, plus
                            .github/workflows/classroom.yml, one command-grader
                            step per chapter with its points

Neither holds a solution: both are built from the student release, so a
submission graded on Gradescope or GitHub gets what `make check` says in the
release a learner has (chapter 6 then runs on the learner's own layers of
chapters 4 and 5, as it does there).
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

from workbook import course
from workbook import dist

ROOT = course.ROOT
GRADESCOPE = os.path.join(dist.PLATFORMS, "gradescope")
CLASSROOM = os.path.join(dist.PLATFORMS, "classroom")
CONFIG = "autograder.json"              # in the zip: {"chapters": [...]}, what it grades
HIDDEN_VISIBILITY = "after_published"  # a hidden test: shown once the instructor publishes the grades
GRADE_TIMEOUT = 20 * 60                 # the whole grading of one submission, seconds
GRADE_USER = "student"                  # setup.sh adds it; submissions are graded as this user


def gradable():
    return [ch for ch in course.chapters() if ch.gradable]


# ---- Gradescope -------------------------------------------------------------------

def chapter_choice(text):
    """The chapters a Gradescope assignment grades: all (text empty), or one."""
    if not text:
        return [ch.number for ch in gradable()]
    if not text.isdigit() or int(text) not in [ch.number for ch in gradable()]:
        raise dist.DistError("CHAPTER=%s: not a chapter with exercises; those are %s"
                             % (text, ", ".join(str(ch.number) for ch in gradable())))
    return [int(text)]


def cmd_gradescope(out, chapter=""):
    t0 = time.time()
    chapters = chapter_choice(chapter)
    name = dist.GRADESCOPE_ZIP if not chapter else dist.GRADESCOPE_ZIP.replace(".zip", "-ch%02d.zip" % chapters[0])
    out = out or os.path.join(dist.DIST, name)
    plan = {"workbook/" + p: e for p, e in dist.student_plan(with_book=False).items()}
    for name in ("setup.sh", "run_autograder"):
        plan[name] = (os.path.join(GRADESCOPE, name), 0o755)
    plan[CONFIG] = ((json.dumps({"chapters": chapters}) + "\n").encode(), 0o644)
    dist.write_zip(plan, out)
    dist.log("wrote %s (%d files, %s) in %.1f s" % (dist.rel(out), len(plan), dist.size(out), time.time() - t0))
    secret = dist.solution_lines()
    leaks, exposures = dist.scan(out, secret)
    if dist.report_scan(out, leaks, exposures, secret):
        os.unlink(out)
        return 1
    dist.log("upload it on Gradescope's Configure Autograder page, with the Ubuntu 24.04 base image")
    return 0


def exercise_names(chapters=None):
    """["chNN/file.c"] of every exercise file (of the chapters), and {file.c: ["chNN/file.c", ...]}."""
    names = ["%s/%s" % (ch.nn, f) for ch in gradable() if chapters is None or ch.number in chapters
             for f in ch.files]
    by_base = {}
    for n in names:
        by_base.setdefault(n.split("/")[1], []).append(n)
    return names, by_base


def gather(submission, chapters=None):
    """Which submitted file goes where: ({"chNN/file.c": path}, notes). A file
    is matched by a chNN/file.c at the end of its path (any folders above), or,
    alone, by its name when exactly one exercise has that name."""
    names, by_base = exercise_names(chapters)
    chosen, notes, ignored = {}, [], []
    found = []
    for folder, dirs, files in os.walk(submission):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for f in sorted(files):
            found.append(os.path.join(folder, f))
    for path in found:
        shown = os.path.relpath(path, submission)
        parts = shown.split(os.sep)
        key = "/".join(parts[-2:]) if len(parts) >= 2 and "/".join(parts[-2:]) in names else None
        exact = key is not None
        if key is None and len(by_base.get(parts[-1], [])) == 1:
            key = by_base[parts[-1]][0]
        if key is None:
            ignored.append(shown)
            continue
        if key in chosen:
            first, first_exact = chosen[key]
            if exact and not first_exact:
                chosen[key] = (path, exact)
            notes.append("two files for %s: %s and %s; graded %s"
                         % (key, os.path.relpath(first, submission), shown,
                            os.path.relpath(chosen[key][0], submission)))
            continue
        chosen[key] = (path, exact)
    if ignored:
        notes.append("not an exercise file, so not graded: %s%s"
                     % (", ".join(ignored[:20]), " and %d more" % (len(ignored) - 20) if len(ignored) > 20 else ""))
    missing = [n for n in names if n not in chosen]
    if missing:
        notes.append("not in the submission, graded as the untouched stub: %s" % ", ".join(missing))
    return {k: v[0] for k, v in chosen.items()}, notes


def test_output(t, chapter_problem):
    if t.get("hidden") and not t.get("passed"):
        return "failed (a hidden test: its message is not shown)"
    if t.get("passed"):
        return "passed" + (" (checks code the chapter gives you: no points)" if t.get("given") else "")
    message = t.get("message") or "failed"
    if chapter_problem and message.strip() == chapter_problem.strip():
        return "not graded: the chapter could not be built (the message is at the top of the results)"
    if t.get("hint") and "likely cause:" not in message and "is not implemented yet" not in message:
        message += "\nhint: " + t["hint"]
    return message


def tidy(text, exdir):
    """A message as the learner reads it: their files named chNN/file.c, not by
    the temporary folder they were graded in."""
    return text.replace(exdir.rstrip("/") + "/", "") if text and exdir else text


def results_json(data, notes, seconds, exdir=None):
    """Gradescope's results.json from the grader's results (version 2): one test
    per graded test, name "chNN function: test", score and max_score its points
    times the chapter's weight; given code's checks with no points; hidden tests
    shown only once the instructor publishes the grades."""
    tests, lines, score = [], [], 0.0
    for c in json.loads(tidy(json.dumps(data), json.dumps(exdir)[1:-1] if exdir else None)).get("chapters", []):
        nn, weight = "ch%02d" % c["chapter"], float(c.get("weight", 1))
        problem = c.get("problem")
        lines.append("Chapter %d, %s: %s of %s points%s" % (
            c["chapter"], c.get("title", ""), num(c.get("points", 0) * weight),
            num(c.get("max_points", 0) * weight), "" if weight == 1 else " (weight %s)" % num(weight)))
        if problem:
            lines.append("  could not be graded: " + problem.replace("\n", "\n  "))
        for note in c.get("notes") or []:
            lines.append("  note: " + note)
        for k, t in enumerate(c.get("tests") or [], 1):
            got = round(float(t.get("points", 0)) * weight, 6)
            entry = {"name": "%s %s: %s" % (nn, t.get("function") or "", t["name"]),
                     "number": "%d.%d" % (c["chapter"], k),
                     "score": got, "max_score": round(float(t.get("max_points", 0)) * weight, 6),
                     "status": "passed" if t.get("passed") else "failed",
                     "output": test_output(t, problem), "output_format": "text",
                     "tags": [nn] + (["given"] if t.get("given") else []),
                     "visibility": HIDDEN_VISIBILITY if t.get("hidden") else "visible"}
            score += got
            tests.append(entry)
    text = "\n".join(notes + ([""] if notes else []) + lines)
    return {"score": round(score, 6), "execution_time": int(round(seconds)), "output": text,
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "stdout_visibility": "hidden", "tests": tests}


def num(x):
    return ("%.2f" % x).rstrip("0").rstrip(".")


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def grade_as():
    """The command prefix that runs the grader as the unprivileged user setup.sh
    made, when this runs as root and that user exists; else nothing."""
    if os.geteuid() != 0 or not shutil.which("runuser"):
        return [], None
    try:
        user = pwd.getpwnam(os.environ.get("AUTOGRADER_USER", GRADE_USER))
    except KeyError:
        return [], None
    return ["runuser", "-u", user.pw_name, "--"], user


def cmd_autograde(root):
    """Grade root/submission; write root/results/results.json, whatever happens."""
    t0 = time.time()
    out = os.path.join(root, "results", "results.json")
    submission = os.path.join(root, "submission")
    work = tempfile.mkdtemp(prefix="autograde.")
    try:
        if not os.path.isdir(submission):
            raise dist.DistError("there is no submission folder %s" % submission)
        exdir = os.path.join(work, "exercises")
        shutil.copytree(os.path.join(ROOT, "exercises"), exdir)
        try:
            with open(os.path.join(root, "source", CONFIG), encoding="utf-8") as f:
                chapters = [int(n) for n in json.load(f)["chapters"]]
        except (OSError, ValueError, KeyError, TypeError):
            chapters = [ch.number for ch in gradable()]
        chosen, notes = gather(submission, chapters)
        for key, path in sorted(chosen.items()):
            shutil.copyfile(path, os.path.join(exdir, key))
        print("autograde: graded files: %s" % (", ".join("%s <- %s" % (k, os.path.relpath(p, submission))
                                                          for k, p in sorted(chosen.items())) or "none"))
        for note in notes:
            print("autograde: " + note)
        prefix, user = grade_as()
        if user is not None:
            for folder, dirs, files in os.walk(work):
                for name in [folder] + [os.path.join(folder, f) for f in dirs + files]:
                    os.chown(name, user.pw_uid, user.pw_gid)
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "harness"), NO_COLOR="1")
        every = chapters == [ch.number for ch in gradable()]
        data = None
        for chapter in [None] if every else chapters:  # the grader takes all chapters, or one
            results = os.path.join(work, "results%s.json" % ("" if chapter is None else chapter))
            cmd = prefix + [sys.executable or "python3", "-m", "workbook", "check", "--exercises", exdir,
                            "--results", results] + ([] if chapter is None else ["--chapter", str(chapter)])
            try:
                r = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, errors="replace", timeout=GRADE_TIMEOUT)
                print(r.stdout)
            except subprocess.TimeoutExpired:
                raise dist.DistError("the grader took longer than %d minutes" % (GRADE_TIMEOUT // 60)) from None
            try:
                with open(results, encoding="utf-8") as f:
                    part = json.load(f)
            except (OSError, ValueError):
                raise dist.DistError("the grader wrote no results (exit status %d)" % r.returncode) from None
            if data is None:
                data = part
            else:
                data["chapters"] += part["chapters"]
        write_json(out, results_json(data, notes, time.time() - t0, exdir))
        print("autograde: wrote %s" % out)
        return 0
    except Exception as e:  # noqa: BLE001  (Gradescope must get a results.json whatever went wrong)
        print("autograde: error: %s" % e, file=sys.stderr)
        write_json(out, {"score": 0.0, "output": "The autograder could not grade this submission (%s). "
                                                 "Tell your instructor: the autograder's log has the details." % e,
                         "output_format": "text", "stdout_visibility": "hidden", "tests": []})
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---- GitHub Classroom ----------------------------------------------------------------

def chapter_points(ch):
    """What the chapter is worth in a course total: its points times its weight.
    GitHub Classroom's command grader takes whole points (parseInt)."""
    points = ch.max_points * ch.weight
    if abs(points - round(points)) > 1e-9:
        raise dist.DistError("chapter %d is worth %s points (%s x weight %s); GitHub Classroom's command grader "
                             "counts whole points only: make its points times its weight a whole number in "
                             "course.toml" % (ch.number, points, ch.max_points, ch.weight))
    return int(round(points))


def workflow():
    """The text of .github/workflows/classroom.yml, from the template and course.toml."""
    with open(os.path.join(CLASSROOM, "classroom.yml"), encoding="utf-8") as f:
        text = f.read()
    steps, env, runners = [], [], []
    for ch in gradable():
        points = chapter_points(ch)
        if points == 0:
            continue
        step = "ch%02d" % ch.number  # letters and digits: the reporter's runner ids
        name = "Chapter %d: %s" % (ch.number, ch.title)
        steps += ["      - name: %s" % json.dumps(name),
                  "        id: %s" % step,
                  "        uses: education/autograding-command-grader@v1",
                  "        with:",
                  "          test-name: %s" % json.dumps(name),
                  "          command: make check CHAPTER=%d" % ch.number,
                  "          timeout: 10",
                  "          max-score: %d" % points]
        env.append("          %s_RESULTS: \"${{ steps.%s.outputs.result }}\"" % (step.upper(), step))
        runners.append(step)
    if not runners:
        raise dist.DistError("course.toml has no chapter with points: nothing to grade")
    return (text.replace("@STEPS@", "\n".join(steps)).replace("@ENV@", "\n".join(env))
            .replace("@RUNNERS@", ",".join(runners)))


def cmd_classroom(out):
    t0 = time.time()
    out = out or os.path.join(dist.DIST, "classroom")
    plan = dist.student_plan()
    plan[".github/workflows/classroom.yml"] = (workflow().encode("utf-8"), 0o644)
    dist.write_dir(plan, out)
    secret = dist.solution_lines()
    leaks, exposures = dist.scan(out, secret)
    if dist.report_scan(out, leaks, exposures, secret):
        shutil.rmtree(out, ignore_errors=True)
        return 1
    total = sum(chapter_points(ch) for ch in gradable())
    dist.log("wrote %s/ (%d files, a workflow grading %d chapters for %d points) in %.1f s: make it a "
             "repository (git init, add, commit, push) and choose it as the assignment's template repository"
             % (dist.rel(out), len(plan), len(gradable()), total, time.time() - t0))
    return 0
