#!/usr/bin/env python3
"""grade.py: build a directory of exercises with the harness and grade it.

  grade.py [--chapter N] [--exercises DIR] [--results FILE]

Called by `make check CHAPTER=N EXERCISES=DIR`. For each chapter it compiles
the learner's files (warnings are errors, AddressSanitizer and UBSan on),
links them with the chapter's Criterion tests, runs the tests in a clean,
limited environment, and reads the verdict from Criterion's JSON report and
the harness's own per-test markers, never from what the learner's code prints.
Exit status: 0 when every test of every graded chapter passed, 1 when any
failed, 2 on bad input (unknown chapter, missing directory).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import course  # noqa: E402

ROOT = course.ROOT
BUILD = os.path.join(ROOT, "build", "grade")
CC = os.environ.get("GRADE_CC", "gcc")
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O0", "-g", "-fno-omit-frame-pointer",
          "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
INCLUDES = ["-I" + os.path.join(ROOT, "harness", "include"), "-I" + os.path.join(ROOT, "harness", "tests"),
            "-fmacro-prefix-map=%s/=" % ROOT]
HARNESS_SUPPORT = [os.path.join(ROOT, "harness", "tests", "gradcheck.c")]
TEST_TIMEOUT = 10          # seconds, per test (GRADED in gradcheck.h)
RUN_TIMEOUT = 120          # seconds, the whole chapter's test binary
OUTPUT_LINES = 20          # lines of the learner's own output shown
# Symbols the learner's files must not define: the grader's and Criterion's.
RESERVED = re.compile(r"^(main|gc_\w+|wb_\w+|ref_\w+|cr_\w+|criterion_\w+)$")

COLOR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def paint(text, code):
    return "\033[%sm%s\033[0m" % (code, text) if COLOR else text


class Result:
    def __init__(self, name, description):
        self.name, self.description = name, description
        self.passed, self.message = False, ""


def tests_of(ch):
    """The chapter's graded tests, read from its test file: (name, description)."""
    path = os.path.join(ROOT, "harness", "tests", "test_%s.c" % ch.nn)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r'^GRADED\(\s*\w+\s*,\s*(\w+)\s*,\s*"((?:[^"\\]|\\.)*)"\s*\)', text, re.M)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", **kw)


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.rstrip().splitlines())


def clean_env(extra):
    """A minimal environment: nothing of the caller's (no CRITERION_*), plus `extra`."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"}
    env.update(extra)
    return env


def limit_resources():
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (RUN_TIMEOUT, RUN_TIMEOUT + 5))
    os.setsid()


def defined_symbols(obj):
    out = run(["nm", "--defined-only", "-g", "-P", obj]).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def compile_chapter(ch, exdir, work):
    """Compile the learner's files and link the test binary. Returns (binary, problem)."""
    objs = []
    for name in ch.files:
        src = os.path.join(exdir, ch.nn, name)
        shown = display(src)
        if not os.path.isfile(src):
            return None, ("%s is missing.\n  If you deleted it by accident, `git checkout -- %s` restores "
                          "the original stub." % (shown, shown))
        obj = os.path.join(work, name + ".o")
        r = run([CC] + CFLAGS + INCLUDES + ["-c", shown, "-o", obj])
        if r.returncode != 0:
            return None, "%s does not compile (warnings count as errors):\n%s" % (shown, indent(r.stdout))
        for sym in sorted(defined_symbols(obj)):
            if RESERVED.match(sym):
                what = "a main function" if sym == "main" else "the symbol '%s'" % sym
                return None, ("%s defines %s, which belongs to the grader.\n  Remove or rename it: "
                              "exercise files hold only the chapter's functions." % (shown, what))
        objs.append(obj)
    harness = []
    for src in HARNESS_SUPPORT + [os.path.join(ROOT, "harness", "tests", "test_%s.c" % ch.nn)]:
        obj = os.path.join(work, "harness_" + os.path.basename(src) + ".o")
        r = run([CC] + CFLAGS + INCLUDES + ["-c", src, "-o", obj])
        if r.returncode != 0:
            return None, "the grader itself does not compile (a bug in harness/, not in your code):\n" + indent(r.stdout)
        harness.append(obj)
    binary = os.path.join(work, "test_%s" % ch.nn)
    crit = run(["pkg-config", "--libs", "criterion"]).stdout.split() or ["-lcriterion"]
    r = run([CC] + CFLAGS + harness + objs + crit + ["-lm", "-o", binary])
    if r.returncode != 0:
        return None, "linking your files with the grader failed:\n%s" % indent(r.stdout)
    return binary, None


def read_marker(path):
    info = {"pid": None, "signal": None, "end": False}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if parts[:1] == ["start"] and len(parts) > 1:
                    info["pid"] = parts[1]
                elif parts[:1] == ["signal"] and len(parts) > 1:
                    info["signal"] = parts[1]
                elif parts == ["end"]:
                    info["end"] = True
    except OSError:
        pass
    return info


SIGNAL_HINTS = {
    "SIGSEGV": "an invalid memory access: a NULL or wild pointer, or an index out of bounds",
    "SIGBUS": "an invalid memory access",
    "SIGFPE": "an integer division by zero",
    "SIGILL": "an illegal instruction (often a function that fell off its end)",
    "SIGABRT": "abort() was called, or an assert() failed",
}


def sanitizer_report(logdir, pid):
    """The first lines of an ASan/UBSan report written by process `pid`, or None."""
    if not pid:
        return None
    for prefix in ("asan", "ubsan"):
        path = os.path.join(logdir, "%s.%s" % (prefix, pid))
        if os.path.exists(path):
            text = open(path, encoding="utf-8", errors="replace").read()
            lines = [l for l in text.splitlines() if l.strip() and not l.startswith("=")]
            head = [l for l in lines if "ERROR" in l or "runtime error" in l][:1]
            frames = [l.strip() for l in lines if re.search(r"#\d+ .* /", l) and "/harness/" not in l
                      and "libasan" not in l and "libcriterion" not in l][:3]
            summary = (head or lines[:1]) + frames
            return "\n".join(summary) if summary else text[:500]
    return None


def explain(test, status, messages, marker, logdir):
    """Turn Criterion's verdict and the marker into a pass or a message."""
    sanitizer = sanitizer_report(logdir, marker["pid"])
    if sanitizer:
        return False, ("your code did something undefined; the sanitizer stopped it:\n%s"
                       % indent(sanitizer, "  "))
    if status == "PASSED":
        if marker["end"]:
            return True, ""
        return False, ("the test never reached its end: your code ended the process (exit() or _exit() "
                       "called?) before the grader could check anything. A test that stops early fails.")
    text = "\n".join(messages)
    if "timed out" in text.lower():
        return False, ("timed out after %d s: look for a loop that never ends or a recursion "
                       "with no base case" % TEST_TIMEOUT)
    if status == "ERRORED" or "crash" in text.lower():
        sig = marker["signal"]
        if sig:
            return False, "crashed (%s): %s." % (sig, SIGNAL_HINTS.get(sig, "the process died"))
        return False, "crashed: the test process died before it finished"
    # Criterion prefixes the first line with the harness's file:line; drop it.
    lines = list(messages)
    if lines:
        lines[0] = re.sub(r"^\S+\.c:\d+: ", "", lines[0])
    return False, "\n".join(l.rstrip() for l in lines if l.strip()) or "failed"


def grade_chapter(ch, exdir, workroot):
    """Grade one chapter. Returns (results, problem): problem is a whole-chapter
    error (does not compile, did not run), or None."""
    expected = tests_of(ch)
    results = [Result(n, d) for n, d in expected]
    work = os.path.join(workroot, ch.nn)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary, problem = compile_chapter(ch, exdir, work)
    if problem:
        return results, problem, ""
    markers, logs = os.path.join(work, "markers"), os.path.join(work, "logs")
    os.makedirs(markers)
    os.makedirs(logs)
    report = os.path.join(work, "report.json")
    env = clean_env({
        "WB_MARKERS": markers,
        "ASAN_OPTIONS": "log_path=%s/asan:detect_leaks=0:abort_on_error=0:allocator_may_return_null=1:"
                        "max_allocation_size_mb=512" % logs,
        "UBSAN_OPTIONS": "log_path=%s/ubsan:print_stacktrace=1:halt_on_error=1" % logs,
    })
    cmd = [binary, "--json=" + report, "--jobs=2"]
    try:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                preexec_fn=limit_resources)
        try:
            out, _ = proc.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
            return results, "the tests did not finish within %d s and were stopped" % RUN_TIMEOUT, ""
    except OSError as e:
        return results, "could not run the tests: %s" % e, ""
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # nothing the learner started outlives the run
        except (ProcessLookupError, UnboundLocalError, PermissionError):
            pass
    output = out.decode("utf-8", "replace")
    try:
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return results, ("the test run ended without a report (exit status %s): "
                         "something killed the grader's process" % proc.returncode), output
    reported = {}
    for suite in data.get("test_suites", []):
        for t in suite.get("tests", []):
            reported[t["name"]] = t
    for r in results:
        t = reported.get(r.name)
        if t is None:
            r.message = "did not run"
            continue
        marker = read_marker(os.path.join(markers, "%s.%s" % (ch.nn, r.name)))
        r.passed, r.message = explain(r, t.get("status"), t.get("messages", []), marker, logs)
    return results, None, output


def learner_output(output):
    """What the learner's code printed, without Criterion's own lines."""
    lines = [l for l in output.splitlines()
             if l.strip() and not re.match(r"^\[(----|FAIL|PASS|====|WARN|ERR |RUN |SKIP)\]", l)
             and not l.startswith("==") and "Criterion v" not in l]
    return lines


def display(path):
    """A path as the learner typed it: relative when under the current folder."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def print_chapter(ch, exdir, results, problem, output):
    shown = display(os.path.join(exdir, ch.nn))
    print(paint("Chapter %d: %s" % (ch.number, ch.title), "1") + "  (%s)" % shown)
    if problem:
        print(indent(problem, "  "))
    else:
        width = max(len(r.name) for r in results) if results else 0
        for r in results:
            mark = paint("PASS", "32") if r.passed else paint("FAIL", "31")
            print("  %s  %-*s  %s" % (mark, width, r.name, r.description))
            if not r.passed:
                print(indent(r.message, "        "))
        extra = learner_output(output)
        if extra:
            print("  your code printed (first %d lines, for your debugging only):" % OUTPUT_LINES)
            print(indent("\n".join(extra[:OUTPUT_LINES]), "  | "))
    passed = sum(r.passed for r in results)
    line = "chapter %d: %d/%d passed" % (ch.number, passed, len(results))
    print(paint(line, "1;32" if passed == len(results) else "1;31"))
    print()
    return passed, len(results)


def usage_error(message):
    print("error: " + message, file=sys.stderr)
    return 2


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chapter", default="")
    ap.add_argument("--exercises", default="exercises")
    ap.add_argument("--results", help="also write the results as JSON to this file")
    args = ap.parse_args(argv)

    gradable = [ch for ch in course.chapters() if ch.gradable]
    valid = "valid chapters: " + ", ".join("%d (%s)" % (c.number, c.title) for c in gradable)
    chosen = args.chapter.strip()
    if chosen:
        if not re.fullmatch(r"0?[0-9]+", chosen):
            return usage_error("CHAPTER=%s is not a chapter number; %s. Example: make check CHAPTER=%d"
                               % (chosen, valid, gradable[0].number))
        ch = course.chapter(int(chosen))
        if ch is None or not ch.gradable:
            why = "has no exercises yet" if ch else "does not exist"
            return usage_error("chapter %s %s; %s. Example: make check CHAPTER=%d"
                               % (chosen, why, valid, gradable[0].number))
        chapters = [ch]
    else:
        chapters = gradable

    exdir = os.path.abspath(args.exercises)
    if not os.path.isdir(exdir):
        return usage_error("EXERCISES=%s is not a directory. Give the folder that holds ch01/, ch02/, ... "
                           "(default: exercises)" % args.exercises)
    if not any(os.path.isdir(os.path.join(exdir, c.nn)) for c in chapters):
        return usage_error("EXERCISES=%s holds none of %s: is it the right folder? It should look like "
                           "exercises/ (with ch03/mul_layer.c and so on)"
                           % (args.exercises, ", ".join(c.nn + "/" for c in chapters)))

    # One build folder per graded directory, so grading a submission never
    # touches another's results, and the learner's folder is only read.
    tag = re.sub(r"[^A-Za-z0-9]+", "_", os.path.relpath(exdir, ROOT) if exdir.startswith(ROOT) else exdir).strip("_")
    try:
        os.makedirs(BUILD, exist_ok=True)
        workroot = tempfile.mkdtemp(prefix=tag + ".", dir=BUILD)
    except OSError as e:
        return usage_error("cannot create the grader's build folder under %s (%s). Is the checkout read-only? "
                           "Copy it somewhere writable." % (os.path.relpath(BUILD), e.strerror))

    summary, record = [], []
    try:
        for ch in chapters:
            results, problem, output = grade_chapter(ch, exdir, workroot)
            if problem:
                for r in results:
                    r.passed, r.message = False, problem
            passed, total = print_chapter(ch, exdir, results, problem, output)
            summary.append((ch, passed, total))
            record.append({"chapter": ch.number, "title": ch.title, "passed": passed, "total": total,
                           "tests": [{"name": r.name, "description": r.description, "passed": r.passed,
                                      "message": r.message} for r in results]})
    finally:
        shutil.rmtree(workroot, ignore_errors=True)

    if len(summary) > 1:
        print(paint("Summary", "1"))
        for ch, passed, total in summary:
            bar = "#" * passed + "." * (total - passed)
            print("  chapter %d  %-40s %3d/%-3d %s" % (ch.number, ch.title, passed, total, bar))
        allp, allt = sum(s[1] for s in summary), sum(s[2] for s in summary)
        print("total: %d/%d passed" % (allp, allt))
    if args.results:
        tmp = args.results + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"exercises": args.exercises, "chapters": record}, f, indent=2)
        os.replace(tmp, args.results)
    return 0 if all(p == t for _, p, t in summary) else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was written to your files", file=sys.stderr)
        sys.exit(130)
