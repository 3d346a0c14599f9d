"""batch.py: grade a class of submissions into a gradebook (make grade).

  python3 -m workbook grade --submissions DIR [--jobs N] [--out DIR] [--chapter N[,M...]]
  python3 -m workbook grade --bench N [--jobs N]     time a synthetic class of N submissions

DIR holds one submission per learner: a folder laid out like exercises/
(ch03/mul_layer.c, ...), or an archive of one (.zip, .tar.gz, .tgz, .tar). The
learner is the folder's or the archive's name. Of a submission only the
exercise files course.toml lists are read (in the folder itself, or in the one
folder inside it that holds them, as archives often have); anything else in it
(a Makefile, a harness/, tests) is ignored, and nothing in it is run but those
files.

The grader (course.toml, harness/grader, harness/include, harness/workbook, and
solutions/ for the tests that include a reference layer) is copied from this
checkout into a tree of its own, OUT/.build/tree-HASH, and its objects built
once per batch: every submission of a batch meets the same grader even if the
checkout changes meanwhile. Each submission is then graded in its own process
(`python3 -m workbook grade --one ...`, which runs the grader of `make check`
in that tree), JOBS at a time (default: the number of cores), with a time
limit for the whole submission; a progress line on stderr says how many are
done, how many a minute, and the time left. A submission that does not compile,
crashes, hangs, or attacks the grader costs its learner the points it fails
and nothing else: the batch always finishes.

Outputs, in OUT (default build/grades/):
  gradebook.csv        learner, each chapter's points (before its weight), total
                       (chapter weights from course.toml applied) and max
  feedback/NAME.txt    the grader's messages for one learner. A hidden test
                       (course.toml: hidden = [...]) appears only as "hidden
                       test N: passed" or "hidden test N: failed", without
                       its name, description, hint or message
  summary.txt, .json   per test: how many learners failed it and the most
                       common likely cause (the grader's "likely cause:" line):
                       what to reteach
  results/NAME.json    each learner's results (the grader's --results JSON) and
                       the key they were graded under: a re-run regrades only
                       submissions whose exercise files, or the grader, changed

NAME is the learner's name with anything but letters, digits, '-', '_' and '.'
replaced by '_' (and, when that changed it, a short hash added).

A submission's exercise files: at most 1 MB each; an archive: at most 64 MB,
256 MB unpacked, 20000 members. Members with an absolute path or '..' and
symbolic links are never followed or written anywhere: the files wanted are
read from the archive into memory, and only they are written, under their own
names, into the submission's fresh folder.

Environment: GRADE_TIMEOUT (seconds per test, as for make check) also scales
the limit on a whole submission.
"""
import argparse
import collections
import concurrent.futures
import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

from workbook import course

ROOT = course.ROOT
DEFAULT_OUT = os.path.join("build", "grades")
ARCHIVES = (".tar.gz", ".tgz", ".zip", ".tar")
MAX_FILE = 1 << 20          # one exercise file
MAX_ARCHIVE = 64 << 20      # one archive, as stored
MAX_UNPACKED = 256 << 20    # what reading an archive may unpack, all members
MAX_MEMBERS = 20000         # members of one archive
SEARCH_DEPTH = 3            # folders to descend into a submission to find ch01/, ...
# The grader a batch runs: copied from this checkout once per batch into a tree of
# its own (named by the hash of its files), so every submission of the batch is
# graded by the same grader even when the checkout changes meanwhile. solutions/
# is there for the tests that include a reference layer (chapter 6), chapters/ for
# course.toml's own checks.
TREE = ["course.toml", "harness/grader", "harness/include", "harness/workbook", "solutions", "chapters"]
# What a learner's results depend on, of those (with the reference layers the
# tests include): a change here regrades every submission, a change elsewhere
# (the book, the learner's loop) none.
GRADING = ["course.toml", "harness/grader", "harness/include", "harness/workbook/grade.py",
           "harness/workbook/course.py", "harness/workbook/batch.py"]


class BatchError(Exception):
    """Bad input to the batch as a whole (exit status 2)."""


def fmt(x):
    """Points as a spreadsheet reads them: 5, 2.5, 1.67."""
    text = "%.2f" % (x + 0.0)
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown_name(name):
    """A learner's name as text (a folder name that is not UTF-8 keeps its other bytes as U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def safe_name(name):
    """A file name for a learner's feedback and results: letters, digits, '-', '_', '.'
    kept; anything else '_', with a short hash of the real name when that changed it."""
    s = "".join(c if (c.isalnum() or c in "-_.") and c.isprintable() else "_" for c in shown_name(name))
    s = s.strip("._")[:80] or "learner"
    if s != name:
        s += "-" + hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return s


def csv_cell(text):
    """A learner's name for the gradebook: a leading = + - @ would be a formula to a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- the submissions ---------------------------------------------------------------

class Submission:
    def __init__(self, name, path, kind):
        self.name, self.path, self.kind = name, path, kind  # kind: folder, zip, tar
        self.safe = safe_name(name)
        self.shown = shown_name(name)


def archive_kind(entry):
    low = entry.lower()
    for suffix in ARCHIVES:
        if low.endswith(suffix) and len(entry) > len(suffix):
            return entry[:-len(suffix)], ("zip" if suffix == ".zip" else "tar")
    return None, None


def find_submissions(folder, out=None):
    """([Submission], [notes on what was left out]) for the entries of folder."""
    if not folder:
        raise BatchError("say where the submissions are: make grade SUBMISSIONS=dir (a folder holding one "
                         "folder or one .zip/.tar.gz archive per learner, each laid out like exercises/)")
    if not os.path.exists(folder):
        raise BatchError("SUBMISSIONS=%s does not exist" % folder)
    if not os.path.isdir(folder):
        raise BatchError("SUBMISSIONS=%s is a file, not a folder: give the folder that holds one folder or "
                         "archive per learner" % folder)
    try:
        entries = sorted(os.listdir(folder))
    except OSError as e:
        raise BatchError("SUBMISSIONS=%s cannot be read: %s" % (folder, e.strerror))
    if any(re.fullmatch(r"ch\d\d", e) for e in entries):
        raise BatchError("SUBMISSIONS=%s looks like one learner's exercises (it holds %s): give the folder that "
                         "holds one such folder per learner" % (folder, ", ".join(
                             e + "/" for e in entries if re.fullmatch(r"ch\d\d", e))))
    found, notes, names = [], [], {}
    for entry in entries:
        path = os.path.join(folder, entry)
        if out and os.path.isdir(path) and os.path.isdir(out) and os.path.samefile(path, out):
            continue
        if entry.startswith("."):
            notes.append("%s (a hidden entry)" % shown_name(entry))
            continue
        if os.path.isdir(path):
            name, kind = entry, "folder"
        else:
            name, kind = archive_kind(entry)
            if name is None or not os.path.isfile(path):
                notes.append("%s (neither a folder nor a .zip, .tar.gz, .tgz or .tar archive)"
                             % shown_name(entry))
                continue
        if name in names:
            notes.append("%s (%s is graded for the learner %s)" % (
                shown_name(entry), shown_name(names[name]), shown_name(name)))
            continue
        names[name] = entry
        found.append(Submission(name, path, kind))
    if not found:
        raise BatchError("SUBMISSIONS=%s holds no submissions: it should hold one folder per learner laid out "
                         "like exercises/ (ch03/mul_layer.c, ...), or one .zip/.tar.gz archive of one%s"
                         % (folder, "".join("\n  ignored: " + n for n in notes)))
    # folders first when a learner has both: sorted() put "x" before "x.zip" already
    return found, notes


def wanted_files(chapters):
    return [ch.nn + "/" + f for ch in chapters for f in ch.files]


def clean_member(name):
    """An archive member's path as parts, or None when it is unsafe (absolute, ..)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def pick_prefix(names, wanted):
    """The folder inside a submission that holds its exercise files: the prefix
    under which the most of `wanted` are found (the shortest when tied)."""
    score = collections.Counter()
    for n in names:
        for w in wanted:
            if n == w or n.endswith("/" + w):
                prefix = n[:-len(w)]
                if prefix.count("/") <= SEARCH_DEPTH:
                    score[prefix] += 1
    if not score:
        return ""
    return min(score, key=lambda p: (-score[p], len(p), p))


def read_limited(f, limit):
    data = f.read(limit + 1)
    return data if len(data) <= limit else None


def collect_folder(sub, wanted):
    """{wanted path: bytes}, {wanted path: why it was not taken}, notes."""
    names = set()
    base = sub.path
    # os.walk does not follow a symbolic link to a folder: a file is taken only
    # when it and every folder above it (inside the submission) are real
    for dirpath, dirnames, files in os.walk(base):
        rel = os.path.relpath(dirpath, base)
        depth = 0 if rel == "." else rel.count(os.sep) + 1
        dirnames[:] = sorted(d for d in dirnames if depth <= SEARCH_DEPTH and not d.startswith("."))
        for f in files:
            names.add(f if rel == "." else rel.replace(os.sep, "/") + "/" + f)
        if len(names) > MAX_MEMBERS:
            break
    prefix = pick_prefix(names, wanted)
    files, why = {}, {}
    for w in wanted:
        if prefix + w not in names:
            continue
        path = os.path.join(base, *(prefix + w).split("/"))
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISLNK(st.st_mode):
            why[w] = "is a symbolic link, which is not graded: submit the file itself"
        elif not stat.S_ISREG(st.st_mode):
            why[w] = "is not a regular file"
        elif st.st_size > MAX_FILE:
            why[w] = "is larger than %d KB" % (MAX_FILE >> 10)
        else:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
                with os.fdopen(fd, "rb") as f:
                    data = read_limited(f, MAX_FILE)
            except OSError as e:
                why[w] = "cannot be read (%s)" % e.strerror
                continue
            if data is None:
                why[w] = "is larger than %d KB" % (MAX_FILE >> 10)
            else:
                files[w] = data
    return files, why, ([] if not prefix else ["exercise files found in %s/" % prefix.rstrip("/")])


def collect_zip(sub, wanted):
    files, why, notes = {}, {}, []
    with zipfile.ZipFile(sub.path) as z:
        infos = z.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BatchError("the archive has more than %d members" % MAX_MEMBERS)
        members, unsafe = {}, 0
        for info in infos:
            name = clean_member(info.filename)
            if name is None:
                unsafe += 1
                continue
            mode = (info.external_attr >> 16) & 0o170000
            if info.is_dir():
                continue
            members.setdefault(name, (info, mode))
        if unsafe:
            notes.append("%d archive member(s) with an absolute path or '..' ignored" % unsafe)
        prefix = pick_prefix(list(members), wanted)
        for w in wanted:
            if prefix + w not in members:
                continue
            info, mode = members[prefix + w]
            if mode == stat.S_IFLNK:
                why[w] = "is a symbolic link, which is not graded: submit the file itself"
                continue
            if mode not in (0, stat.S_IFREG):
                why[w] = "is not a regular file"
                continue
            if info.flag_bits & 0x1:
                why[w] = "is encrypted in the archive"
                continue
            with z.open(info) as f:
                data = read_limited(f, MAX_FILE)
            if data is None:
                why[w] = "is larger than %d KB" % (MAX_FILE >> 10)
                continue
            files[w] = data
        if prefix:
            notes.append("exercise files found in %s/" % prefix.rstrip("/"))
    return files, why, notes


def collect_tar(sub, wanted):
    files, why, notes = {}, {}, []
    members, unsafe, seen = {}, 0, 0
    with tarfile.open(sub.path, "r:*") as t:
        for m in t:
            seen += 1
            if seen > MAX_MEMBERS:
                raise BatchError("the archive has more than %d members" % MAX_MEMBERS)
            if m.offset_data + m.size > MAX_UNPACKED:
                raise BatchError("the archive unpacks to more than %d MB" % (MAX_UNPACKED >> 20))
            name = clean_member(m.name)
            if name is None:
                unsafe += 1
                continue
            if m.isdir():
                continue
            members.setdefault(name, m)
        if unsafe:
            notes.append("%d archive member(s) with an absolute path or '..' ignored" % unsafe)
        prefix = pick_prefix(list(members), wanted)
        for w in wanted:
            m = members.get(prefix + w)
            if m is None:
                continue
            if m.issym() or m.islnk():
                why[w] = "is a link in the archive, which is not graded: submit the file itself"
            elif not m.isfile():
                why[w] = "is not a regular file"
            elif m.size > MAX_FILE:
                why[w] = "is larger than %d KB" % (MAX_FILE >> 10)
            else:
                data = read_limited(t.extractfile(m), MAX_FILE)
                if data is None:
                    why[w] = "is larger than %d KB" % (MAX_FILE >> 10)
                else:
                    files[w] = data
        if prefix:
            notes.append("exercise files found in %s/" % prefix.rstrip("/"))
    return files, why, notes


def collect(sub, wanted):
    """The learner's exercise files: (files, why some were not taken, notes), or
    raises BatchError for a submission that cannot be read at all."""
    if sub.kind == "folder":
        return collect_folder(sub, wanted)
    if os.path.getsize(sub.path) > MAX_ARCHIVE:
        raise BatchError("the archive is larger than %d MB" % (MAX_ARCHIVE >> 20))
    try:
        return (collect_zip if sub.kind == "zip" else collect_tar)(sub, wanted)
    except BatchError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, EOFError, OSError, ValueError,
            RuntimeError, NotImplementedError) as e:
        kind = "zip" if sub.kind == "zip" else "tar"
        raise BatchError("the archive cannot be read (damaged, or not a %s archive: %s)"
                         % (kind, str(e) or type(e).__name__))
    except Exception as e:  # noqa: BLE001  (zlib.error and the like: the learner's archive, not the batch)
        raise BatchError("the archive cannot be read (%s: %s)" % (type(e).__name__, e))


# ---- the grader, once per batch ------------------------------------------------------

def snapshot_tree(build):
    """The grader's files (TREE) copied into build/tree-HASH, HASH naming their
    contents: (the tree's folder, the hash of the files in GRADING). A tree
    already there is reused."""
    files = []
    for top in TREE:
        path = os.path.join(ROOT, top)
        if os.path.isfile(path):
            files.append(top)
        for d, dirs, fs in os.walk(path):
            dirs[:] = sorted(x for x in dirs if x != "__pycache__" and not x.startswith("."))
            files += sorted(os.path.relpath(os.path.join(d, f), ROOT) for f in fs
                            if not f.endswith((".pyc", ".tmp")) and not f.startswith("."))
    h, data = hashlib.sha256(), {}
    for rel in files:
        with open(os.path.join(ROOT, rel), "rb") as f:
            data[rel] = f.read()
        h.update(rel.encode() + b"\0" + data[rel] + b"\0")
    tree = os.path.join(build, "tree-" + h.hexdigest()[:16])
    included = {os.path.normpath(os.path.join("harness", "grader", inc)) for rel in files
                if rel.startswith(os.path.join("harness", "grader", "")) and rel.endswith(".c")
                for inc in re.findall(r'^\s*#\s*include\s+"(\.\./\.\./solutions/[^"]+)"',
                                      data[rel].decode("utf-8", "replace"), re.M)}
    grading = hashlib.sha256()
    for rel in files:
        if rel in included or any(rel == g or rel.startswith(g + os.sep) for g in GRADING):
            grading.update(rel.encode() + b"\0" + data[rel] + b"\0")
    if not os.path.isdir(tree):
        tmp = tempfile.mkdtemp(prefix="tree.", dir=build)
        for rel, content in data.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        try:
            os.rename(tmp, tree)
        except OSError:  # another batch made it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    for name in os.listdir(build):  # earlier versions of the grader
        if name.startswith("tree-") and name != os.path.basename(tree):
            shutil.rmtree(os.path.join(build, name), ignore_errors=True)
    return tree, grading.hexdigest()[:24]


def tree_env(tree):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(tree, "harness")
    for var in ("GRADE_KEEP", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(var, None)
    return env


def prebuild_in(tree, chapters, build, staging):
    """prebuild() run by the tree's own grader (`grade --prebuild SPEC`): returns
    ({harness source: object}, the toolchain's versions)."""
    spec = os.path.join(staging, "prebuild.json")
    write_json(spec, {"chapters": [c.number for c in chapters], "build": build, "keep": staging})
    log = os.path.join(staging, "prebuild.log")
    with open(log, "wb") as err:
        try:
            r = subprocess.run([sys.executable, "-m", "workbook", "grade", "--prebuild", spec], cwd=staging,
                               env=tree_env(tree), stdin=subprocess.DEVNULL, stdout=err, stderr=err, timeout=900)
            status = r.returncode
        except subprocess.TimeoutExpired:
            status = "a time-out (900 s)"
    with open(log, encoding="utf-8", errors="replace") as f:
        said = f.read()[-3000:].strip()
    if status != 0:
        raise BatchError("the grader's own objects could not be built (exit status %s), so nothing was graded:\n%s"
                         % (status, said))
    with open(spec, encoding="utf-8") as f:
        done = json.load(f)
    return done["prebuilt"], done["toolchain"]


def prebuild(chapters, build, keep):
    """Build the grader's objects for the chapters once (grade.harness_object, kept
    in build/cache, keyed by their sources) and the C library's symbol list.
    Returns ({harness source: its object, copied into the folder keep}, the
    toolchain's versions): what each submission's grader starts with."""
    from workbook import grade
    work = os.path.join(build, "prebuild.%d.x" % os.getpid(), "harness")
    os.makedirs(work, exist_ok=True)
    built = {}
    try:
        grade.libc_symbols(work)  # kept in build/cache for every submission's grader
        sources = list(grade.HARNESS_SUPPORT) + [os.path.join(ROOT, "harness", "grader", "test_%s.c" % ch.nn)
                                                 for ch in chapters]
        for src in sources:
            obj, problem = grade.harness_object(src, work)
            if problem:
                raise BatchError(problem)
            built[src] = os.path.join(keep, os.path.basename(src) + ".o")
            shutil.copy(obj, built[src])
        cc = grade.toolchain(work)
    finally:
        shutil.rmtree(os.path.dirname(work), ignore_errors=True)
    return built, cc


def chapter_limit(ch):
    """Seconds one chapter of one submission may take, compiling included."""
    from workbook import grade
    tests = sum(len(f.tests) for f in ch.functions)
    return 60 + 30 + grade.TEST_TIMEOUT * tests


# ---- one submission, in a process of its own ------------------------------------------

def prebuild_here(spec_path):
    """`grade --prebuild SPEC`, in the batch's tree: prebuild() for SPEC's chapters,
    its results added to SPEC."""
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    try:
        built, cc = prebuild([course.chapter(n) for n in spec["chapters"]], spec["build"], spec["keep"])
    except BatchError as e:
        print(e, file=sys.stderr)
        return 3
    spec.update(prebuilt=built, toolchain=cc)
    write_json(spec_path, spec)
    return 0


def cpu_seconds(children_only=False):
    """CPU time (user + system) of this process and of the children it has waited for."""
    import resource
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    if children_only:
        return c.ru_utime + c.ru_stime
    s = resource.getrusage(resource.RUSAGE_SELF)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def grade_here(spec_path):
    """`grade --one SPEC`, in the batch's tree: grade ./exercises with the prebuilt
    grader; write ./results.json (the grader's --results, all chapters) and
    ./timing.json."""
    from workbook import grade
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    grade.PREBUILT.update(spec["prebuilt"])
    grade.BUILD = spec["build"]
    # seconds of wall clock, and CPU seconds (the compilers', the tests'), of compiling
    # and linking and of each chapter in all
    timing = {"compile": 0.0, "chapters": 0.0, "cpu_compile": 0.0, "cpu_chapters": 0.0}
    compile_chapter = grade.compile_chapter

    def timed(*args):
        t0, c0 = time.monotonic(), cpu_seconds()
        try:
            return compile_chapter(*args)
        finally:
            timing["compile"] += time.monotonic() - t0
            timing["cpu_compile"] += cpu_seconds() - c0
    grade.compile_chapter = timed
    merged = None
    for number in spec["chapters"]:
        out = "results.%d.json" % number
        t0, c0 = time.monotonic(), cpu_seconds()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            status = grade.main(["--chapter", str(number), "--exercises", "exercises", "--results", out])
        timing["chapters"] += time.monotonic() - t0
        timing["cpu_chapters"] += cpu_seconds() - c0
        if status not in (0, 1):
            print("the grader stopped with status %d on chapter %d" % (status, number), file=sys.stderr)
            return 3
        with open(out, encoding="utf-8") as f:
            data = json.load(f)
        if merged is None:
            merged = data
        else:
            merged["chapters"] += data["chapters"]
    timing["cpu"] = cpu_seconds()
    for name, data in (("results.json", merged), ("timing.json", timing)):
        with open(name + ".tmp", "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(name + ".tmp", name)
    return 0


class Running:
    """The process groups of the graders running now: ended on Ctrl-C."""

    def __init__(self):
        self.lock, self.pids, self.stopping = threading.Lock(), set(), False

    def kill_all(self):
        with self.lock:
            self.stopping = True
            for pid in self.pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)


def run_grader(folder, tree, spec_path, limit, running):
    """Grade folder/exercises in a process group of its own. Returns (results or
    None, timing, problem or None)."""
    env = tree_env(tree)
    log = os.path.join(folder, "grader.log")
    t0 = time.monotonic()
    with open(log, "wb") as err:
        with running.lock:
            if running.stopping:
                return None, {}, "interrupted"
            proc = subprocess.Popen([sys.executable, "-m", "workbook", "grade", "--one", spec_path], cwd=folder,
                                    env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
            running.pids.add(proc.pid)
        problem = None
        try:
            proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            problem = ("grading stopped: the submission took longer than %d s in all (the grader's limit); "
                       "its chapters score 0" % limit)
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)  # nothing it started outlives it
            proc.wait()
            with running.lock:
                running.pids.discard(proc.pid)
    wall = time.monotonic() - t0
    try:
        with open(os.path.join(folder, "timing.json"), encoding="utf-8") as f:
            timing = json.load(f)
    except (OSError, ValueError):
        timing = {}
    timing["wall"] = wall
    if problem is None:
        try:
            with open(os.path.join(folder, "results.json"), encoding="utf-8") as f:
                return json.load(f), timing, None
        except (OSError, ValueError):
            with open(log, "rb") as f:
                tail = f.read()[-1500:].decode("utf-8", "replace").strip()
            problem = ("grading stopped: the grader ended without results (exit status %s)%s"
                       % (proc.returncode, ":\n" + tail if tail else ""))
    return None, timing, problem


# ---- results ----------------------------------------------------------------------

def empty_record(ch, problem):
    """A chapter's results when it could not be graded at all: every test failed with problem."""
    tests = []
    for f in ch.functions:
        for t in f.tests:
            tests.append({"name": t, "description": "", "function": f.name, "passed": False, "given": f.given,
                          "hidden": t in f.hidden, "points": 0.0, "max_points": f.test_points(t),
                          "hint": None, "message": problem})
    mine = [t for t in tests if not t["given"]]
    return {"chapter": ch.number, "title": ch.title, "weight": ch.weight, "passed": 0, "total": len(mine),
            "given_passed": 0, "given_total": len(tests) - len(mine), "points": 0.0,
            "max_points": ch.max_points, "problem": problem, "notes": [], "tests": tests}


def missing_problem(missing, why):
    parts = ["%s %s" % (w, why[w]) for w in missing if w in why]
    gone = [w for w in missing if w not in why]
    if gone:
        parts.insert(0, "%s %s not in the submission" % (" and ".join(gone), "is" if len(gone) == 1 else "are"))
    return "file missing: %s; the chapter scores 0." % "; ".join(parts)


def fix_missing(results, chapters, files, why):
    """A chapter with a missing exercise file scores 0 with the words "file missing"."""
    by_number = {c["chapter"]: c for c in results["chapters"]}
    for ch in chapters:
        missing = [ch.nn + "/" + f for f in ch.files if ch.nn + "/" + f not in files]
        if missing:
            record = empty_record(ch, missing_problem(missing, why))
            if ch.number in by_number:
                old = by_number[ch.number]
                for t in record["tests"]:  # keep the grader's descriptions
                    t["description"] = next((o["description"] for o in old["tests"] if o["name"] == t["name"]), "")
            by_number[ch.number] = record
    results["chapters"] = [by_number[ch.number] for ch in chapters if ch.number in by_number]
    return results


def chapter_points(record):
    """(points, max_points) of one chapter's results, before its weight."""
    return float(record["points"]), float(record["max_points"])


class Entry:
    """One learner's outcome."""

    def __init__(self, sub):
        self.sub, self.results, self.timing, self.notes = sub, None, {}, []
        self.cached, self.problem, self.key = False, None, None


# ---- the batch --------------------------------------------------------------------

class Progress:
    """done/total, rate and time left, on stderr: one line redrawn on a terminal,
    else a line per submission."""

    def __init__(self, total, stream, tty=None):
        self.total, self.stream = total, stream
        self.tty = stream.isatty() if tty is None else tty
        self.done = self.graded = 0
        self.start = time.monotonic()

    def begin(self, jobs, prebuild_secs):
        self.stream.write("grading %d submission%s, %d at a time (the grader built once for all: %.1f s)\n"
                          % (self.total, "" if self.total == 1 else "s", jobs, prebuild_secs))
        self.stream.flush()
        self.start = time.monotonic()

    def __call__(self, entry):
        self.done += 1
        if not entry.cached:
            self.graded += 1
        elapsed = time.monotonic() - self.start
        rate = self.graded / elapsed * 60 if self.graded and elapsed > 0 else 0.0
        left = self.total - self.done
        eta = ("about %s left" % duration(left / rate * 60)) if rate and left else ("done" if not left else "")
        what = verdict(entry)
        if self.tty:
            width = 24
            bar = "#" * (width * self.done // self.total) + "." * (width - width * self.done // self.total)
            line = "grading [%s] %d/%d  %.1f/min  %s  (%s: %s)" % (bar, self.done, self.total, rate, eta,
                                                                  entry.sub.shown, what)
            cols = shutil.get_terminal_size((100, 20)).columns
            self.stream.write("\r" + line[:cols - 1].ljust(cols - 1))
            if not left:
                self.stream.write("\n")
        else:
            self.stream.write("[%*d/%d] %s: %s%s\n" % (len(str(self.total)), self.done, self.total, entry.sub.shown,
                                                       what, ("  (%.1f/min, %s)" % (rate, eta)) if rate else ""))
        self.stream.flush()


def duration(secs):
    secs = int(round(secs))
    if secs < 60:
        return "%d s" % secs
    if secs < 3600:
        return "%d min %02d s" % (secs // 60, secs % 60)
    return "%d h %02d min" % (secs // 3600, secs // 60 % 60)


def verdict(entry):
    if entry.results is None or entry.problem:
        return "not graded: %s" % (entry.problem or "?").split("\n")[0]
    got = sum(chapter_points(c)[0] * c.get("weight", 1) for c in entry.results["chapters"])
    top = sum(chapter_points(c)[1] * c.get("weight", 1) for c in entry.results["chapters"])
    text = "%s/%s points" % (fmt(got), fmt(top))
    if entry.cached:
        return text + ", unchanged (kept)"
    return text + (", %.1f s" % entry.timing["wall"] if "wall" in entry.timing else "")


def load_cached(path, key):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key else None


def write_json(path, data):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def grade_submission(sub, ctx):
    """Collect, stage and grade one submission. Whatever goes wrong costs this
    learner's points only: the batch goes on."""
    try:
        return grade_submission_(sub, ctx)
    except Exception as e:  # noqa: BLE001
        import traceback
        entry = Entry(sub)
        entry.problem = "grading stopped: the batch grader failed on this submission (%s: %s)" % (
            type(e).__name__, e)
        entry.results = {"version": 2, "exercises": sub.shown,
                         "chapters": [empty_record(ch, entry.problem) for ch in ctx["chapters"]]}
        print(traceback.format_exc(), file=sys.stderr)
        return entry


def grade_submission_(sub, ctx):
    entry = Entry(sub)
    chapters = ctx["chapters"]
    wanted = wanted_files(chapters)
    unreadable = None
    try:
        files, why, notes = collect(sub, wanted)
    except BatchError as e:
        files, why, notes = None, {}, []
        unreadable = "your submission could not be read: %s; every chapter scores 0." % e
    entry.notes = notes
    h = hashlib.sha256(ctx["version"].encode())
    if files is None:
        h.update(b"unreadable\0" + unreadable.encode())
    else:
        for w in wanted:
            h.update(w.encode() + b"\0" + (b"1" + files[w] if w in files else b"0" + why.get(w, "").encode()) + b"\0")
    entry.key = h.hexdigest()
    cache = os.path.join(ctx["out"], "results", sub.safe + ".json")
    kept = load_cached(cache, entry.key)
    if kept is not None:
        entry.results, entry.timing, entry.notes, entry.cached = kept["results"], kept.get("timing", {}), \
            kept.get("notes", notes), True
        return entry
    if files is None:
        entry.results = {"version": 2, "exercises": sub.shown,
                         "chapters": [empty_record(ch, unreadable) for ch in chapters]}
    else:
        folder = tempfile.mkdtemp(prefix="sub.", dir=ctx["staging"])
        try:
            for ch in chapters:
                os.makedirs(os.path.join(folder, "exercises", ch.nn))
            for w, data in files.items():
                with open(os.path.join(folder, "exercises", *w.split("/")), "wb") as f:
                    f.write(data)
            limit = sum(chapter_limit(ch) for ch in chapters)
            results, entry.timing, problem = run_grader(folder, ctx["tree"], ctx["spec"], limit, ctx["running"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if problem == "interrupted" or ctx["running"].stopping:
            entry.problem = "interrupted"
            return entry
        if results is None:
            entry.problem = problem
            entry.results = {"version": 2, "exercises": "exercises",
                             "chapters": [empty_record(ch, problem) for ch in chapters]}
            return entry  # not kept: the next run tries again
        entry.results = fix_missing(results, chapters, files, why)
    write_json(cache, {"learner": sub.shown, "key": entry.key, "notes": entry.notes, "timing": entry.timing,
                       "results": entry.results})
    return entry


def choose_chapters(manifest, chapter_numbers):
    gradable = [ch for ch in course.chapters(manifest) if ch.gradable]
    if not chapter_numbers:
        return gradable
    by_number = {ch.number: ch for ch in gradable}
    bad = [n for n in chapter_numbers if n not in by_number]
    if bad:
        raise BatchError("CHAPTER=%s: no such chapter with exercises; valid chapters: %s" % (
            ",".join(map(str, bad)), ", ".join(str(c.number) for c in gradable)))
    return [by_number[n] for n in sorted(set(chapter_numbers))]


def grade_class(submissions_dir, out=DEFAULT_OUT, jobs=None, chapter_numbers=None, log=sys.stderr, tty=None,
                build=None):
    """Grade every submission of submissions_dir into out. Returns (entries, stats)."""
    choose_chapters(course.MANIFEST, chapter_numbers)  # a wrong CHAPTER stops before anything is written
    out = os.path.abspath(out)
    subs, ignored = find_submissions(submissions_dir, out)
    os.makedirs(os.path.join(out, "results"), exist_ok=True)
    os.makedirs(os.path.join(out, "feedback"), exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)
    # OUT/.build: the grader's tree and objects (kept: named by their contents) and the staging folders
    build = os.path.abspath(build or os.path.join(out, ".build"))
    os.makedirs(build, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="staging.%d." % os.getpid(), dir=build)
    t0 = time.monotonic()
    stats = {"jobs": jobs, "submissions": len(subs), "ignored": ignored}
    try:
        from workbook import grade
        tree, digest = snapshot_tree(build)
        chapters = choose_chapters(os.path.join(tree, "course.toml"), chapter_numbers)
        built, cc = prebuild_in(tree, chapters, build, staging)
        stats["prebuild"] = time.monotonic() - t0
        spec = os.path.join(staging, "spec.json")
        write_json(spec, {"prebuilt": built, "build": build, "chapters": [c.number for c in chapters]})
        # what the results depend on besides the learner's files
        version = repr((digest, grade.CC, grade.TEST_TIMEOUT, cc, [c.number for c in chapters]))
        ctx = {"chapters": chapters, "out": out, "staging": staging, "spec": spec, "running": Running(),
               "version": version, "tree": tree}
        progress = Progress(len(subs), log, tty)
        progress.begin(jobs, stats["prebuild"])
        entries = []
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(grade_submission, s, ctx) for s in subs]
            for fut in concurrent.futures.as_completed(futures):
                entry = fut.result()
                entries.append(entry)
                progress(entry)
        except BaseException:
            ctx["running"].kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    stats["seconds"] = time.monotonic() - t0
    entries.sort(key=lambda e: (e.sub.shown.casefold(), e.sub.name))
    write_outputs(entries, chapters, out, stats)
    return entries, stats


# ---- outputs ----------------------------------------------------------------------

def learner_total(entry, chapters):
    """{chapter number: points}, weighted total, weighted max (max from the manifest)."""
    by_number = {c["chapter"]: c for c in (entry.results or {}).get("chapters", [])}
    points = {ch.number: chapter_points(by_number[ch.number])[0] if ch.number in by_number else 0.0
              for ch in chapters}
    total = sum(points[ch.number] * ch.weight for ch in chapters)
    top = sum(ch.max_points * ch.weight for ch in chapters)
    return points, total, top


def gradebook_rows(entries, chapters):
    rows = [["learner"] + [ch.nn for ch in chapters] + ["total", "max"]]
    for e in entries:
        points, total, top = learner_total(e, chapters)
        rows.append([csv_cell(e.sub.shown)] + [fmt(points[ch.number]) for ch in chapters] + [fmt(total), fmt(top)])
    return rows


def feedback_text(entry, chapters):
    """What one learner reads: every chapter's tests and the grader's messages;
    a hidden test only as passed or failed."""
    points, total, top = learner_total(entry, chapters)
    lines = ["Feedback for %s" % entry.sub.shown, ""]
    weighted = any(ch.weight != 1 for ch in chapters)
    lines.append("Total: %s of %s points%s" % (fmt(total), fmt(top), " (chapter weights applied)" if weighted else ""))
    for note in entry.notes:
        lines.append("note: %s" % note)
    by_number = {c["chapter"]: c for c in (entry.results or {}).get("chapters", [])}
    for ch in chapters:
        c = by_number.get(ch.number)
        lines.append("")
        got, most = (chapter_points(c) if c else (0.0, ch.max_points))
        weight = " (weight %s: %s of %s)" % (fmt(ch.weight), fmt(got * ch.weight), fmt(most * ch.weight)) \
            if ch.weight != 1 else ""
        lines.append("Chapter %d: %s: %s of %s points%s" % (ch.number, ch.title, fmt(got), fmt(most), weight))
        if c is None:
            lines.append("  not graded")
            continue
        for note in c.get("notes") or []:
            lines.append("  note: " + note)
        if c.get("problem"):
            lines += ["  " + l for l in c["problem"].splitlines()]
            continue
        hidden_n = 0
        for t in c["tests"]:
            mark = "PASS" if t["passed"] else "FAIL"
            if t.get("hidden"):
                hidden_n += 1
                lines.append("  %s  hidden test %d: %s" % (mark, hidden_n, "passed" if t["passed"] else "failed"))
                continue
            worth = "(given code)" if t["given"] else "[%s of %s]" % (fmt(t["points"]), fmt(t["max_points"]))
            lines.append("  %s  %s %s  %s" % (mark, t["name"], worth, t["description"]))
            if not t["passed"]:
                lines += ["        " + l for l in t["message"].splitlines()]
                if t.get("hint") and "likely cause:" not in t["message"] \
                        and "is not implemented yet" not in t["message"]:
                    lines.append("        hint: " + t["hint"])
    return "\n".join(lines) + "\n"


def cause_of(test, record):
    """Why a test failed, in a few words the class's failures can be counted by."""
    problem = record.get("problem")
    if problem:
        first = problem.split("\n")[0]
        if first.startswith("file missing"):
            return "file missing"
        if "does not compile" in first:
            return "the chapter does not compile"
        if first.startswith("linking your files"):
            return "the chapter does not link"
        if first.startswith("grading stopped") or first.startswith("your submission could not be read"):
            return first.split(":")[0]
        return first[:160]
    message = test["message"]
    for line in message.splitlines():
        s = line.strip()
        if s.startswith("likely cause:"):
            return s
    if "is not implemented yet" in message:
        return "not implemented yet (the stub is still there)"
    first = next((l.strip() for l in message.splitlines() if l.strip()), "failed")
    return re.sub(r"\bat \S+:\d+", "at FILE:LINE", first)[:160]


def summary_data(entries, chapters, stats):
    graded = [e for e in entries if e.results is not None]
    tests, order = {}, []
    chapter_rows = []
    for ch in chapters:
        got = []
        problems = collections.Counter()
        for e in graded:
            c = next((c for c in e.results["chapters"] if c["chapter"] == ch.number), None)
            if c is None:
                continue
            got.append(chapter_points(c)[0])
            if c.get("problem"):
                problems[cause_of({}, c)] += 1
            for t in c["tests"]:
                key = (ch.number, t["name"])
                if key not in tests:
                    tests[key] = {"chapter": ch.number, "test": t["name"], "function": t.get("function"),
                                  "hidden": bool(t.get("hidden")), "given": bool(t["given"]), "learners": 0,
                                  "failed": 0, "chapter_not_graded": 0, "causes": collections.Counter()}
                    order.append(key)
                row = tests[key]
                row["learners"] += 1
                if not t["passed"]:
                    row["failed"] += 1
                    row["chapter_not_graded"] += bool(c.get("problem"))
                    row["causes"][cause_of(t, c)] += 1
        chapter_rows.append({"chapter": ch.number, "title": ch.title, "weight": ch.weight,
                             "max_points": ch.max_points, "learners": len(got),
                             "mean": statistics.fmean(got) if got else 0.0,
                             "full_marks": sum(1 for g in got if g >= ch.max_points - 1e-9),
                             "problems": problems.most_common()})
    totals = [learner_total(e, chapters)[1] for e in graded]
    top = sum(ch.max_points * ch.weight for ch in chapters)
    rows = []
    for key in order:
        r = tests[key]
        causes = r.pop("causes")
        r["causes"] = causes.most_common()
        rows.append(r)
    return {"learners": len(entries), "graded": len(graded),
            "not_graded": [{"learner": e.sub.shown, "why": e.problem} for e in entries if e.results is None],
            "grading_stopped": [{"learner": e.sub.shown, "why": e.problem} for e in entries
                                if e.results is not None and e.problem],
            "ignored": stats.get("ignored", []),
            "total": {"max": top, "mean": statistics.fmean(totals) if totals else 0.0,
                      "median": statistics.median(totals) if totals else 0.0,
                      "full_marks": sum(1 for t in totals if t >= top - 1e-9)},
            "chapters": chapter_rows, "tests": rows}


def summary_text(data):
    lines = ["Class summary: %d learner%s" % (data["learners"], "" if data["learners"] == 1 else "s"), ""]
    t = data["total"]
    lines.append("total (chapter weights applied): mean %s, median %s of %s; full marks: %d"
                 % (fmt(t["mean"]), fmt(t["median"]), fmt(t["max"]), t["full_marks"]))
    for s in data["grading_stopped"]:
        lines.append("not graded (scored 0, regraded on the next run): %s: %s"
                     % (s["learner"], s["why"].split("\n")[0]))
    for s in data["ignored"]:
        lines.append("ignored: %s" % s)
    lines += ["", "Chapters (points before weight):"]
    for c in data["chapters"]:
        lines.append("  ch%02d  %-40s mean %s of %s, full marks %d of %d%s" % (
            c["chapter"], c["title"][:40], fmt(c["mean"]), fmt(c["max_points"]), c["full_marks"], c["learners"],
            "  (weight %s)" % fmt(c["weight"]) if c["weight"] != 1 else ""))
        for why, n in c["problems"]:
            lines.append("        %d learner%s: %s" % (n, "" if n == 1 else "s", why))
    lines += ["", "What to reteach: each test learners failed, the most failed first, with the causes the grader",
              "named most often (a chapter that could not be graded fails all its tests: counted apart)"]
    # a check of given code fails with its chapter's compile error: no news there
    rows = sorted((r for r in data["tests"] if r["failed"] > (r["chapter_not_graded"] if r["given"] else 0)),
                  key=lambda r: (-r["failed"], r["chapter"], r["test"]))
    if not rows:
        lines.append("  every learner passed every test")
    for r in rows:
        tags = [w for w, on in (("hidden", r["hidden"]), ("given code", r["given"])) if on]
        lines.append("  %d of %d failed  ch%02d %s%s%s" % (
            r["failed"], r["learners"], r["chapter"], r["test"], " (%s)" % ", ".join(tags) if tags else "",
            "  (%d: the chapter could not be graded)" % r["chapter_not_graded"] if r["chapter_not_graded"] else ""))
        ran = [(why, n) for why, n in r["causes"] if not is_chapter_cause(why)]
        for why, n in ran[:TOP_CAUSES]:
            lines.append("      %3d  %s" % (n, why))
        if len(ran) > TOP_CAUSES:
            more = len(ran) - TOP_CAUSES
            lines.append("           (and %d other cause%s: summary.json has them all)"
                         % (more, "" if more == 1 else "s"))
    return "\n".join(lines) + "\n"


TOP_CAUSES = 3  # causes shown under a test in summary.txt


CHAPTER_CAUSES = ("file missing", "the chapter does not compile", "the chapter does not link", "grading stopped",
                  "your submission could not be read")


def is_chapter_cause(why):
    return why in CHAPTER_CAUSES or why.startswith("the grader")


def write_outputs(entries, chapters, out, stats):
    done = [e for e in entries if e.problem != "interrupted"]
    with open(os.path.join(out, "gradebook.csv.tmp"), "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(gradebook_rows(done, chapters))
    os.replace(os.path.join(out, "gradebook.csv.tmp"), os.path.join(out, "gradebook.csv"))
    keep = set()
    for e in done:
        keep.add(e.sub.safe + ".txt")
        path = os.path.join(out, "feedback", e.sub.safe + ".txt")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(feedback_text(e, chapters))
        os.replace(path + ".tmp", path)
    # what earlier runs wrote for learners no longer in SUBMISSIONS
    for folder, suffix in (("feedback", ".txt"), ("results", ".json")):
        for name in os.listdir(os.path.join(out, folder)):
            if name.endswith(suffix) and name[:-len(suffix)] + ".txt" not in keep:
                os.unlink(os.path.join(out, folder, name))
    data = summary_data(done, chapters, stats)
    write_json(os.path.join(out, "summary.json"), data)
    with open(os.path.join(out, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(summary_text(data))


# ---- the benchmark: a synthetic class -------------------------------------------------

BENCH_MIX = ["correct"] * 6 + ["partly correct"] * 6 + ["not compiling"] * 3 + ["crashing"] * 3 + ["hanging"] * 2


def backward_functions(text):
    """(name, index just after the opening brace) of each *_backward defined in text."""
    return [(m.group(1), m.end()) for m in re.finditer(r"^\w[\w\s\*]*?\b(\w+_backward)\s*\([^;{]*\)\s*\{", text, re.M)]


def synthetic_class(folder, n):
    """n submissions made from solutions/, in the mix BENCH_MIX: returns {learner: kind}."""
    from selftest import mutants
    gradable = [ch for ch in course.chapters() if ch.gradable]
    all_mutants = [(ch, m) for ch in gradable for m in mutants.MUTANTS.get(ch.number, [])]
    targets = []  # (chapter, file, function, where the body starts)
    for ch in gradable:
        for f in ch.files:
            text = open(os.path.join(ROOT, "solutions", ch.nn, f), encoding="utf-8").read()
            targets += [(ch, f, name, at) for name, at in backward_functions(text)]
    kinds = {}
    for i in range(n):
        kind = BENCH_MIX[i % len(BENCH_MIX)]
        name = "learner%03d" % i
        sub = os.path.join(folder, name)
        shutil.copytree(os.path.join(ROOT, "solutions"), sub)
        for ch in gradable:  # every submission different: none is a cached copy of another
            for f in ch.files:
                with open(os.path.join(sub, ch.nn, f), "a", encoding="utf-8") as out:
                    out.write("/* %s */\n" % name)
        if kind == "partly correct":
            ch, m = all_mutants[i % len(all_mutants)]
            path = os.path.join(sub, ch.nn, m[1])
            text = open(path, encoding="utf-8").read()
            open(path, "w", encoding="utf-8").write(mutants.apply(text, m[2], m[3]))
        elif kind == "not compiling":
            ch = gradable[i % len(gradable)]
            with open(os.path.join(sub, ch.nn, ch.files[0]), "a", encoding="utf-8") as out:
                out.write("static void learner_helper(void) { undeclared_total += 1; }\n")
        elif kind in ("crashing", "hanging"):
            ch, f, func, at = targets[i % len(targets)]
            path = os.path.join(sub, ch.nn, f)
            text = open(path, encoding="utf-8").read()
            at = backward_functions(text)[[b[0] for b in backward_functions(text)].index(func)][1]
            bad = ("\n    *(volatile int *)0 = 1;" if kind == "crashing" else
                   "\n    for (volatile int spin = 1; spin;) { }")
            open(path, "w", encoding="utf-8").write(text[:at] + bad + text[at:])
        kinds[name] = kind
    return kinds


def bench(n, jobs, keep=False):
    """Grade a synthetic class of n and print submissions per minute and where the time goes."""
    from workbook import grade
    tmp = tempfile.mkdtemp(prefix="grade-bench.")
    try:
        subs = os.path.join(tmp, "submissions")
        os.makedirs(subs)
        kinds = synthetic_class(subs, n)
        load0 = os.getloadavg()
        out = os.path.join(tmp, "grades")
        # the comparator: what preparing the grader costs per submission without a
        # batch: built from nothing (a fresh tree), or found in make check's cache (-MM, hashing)
        chapters = [ch for ch in course.chapters() if ch.gradable]
        t0, c0 = time.monotonic(), cpu_seconds(children_only=True)
        prebuild(chapters, os.path.join(tmp, "cold"), tmp)
        cold, cold_cpu = time.monotonic() - t0, cpu_seconds(children_only=True) - c0
        grade._toolchain = None
        t0, c0 = time.monotonic(), cpu_seconds(children_only=True)
        prebuild(chapters, os.path.join(tmp, "cold"), tmp)
        warm, warm_cpu = time.monotonic() - t0, cpu_seconds(children_only=True) - c0
        print("class: %d submissions (%s), %d jobs, GRADE_TIMEOUT=%d s per test; load average before: %.2f %.2f "
              "%.2f" % (n, ", ".join("%d %s" % (c, k) for k, c in collections.Counter(kinds.values()).items()),
                        jobs, grade.TEST_TIMEOUT, *load0), flush=True)
        entries, stats = grade_class(subs, out, jobs, log=sys.stderr)
        load1 = os.getloadavg()
        secs = stats["seconds"]
        timed = [e for e in entries if e.timing.get("wall")]
        comp = sum(e.timing.get("compile", 0) for e in timed)
        chap = sum(e.timing.get("chapters", 0) for e in timed)
        wall = sum(e.timing["wall"] for e in timed)
        print()
        print("graded %d submissions in %s: %.1f submissions per minute (%d cores, %d jobs)"
              % (len(entries), duration(secs), len(entries) / secs * 60, os.cpu_count() or 1, jobs))
        print("load average after: %.2f %.2f %.2f" % load1)
        print("the grader's objects, built once for the batch: %.1f s (%s)" % (stats["prebuild"], out))
        print("time inside the submissions' graders, summed (%s): compiling and linking %.0f%%, running the "
              "tests %.0f%%, the rest (start-up, reading the test file, staging) %.0f%%"
              % (duration(wall), 100 * comp / wall, 100 * (chap - comp) / wall, 100 * (wall - chap) / wall))
        by_kind = collections.defaultdict(list)
        for e in timed:
            by_kind[kinds[e.sub.name]].append(e)
        for kind in dict.fromkeys(BENCH_MIX):
            es = by_kind.get(kind, [])
            if es:
                print("  %-15s %3d: %5.1f s each (compile %.1f s, tests %.1f s)" % (
                    kind, len(es), statistics.fmean(e.timing["wall"] for e in es),
                    statistics.fmean(e.timing.get("compile", 0) for e in es),
                    statistics.fmean(e.timing.get("chapters", 0) - e.timing.get("compile", 0) for e in es)))
        cpu = sum(e.timing.get("cpu", 0) for e in timed)
        ccomp = sum(e.timing.get("cpu_compile", 0) for e in timed)
        cchap = sum(e.timing.get("cpu_chapters", 0) for e in timed)
        if cpu:
            cores = os.cpu_count() or 1
            print("CPU time, load-independent: %.1f s per submission (compiling and linking %.0f%%, running the tests "
                  "%.0f%%, the rest %.0f%%): on %d idle cores about %.0f submissions per minute"
                  % (cpu / len(timed), 100 * ccomp / cpu, 100 * (cchap - ccomp) / cpu, 100 * (cpu - cchap) / cpu,
                     cores, cores * 60 / (cpu / len(timed))))
            for kind in dict.fromkeys(BENCH_MIX):
                es = by_kind.get(kind, [])
                if es:
                    print("  %-15s %3d: %5.1f CPU s each (compile %.1f s, tests %.1f s)" % (
                        kind, len(es), statistics.fmean(e.timing.get("cpu", 0) for e in es),
                        statistics.fmean(e.timing.get("cpu_compile", 0) for e in es),
                        statistics.fmean(e.timing.get("cpu_chapters", 0) - e.timing.get("cpu_compile", 0)
                                         for e in es)))
        per = wall / max(1, len(timed))
        print("comparator, preparing the grader per submission without a batch: built from nothing %.1f s "
              "(%.1f CPU s), from make check's cache %.2f s (%.2f CPU s); with the batch: 0 (%.1f s once); "
              "a submission's grading: %.1f s%s" % (cold, cold_cpu, warm, warm_cpu, stats["prebuild"], per,
                                                     " (%.1f CPU s)" % (cpu / len(timed)) if cpu else ""))
        if keep:
            print("kept: %s" % tmp)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


# ---- the command ------------------------------------------------------------------

def chapter_list(text):
    if not text.strip():
        return None
    if not re.fullmatch(r"\s*\d{1,3}(\s*[, ]\s*\d{1,3})*\s*", text):
        raise BatchError("CHAPTER=%s: give chapter numbers, e.g. CHAPTER=3 or CHAPTER=3,4" % text)
    return [int(x) for x in re.findall(r"\d+", text)]


def on_sigterm(signum, frame):
    raise KeyboardInterrupt()


def main(argv):
    if argv and argv[0] == "grade":
        argv = argv[1:]
    if len(argv) == 2 and argv[0] == "--one":
        return grade_here(argv[1])
    if len(argv) == 2 and argv[0] == "--prebuild":
        return prebuild_here(argv[1])
    ap = argparse.ArgumentParser(prog="python3 -m workbook grade", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--submissions", default="")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--jobs", default="", help="submissions graded at once (default: the number of cores)")
    ap.add_argument("--chapter", default="", help="grade only these chapters, e.g. 3 or 3,4")
    ap.add_argument("--bench", type=int, metavar="N", help="time a synthetic class of N submissions")
    ap.add_argument("--keep", action="store_true", help="--bench: keep the synthetic class and its grades")
    ap.add_argument("--build", help="for maintainers: the grader's tree and objects (default OUT/.build)")
    args = ap.parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_sigterm)
    try:
        if args.jobs.strip() and not re.fullmatch(r"\s*[1-9]\d{0,2}\s*", args.jobs):
            raise BatchError("JOBS=%s: give a number of submissions to grade at once, e.g. JOBS=2" % args.jobs)
        jobs = int(args.jobs) if args.jobs.strip() else (os.cpu_count() or 1)
        if args.bench:
            return bench(args.bench, jobs, args.keep)
        entries, stats = grade_class(args.submissions, args.out, jobs, chapter_list(args.chapter),
                                     build=args.build)
    except (BatchError, course.ManifestError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: the submissions graded so far are kept in %s/results/; the next run grades only "
              "the rest" % args.out.rstrip("/"), file=sys.stderr)
        return 130
    out = args.out.rstrip("/")
    cached = sum(e.cached for e in entries)
    stopped = [e for e in entries if e.problem and e.results is not None and e.problem != "interrupted"]
    print("%d submission%s in %s: %d graded, %d unchanged since the last run (results kept)%s" % (
        len(entries), "" if len(entries) == 1 else "s", duration(stats["seconds"]), len(entries) - cached, cached,
        "; %d could not be graded to the end (see %s/summary.txt)" % (len(stopped), out) if stopped else ""))
    for note in stats["ignored"]:
        print("  ignored: %s" % note)
    print("  %s/gradebook.csv      points per chapter, total and max" % out)
    print("  %s/feedback/          one file per learner: the grader's messages" % out)
    print("  %s/summary.txt        what the class failed most, and the likely causes" % out)
    return 0
