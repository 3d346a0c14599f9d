"""dist.py: what a course hands out, and the packages of the course platforms.

  dist student [--out FILE]       the student release (make dist-student):
                                  build/dist/backprop-workbook-student.tar.gz
  dist instructor [--out FILE]    everything, solutions and both books (make dist-instructor):
                                  build/dist/backprop-workbook-instructor.tar.gz
  dist scan PATH                  search an archive or a folder for solution lines;
                                  exit 1 when one is found
  dist release-book [--edition E] [--format F]
                                  in a student release: put the book it came with in
                                  build/book/student/ (its make book)
  dist gradescope [--out FILE]    a Gradescope autograder (make gradescope):
                                  build/dist/gradescope-autograder.zip
  dist autograde [--root DIR]     what the autograder's run_autograder runs: grade
                                  DIR/submission, write DIR/results/results.json
  dist classroom [--out DIR]      a GitHub Classroom starter repository (make classroom):
                                  build/dist/classroom/
  dist junit RESULTS OUT          JUnit XML from the grader's results JSON (make check JUNIT=)

The student release holds what a learner needs and nothing else: the chapters,
pristine stubs in exercises/ (and in harness/stubs/, for make reset), the
grader and the tools, the book's sources, the student book built (HTML and
PDF, in release/book/student/), README, Makefile, course.toml, LICENSE and
CONTRIBUTING. It has no solutions/, no self-tests (their mutants quote the
solutions), no benchmark (it links the solutions), no build cache and no git
history. Every archive it writes is searched before it is kept: every
non-trivial line of every @solution body must be absent from every file, the
built book's HTML, the text of its PDF and any binary included; see scan().
"""
import argparse
import fcntl
import glob
import gzip
import html.parser
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

from workbook import course
from workbook import source

ROOT = course.ROOT
DIST = os.path.join(ROOT, "build", "dist")
PLATFORMS = os.path.join(ROOT, "harness", "platforms")
TOP = "backprop-workbook"  # the folder an archive unpacks to
NAMES = {"student": "backprop-workbook-student.tar.gz", "instructor": "backprop-workbook-instructor.tar.gz"}
GRADESCOPE_ZIP = "gradescope-autograder.zip"
PDF_NAME = "backprop-workbook.pdf"
RELEASE_BOOK = "release/book"  # where an archive keeps the books it ships

# The student release, by what it keeps: a folder not listed here stays out
# until someone decides it is the learner's (fail-safe for new folders).
STUDENT_FILES = ("Makefile", "README.md", "CONTRIBUTING.md", "LICENSE", "course.toml", ".gitignore",
                 "harness/deps.sh", "harness/TROUBLESHOOTING.md")
STUDENT_FOLDERS = ("chapters/", "book/", "harness/include/", "harness/grader/", "harness/src/",
                   "harness/workbook/", "harness/template/")
# regenerated from solutions/, never copied from the work tree (a maintainer's
# exercises/ may hold edits); and never part of any archive
GENERATED = ("exercises/", "harness/stubs/", RELEASE_BOOK + "/")
# files not committed yet are shipped from these folders only (never from
# exercises/ or the top folder, where a learner's backups and scratch files live)
UNTRACKED_OK = ("harness/", "book/", "chapters/")

# Files a learner is handed that hold some solution lines by design: the
# grader (its reference computations, its likely-cause messages) and the
# manifest (the last hint of a function is nearly the answer). They may hold
# the lines the work tree's same file holds, and no others.
BY_DESIGN = ("harness/grader/",)
MIN_LINE = 10  # a solution line shorter than this (without spaces) is not a secret: "}", "continue;"
# nor is a line that only shapes the code (normalized): a loop header, a bare declaration, a brace
TRIVIAL = re.compile(r"^(for\(.*\)\{?|\}?else\{?|(const)?(unsigned)?(int|double|float|size_t|char|long)\*?[\w,*]*;"
                     r"|[{}]+|(continue|break|return);)$")


class DistError(Exception):
    pass


def log(msg):
    print("dist: " + msg, file=sys.stderr, flush=True)


def rel(path):
    """A path as messages show it: from the top folder when it is inside it."""
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


# ---- what the tree holds ----------------------------------------------------------

NEW = set()  # files tree_files() found but git does not track yet


def note_new(paths):
    new = sorted(set(paths) & NEW)
    if new:
        log("%d file%s not committed yet %s in the archive all the same (%s%s)"
            % (len(new), "" if len(new) == 1 else "s", "is" if len(new) == 1 else "are",
               ", ".join(new[:3]), ", ..." if len(new) > 3 else ""))


def tree_files():
    """The workbook's own files, relative paths: what git tracks (their work-tree
    content), and files not committed yet under UNTRACKED_OK. Without git (an
    unpacked instructor release) every file but build/, release/ and what
    .gitignore names."""
    if os.path.isdir(os.path.join(ROOT, ".git")) and shutil.which("git"):
        def git(*args):
            r = subprocess.run(["git", "-C", ROOT] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if r.returncode != 0:
                raise DistError("git %s failed: %s" % (" ".join(args), r.stderr.decode(errors="replace").strip()))
            return [p for p in r.stdout.decode("utf-8", "replace").split("\0") if p]
        tracked = git("ls-files", "-z")
        new = [p for p in git("ls-files", "-z", "--others", "--exclude-standard") if p.startswith(UNTRACKED_OK)]
        NEW.update(new)
        files = tracked + new
    else:
        files = []
        for folder, dirs, names in os.walk(ROOT):
            here = os.path.relpath(folder, ROOT)
            dirs[:] = sorted(d for d in dirs if d not in (".git", "__pycache__")
                             and not (here == "." and d in ("build", "release")))
            for name in names:
                if not re.search(r"\.(o|a|pyc)$|~$", name):
                    files.append(os.path.normpath(os.path.join(here, name)))
    return sorted(p for p in set(files) if os.path.isfile(os.path.join(ROOT, p)))


def pristine_exercises():
    """{"chNN/file.c": bytes}: every stub as `make exercises` writes it, rendered
    from solutions/, and the record exercises/.generated of them."""
    stubs, entries = {}, []
    for ch in course.chapters():
        for name in ch.files:
            path = os.path.join(ROOT, "solutions", ch.nn, name)
            if not os.path.isfile(path):
                raise DistError("course.toml names %s, which does not exist" % rel(path))
            lines, _ = source.parse(path)
            data = "\n".join(source.render(lines, "student")).encode("utf-8")
            stubs["%s/%s" % (ch.nn, name)] = data
            entries.append(("%s/%s" % (ch.nn, name), source.sha256(data)))
    return stubs, source.record_text(entries).encode("utf-8")


def book_files(edition, where):
    """{archive path: bytes} of the built book of an edition (HTML with its PDF),
    read under the book build's own lock, under `where`/."""
    out_root = os.path.join(ROOT, "build", "book", edition)
    html_dir = os.path.join(out_root, "html")
    need = [os.path.join(html_dir, "index.html"), os.path.join(html_dir, PDF_NAME)]
    files = {}
    os.makedirs(out_root, exist_ok=True)
    with open(os.path.join(out_root, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # no book build of this edition is writing it now
        missing = [rel(p) for p in need if not os.path.isfile(p)]
        if missing:
            raise DistError("the %s book is not built with its PDF (%s missing): `make book EDITION=%s` "
                            "(all formats) first; make dist-%s does it" % (
                                edition, ", ".join(missing), edition,
                                "student" if edition == "student" else "instructor"))
        for folder, dirs, names in os.walk(html_dir):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files["%s/html/%s" % (where, os.path.relpath(path, html_dir))] = f.read()
    return files


# ---- archive plans: {path in the archive: (bytes or a file to read, mode)} ----------

def mode_of(path):
    return 0o755 if os.stat(path).st_mode & stat.S_IXUSR else 0o644


def from_tree(paths):
    return {p: (os.path.join(ROOT, p), mode_of(os.path.join(ROOT, p))) for p in paths}


def student_plan(with_book=True):
    files = [p for p in tree_files()
             if (p in STUDENT_FILES or p.startswith(STUDENT_FOLDERS)) and not p.startswith(GENERATED)]
    note_new(files)
    plan = from_tree(files)
    stubs, record = pristine_exercises()
    for name, data in stubs.items():
        plan["exercises/" + name] = (data, 0o644)
        plan["harness/stubs/" + name] = (data, 0o644)  # what make reset puts back
    plan[source.RECORD] = (record, 0o644)
    if with_book:
        for path, data in book_files("student", RELEASE_BOOK + "/student").items():
            plan[path] = (data, 0o644)
    return plan


def instructor_plan():
    files = [p for p in tree_files() if not p.startswith(GENERATED)]
    note_new(files)
    plan = from_tree(files)
    stubs, record = pristine_exercises()
    for name, data in stubs.items():
        plan["exercises/" + name] = (data, 0o644)
    plan[source.RECORD] = (record, 0o644)
    for edition in ("student", "instructor"):
        for path, data in book_files(edition, "%s/%s" % (RELEASE_BOOK, edition)).items():
            plan[path] = (data, 0o644)
    return plan


def content(entry):
    data, _ = entry
    if isinstance(data, bytes):
        return data
    with open(data, "rb") as f:
        return f.read()


def epoch():
    """One timestamp for every file of an archive: SOURCE_DATE_EPOCH, or the last
    commit's time, so that the same tree gives the same archive."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    r = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%ct"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True) if shutil.which("git") else None
    return int(r.stdout.strip()) if r is not None and r.stdout.strip().isdigit() else int(time.time())


def write_tar(plan, out, top=TOP):
    """A .tar.gz of the plan under top/, in a stable order with one timestamp and
    no owner, written to a temporary name first."""
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = "%s.%d.tmp" % (out, os.getpid())
    when = epoch()
    try:
        with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=when) as gz, \
                tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
            folders = set()
            for path in sorted(plan):
                parts = path.split("/")
                for k in range(1, len(parts)):
                    folder = "/".join(parts[:k])
                    if folder not in folders:
                        folders.add(folder)
                        info = tarfile.TarInfo("%s/%s" % (top, folder))
                        info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, when
                        tar.addfile(info)
                data = content(plan[path])
                info = tarfile.TarInfo("%s/%s" % (top, path))
                info.size, info.mode, info.mtime = len(data), plan[path][1], when
                tar.addfile(info, io.BytesIO(data))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_zip(plan, out):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = "%s.%d.tmp" % (out, os.getpid())
    when = time.gmtime(max(epoch(), 315532800))[:6]  # zip dates start in 1980
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(plan):
                info = zipfile.ZipInfo(path, when)
                info.external_attr = (stat.S_IFREG | plan[path][1]) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, content(plan[path]))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_dir(plan, out):
    """The plan as a folder (replacing out), written beside it first."""
    tmp = "%s.%d.tmp" % (out.rstrip("/"), os.getpid())
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        for path in sorted(plan):
            dst = os.path.join(tmp, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(content(plan[path]))
            os.chmod(dst, plan[path][1])
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def size(path):
    n = os.path.getsize(path)
    return "%.1f MB" % (n / 1e6) if n >= 1e6 else "%d kB" % max(1, n // 1000)


# ---- the search for solution lines -------------------------------------------------

def normalize(line):
    """A line of C as the search compares it: comments and every space removed,
    so that the book's highlighting, the PDF's spacing and reformatting do not
    hide it."""
    line = re.sub(r"/\*.*?\*/", "", line)
    line = re.sub(r"//.*$", "", line)
    return re.sub(r"\s+", "", line)


def public_lines():
    """Every line of the code a learner is given to read (the stubs with the code
    around them, the headers, the example programs), normalized, one per line: a
    solution line that is one of these, or part of one, teaches nothing the
    release does not already show (a loop header, a declaration). The grader's
    sources are not counted here: what they share with the solutions is allowed
    in them only (allowed_exposures)."""
    seen = set()
    stubs, _ = pristine_exercises()
    texts = [d.decode("utf-8", "replace") for d in stubs.values()]
    for pattern in ("harness/include/*.h", "harness/src/*.c", "chapters/*/*.c"):
        for path in sorted(_glob(pattern)):
            with open(path, encoding="utf-8", errors="replace") as f:
                texts.append(f.read())
    for text in texts:
        seen.update(normalize(l) for l in text.split("\n"))
    return "\n".join(sorted(seen))


def _glob(pattern):
    return glob.glob(os.path.join(ROOT, pattern))


def solution_lines():
    """{normalized line: "solutions/chNN/file.c:LINE"}: every line of an @solution
    body that is a secret (at least MIN_LINE characters without spaces, and not a
    line of the code a learner is given anyway)."""
    public = public_lines()
    secret = {}
    for ch in course.chapters():
        for name in ch.files:
            path = os.path.join(ROOT, "solutions", ch.nn, name)
            lines, _ = source.parse(path)
            state = None
            for number, line in enumerate(lines, 1):
                m = source.MARKER.match(line)
                if m:
                    verb, arg = m.group(2), m.group(3)
                    state = {"solution": "solution", "stub": "stub"}.get(verb, None if arg == "solution" else state)
                    continue
                if state == "solution":
                    n = normalize(line)
                    if len(n) >= MIN_LINE and not TRIVIAL.match(n) and n not in public:  # nor part of a public line
                        secret.setdefault(n, "%s:%d" % (rel(path), number))
    if not secret:
        raise DistError("solutions/ has no @solution line to search for: the search would prove nothing")
    return secret


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        try:
            r = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        except FileNotFoundError:
            raise DistError("pdftotext is not installed: the PDF cannot be searched "
                            "(`harness/deps.sh test` installs poppler-utils)") from None
    if r.returncode != 0:
        raise DistError("pdftotext could not read a PDF: %s" % r.stderr.decode(errors="replace").strip())
    return r.stdout.decode("utf-8", "replace")


def readable(name, data, depth=0):
    """[(what, text)]: a file's contents as a reader or a tool would meet them:
    a PDF's text, an HTML page's text (highlighting spans removed) and source,
    JSON's strings, what a compressed file holds, a binary's printable runs.
    A compiled file (ELF) is a problem of its own: (what, None)."""
    if data.startswith(b"\x7fELF") or re.search(r"\.(o|a|so)$", name):
        return [("a compiled file", None)]
    if data.startswith(b"%PDF"):
        return [("its text (pdftotext)", pdf_text(data))]
    if depth < 3 and data.startswith(b"\x1f\x8b"):
        try:
            return readable(name[:-3] if name.endswith(".gz") else name, gzip.decompress(data), depth + 1)
        except (OSError, EOFError):
            pass
    if depth < 3 and data.startswith(b"PK\x03\x04"):
        found = []
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for member in z.namelist():
                found += [("%s in it, %s" % (member, what), text)
                          for what, text in readable(member, z.read(member), depth + 1)]
        return found
    text = data.decode("utf-8", "replace")
    found = [("", text)]
    if b"\0" in data[:8192]:
        found = [("its printable strings", "\n".join(re.findall(r"[\x20-\x7e\t]{4,}", data.decode("latin-1"))))]
    elif re.search(r"\.(x?html?|svg|xml)$", name):
        p = _Text()
        try:
            p.feed(text)
            p.close()
            found.append(("its text", "".join(p.parts)))
        except Exception:  # noqa: BLE001  (a page the parser cannot read is still searched as text)
            pass
    elif name.endswith(".json"):
        try:
            strings = []

            def walk(x):
                if isinstance(x, str):
                    strings.append(x)
                elif isinstance(x, dict):
                    for k, v in x.items():
                        walk(k)
                        walk(v)
                elif isinstance(x, list):
                    for v in x:
                        walk(v)
            walk(json.loads(text))
            found.append(("its strings", "\n".join(strings)))
        except ValueError:
            pass
    return found


def found_in(secret, texts):
    """{secret line found} in any of the texts, compared without spaces."""
    hits = set()
    for _, text in texts:
        if text is None:
            continue
        flat = re.sub(r"\s+", "", text)
        hits.update(n for n in secret if n in flat)
    return hits


def allowed_exposures(secret):
    """{path: lines}: the solution lines that the work tree's own public files
    hold by design, which an archive may hold in the same file and nowhere else:
    the grader's reference computations and likely-cause messages. (course.toml's
    hints say the last step in words, never as a solution's line of C.)"""
    allowed = {}
    for path in tree_files():
        if not path.startswith(BY_DESIGN):
            continue
        with open(os.path.join(ROOT, path), "rb") as f:
            data = f.read()
        if b"\0" in data[:8192]:
            continue
        hits = found_in(secret, [("", data.decode("utf-8", "replace"))])
        if hits:
            allowed[path] = hits
    return allowed


def archive_members(path):
    """[(path inside, bytes or None for a folder/link)] of a .tar.gz, .zip or folder."""
    if os.path.isdir(path):
        out = []
        for folder, dirs, names in os.walk(path):
            dirs.sort()
            for d in dirs:
                out.append((os.path.relpath(os.path.join(folder, d), path), None))
            for name in sorted(names):
                full = os.path.join(folder, name)
                if os.path.isfile(full) and not os.path.islink(full):
                    with open(full, "rb") as f:
                        out.append((os.path.relpath(full, path), f.read()))
        return out
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return [(n, None if n.endswith("/") else z.read(n)) for n in z.namelist()]
    with tarfile.open(path) as tar:
        return [(m.name, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]


def strip_top(name):
    """The path as the workbook names it: without the archive's top folder."""
    parts = name.strip("/").split("/")
    return "/".join(parts[1:]) if len(parts) > 1 and parts[0] in (TOP, "workbook") else "/".join(parts)


def scan(path, secret=None, allowed=None):
    """Search an archive (or a folder) for solutions. Returns (leaks, exposures):
    leaks, one line each (a solution line where it must not be, a solutions/ or
    .git folder, a compiled file); exposures, {file: count} of the lines the
    grader and the hints hold by design (see allowed_exposures)."""
    secret = solution_lines() if secret is None else secret
    allowed = allowed_exposures(secret) if allowed is None else allowed
    leaks, exposures = [], {}
    for name, data in archive_members(path):
        if data is None:  # a folder: its files say what it holds
            continue
        inside = strip_top(name)
        parts = inside.split("/")
        if ".git" in parts:
            leaks.append("%s: git history (a .git folder) is in the archive" % name)
            continue
        if parts[0] == "solutions" or parts[:2] == ["build", "obj"]:
            leaks.append("%s: %s" % (name, "the solutions folder is in the archive" if parts[0] == "solutions"
                                     else "the object cache of build/obj/ (compiled solutions) is in the archive"))
            continue
        texts = readable(inside, data)
        for what, text in texts:
            if text is None:
                leaks.append("%s: %s (a release ships sources only; this may be compiled from the solutions)"
                             % (name, what))
        hits = found_in(secret, texts)
        ok = allowed.get(inside, set())
        if hits & ok:
            exposures[inside] = len(hits & ok)
        for n in sorted(hits - ok, key=lambda n: secret[n]):
            where = [w for w, t in texts if t is not None and n in re.sub(r"\s+", "", t)]
            leaks.append("%s%s holds the solution line %s" % (name, " (%s)" % where[0] if where and where[0] else "",
                                                               secret[n]))
    return leaks, exposures


def report_scan(path, leaks, exposures, secret):
    if leaks:
        for leak in leaks:
            print("dist: LEAK: " + leak, file=sys.stderr)
        print("dist: %s holds solutions (%d finding%s above): do not hand it out"
              % (rel(path), len(leaks), "" if len(leaks) == 1 else "s"),
              file=sys.stderr)
        return 1
    by_design = ", ".join("%s %d" % (p, n) for p, n in sorted(exposures.items()))
    log("searched every file for the %d solution lines: none found%s"
        % (len(secret), " (held by design, the grader's references and the hints: %s)" % by_design
           if by_design else ""))
    return 0


# ---- the releases -------------------------------------------------------------------

def cmd_release(edition, out):
    t0 = time.time()
    out = out or os.path.join(DIST, NAMES[edition])
    plan = student_plan() if edition == "student" else instructor_plan()
    write_tar(plan, out)
    log("wrote %s (%d files, %s) in %.1f s" % (rel(out), len(plan), size(out), time.time() - t0))
    if edition != "student":
        return 0
    secret = solution_lines()
    leaks, exposures = scan(out, secret)
    if report_scan(out, leaks, exposures, secret):
        os.unlink(out)
        print("dist: removed %s" % rel(out), file=sys.stderr)
        return 1
    return 0


def cmd_scan(path):
    path = os.path.abspath(path)
    if not os.path.exists(path):
        print("dist: %s does not exist" % path, file=sys.stderr)
        return 2
    secret = solution_lines()
    leaks, exposures = scan(path, secret)
    return report_scan(path, leaks, exposures, secret)


def cmd_release_book(edition, fmt):
    """make book in a student release: it has no solutions/ to build the examples
    from, and comes with its book built; this puts that book where make book
    puts it in a full checkout."""
    shipped = os.path.join(ROOT, RELEASE_BOOK, "student", "html")
    if edition != "student":
        print("book: this student release has only the student edition (no solutions/, so no instructor "
              "edition); the instructor release (make dist-instructor) has both", file=sys.stderr)
        return 2
    if not os.path.isfile(os.path.join(shipped, "index.html")):
        print("book: %s/ is missing: it came in the archive; unpack the archive again to get the book back"
              % rel(shipped), file=sys.stderr)
        return 1
    out_root = os.path.join(ROOT, "build", "book", "student")
    os.makedirs(out_root, exist_ok=True)
    wrote = []
    if fmt in (None, "", "all", "html"):
        tmp = os.path.join(out_root, "html.%d.tmp" % os.getpid())
        shutil.copytree(shipped, tmp)
        shutil.rmtree(os.path.join(out_root, "html"), ignore_errors=True)
        os.replace(tmp, os.path.join(out_root, "html"))
        wrote.append(rel(os.path.join(out_root, "html", "index.html")))
    if fmt in (None, "", "all", "pdf"):
        shutil.copyfile(os.path.join(shipped, PDF_NAME), os.path.join(out_root, PDF_NAME))
        wrote.append(rel(os.path.join(out_root, PDF_NAME)))
    print("book: this is the student release: its book comes built (nothing to compile, no TeX to install): %s"
          % " and ".join(wrote))
    return 0


# ---- the command --------------------------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(prog="python3 -m workbook dist", description=__doc__.split("\n")[0])
    verbs = ap.add_subparsers(dest="verb", required=True)
    for name in ("student", "instructor"):
        p = verbs.add_parser(name, help="the %s release" % name)
        p.add_argument("--out", help="the archive to write (default: build/dist/%s)" % NAMES[name])
    p = verbs.add_parser("scan", help="search an archive or folder for solution lines")
    p.add_argument("path")
    p = verbs.add_parser("release-book", help="(student release) put its built book in build/book/student/")
    p.add_argument("--edition", default="student")
    p.add_argument("--format", default="")
    p = verbs.add_parser("gradescope", help="the Gradescope autograder zip")
    p.add_argument("--chapter", default="", help="grade this chapter only (an assignment per chapter)")
    p.add_argument("--out", help="default: build/dist/" + GRADESCOPE_ZIP)
    p = verbs.add_parser("autograde", help="(inside Gradescope) grade the submission into results.json")
    p.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT") or "/autograder",
                   help="Gradescope's folder (default: $AUTOGRADER_ROOT, else /autograder)")
    p = verbs.add_parser("classroom", help="a GitHub Classroom starter repository")
    p.add_argument("--out", help="default: build/dist/classroom")
    p = verbs.add_parser("junit", help="JUnit XML from the grader's results JSON")
    p.add_argument("results")
    p.add_argument("out")
    args = ap.parse_args(argv[1:] if argv and argv[0] == "dist" else argv)
    try:
        if args.verb in ("student", "instructor"):
            return cmd_release(args.verb, args.out and os.path.abspath(args.out))
        if args.verb == "scan":
            return cmd_scan(args.path)
        if args.verb == "release-book":
            return cmd_release_book(args.edition, args.format)
        if args.verb == "gradescope":
            from workbook import platforms
            return platforms.cmd_gradescope(args.out and os.path.abspath(args.out), args.chapter)
        if args.verb == "autograde":
            from workbook import platforms
            return platforms.cmd_autograde(args.root)
        if args.verb == "classroom":
            from workbook import platforms
            return platforms.cmd_classroom(args.out and os.path.abspath(args.out))
        if args.verb == "junit":
            from workbook import junit
            return junit.main([args.results, args.out])
    except (DistError, course.ManifestError, source.SourceError) as e:
        print("dist: error: %s" % e, file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
