"""selftest.learner: the learner's loop (make progress, hint, watch, reset) as a
learner meets it, in a clone of the workbook, and course.toml's rules.

Each behaviour is also run on a sabotaged copy of harness/workbook/learner.py
(a hint that never advances, a reset that keeps no backup, progress that
forgets nothing or regrades nothing, a watch that never regrades): the check
must fail on each, or it proves nothing.
"""
import os
import pty
import re
import select
import shutil
import signal
import tempfile
import threading
import time

from selftest import Failure, expect_refused
from selftest.keep_work import learner_clone, run
from workbook import course

ROOT = course.ROOT
LEARNER = os.path.join("harness", "workbook", "learner.py")
REGRADE_WAIT = {False: 25, True: 10}  # seconds from a save to its grade (about 1 s unloaded), by sabotaged
SABOTAGED = threading.local()  # .on: this thread's check runs on a sabotaged copy


def make(clone, *args, timeout=120):
    return run(["make", "--no-print-directory"] + list(args), cwd=clone, timeout=timeout)


def put(clone, rel, src_rel):
    shutil.copyfile(os.path.join(clone, src_rel), os.path.join(clone, rel))


class Terminal:
    """A command on a pseudo-terminal, as typed at a prompt: Ctrl-C and
    questions reach it as they would a learner's."""

    def __init__(self, cmd, cwd, env=None):
        self.out = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(cwd)
                env = dict(env or os.environ)
                for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
                    env.pop(var, None)
                env["TERM"] = "dumb"
                os.execvpe(cmd[0], cmd, env)
            finally:
                os._exit(127)

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.out += data
            return bool(data)
        return True

    def expect(self, pattern, timeout=60, start=0):
        """Wait until the output since `start` matches; returns the end of the match."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern.encode(), self.out[start:])
            if m:
                return start + m.end()
            if not self.read(0.2):
                break
        raise Failure("waited %d s for %r; the terminal showed:\n%s"
                      % (timeout, pattern, self.text()[-3000:]))

    def send(self, data):
        os.write(self.fd, data)

    def wait(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self.read(0.1):
                    pass
                return os.waitstatus_to_exitcode(status)
            self.read(0.2)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        raise Failure("the command did not end within %d s; it showed:\n%s" % (timeout, self.text()[-3000:]))

    def text(self):
        return self.out.decode("utf-8", "replace").replace("\r\n", "\n")


# ---- the behaviours, each on a clone ----------------------------------------

def progress_behaviour(clone):
    status, out = make(clone, "progress")
    if status != 0 or "Progress: 0 of" not in out or "next: write graph_backward in exercises/ch01/graph.c" not in out:
        raise Failure("make progress on pristine stubs should show nothing done and graph_backward next:\n" + out)
    for f in ("graph.c", "numerical_diff.c"):
        put(clone, "exercises/ch01/" + f, "solutions/ch01/" + f)
    # add_backward half right: dy forgets dout
    path = os.path.join(clone, "exercises", "ch03", "add_layer.c")
    text = open(os.path.join(clone, "solutions", "ch03", "add_layer.c")).read()
    open(path, "w").write(text.replace("*dy = dout * 1.0;", "*dy = 1.0;"))
    status, out = make(clone, "progress")
    lines = {m.group(2): m.group(1) for m in re.finditer(r"^  (done|FAIL|todo|\?\?\?\?)  (\w+)", out, re.M)}
    want = {"graph_backward": "done", "numerical_diff": "done", "add_backward": "FAIL", "mul_backward": "todo",
            "affine_backward": "todo"}
    wrong = ["%s: %s, not %s" % (k, lines.get(k), v) for k, v in want.items() if lines.get(k) != v]
    if wrong or "next: write square_backward in exercises/ch02/unary_nodes.c" not in out:
        raise Failure("after chapter 1 solved and add_backward half right, make progress says:\n%s\nwrong: %s"
                      % (out, "; ".join(wrong) or "the next step"))
    if "graded now: chapter 1, 3;" not in out:
        raise Failure("make progress should regrade chapters 1 and 3 (their files changed) and no other:\n" + out)
    if "Progress: 2 of" not in out:
        raise Failure("two functions are done:\n" + out)
    status, out = make(clone, "progress")
    if "graded now" in out:
        raise Failure("nothing changed, yet make progress graded again:\n" + out)


def hint_behaviour(clone):
    mul = [f for f in course.chapter(3).functions if f.name == "mul_backward"][0]
    if len(mul.hints) < 2:
        raise Failure("course.toml gives mul_backward fewer than two hints: nothing progressive to test")
    for k in range(1, len(mul.hints) + 2):
        status, out = make(clone, "hint", "EXERCISE=mul_backward")
        shown = min(k, len(mul.hints))
        got = re.findall(r"^hint (\d+) of (\d+)", out, re.M)
        if status != 0 or got != [(str(i), str(len(mul.hints))) for i in range(1, shown + 1)]:
            raise Failure("asking for the hint of mul_backward time %d should show hints 1 to %d of %d:\n%s"
                          % (k, shown, len(mul.hints), out))
        if mul.hints[shown - 1].split()[0] not in out:
            raise Failure("the newest hint's text is missing:\n" + out)
        last = "That is the last hint" in out
        if last != (shown == len(mul.hints)):
            raise Failure("only the last hint should say it is the last:\n" + out)
    status, out = make(clone, "hint", "CHAPTER=1")  # progress_behaviour solved chapter 1
    if "Every function of chapter 1 passes" not in out:
        raise Failure("make hint CHAPTER=1 with chapter 1 done should say so:\n" + out)
    status, out = make(clone, "hint", "CHAPTER=4")
    if "Hints for relu_backward" not in out:
        raise Failure("make hint CHAPTER=4 should give the first function of chapter 4 not done:\n" + out)
    status, out = make(clone, "hint", "EXERCISE=mul_layer")
    if "Hints for mul_backward" not in out:
        raise Failure("make hint EXERCISE=mul_layer (a file) should give its first function's hints:\n" + out)
    status, out = make(clone, "hint", "EXERCISE=mul_backwrd")
    if status == 0 or "functions: graph_backward" not in out:
        raise Failure("an unknown EXERCISE should be refused with the list of names:\n" + out)
    status, out = make(clone, "check", "CHAPTER=3")
    if "stuck on add_backward? make hint EXERCISE=add_backward" not in out:
        raise Failure("after a failing add_backward, make check should suggest make hint:\n" + out)


def watch_behaviour(clone, poll):
    env = dict(os.environ, PYTHONPATH=os.path.join(clone, "harness"))
    if poll:
        env["WATCH_POLL"] = "1"
    term = Terminal(["make", "--no-print-directory", "watch", "CHAPTER=4"], clone, env)
    try:
        at = term.expect(r"chapter 4: 0/\d+ passed", 90)
        at = term.expect(r"waiting for a save \((inotify|polling)", 10, at)
        how = "polling" if poll else "inotify"
        if "waiting for a save (%s" % how not in term.text():
            raise Failure("make watch should be watching by %s:\n%s" % (how, term.text()))
        if "first failing test: relu_backward" not in term.text():
            raise Failure("watch should show the first failing test in full:\n" + term.text())
        # a save a moment after the watch is in place (one right away is seen
        # by its first look, before inotify or polling: the sabotages of
        # those would go unnoticed); an editor's save: write a new file,
        # rename it over the old one
        time.sleep(0.7)
        path = os.path.join(clone, "exercises", "ch04", "relu_layer.c")
        with open(path + ".swp", "w") as f:
            f.write(open(os.path.join(clone, "solutions", "ch04", "relu_layer.c")).read())
        os.replace(path + ".swp", path)
        at = term.expect(r"chapter 4: %d/\d+ passed" % RELU_TESTS, REGRADE_WAIT[getattr(SABOTAGED, "on", False)], at)
        term.expect(r"first failing test: sigmoid_backward", 5, at - 2000 if at > 2000 else 0)
        term.expect(r"waiting for a save", 10, at)
        term.send(b"\x03")
        status = term.wait(20)
    except Failure:
        try:
            os.kill(term.pid, signal.SIGKILL)
        except OSError:
            pass
        raise
    text = term.text()
    # watch takes the terminal's foreground for itself: make never sees the
    # Ctrl-C (it would end by it, at times with "make: *** wait: No child processes")
    if status != 0 or "watch stopped" not in text \
            or re.search(r"\*\*\*|Interrupt|Traceback|Error", text):
        raise Failure("Ctrl-C should leave make watch cleanly (no make error, no traceback); exit %s:\n%s"
                      % (status, text[-2000:]))
    return text


def reset_behaviour(clone):
    rel = "exercises/ch03/mul_layer.c"
    path = os.path.join(clone, rel)
    mine = open(path).read().replace("/* TODO", "/* my notes */ /* TODO", 1)
    open(path, "w").write(mine)
    # no terminal to ask in: refused, nothing written
    status, out = run(["make", "--no-print-directory", "reset", "EXERCISE=mul_backward"], cwd=clone)
    if status == 0 or "YES=1" not in out or open(path).read() != mine:
        raise Failure("make reset without a terminal should refuse and say YES=1; exit %d:\n%s" % (status, out))
    # asked, answered no
    term = Terminal(["make", "--no-print-directory", "reset", "EXERCISE=mul_backward"], clone)
    term.expect(r"\[y/N\]", 30)
    term.send(b"n\n")
    term.wait(30)
    if open(path).read() != mine or [n for n in os.listdir(os.path.dirname(path)) if n.endswith("~")]:
        raise Failure("answering n should leave the file as it was and write no backup:\n" + term.text())
    # asked, answered yes
    term = Terminal(["make", "--no-print-directory", "reset", "EXERCISE=mul_layer.c"], clone)
    term.expect(r"\[y/N\]", 30)
    term.send(b"y\n")
    status = term.wait(30)
    stub = open(os.path.join(clone, "exercises", "ch03", "mul_layer.c")).read()
    m = re.search(r"Your version: (\S+)", term.text())
    if status != 0 or m is None:
        raise Failure("after y, make reset should say where your version is; exit %d:\n%s" % (status, term.text()))
    backup = os.path.join(clone, m.group(1))
    if not os.path.isfile(backup) or open(backup).read() != mine:
        raise Failure("the backup %s does not hold the learner's file" % m.group(1))
    status, out = run(["/usr/bin/sha256sum", "-c", "--quiet", ".generated"], cwd=os.path.join(clone, "exercises"))
    if "mul_layer.c" in out or "my notes" in stub:
        raise Failure("the reset file is not the pristine stub:\n" + out)
    status, out = run(["make", "--no-print-directory", "reset", "EXERCISE=mul_layer", "YES=1"], cwd=clone)
    if status != 0 or "already the pristine stub" not in out:
        raise Failure("resetting a pristine stub should say there is nothing to do:\n" + out)


# ---- each behaviour, and each shown failing on a sabotaged learner.py ---------

RELU_TESTS = len([f for f in course.chapter(4).functions if f.name == "relu_backward"][0].tests)
# what: (code in learner.py, what it becomes, what the check's failure must say)
SABOTAGE = {
    "hint": ('shown = min(seen.get(key, 0) + 1, len(hints))', 'shown = 1', "time 2 should show hints 1 to 2"),
    "reset": ('backup = source._backup(path, have) if have is not None else None', 'backup = None',
              "should say where your version is"),
    "progress-forgets": ('        if record is not None:\n            got[ch.number] = record',
                         '        if False:\n            got[ch.number] = record', "regrade chapters 1 and 3"),
    "progress-stale": ('entry.get("files") == files_stamp(ch) and ', '', "after chapter 1 solved"),
    # the save is never seen: no regrade showing relu_backward's tests passing
    "watch": ('if line.strip() in ch.files and snapshot(ch) != before:', 'if False:', "for 'chapter 4: 3/"),
    "watch-poll": ('    while snapshot(ch) == before:\n        time.sleep(0.5)', '    while True:\n        time.sleep(0.5)',
                   "for 'chapter 4: %d/" % RELU_TESTS),
}


def sabotage(clone, what):
    path = os.path.join(clone, LEARNER)
    text = open(path).read()
    old, new, _ = SABOTAGE[what]
    if old not in text:
        raise Failure("the sabotage %r no longer matches harness/workbook/learner.py: update SABOTAGE" % what)
    open(path, "w").write(text.replace(old, new))


def in_clone(fn, *sabotages):
    def check():
        tmp = tempfile.mkdtemp(prefix="learner-")
        try:
            clone = learner_clone(tmp)
            if not sabotages:
                fn(clone)
                return
            pristine = os.path.join(tmp, "exercises.pristine")
            shutil.copytree(os.path.join(clone, "exercises"), pristine)
            SABOTAGED.on = True
            for what in sabotages:
                shutil.rmtree(os.path.join(clone, "build"), ignore_errors=True)
                shutil.rmtree(os.path.join(clone, "exercises"))
                shutil.copytree(pristine, os.path.join(clone, "exercises"))
                shutil.copyfile(os.path.join(ROOT, LEARNER), os.path.join(clone, LEARNER))
                sabotage(clone, what)
                try:
                    fn(clone)
                except Failure as e:
                    if SABOTAGE[what][2] in str(e):
                        continue
                    raise Failure("on learner.py sabotaged (%s) the check failed, but not by saying %r:\n%s"
                                  % (what, SABOTAGE[what][2], e))
                raise Failure("the check passed on learner.py sabotaged (%s): it proves nothing" % what)
        finally:
            SABOTAGED.on = False
            shutil.rmtree(tmp, ignore_errors=True)
    return check


def progress_and_hint(clone):
    progress_behaviour(clone)
    hint_behaviour(clone)


def watch_both(clone):
    watch_behaviour(clone, poll=False)
    # relu_backward back to its stub, for the polling round
    shutil.copyfile(os.path.join(ROOT, "exercises", "ch04", "relu_layer.c"),
                    os.path.join(clone, "exercises", "ch04", "relu_layer.c"))
    watch_behaviour(clone, poll=True)


# ---- course.toml's rules -----------------------------------------------------

BROKEN_MANIFESTS = [
    ("weight = -1", 'title = "The computation graph"', 'title = "The computation graph"\nweight = -1', "weight"),
    ("points naming a test the function lacks", 'name = "numerical_diff"',
     'name = "numerical_diff"\n  points = { numerical_diff_nope = 2 }', "not one of its tests"),
    ("a hint that is a number", 'name = "scale_backward"', 'name = "scale_backward"\n  hidden = []\n  hints = 0', "unknown key"),
    ("a hint list holding a number", '  hint = [\n', '  hint = [\n    3,\n', "hint must be"),
    ("hidden naming another function's test", 'name = "numerical_diff"',
     'name = "numerical_diff"\n  hidden = ["graph_backward_apple"]', "hidden must list"),
    ("an unknown key", 'name = "numerical_diff"', 'name = "numerical_diff"\n  hints = ["x"]', "unknown key"),
]


def check_manifest_rules():
    text = open(course.MANIFEST).read()
    tmp = tempfile.mkdtemp(prefix="manifest-")
    try:
        # the manifest's rules find its chapters' files beside it
        os.symlink(os.path.join(ROOT, "chapters"), os.path.join(tmp, "chapters"))
        good = os.path.join(tmp, "course.toml")
        open(good, "w").write(text.replace('name = "numerical_diff"', 'name = "numerical_diff"\n  points = '
                                                                       '{ numerical_diff_known = 3 }\n  '
                                                                       'hidden = ["numerical_diff_step"]', 1)
                              .replace('title = "The computation graph"',
                                       'title = "The computation graph"\nweight = 2', 1))
        ch1 = [c for c in course.chapters(good) if c.number == 1][0]
        nd = [f for f in ch1.functions if f.name == "numerical_diff"][0]
        if (ch1.weight, nd.test_points("numerical_diff_known"), nd.test_points("numerical_diff_step"),
                nd.hidden) != (2.0, 3.0, 0.0, {"numerical_diff_step"}):
            raise Failure("weight, points by test and hidden were not read as written")
        for name, old, new, says in BROKEN_MANIFESTS:
            expect_refused(tmp, name, text.replace(old, new, 1), says)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks():
    return [
        ("course.toml: weight, points by test, hidden, hints read; each broken rule named", check_manifest_rules, ()),
        ("make progress and make hint as a learner uses them", in_clone(progress_and_hint), ()),
        ("make reset asks, keeps a backup, restores the stub", in_clone(reset_behaviour), ()),
        ("make watch regrades on save (inotify and polling); Ctrl-C leaves cleanly", in_clone(watch_both), ()),
        # each shown failing: the behaviour that would catch the sabotage, on a sabotaged copy
        ("learner's-loop checks fail on a sabotaged learner.py (progress)",
         in_clone(progress_behaviour, "progress-forgets", "progress-stale"), ()),
        ("learner's-loop checks fail on a sabotaged learner.py (hint, reset)",
         in_clone(lambda c: (reset_behaviour(c), hint_behaviour(c)), "hint", "reset"), ()),
        ("learner's-loop checks fail on a sabotaged learner.py (watch)",
         in_clone(lambda c: watch_behaviour(c, poll=False), "watch"), ()),
        ("learner's-loop checks fail on a sabotaged learner.py (watch, polling)",
         in_clone(lambda c: watch_behaviour(c, poll=True), "watch-poll"), ()),
    ]
