"""grade.py: build a directory of exercises with the harness and grade it.

  grade.py [--chapter N] [--exercises DIR] [--results FILE]

Called by `make check CHAPTER=N EXERCISES=DIR`. For each chapter it compiles
the learner's files (warnings are errors, AddressSanitizer and UBSan on),
links them with the chapter's Criterion tests and runs the tests, each in its
own sandboxed process (harness/grader/gc_guard.c), in a clean environment with
limits on time, memory and output.

The verdict of a test comes from one record, the run's event log (one JSON
object a line, described at the top of harness/grader/gc_guard.c), never from
what the learner's code prints. Two kinds of process write it:
  - Criterion's runner (which never runs the learner's code), through report
    hooks: how each test ended, its failed assertions, Criterion's verdict.
    Each of its lines carries a MAC under a key only the runner and, after the
    run, the grader know, so the learner's code cannot forge them;
  - the harness inside the test's process: "end" once the test body has
    returned, or the signal or forbidden call that stopped it, and where.
A test passes only when the runner says it ran to its end and passed, and the
test's own "end" line is there.

Exit status: 0 when every test of every graded chapter passed, 1 when any
failed, 2 on bad input (unknown chapter, wrong folder), 130 when interrupted.

Environment (for maintainers): GRADE_CC (compiler, default gcc),
GRADE_TIMEOUT (seconds per test, default 10, at most 60), GRADE_KEEP=1 (keep
the build folder and print where it is).
"""
import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

from workbook import course

ROOT = course.ROOT
BUILD = os.path.join(ROOT, "build", "grade")
CC = os.environ.get("GRADE_CC", "gcc")
CFLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O0", "-g", "-fno-omit-frame-pointer",
          "-fdiagnostics-color=never",
          "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
PLAIN_CFLAGS = ["-std=c11", "-O0", "-w", "-fdiagnostics-color=never"]
# The rule for the learner's files: every warning stops the build, except an
# unused parameter, variable or function, which cannot make a result wrong by
# itself (a correct add_backward never reads `layer`, and the book says to
# delete the whole TODO block, (void) casts included). Those are shown as notes,
# with the hint for an unused upstream gradient (`dout`), which is a bug.
LEARNER_CFLAGS = CFLAGS + ["-Wno-error=unused-parameter", "-Wno-error=unused-variable",
                           "-Wno-error=unused-but-set-variable", "-Wno-error=unused-but-set-parameter",
                           "-Wno-error=unused-function"]
INCLUDES = ["-I" + os.path.join(ROOT, "harness", "include"), "-I" + os.path.join(ROOT, "harness", "grader"),
            "-fmacro-prefix-map=%s/=" % ROOT]
HARNESS_SUPPORT = [os.path.join(ROOT, "harness", "grader", f) for f in ("gradcheck.c", "gc_guard.c")]
JOBS = 2                   # tests run in parallel
MAX_TIMEOUT = 60           # GRADED's own .timeout in gradcheck.h: the grader can only lower it
MEMORY_MB = 1024           # resident memory of one test process
ALLOCATION_MB = 512        # one malloc
OUTPUT_MB = 8              # what one test may print (RLIMIT_FSIZE)
OUTPUT_LINES = 12          # lines of the learner's own output shown under a failing test
COMPILER_LINES = 40        # lines of compiler output shown
# Symbols the learner's files must not define: the grader's and Criterion's.
RESERVED = re.compile(r"^(main|gc_\w+|wb_\w+|ref_\w+|cr_\w+|criterion_\w+|bxf_\w+|__asan\w*|__ubsan\w*|"
                      r"__sanitizer\w*|_init|_fini|_start)$")


def test_timeout():
    try:
        value = int(os.environ.get("GRADE_TIMEOUT", "10"))
    except ValueError:
        value = 10
    return max(1, min(value, MAX_TIMEOUT))


TEST_TIMEOUT = test_timeout()
COLOR = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def paint(text, code):
    return "\033[%sm%s\033[0m" % (code, text) if COLOR else text


class Interrupted(Exception):
    pass


class Result:
    def __init__(self, name, description, given=False, uses=(), points=1.0, hint=None, function=None,
                 hidden=False):
        self.name, self.description, self.given, self.uses = name, description, given, list(uses)
        self.points, self.hint, self.function, self.hidden = points, hint, function, hidden
        self.passed, self.message, self.output = False, "", []

    def record(self):
        """The test's entry in --results (version 2)."""
        return {"name": self.name, "description": self.description, "function": self.function,
                "passed": self.passed, "given": self.given, "hidden": self.hidden,
                "points": self.points if self.passed else 0.0, "max_points": self.points,
                "hint": self.hint, "message": self.message}


TEST_DECL = re.compile(r'^GRADED\(\s*(\w+)\s*,\s*(\w+)\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', re.M)


def tests_of(ch):
    """The chapter's tests, read from its test file, with what course.toml says of
    each: [(name, description, given, uses, points, hint, function, hidden)]. A given test checks
    code the chapter gives (its forwards), reported apart from the learner's
    score. A comment line `/* uses: test_a test_b */` right above a test names
    the tests of the functions it builds on: when one of those fails too, its
    message says so."""
    path = os.path.join(ROOT, "harness", "grader", "test_%s.c" % ch.nn)
    rel = os.path.relpath(path, ROOT)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    found, uses = [], {}
    # GRADED(suite, name, "description" ["continued" ...]): C joins adjacent strings
    for m in TEST_DECL.finditer(text):
        if m.group(1) != ch.nn:
            raise SystemExit("grader bug: %s declares GRADED(%s, %s, ...): the suite must be the chapter's folder "
                             "name, %s" % (rel, m.group(1), m.group(2), ch.nn))
        above = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        u = re.fullmatch(r"\s*/\*\s*uses:\s*([\w\s]+?)\s*\*/\s*", above)
        if u:
            uses[m.group(2)] = u.group(1).split()
        found.append((m.group(2), "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3)))))
    declared = len(re.findall(r"^GRADED\(", text, re.M))
    if declared != len(found):
        raise SystemExit("grader bug: %s declares %d tests but only %d could be read; write each as "
                         "GRADED(suite, name, \"description\")" % (rel, declared, len(found)))
    names = [n for n, _ in found]
    listed = [t for f in ch.functions for t in f.tests]
    problems = ["%s declares the test %s, which no [[chapter.function]] of chapter %d in course.toml lists"
                % (rel, n, ch.number) for n in names if n not in listed]
    problems += ["course.toml lists the test %s for chapter %d, which %s does not declare" % (t, ch.number, rel)
                 for t in listed if t not in names]
    problems += ["%s: the test %s uses %s, which the file does not declare" % (rel, n, ", ".join(u))
                 for n, used in uses.items() for u in [[x for x in used if x not in names]] if u]
    if problems:
        raise SystemExit("grader bug: " + "\n  ".join(problems))
    result = []
    for name, description in found:
        function, points = ch.test(name)
        result.append((name, description, function.given, uses.get(name, []), points, function.hint,
                       function.name, name in function.hidden))
    return result


def clean_env(extra=None):
    """A minimal environment: of the caller's, only PATH (to find the compiler);
    no CRITERION_*, ASAN_OPTIONS, LD_PRELOAD, CPATH, ...; plus `extra`."""
    env = {"PATH": os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "LC_ALL": "C.UTF-8", "HOME": "/nonexistent"}
    env.update(extra or {})
    return env


BUILD_MEMORY_MB = 2048   # address space of the compiler or linker on a learner's file
BUILD_SECONDS = 120      # and its time


def limit_build():
    """The compiler is the learner's first program: `#include "/dev/zero"` would
    have it read until the machine runs out of memory."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (BUILD_MEMORY_MB << 20, BUILD_MEMORY_MB << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (BUILD_SECONDS, BUILD_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, work):
    """Run a build tool in the clean environment (plain ASCII messages), within
    limits of memory and time; its temporary files go to `work`."""
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                              env=clean_env({"TMPDIR": work, "LC_ALL": "C", "LANG": "C"}), stdin=subprocess.DEVNULL,
                              preexec_fn=limit_build, timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 1, "the compiler stopped after %d s: does a file #include "
                                                   "something that never ends?" % BUILD_SECONDS)


def indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.rstrip().splitlines())


def printable(line, width=200):
    """A line of text the learner's code produced, made harmless for a terminal:
    no carriage returns, escape sequences or other control characters."""
    out = []
    for ch in line:
        if ch == "\t":
            out.append("    ")
        elif ord(ch) < 32 or ord(ch) == 127 or 0x80 <= ord(ch) < 0xA0:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    text = "".join(out)
    return text if len(text) <= width else text[:width] + " ..."


def first_lines(text, n):
    lines = text.rstrip().splitlines()
    if len(lines) > n:
        lines = lines[:n] + ["... (%d more lines)" % (len(lines) - n)]
    return "\n".join(printable(l, 300) for l in lines)


def display(path):
    """A path as the learner typed it: relative when under the current folder."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


# ---- building -------------------------------------------------------------------

def symbols(obj, work):
    """The global symbols an object defines: {name: nm's type letter}."""
    out = run(["nm", "--defined-only", "-g", "-P", obj], work).stdout
    return {line.split()[0]: line.split()[1] for line in out.splitlines() if len(line.split()) > 1}


_libc_symbols = None


def libc_symbols(work):
    """Names the C and maths libraries define (a learner's global with one of
    these names would replace it for the whole test program, the grader's own
    computations included)."""
    global _libc_symbols
    if _libc_symbols is None:
        _libc_symbols = set()
        for lib in ("libc.so.6", "libm.so.6"):
            path = run([CC, "-print-file-name=" + lib], work).stdout.strip()
            if os.path.isabs(path) and os.path.exists(path):
                _libc_symbols |= library_symbols(path, work)
    return _libc_symbols


def library_symbols(path, work):
    """The names a shared library defines, read with nm once and kept in the
    cache folder (keyed by the library's path, size and time)."""
    st = os.stat(path)
    cache = os.path.join(os.path.dirname(os.path.dirname(work)), "cache")
    kept = os.path.join(cache, "symbols.%s.txt" % hashlib.sha256(
        ("%s %d %d" % (os.path.realpath(path), st.st_size, st.st_mtime_ns)).encode()).hexdigest()[:20])
    try:
        with open(kept, encoding="utf-8") as f:
            return set(f.read().split())
    except OSError:
        pass
    out = run(["nm", "-D", "--defined-only", "-P", path], work).stdout
    names = {l.split()[0].split("@")[0] for l in out.splitlines() if l.strip()}
    try:
        os.makedirs(cache, exist_ok=True)
        tmp = "%s.%d.tmp" % (kept, os.getpid())
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("\n".join(sorted(names)))
        os.replace(tmp, kept)
    except OSError:
        pass
    return names


def constructors(obj, work):
    """Sections that would run code before main or after exit."""
    out = run(["objdump", "-h", obj], work).stdout
    return [s for s in re.findall(r"^\s*\d+\s+(\S+)", out, re.M)
            if re.match(r"^\.(init_array|fini_array|preinit_array|ctors|dtors)\b", s)]


def link_problem(output, shown_of):
    """Turn a linker wall into one line per problem."""
    problems = []
    for sym in sorted(set(re.findall(r"multiple definition of [`'‘]([^'’`]+)['’]", output))):
        problems.append("'%s' is defined twice (in two of your files, or in yours and the grader's): "
                        "rename one, or make a helper `static`" % sym)
    for sym in sorted(set(re.findall(r"undefined reference to [`'‘]([^'’`]+)['’]", output))):
        problems.append("your code calls '%s', which is defined nowhere: a misspelt name, or a helper "
                        "you have not written yet" % sym)
    if problems:
        text = "\n".join("  - " + p for p in problems)
        for obj, shown in shown_of.items():
            text = text.replace(obj, shown)
        return "linking your files with the grader failed:\n" + text
    return "linking your files with the grader failed:\n" + indent(first_lines(output, COMPILER_LINES))


_toolchain = None
PREBUILT = {}  # harness source -> its object, built once for a class of submissions (workbook.batch)


def toolchain(work):
    """The compiler's and the libraries' versions, asked once per run."""
    global _toolchain
    if _toolchain is None:
        _toolchain = (run([CC, "-dumpfullversion"], work).stdout,
                      run(["pkg-config", "--modversion", "criterion", "libseccomp"], work).stdout)
    return _toolchain


def harness_object(src, work):
    """The grader's own object file for src, compiled once and kept in the cache
    folder next to the build folders (keyed by compiler, flags, and every file
    src includes, as the compiler's -MM lists them: headers, and the reference
    layers a later chapter's test includes). A batch of submissions
    (workbook.batch) builds them once and hands them over in PREBUILT."""
    if src in PREBUILT:
        return PREBUILT[src], None
    key = hashlib.sha256()
    key.update(repr((CC, CFLAGS, INCLUDES, toolchain(work))).encode())
    deps = run([CC, "-MM"] + INCLUDES + [src], work)
    if deps.returncode != 0:
        return None, ("the grader itself does not compile (a bug in harness/, not in your code):\n"
                      + indent(first_lines(deps.stdout, COMPILER_LINES)))
    files = deps.stdout.replace("\\\n", " ").split(":", 1)[1].split()
    for path in [src] + sorted(set(os.path.join(work, f) if not os.path.isabs(f) else f for f in files)):
        with open(path, "rb") as f:
            key.update(path.encode() + b"\0" + f.read() + b"\0")
    cache = os.path.join(os.path.dirname(os.path.dirname(work)), "cache")
    cached = os.path.join(cache, "%s.%s.o" % (os.path.basename(src), key.hexdigest()[:20]))
    if os.path.exists(cached):
        return cached, None
    obj = os.path.join(work, "harness_" + os.path.basename(src) + ".o")
    r = run([CC] + CFLAGS + INCLUDES + ["-c", src, "-o", obj], work)
    if r.returncode != 0:
        return None, ("the grader itself does not compile (a bug in harness/, not in your code):\n"
                      + indent(first_lines(r.stdout, COMPILER_LINES)))
    try:
        os.makedirs(cache, exist_ok=True)
        tmp = "%s.%d.tmp" % (cached, os.getpid())
        shutil.copy(obj, tmp)
        os.replace(tmp, cached)
        # keep the newest few versions of each file
        old = sorted(glob.glob(os.path.join(cache, os.path.basename(src) + ".*.o")), key=os.path.getmtime)
        for path in old[:-4]:
            os.unlink(path)
    except OSError:
        pass
    return obj, None


def compile_hint(output):
    """A likely cause for the compiler messages learners meet most in a backward."""
    m = re.search(r"unused parameter '(\w+)'", output)
    if m and m.group(1).startswith("d"):
        return ("\n  likely cause: '%s' is never used. In a backward the upstream gradient must be "
                "multiplied into every result: is `%s` missing from a formula?" % (m.group(1), m.group(1)))
    if m:
        return ("\n  likely cause: '%s' is never used. If that is on purpose, write `(void)%s;`; "
                "otherwise a formula may be missing it." % (m.group(1), m.group(1)))
    if "implicit declaration of function" in output:
        return ("\n  likely cause: a function used before it is declared: a typo in its name, or a missing "
                "#include (math functions need <math.h>).")
    return ""


def endless_include(output, src, shown):
    """The compiler stopped at its memory or time limit: name the #include of a
    file that never ends (a device, a pipe), with its line."""
    if "out of memory" not in output and "stopped after" not in output and "Killed" not in output:
        return ""
    with open(src, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = re.match(r'\s*#\s*include\s*[<"](/[^>"]*)[>"]', line)
            if m:
                return ("\n  %s:%d: #include \"%s\"\n  likely cause: that file never ends, so the compiler read "
                        "it until it ran out of memory or time (%d MB, %d s): include only the workbook's headers "
                        "and the C library's" % (shown, number, m.group(1), BUILD_MEMORY_MB, BUILD_SECONDS))
    return ("\n  likely cause: the compiler ran out of memory or time (%d MB, %d s) on this file"
            % (BUILD_MEMORY_MB, BUILD_SECONDS))


def compile_notes(output):
    """Notes for the warnings that do not stop the build (see LEARNER_CFLAGS): an
    unused upstream gradient is a likely bug; an unused cache or variable may be."""
    notes = []
    for m in re.finditer(r"^(\S+?:\d+):\d+: warning: (unused (?:parameter|variable)|variable) '(\w+)'"
                         r"( set but not used)?", output, re.M):
        where, kind, name = m.group(1), m.group(2), m.group(3)
        if kind == "unused parameter" and re.fullmatch(r"d\w*", name):
            notes.append("%s: '%s' is never used. In a backward the upstream gradient must be multiplied into "
                         "every result: is `%s` missing from a formula?" % (where, name, name))
        elif kind != "unused parameter":
            notes.append("%s: '%s' is %s: a value computed and then forgotten?"
                         % (where, name, "set but never used" if m.group(4) else "never used"))
    return notes


_link_libs = None


def link_libs(work):
    """Criterion, and libseccomp for the sandbox (gc_guard.c builds without it when
    its header is missing, and says so: "the tests ran without their sandbox");
    asked once per run."""
    global _link_libs
    if _link_libs is None:
        libs = run(["pkg-config", "--libs", "criterion", "libseccomp"], work)
        libs = libs.stdout.split() if libs.returncode == 0 else []
        _link_libs = libs or run(["pkg-config", "--libs", "criterion"], work).stdout.split() or ["-lcriterion"]
    return _link_libs


def own_layers(ch):
    """[(chNN, file)]: the reference solutions of earlier chapters that
    test_chNN.c includes (chapter 6: the layers of chapters 4 and 5) and that
    this tree does not have. A student release has no solutions/: there the
    test builds without them (#if __has_include) and the learner's own files of
    those chapters are linked instead."""
    with open(os.path.join(ROOT, "harness", "grader", "test_%s.c" % ch.nn), encoding="utf-8") as f:
        wanted = re.findall(r'^#include "\.\./\.\./solutions/(ch\d\d)/([\w.]+)"', f.read(), re.M)
    return [(nn, name) for nn, name in wanted if not os.path.isfile(os.path.join(ROOT, "solutions", nn, name))]


def compile_chapter(ch, exdir, work, notes):
    """Compile the learner's files and link the test binary; compiler notes that
    do not stop the build are appended to `notes`. Returns (binary, problem)."""
    objs, shown_of = [], {}
    chdir = os.path.join(exdir, ch.nn)
    if not os.path.isdir(chdir):
        return None, ("%s/ is missing: the folder %s should hold %s."
                      % (display(chdir), display(exdir), ", ".join(ch.nn + "/" + f for f in ch.files)))
    earlier = own_layers(ch)
    if earlier:
        notes.append("this copy of the workbook has no solutions/, so chapter %d runs on your own %s: "
                     "they must pass their own chapters' tests first" % (ch.number, ", ".join(
                         "%s/%s" % pair for pair in earlier)))
    for nn, name in [(ch.nn, f) for f in ch.files] + earlier:
        src = os.path.join(exdir, nn, name)
        shown = display(src)
        if not os.path.isfile(src):
            how = ("`git checkout -- %s` restores the original stub" % shown
                   if src.startswith(ROOT + os.sep) else
                   "copy the stub back from exercises/%s/%s" % (nn, name))
            return None, "%s is missing: %s." % (shown, how)
        if not os.access(src, os.R_OK):
            return None, "%s cannot be read (permissions): `chmod u+r %s`." % (shown, shown)
        obj = os.path.join(work, name + ".o")
        r = run([CC] + LEARNER_CFLAGS + INCLUDES + ["-c", shown, "-o", obj], work)
        if r.returncode != 0:
            return None, "%s does not compile (warnings count as errors):\n%s%s" % (
                shown, indent(first_lines(r.stdout, COMPILER_LINES)), compile_hint(r.stdout) or
                endless_include(r.stdout, src, shown))
        notes.extend(compile_notes(r.stdout))
        defined = symbols(obj, work)
        for sym in sorted(defined):
            if defined[sym] == "i":
                return None, ("%s defines '%s' as an indirect function (ifunc), code that would run before the "
                              "tests: make it an ordinary function." % (shown, sym))
            if RESERVED.match(sym):
                what = "a main function" if sym == "main" else "the symbol '%s'" % sym
                return None, ("%s defines %s, which belongs to the grader: remove or rename it "
                              "(exercise files hold only the chapter's functions)." % (shown, what))
            if sym in libc_symbols(work):
                return None, ("%s defines '%s', a name the C library already uses: rename it, or make "
                              "it `static` if only this file uses it." % (shown, sym))
        plain = os.path.join(work, name + ".plain.o")
        if run([CC] + PLAIN_CFLAGS + INCLUDES + ["-c", shown, "-o", plain], work).returncode == 0:
            if constructors(plain, work):
                return None, ("%s has a constructor or destructor function (code that runs before or after "
                              "the tests): remove __attribute__((constructor/destructor))." % shown)
        shown_of[obj] = shown
        objs.append(obj)
    harness = []
    for src in HARNESS_SUPPORT + [os.path.join(ROOT, "harness", "grader", "test_%s.c" % ch.nn)]:
        obj, problem = harness_object(src, work)
        if problem:
            return None, problem
        harness.append(obj)
    binary = os.path.join(work, "test_%s" % ch.nn)
    r = run([CC] + CFLAGS + harness + objs + link_libs(work) + ["-lm", "-ldl", "-o", binary], work)
    if r.returncode != 0:
        return None, link_problem(r.stdout, shown_of)
    return binary, None


# ---- running --------------------------------------------------------------------

def limit_resources():
    import resource
    parent = os.getppid()
    os.setsid()  # its own process group: the grader can end every process it started
    try:  # and it dies with the grader, even when the grader is killed outright
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)
    except (OSError, AttributeError):
        pass
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_MB << 20, OUTPUT_MB << 20))
    cpu = TEST_TIMEOUT * 4 + 30
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---- the event log (harness/grader/gc_guard.c) -------------------------------------

TEST_EVENTS = ("start", "sandbox", "array", "signal", "forbidden", "pc", "end")  # the test's own process
SIGNED_LINE = re.compile(rb'(\{.*),"mac":"([0-9a-f]{16})"\}')  # the runner's lines: MAC of group 1


def siphash24(key, data):
    """SipHash-2-4 of data under a 16-byte key (as gc_guard.c computes it)."""
    mask = (1 << 64) - 1
    k0, k1 = int.from_bytes(key[:8], "little"), int.from_bytes(key[8:16], "little")
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573]

    def rotl(x, b):
        return ((x << b) | (x >> (64 - b))) & mask

    def rounds(n):
        v0, v1, v2, v3 = v
        for _ in range(n):
            v0 = (v0 + v1) & mask; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)  # noqa: E702
            v2 = (v2 + v3) & mask; v3 = rotl(v3, 16) ^ v2  # noqa: E702
            v0 = (v0 + v3) & mask; v3 = rotl(v3, 21) ^ v0  # noqa: E702
            v2 = (v2 + v1) & mask; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)  # noqa: E702
        v[:] = v0, v1, v2, v3

    whole = len(data) - len(data) % 8
    words = [int.from_bytes(data[i:i + 8], "little") for i in range(0, whole, 8)]
    words.append(int.from_bytes(data[whole:], "little") | ((len(data) & 0xff) << 56))
    for w in words:
        v[3] ^= w
        rounds(2)
        v[0] ^= w
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def receive_key(sock):
    """The key the runner sent down its end of the socket when the run started
    (32 hex digits and a newline), or None. Read only after the run: until then
    it waits in this socket, out of reach of the tests."""
    data = b""
    try:
        sock.settimeout(2)
        while len(data) < 64:
            chunk = sock.recv(64)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    finally:
        sock.close()
    m = re.fullmatch(rb"([0-9a-f]{32})\n", data)
    return bytes.fromhex(m.group(1).decode()) if m else None


def new_marker():
    """What a test's own process said about itself."""
    return {"pid": None, "signal": None, "end": False, "forbidden": None, "pcs": [], "sandbox": None,
            "arrays": {}}


def criterion_report(status, crashed, timed_out, asserts):
    """Criterion's verdict on a test and its messages, as Criterion's own report
    writes them: "FILE:LINE: first line" then "  next line" for each failed
    assertion, empty lines left out."""
    verdict = ("ERRORED" if crashed or timed_out else
               {1: "FAILED", 2: "SKIPPED"}.get(status, "PASSED"))
    messages = []
    if status == 2:
        messages = ["The test was skipped."]
    elif crashed:
        messages = ["The test crashed."]
    elif timed_out:
        messages = ["The test timed out."]
    elif status == 1:
        for file, line, message in asserts:
            parts = [p for p in message.split("\n") if p]
            messages.append("%s:%d: %s" % (file, line, parts[0] if parts else "(null)"))
            messages += ["  " + p for p in parts[1:]]
    return {"status": verdict, "messages": messages}


def read_events(path, key, limit=64 << 20):
    """The run's event log, one JSON object a line, as three views keyed by
    "<suite>.<test>":
      reported  Criterion's verdict and messages ("result" and "assert" lines,
                written once every test had ended);
      runner    how the runner saw each test end: {"crash": signal or None,
                "end", "status", "exit", "elapsed", "timed_out"};
      markers   what the test's own process wrote (new_marker()).
    A line that ends with a MAC is the runner's only if the MAC is right under
    `key`; otherwise it is dropped. Lines without a MAC count only as the test's
    own events."""
    reported, runner, markers, asserts, results = {}, {}, {}, {}, {}
    try:
        with open(path, "rb") as f:
            data = f.read(limit)
    except OSError:
        data = b""
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        signed = SIGNED_LINE.fullmatch(raw)
        if signed and not (key and siphash24(key, signed.group(1)) == int(signed.group(2), 16)):
            continue  # claims to be the runner's and is not: forged, or damaged
        try:
            e = json.loads(raw.decode("utf-8", "replace"))
        except ValueError:
            continue
        if not isinstance(e, dict) or not isinstance(e.get("test"), str):
            continue
        test, event = e["test"], e.get("event")
        try:
            if signed:
                if event == "crash":
                    runner.setdefault(test, {"crash": None, "end": False})["crash"] = int(e["signal"])
                elif event == "finish":
                    runner.setdefault(test, {"crash": None, "end": False}).update(
                        end=True, status=int(e["status"]), exit=int(e["exit"]), elapsed=float(e["elapsed"]),
                        timed_out=e["timed_out"] is True)
                elif event == "assert":
                    asserts.setdefault(test, []).append([str(e["file"]), int(e["line"]), str(e["message"])])
                elif event == "assert-more" and asserts.get(test):
                    asserts[test][-1][2] += str(e["message"])
                elif event == "result":
                    results[test] = (int(e["status"]), e["crashed"] is True, e["timed_out"] is True)
                continue
            if event not in TEST_EVENTS:
                continue
            info = markers.setdefault(test, new_marker())
            if event == "start":
                info["pid"] = str(e["pid"])
            elif event == "signal":
                info["signal"] = str(e["signal"])
            elif event == "forbidden" and info["forbidden"] is None:
                info["forbidden"] = str(e["what"])
            elif event == "pc" and re.fullmatch(r"[0-9a-f]{1,16}", str(e["offset"])):
                info["pcs"].append((int(e["offset"], 16), str(e["module"])))
            elif event == "sandbox":
                info["sandbox"] = str(e["state"])
            elif event == "array":
                # START BYTES ELEMENT_SIZE ROWS COLS NAME: an array the test handed the learner's code
                parts = str(e["text"]).split()
                if len(parts) >= 6 and re.fullmatch(r"[0-9a-f]+", parts[0]) and \
                        all(re.fullmatch(r"[0-9]+", p) for p in parts[1:5]):
                    start, size, elem, rows, cols = int(parts[0], 16), *map(int, parts[1:5])
                    info["arrays"][start] = {"name": parts[5], "bytes": size, "elem": elem, "rows": rows,
                                             "cols": cols}
            elif event == "end":
                info["end"] = True
        except (KeyError, TypeError, ValueError):
            continue
    for test, (status, crashed, timed_out) in results.items():
        reported[test] = criterion_report(status, crashed, timed_out, asserts.get(test, []))
    return reported, runner, markers


def read_output(path, limit=256 << 10):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


# ---- explaining -----------------------------------------------------------------

def signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return "signal %d" % number


SIGNAL_HINTS = {
    "SIGSEGV": "an invalid memory access: a NULL, uninitialised or freed pointer, or an index far out of bounds",
    "SIGBUS": "an invalid memory access (a misaligned or unmapped address)",
    "SIGFPE": "an integer division by zero",
    "SIGILL": "an illegal instruction (often a function that fell off its end without a return)",
    "SIGTRAP": "a trap instruction (__builtin_trap or a debugger breakpoint)",
    "SIGABRT": "abort() was called, or an assert() failed",
    "SIGKILL": "the process was killed from outside (out of memory?)",
    "SIGXCPU": "the test used too much CPU time",
    "SIGXFSZ": "your code printed more than %d MB: is a print inside a loop that never ends?" % OUTPUT_MB,
    "SIGSYS": "your code made a system call the grader forbids: starting a process or a program "
              "(fork, system, popen, exec) or changing files",
    "SIGPIPE": "your code wrote to a closed pipe",
    "SIGALRM": "an alarm() your code set went off",
}

FORBIDDEN = {
    "process": "tried to start a new process or thread (fork, system, popen, pthread_create)",
    "exec": "tried to run another program (exec, system, popen)",
    "file-write": "tried to open a file for writing",
    "file-change": "tried to create, delete, rename or change a file",
    "signal": "tried to send a signal to another process (kill)",
    "grader-fd": "tried to close or replace the grader's own output or event log (close, dup2, fclose(stdout))",
    "memory": "tried to map 1 GB or more of memory at once (mmap)",
    "network": "tried to open a network connection (socket)",
    "system": "made a system call the grader forbids (changing limits, users, mounts or the clock)",
}


class Symbolizer:
    """Addresses in the test binary to (function, file, line), with addr2line."""

    def __init__(self, binary, work):
        self.binary, self.work, self.known = binary, work, {}

    def ours(self, module):
        """Is this module (as a stack trace names it) the test binary? Its workers
        are started as 'boxfort-worker', so a name that is not a path is ours."""
        return (not os.path.isabs(module) or os.path.basename(module) == os.path.basename(self.binary))

    def __call__(self, offsets):
        todo = sorted({o for o in offsets if o not in self.known})
        if todo and self.binary:
            out = run(["addr2line", "-e", self.binary, "-f"] + ["0x%x" % o for o in todo], self.work).stdout
            lines = out.splitlines()
            for o, func, loc in zip(todo, lines[0::2], lines[1::2]):
                m = re.match(r"^(.*):(\d+)", loc)
                self.known[o] = (func, m.group(1), int(m.group(2))) if m and m.group(1) != "??" else None
        return [self.known.get(o) for o in offsets if self.known.get(o)]


def frames(text, symbolize):
    """Stack frames in a sanitizer report: (function, file, line). Frames the
    sanitizer could not name ("(module+0x1234)") are named with addr2line."""
    found = []
    for line in re.findall(r"^\s*#\d+ 0x[0-9a-f]+ .*$", text, re.M):
        m = re.match(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+?):(\d+)(?::\d+)?\s*$", line)
        if m:
            found.append((m.group(1), m.group(2), int(m.group(3))))
            continue
        m = re.search(r"\((.+)\+0x([0-9a-f]+)\)(?:\s+\(BuildId: [0-9a-f]+\))?\s*$", line)
        if m and symbolize and symbolize.ours(m.group(1)):
            found += symbolize([int(m.group(2), 16) - 1])
    return found


def learner_location(candidates, exdir):
    """The first (function, file, line) in the learner's folder, as 'at FILE:LINE, in FUNC'."""
    for func, path, line in candidates:
        full = os.path.abspath(path)
        if full.startswith(exdir + os.sep):
            return "at %s:%d, in %s" % (display(full), line, func)
    return None


def marker_frames(marker, symbolize):
    if not symbolize:
        return []
    return symbolize([off for off, module in marker["pcs"] if symbolize.ours(module)])


ASAN_KINDS = [
    # (pattern in the ERROR line, headline)
    (r"SEGV on unknown address (0x[0-9a-f]+)", None),
    (r"stack-overflow", "crashed (stack overflow): a recursion that never stops (no base case?) or a huge "
                        "local array"),
    (r"heap-buffer-overflow", "{access} outside a malloc'ed block (heap-buffer-overflow): an index past the "
                              "end or before the start of the array"),
    (r"stack-buffer-overflow|stack-buffer-underflow|dynamic-stack-buffer-overflow",
     "{access} outside a local variable or array (stack-buffer-overflow{object}): an index out of bounds, "
     "or a pointer used past what it points to"),
    (r"global-buffer-overflow", "{access} outside a global array (global-buffer-overflow): an index out of "
                                "bounds"),
    (r"heap-use-after-free", "{access} memory after it was freed (heap-use-after-free)"),
    (r"stack-use-after-return|stack-use-after-scope", "{access} a local variable that no longer exists "
                                                      "(a pointer to it outlived its scope)"),
    (r"double-free", "freed the same memory twice (double-free)"),
    (r"attempting free on address which was not malloc|bad-free",
     "called free() on a pointer that malloc did not return"),
    (r"requested allocation size (0x[0-9a-f]+)", "asked for {size} in one allocation; the grader allows "
                                                 "%d MB: is a size computed wrongly (negative, or uninitialised)?"
                                                 % ALLOCATION_MB),
    (r"calloc parameters overflow|calloc-overflow", "asked calloc() for more memory than exists (count x size "
                                                    "overflows)"),
    (r"allocator is out of memory|out of memory|out-of-memory|malloc limit",
     "ran out of memory: the grader allows %d MB per test" % MEMORY_MB),
    (r"hard rss limit exhausted", "used more than %d MB of memory: memory allocated in a loop and never "
                                  "freed, or far too large arrays" % MEMORY_MB),
    (r"negative-size-param", "passed a negative size to memcpy, memset or similar"),
    (r"memcpy-param-overlap", "called memcpy with overlapping source and destination (use memmove)"),
    (r"alloc-dealloc-mismatch", "freed memory with the wrong function"),
    (r"FPE on unknown address", "crashed (SIGFPE): %s" % SIGNAL_HINTS["SIGFPE"]),
    (r"BUS on unknown address", "crashed (SIGBUS): %s" % SIGNAL_HINTS["SIGBUS"]),
    (r"ILL on unknown address", "crashed (SIGILL): %s" % SIGNAL_HINTS["SIGILL"]),
    (r"ABRT on unknown address", "crashed (SIGABRT): %s" % SIGNAL_HINTS["SIGABRT"]),
]


def out_of_bounds(body, arrays, access_word):
    """The headline for a heap-buffer-overflow next to one of the arrays the test
    handed the learner's code (named in its marker file): which array, which
    index, and the likely cause. None when the block is not one of those."""
    m = re.search(r"^(0x[0-9a-f]+) is located \d+ bytes (?:to the (?:right|left) of|inside of) \d+-byte region "
                  r"\[(0x[0-9a-f]+),", body, re.M)
    if not m or int(m.group(2), 16) not in arrays:
        return None
    a = arrays[int(m.group(2), 16)]
    n = a["bytes"] // a["elem"] if a["elem"] else 0
    index = (int(m.group(1), 16) - int(m.group(2), 16)) // max(1, a["elem"])
    name = a["name"]
    shape = " (%d x %d)" % (a["rows"], a["cols"]) if a["rows"] > 1 and a["cols"] > 1 else ""
    holds = "%s holds %d element%s%s: %s[0] to %s[%d]" % (name, n, "" if n == 1 else "s", shape, name, name, n - 1)
    if n == 1 and index == 1 and a["rows"] == 1 and a["cols"] == 1:
        return ("%s %s[1], one element past the end of %s (heap-buffer-overflow; %s points to one value)\n"
                "  likely cause: %s points to one double: write *%s; %s[1] is the next double, not yours"
                % (access_word, name, name, name, name, name, name))
    if index >= n:
        past = index - n + 1
        where = ("one element past the end of %s" % name if past == 1 else
                 "%d elements past the end of %s" % (past, name))
        cause = ("a loop bound `<=` where `<` belongs: `for (i = 0; i <= n; i++)` takes one step too many "
                 "(or a walk from the back that starts at n instead of n - 1)"
                 if past == 1 else
                 "a row length swapped with a column length (element [r][c] of an R x C array is "
                 "[r * C + c]), or a loop over the wrong size")
        if past == 1 and shape:
            cause += ", or a row length swapped with a column length"
    else:
        before = -index
        where = ("one element before the start of %s" % name if before == 1 else
                 "%d elements before the start of %s" % (before, name))
        cause = "an index that goes below 0: a loop counting down past 0, or an index written as i - 1"
    return ("%s %s[%d], %s (heap-buffer-overflow; %s)\n  likely cause: %s"
            % (access_word, name, index, where, holds, cause))


def sanitizer_report(text, exdir, symbolize=None, arrays=None):
    """(message, where the report starts) for the first sanitizer report in a test's
    output, or (None, None). `arrays`: the test's named arrays, from its marker."""
    asan = re.search(r"^==\d+==(?:ERROR: )?(AddressSanitizer|LeakSanitizer): (.*)$", text, re.M)
    ubsan = re.search(r"^(\S+?):(\d+):(\d+): runtime error: (.*)$", text, re.M)
    if asan and (not ubsan or asan.start() < ubsan.start()):
        body = text[asan.start():]
        error = asan.group(2).strip()
        start = text.rfind("\n", 0, max(0, text.rfind("====", 0, asan.start()))) + 1 \
            if "====" in text[:asan.start()] else asan.start()
        dead = text.rfind("AddressSanitizer:DEADLYSIGNAL", 0, asan.start())
        if dead != -1:
            start = min(start, dead)
        access = re.search(r"^(READ|WRITE) of size (\d+)", body, re.M)
        access_word = {"READ": "read", "WRITE": "wrote"}.get(access.group(1), "accessed") if access else "accessed"
        obj = re.search(r"'([^']+)' \(line \d+\) <== Memory access at offset \d+ (?:overflows|underflows|"
                        r"partially overflows) this variable", body)
        frame_of = re.search(r"is located in stack of thread \S+ at offset \d+ in frame\s*\n\s*#0 0x[0-9a-f]+ in "
                             r"(\S+)", body)
        obj_text = ""
        if obj:
            obj_text = ", next to '%s'%s" % (obj.group(1), " in " + frame_of.group(1) if frame_of else "")
        headline = None
        for pattern, text_ in ASAN_KINDS:
            m = re.search(pattern, error)
            if not m:
                continue
            if text_ is None:  # SEGV
                addr = int(m.group(1), 16)
                what = ("a NULL pointer was dereferenced" if addr < 4096 else SIGNAL_HINTS["SIGSEGV"])
                access_kind = re.search(r"caused by a (READ|WRITE) memory access", body)
                headline = "crashed (SIGSEGV): %s" % what
                if access_kind:
                    headline += " (a %s)" % access_kind.group(1).lower()
            else:
                size = ""
                if m.groups() and m.group(1).startswith("0x"):
                    n = int(m.group(1), 16)
                    size = "%d bytes (%.1f GB)" % (n, n / 2 ** 30) if n >= 2 ** 30 else "%d bytes" % n
                headline = text_.format(access=access_word, object=obj_text, size=size)
            break
        if headline is None:
            headline = "AddressSanitizer stopped your code: %s" % error.split(" on address")[0]
        where = learner_location(frames(body, symbolize), exdir)
        named = out_of_bounds(body, arrays or {}, access_word) if "heap-buffer-overflow" in error else None
        if named:
            first, cause = named.split("\n", 1)
            return first + ("\n  " + where if where else "") + "\n" + cause, start
        return headline + ("\n  " + where if where else ""), start
    if ubsan:
        error = ubsan.group(4).strip()
        if "division by zero" in error:
            headline = "crashed (SIGFPE): an integer division by zero"
        elif re.search(r"(load of|store to|member access within) null pointer", error):
            headline = "crashed (SIGSEGV): a NULL pointer was dereferenced (%s)" % error
        else:
            headline = "undefined behaviour: %s" % error
        fs = frames(text[ubsan.start():], symbolize)
        candidates = [("", ubsan.group(1), int(ubsan.group(2)))] + fs
        where = learner_location(candidates, exdir)
        if where and where.endswith(", in "):
            where = where[:-5]
        if where and fs and ", in " not in where:
            where += ", in " + fs[0][0]
        return headline + ("\n  " + where if where else ""), ubsan.start()
    return None, None


def explain(r, runner, report, marker, output, exdir, symbolize=None):
    """Decide pass or fail, and say why. Returns (passed, message, output text to show)."""
    status = report.get("status") if report else None
    messages = report.get("messages", []) if report else []
    ran_to_end = (runner.get("end") and runner.get("status") == 0 and not runner.get("crash")
                  and runner.get("exit") == 0 and runner.get("elapsed", 0) > 0 and not runner.get("timed_out"))
    if status == "PASSED" and ran_to_end and marker["end"]:
        return True, "", output
    where = learner_location(marker_frames(marker, symbolize), exdir)
    died = bool(runner.get("crash")) or runner.get("exit", 0) != 0 or not runner
    if marker["forbidden"] and died:
        what = FORBIDDEN.get(marker["forbidden"], FORBIDDEN["system"])
        return False, ("stopped: your code %s, which the grader does not allow (exercises only compute)%s"
                       % (what, "\n  " + where if where else "")), output
    headline, start = sanitizer_report(output, exdir, symbolize, marker["arrays"]) if died else (None, None)
    if headline:
        return False, headline, output[:start]
    if runner.get("timed_out") or any("timed out" in m.lower() for m in messages):
        return False, ("timed out after %d s: look for a loop that never ends or a recursion with no base case"
                       % TEST_TIMEOUT), output
    sig = signal_name(runner["crash"]) if runner.get("crash") else marker["signal"]
    if runner.get("crash") or status == "ERRORED" or marker["signal"]:
        if sig and sig != "other":
            return False, ("crashed (%s): %s%s" % (sig, SIGNAL_HINTS.get(sig, "the process died"),
                                                   "\n  " + where if where else "")), output
        return False, ("crashed: the test process died without saying why (killed, or its connection to the "
                       "grader was closed)"), output
    if not report and not runner:
        return False, "did not run", output
    if status == "PASSED" or (not messages and status == "FAILED"):
        code = runner.get("exit")
        how = "exit(%d)" % code if code else "exit() or _exit()"
        return False, ("the test never reached its end: your code ended the process (%s) before the grader "
                       "could check its results. A test that stops early fails." % how), output
    # Criterion prefixes the first line with the harness's file:line; drop it.
    lines = list(messages)
    if lines:
        lines[0] = re.sub(r"^\S+\.c:\d+: ", "", lines[0])
    return False, "\n".join(l.rstrip() for l in lines if l.strip()) or "failed", output


# ---- one chapter ----------------------------------------------------------------

def grade_chapter(ch, exdir, workroot, notes):
    """Grade one chapter. Returns (results, problem): problem is a whole-chapter
    error (does not compile, did not run), or None. Compiler notes that did not
    stop the build are appended to `notes`."""
    expected = tests_of(ch)
    results = [Result(*t) for t in expected]
    work = os.path.join(workroot, ch.nn)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary, problem = compile_chapter(ch, exdir, work, notes)
    if problem:
        return results, problem
    # The event log, and next to it each test's output (<suite>.<test>.out).
    folder = os.path.join(work, "tests")
    os.makedirs(folder)
    events = os.path.join(folder, "events.log")
    import socket  # the runner's key comes back on a socket (see receive_key)
    keys, runner_end = socket.socketpair()
    env = clean_env({
        "WB_EVENTS": events,
        "WB_EVENTS_KEY_FD": str(runner_end.fileno()),
        "TMPDIR": work,
        "ASAN_OPTIONS": ":".join([
            "detect_leaks=0", "abort_on_error=0", "allocator_may_return_null=0",
            "max_allocation_size_mb=%d" % ALLOCATION_MB, "hard_rss_limit_mb=%d" % MEMORY_MB,
            "handle_abort=0", "disable_coredump=1", "color=never",
            "external_symbolizer_path="]),  # never start a symbolizer process: the grader names frames
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:color=never:external_symbolizer_path=",
    })
    run_timeout = 30 + TEST_TIMEOUT * len(results)
    cmd = [binary, "--jobs=%d" % JOBS, "--timeout=%d" % TEST_TIMEOUT, "--ascii"]
    stopped = None
    proc = None
    try:
        try:
            proc = subprocess.Popen(cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, preexec_fn=limit_resources,
                                    pass_fds=(runner_end.fileno(),))
        finally:
            runner_end.close()
        try:
            proc.wait(timeout=run_timeout)
        except subprocess.TimeoutExpired:
            stopped = "the tests did not finish within %d s and were stopped" % run_timeout
    except OSError as e:
        keys.close()
        return results, "could not run the tests: %s" % e
    finally:
        if proc is not None:
            kill_group(proc)  # nothing the tests started outlives the run
            proc.wait()
    reported, runner, markers = read_events(events, receive_key(keys))
    symbolize = Symbolizer(binary, work)
    sandbox_off = set()
    if not reported and not runner:
        return results, stopped or ("the test run ended without a report (exit status %s): something killed the "
                                    "grader's test process" % proc.returncode)
    for r in results:
        test = "%s.%s" % (ch.nn, r.name)
        marker = markers.get(test) or new_marker()
        output = read_output(os.path.join(folder, "%s.out" % test))
        entry = runner.get(test, {})
        if test not in reported and not entry:
            r.message = ("did not finish: %s" % stopped) if stopped else "did not run"
            continue
        if marker["sandbox"] and marker["sandbox"] != "on":
            sandbox_off.add(marker["sandbox"])
        r.passed, r.message, shown = explain(r, entry, reported.get(test), marker, output, exdir, symbolize)
        r.output = [printable(l) for l in shown.splitlines() if l.strip()]
    blame_dependencies(results)
    if sandbox_off:
        print("note: the tests ran without their sandbox (%s): code that starts processes or writes files "
              "is not stopped on this system" % "; ".join(sorted(sandbox_off)), file=sys.stderr)
    return results, None


def function_of(test):
    """The function a test is named after: square_backward_book -> square_backward."""
    m = re.match(r"^(.*?_(?:backward|forward|diff|step))(?:_|$)", test)
    return m.group(1) if m else test


def blame_dependencies(results):
    """A failing test that builds on functions whose own tests fail too says so
    first: the mistake is most likely there."""
    failed = {r.name for r in results if not r.passed}
    for r in results:
        broken = [u for u in r.uses if u in failed and u != r.name]
        if r.passed or not broken:
            continue
        if "is not implemented yet" in r.message:
            continue  # the stub says it all
        funcs = []
        for u in broken:
            if function_of(u) not in funcs:
                funcs.append(function_of(u))
        if len(funcs) == 1:
            head = "%s's own test fails too" % funcs[0]
        else:
            head = "%s own tests fail too" % " and ".join("%s's" % f for f in funcs)
        r.message = "%s (%s): fix %s first, this test builds on %s.\n%s" % (
            head, ", ".join(broken), "that" if len(funcs) == 1 else "those", "it" if len(funcs) == 1 else "them",
            r.message)


def print_chapter(ch, exdir, results, problem, notes=()):
    shown = display(os.path.join(exdir, ch.nn))
    print(paint("Chapter %d: %s" % (ch.number, ch.title), "1") + "  (%s)" % shown)
    for note in notes:
        print(indent("note: " + note, "  "))
    if problem:
        print(indent(problem, "  "))
    else:
        width = max(len(r.name) for r in results) if results else 0
        for r in results:
            mark = paint("PASS", "32") if r.passed else paint("FAIL", "31")
            print("  %s  %-*s  %s%s" % (mark, width, r.name, "(given code) " if r.given else "", r.description))
            if not r.passed:
                print(indent("\n".join(printable(l, 300) for l in r.message.splitlines()), "        "))
                if r.hint and not problem and "likely cause:" not in r.message \
                        and "is not implemented yet" not in r.message:
                    print(indent("hint: " + r.hint, "        "))
                if r.output:
                    more = len(r.output) - OUTPUT_LINES
                    print("        your code printed (for your debugging; it does not count):")
                    print(indent("\n".join(r.output[:OUTPUT_LINES]), "        | "))
                    if more > 0:
                        print("        | ... (%d more lines)" % more)
    mine = [r for r in results if not r.given]
    given = [r for r in results if r.given]
    passed, given_passed = sum(r.passed for r in mine), sum(r.passed for r in given)
    # a function tried and failing (not a stub still): the progressive hints are one command away
    stuck = [r.function for r in mine if not r.passed and r.hint and "is not implemented yet" not in r.message]
    if stuck and not problem:
        print("  stuck on %s? make hint EXERCISE=%s gives one more hint each time you ask" % (stuck[0], stuck[0]))
    line = "chapter %d: %d/%d passed" % (ch.number, passed, len(mine))
    print(paint(line, "1;32" if passed == len(mine) and given_passed == len(given) else "1;31"))
    if given and given_passed < len(given) and not problem:
        failing = len(given) - given_passed
        what = ("the check of the code the chapter gives you fails" if len(given) == 1 else
                "%d of the %d checks of the code the chapter gives you fail%s"
                % (failing, len(given), "s" if failing == 1 else ""))
        print(paint("  and %s: was that code changed? `git diff` shows what changed" % what, "1;31"))
    print()
    sys.stdout.flush()
    return passed, len(mine), given_passed, len(given)


# ---- the command ----------------------------------------------------------------

def usage_error(message):
    print("error: " + message, file=sys.stderr)
    return 2


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(base):
    """Build folders left by a grader that was killed (name: TAG.PID.random)."""
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        m = re.match(r"^.*\.(\d+)\.[^.]+$", name)
        if m and int(m.group(1)) != os.getpid() and not pid_alive(int(m.group(1))):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)


def make_workroot(tag):
    """A private build folder: under build/grade when the checkout is writable,
    else under the system's temporary folder. Returns (path, note) or (None, error)."""
    prefix = "%s.%d." % (tag, os.getpid())
    try:
        os.makedirs(BUILD, exist_ok=True)
        remove_stale(BUILD)
        return tempfile.mkdtemp(prefix=prefix, dir=BUILD), None
    except OSError as e:
        first = e
    tmp = os.path.join(tempfile.gettempdir(), "backprop-workbook-grade-%d" % os.getuid())
    try:
        os.makedirs(tmp, mode=0o700, exist_ok=True)
        remove_stale(tmp)
        path = tempfile.mkdtemp(prefix=prefix, dir=tmp)
        return path, ("note: %s is not writable (%s), so the grader builds in %s instead"
                      % (display(BUILD), first.strerror, tmp))
    except OSError as e:
        return None, ("cannot create a build folder: %s is not writable (%s) and neither is %s (%s). "
                      "Set TMPDIR to a folder you can write, e.g. `TMPDIR=$HOME/tmp make check`"
                      % (display(BUILD), first.strerror, tmp, e.strerror))


def check_exercises(args, chapters):
    """None when EXERCISES looks right, else the one-line complaint."""
    exdir = os.path.abspath(args.exercises)
    if not os.path.exists(exdir):
        return ("EXERCISES=%s does not exist. Give the folder that holds ch01/, ch02/, ... "
                "(default: exercises)" % args.exercises)
    if not os.path.isdir(exdir):
        return ("EXERCISES=%s is a file, not a folder. Give the folder that holds ch01/, ch02/, ... "
                "(default: exercises)" % args.exercises)
    if not os.access(exdir, os.R_OK | os.X_OK):
        return "EXERCISES=%s cannot be read (permissions)" % args.exercises
    base = os.path.basename(exdir.rstrip(os.sep))
    if re.fullmatch(r"ch\d\d", base):
        return ("EXERCISES=%s is one chapter's folder; give the folder that holds it: EXERCISES=%s"
                % (args.exercises, display(os.path.dirname(exdir)) or "."))
    if not any(os.path.isdir(os.path.join(exdir, c.nn)) for c in chapters):
        return ("EXERCISES=%s holds none of %s: is it the right folder? It should look like exercises/ "
                "(with ch03/mul_layer.c and so on)" % (args.exercises, ", ".join(c.nn + "/" for c in chapters)))
    return None


def on_signal(signum, frame):
    raise Interrupted()


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
        if not re.fullmatch(r"[0-9]{1,3}", chosen):
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

    problem = check_exercises(args, chapters)
    if problem:
        return usage_error(problem)
    exdir = os.path.abspath(args.exercises)

    # One build folder per run, so grading a submission never touches another's
    # results, and the learner's folder is only read.
    where = os.path.relpath(exdir, ROOT) if exdir.startswith(ROOT + os.sep) else exdir
    tag = re.sub(r"[^A-Za-z0-9]+", "_", where).strip("_")[-60:] or "exercises"
    workroot, note = make_workroot(tag)
    if workroot is None:
        return usage_error(note)
    if note:
        print(note, file=sys.stderr)

    summary, record = [], []
    try:
        for ch in chapters:
            notes = []
            results, problem = grade_chapter(ch, exdir, workroot, notes)
            if problem:
                for r in results:
                    r.passed, r.message = False, problem
            passed, total, given_passed, given_total = print_chapter(ch, exdir, results, problem, notes)
            summary.append((ch, passed, total, given_passed, given_total))
            tests = [r.record() for r in results]
            record.append({"chapter": ch.number, "title": ch.title, "weight": ch.weight,
                           "passed": passed, "total": total,
                           "given_passed": given_passed, "given_total": given_total,
                           "points": sum(t["points"] for t in tests),
                           "max_points": sum(t["max_points"] for t in tests),
                           "problem": problem, "notes": notes, "tests": tests})
    finally:
        if os.environ.get("GRADE_KEEP") == "1":
            print("build folder kept: %s" % workroot, file=sys.stderr)
        else:
            shutil.rmtree(workroot, ignore_errors=True)

    if len(summary) > 1:
        print(paint("Summary", "1"))
        for ch, passed, total, gp, gt in summary:
            bar = "#" * passed + "." * (total - passed)
            print("  chapter %d  %-40s %3d/%-3d %s" % (ch.number, ch.title, passed, total, bar))
        allp, allt = sum(s[1] for s in summary), sum(s[2] for s in summary)
        gp, gt = sum(s[3] for s in summary), sum(s[4] for s in summary)
        print("total: %d/%d passed (the tests of the functions you write)" % (allp, allt))
        if gt:
            print("given code: %s" % ("all %d checks pass" % gt if gp == gt else
                                      "%d of %d checks fail: was code the chapters give you changed?"
                                      % (gt - gp, gt)))
    from workbook import learner
    learner.remember(exdir, record)  # make progress reads it: the learner's exercises/ only
    if args.results:
        tmp = "%s.%d.tmp" % (args.results, os.getpid())
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"version": 2, "exercises": args.exercises, "chapters": record}, f, indent=2)
            os.replace(tmp, args.results)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return 0 if all(p == t and gp == gt for _, p, t, gp, gt in summary) else 1


def command(argv):
    """`python3 -m workbook check ...`: grade, stopping cleanly on Ctrl-C or a signal."""
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    try:
        return main(argv)
    except (KeyboardInterrupt, Interrupted):
        print("\ninterrupted: grading stopped; your files were not changed, and the next run starts afresh",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(command(sys.argv[1:]))
