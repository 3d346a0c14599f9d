"""keep_work.py: `make exercises` never destroys a learner's work.

The generator (`harness/workbook/source.py exercises`) records what it last wrote in
exercises/.generated (a SHA-256 per file). An exercise file whose content is
not the recorded one was edited by the learner: it is kept byte for byte, and
one line says so and how to get the new stub (`make exercises FORCE=1`, which
first copies the edited file to FILE.~N~ next to it).

Two kinds of checks:

  - in a `git clone` of this repository (its working tree laid over the clone)
    with filled-in answers in exercises/, the commands a learner runs (make
    exercises, make check, make run, make book, the self-test) must leave every
    edit in place; then `make exercises FORCE=1` writes the stub, keeps the
    edit in a backup and names it;
  - the generator's own logic, without make: source.py run on a temporary
    copy of solutions/, exercises/ and the manifest.

Each is also run against the old behaviour (a generator that writes whenever
the file differs from the stub, installed in the copy by wrapping source.py):
there it must fail, which shows the check detects the loss of work.

selftest/__main__.py calls checks() and adds them to its list;
`make test`, or `PYTHONPATH=harness python3 -m selftest --only generator`, runs them.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
from workbook import course
from workbook import source
from selftest import todo_blocks  # a filled-in answer: the TODO blocks replaced as the book says
from selftest import Failure

PY = sys.executable or "python3"

EDITED = ["ch03/mul_layer.c", "ch05/affine.c"]  # the learner's filled-in answers
LOST = "the learner's edit is gone"  # what a check says when work was destroyed

# the old behaviour: write every file that differs from its stub, no record, no backup
# (appended to the tree's copy of harness/workbook/source.py, it replaces the decision)
OLD_GENERATOR = '''

# the old generator, before exercises/.generated: it writes unconditionally
plan = lambda have, want, recorded, force: "same" if have == want else "write"  # noqa: E731
'''


# ---- trees to work in ---------------------------------------------------------------

def clean_env(pythonpath=None):
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # as if typed at a prompt, not run under make test
        env.pop(var, None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def run(cmd, cwd, timeout=300, pythonpath=None):
    try:
        r = subprocess.run(cmd, cwd=cwd, env=clean_env(pythonpath), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failure("`%s` did not return within %d s" % (" ".join(cmd), timeout))
    return r.returncode, r.stdout


def learner_clone(tmp):
    """A `git clone` of the repository, as a learner has it, with this working
    tree's changes laid over it (so the check tests what is here, committed or
    not). Without git: a copy of the tree without build/."""
    clone = os.path.join(tmp, "workbook")
    if shutil.which("git") and os.path.isdir(os.path.join(ROOT, ".git")):
        status, out = run(["git", "clone", "-q", "--no-hardlinks", ROOT, clone], cwd=tmp)
        if status != 0:
            raise Failure("git clone failed:\n" + out)
        # what differs from the commit the clone has, staged or not, and what git does not track
        changed = subprocess.run(["git", "diff", "-z", "--name-only", "--no-renames", "HEAD"],
                                 cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
        others = subprocess.run(["git", "ls-files", "-z", "--others", "--exclude-standard"],
                                cwd=ROOT, stdout=subprocess.PIPE, check=True).stdout
        for rel in sorted(set(p for p in (changed + b"\0" + others).decode("utf-8", "surrogateescape").split("\0")
                              if p)):
            src, dst = os.path.join(ROOT, rel), os.path.join(clone, rel)
            if os.path.isfile(src):
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy2(src, dst)
            elif os.path.lexists(dst) and not os.path.exists(src):
                os.unlink(dst)
    else:
        shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns("build", ".git", "__pycache__"))
    return clone


def generator_tree(tmp):
    """The least the generator needs, in a temporary folder: the manifest, the
    workbook package, solutions/ and exercises/."""
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "harness"))
    shutil.copy2(os.path.join(ROOT, "course.toml"), tree)
    shutil.copytree(os.path.join(ROOT, "harness", "workbook"), os.path.join(tree, "harness", "workbook"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("solutions", "exercises"):
        shutil.copytree(os.path.join(ROOT, name), os.path.join(tree, name),
                        ignore=shutil.ignore_patterns("*.~*~"))
    return tree


def install_old_generator(tree):
    """Make tree's generator the old one, which overwrites edited files."""
    with open(os.path.join(tree, "harness", "workbook", "source.py"), "a", encoding="utf-8") as f:
        f.write(OLD_GENERATOR)


def gen(tree, *args):
    """`python3 -m workbook exercises ARGS` in tree, on tree's own package: (status, output)."""
    return run([PY, "-m", "workbook", "exercises"] + list(args), cwd=tree, timeout=60,
               pythonpath=os.path.join(tree, "harness"))


# ---- what the learner wrote ---------------------------------------------------------

def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def fill_in(tree, rels=EDITED):
    """Write a learner's filled-in answer into each exercise file: its TODO
    blocks replaced by the reference body, and a line of the learner's own.
    Returns {rel: bytes written}."""
    edits = {}
    for rel in rels:
        nn, name = rel.split("/")
        ch = course.chapter(int(nn[2:]))
        text = todo_blocks.completed(ch, name, os.path.join(tree, "exercises"), os.path.join(tree, "solutions"))
        text = "/* my answer, %s: worked out on paper first */\n" % rel + text
        edits[rel] = text.encode("utf-8")
        write(os.path.join(tree, "exercises", rel), edits[rel])
    return edits


def stub_of(tree, rel):
    lines, _ = source.parse(os.path.join(tree, "solutions", rel))
    return "\n".join(source.render(lines, "student")).encode("utf-8")


def contents(folder):
    """{relative path: SHA-256} of every file under folder."""
    found = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, folder)] = hashlib.sha256(read(path)).hexdigest()
    return found


def assert_unchanged(tree, edits, before, after_what, out):
    """Every edit is in place byte for byte, and nothing else under exercises/ changed."""
    ex = os.path.join(tree, "exercises")
    lost = [rel for rel, data in edits.items()
            if not os.path.exists(os.path.join(ex, rel)) or read(os.path.join(ex, rel)) != data]
    if lost:
        raise Failure("after `%s`, %s in exercises/%s\n--- it said:\n%s"
                      % (after_what, LOST, ", exercises/".join(lost), out[-3000:]))
    now = contents(ex)
    if now != before:
        added = sorted(set(now) - set(before))
        removed = sorted(set(before) - set(now))
        changed = sorted(k for k in set(now) & set(before) if now[k] != before[k])
        raise Failure("`%s` changed exercises/: added %s, removed %s, changed %s\n--- it said:\n%s"
                      % (after_what, added, removed, changed, out[-3000:]))


def assert_kept_lines(out, edits, what):
    """One line per edited file: kept, the new stub not written, how to get it."""
    for rel in edits:
        path = "exercises/" + rel
        lines = [l for l in out.splitlines() if path in l]
        want = ("kept your edited " + path, "new stub was not written", "FORCE=1", path + ".~1~")
        if len(lines) != 1 or not all(w in lines[0] for w in want):
            raise Failure("`%s` must say in one line that it kept %s, that the new stub was not written, and "
                          "how to get it (FORCE=1, backup %s.~1~); it said:\n%s" % (what, path, path, out))


def assert_forced(tree, edits, out, what):
    """After a forced run: the stub is written, each edit is in FILE.~1~, and the message names it."""
    ex = os.path.join(tree, "exercises")
    for rel, data in edits.items():
        path = "exercises/" + rel
        backup = os.path.join(ex, rel + ".~1~")
        if read(os.path.join(ex, rel)) != stub_of(tree, rel):
            raise Failure("`%s` did not write the stub over %s (is --force passed on?)\n--- it said:\n%s"
                          % (what, path, out))
        if not os.path.exists(backup) or read(backup) != data:
            raise Failure("`%s`: %s.~1~ does not hold the learner's edit: %s\n--- it said:\n%s"
                          % (what, path, LOST, out))
        lines = [l for l in out.splitlines() if path + ".~1~" in l]
        if len(lines) != 1 or "saved as" not in lines[0]:
            raise Failure("`%s` must name the backup %s.~1~ in one line; it said:\n%s" % (what, path, out))


# ---- a learner's clone, with make -----------------------------------------------------

def check_learner_clone(old=False, book=True):
    """make exercises, make check, make run, make book and the self-test in a
    learner's clone leave the filled-in answers alone; FORCE=1 keeps a backup."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        clone = learner_clone(tmp)
        if old:
            install_old_generator(clone)
        edits = fill_in(clone)
        before = contents(os.path.join(clone, "exercises"))
        make = ["make", "-s", "--no-print-directory"]

        status, out = run(make + ["exercises"], clone)
        assert_unchanged(clone, edits, before, "make exercises", out)
        if status != 0:
            raise Failure("make exercises exited %d:\n%s" % (status, out))
        assert_kept_lines(out, edits, "make exercises")

        status, out = run(make + ["check", "CHAPTER=3"], clone)
        assert_unchanged(clone, edits, before, "make check CHAPTER=3", out)
        if not re.search(r"PASS\s+mul_backward_book", out):
            raise Failure("make check CHAPTER=3 did not grade the filled-in mul_backward as passing:\n" + out)

        status, out = run(make + ["run", "EXAMPLE=buy_apple"], clone)
        assert_unchanged(clone, edits, before, "make run EXAMPLE=buy_apple", out)
        if status != 0 or not re.search(r"price:\s+220\b", out):
            raise Failure("make run EXAMPLE=buy_apple on the filled-in mul_backward: exit %d\n%s" % (status, out))

        if book:
            status, out = run(make + ["book"], clone, timeout=600)
            assert_unchanged(clone, edits, before, "make book", out)
            if status != 0:
                why = ""
                if shutil.which("xelatex") is None or shutil.which("pandoc") is None:
                    why = (" because TeX (xelatex) or pandoc is not installed (`make deps` installs them): "
                           "the book could not be built, so this step proves nothing")
                raise Failure("make book failed%s:\n%s" % (why, out[-3000:]))

        for only in ("refused", "every snippet resolves"):
            status, out = run([PY, "-m", "selftest", "--only", only, "--skip-book"], clone,
                              pythonpath=os.path.join(clone, "harness"))
            assert_unchanged(clone, edits, before, "python3 -m selftest --only '%s'" % only, out)
            if status != 0 or not re.search(r"^[1-9]\d* passed, 0 failed$", out, re.M):
                raise Failure("python3 -m selftest --only '%s' in the clone: exit %d\n%s" % (only, status, out))

        status, out = run(make + ["exercises", "FORCE=1"], clone)
        if status != 0:
            raise Failure("make exercises FORCE=1 exited %d:\n%s" % (status, out))
        assert_forced(clone, edits, out, "make exercises FORCE=1")
        status, out = run([PY, "-m", "workbook", "exercises", "--check"], clone,
                          pythonpath=os.path.join(clone, "harness"))
        if status != 0:
            raise Failure("after make exercises FORCE=1, exercises/ and its record must be in sync:\n" + out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- the generator on its own, without make -------------------------------------------

def change_stub(tree, rel="ch03/mul_layer.c"):
    """A new version of a stub in solutions/ (its TODO comment reworded)."""
    path = os.path.join(tree, "solutions", rel)
    text = read(path).decode("utf-8")
    new = text.replace("// /* TODO:", "// /* TODO (reworded):", 1)
    if new == text:
        raise Failure("solutions/%s has no '// /* TODO:' line to reword" % rel)
    write(path, new.encode("utf-8"))


def check_generator_keeps_edits(old=False):
    """Edited files are kept byte for byte, with one line each, even when their stub changed."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        tree = generator_tree(tmp)
        if old:
            install_old_generator(tree)
        record = read(os.path.join(tree, source.RECORD))
        edits = fill_in(tree)
        change_stub(tree)  # a new stub for one of the edited files
        before = contents(os.path.join(tree, "exercises"))
        for _ in range(2):  # and again: nothing changes the second time either
            status, out = gen(tree)
            assert_unchanged(tree, edits, before, "source.py exercises", out)
            if status != 0:
                raise Failure("source.py exercises exited %d:\n%s" % (status, out))
            assert_kept_lines(out, edits, "source.py exercises")
        if read(os.path.join(tree, source.RECORD)) != record:
            raise Failure("the record changed although nothing was written")
        status, out = gen(tree, "--check")
        if status != 1 or "exercises/ch03/mul_layer.c is out of sync" not in out:
            raise Failure("--check must fail while edited files differ from their stubs: exit %d\n%s"
                          % (status, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_generator_force():
    """--force: FILE.~1~ holds the edit, the stub is written, the line names the
    backup; a second forced run on a new edit uses FILE.~2~."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        tree = generator_tree(tmp)
        edits = fill_in(tree)
        change_stub(tree)
        status, out = gen(tree, "--force")
        if status != 0:
            raise Failure("source.py exercises --force exited %d:\n%s" % (status, out))
        assert_forced(tree, edits, out, "source.py exercises --force")
        status, out = gen(tree, "--check")
        if status != 0:
            raise Failure("after --force, --check must pass:\n" + out)
        again = fill_in(tree, EDITED[:1])
        status, out = gen(tree, "--force")
        rel = EDITED[0]
        second = os.path.join(tree, "exercises", rel + ".~2~")
        if not os.path.exists(second) or read(second) != again[rel] or "exercises/%s.~2~" % rel not in out:
            raise Failure("a second forced run must keep the new edit as exercises/%s.~2~:\n%s" % (rel, out))
        if read(os.path.join(tree, "exercises", rel + ".~1~")) != edits[rel]:
            raise Failure("a second forced run changed the first backup: %s" % LOST)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_generator_updates_untouched():
    """An untouched file gets its new stub without a backup; the record follows;
    a second run writes nothing."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        tree = generator_tree(tmp)
        change_stub(tree)
        status, out = gen(tree)
        path = os.path.join(tree, "exercises", "ch03", "mul_layer.c")
        if status != 0 or read(path) != stub_of(tree, "ch03/mul_layer.c"):
            raise Failure("the new stub was not written over the untouched file: exit %d\n%s" % (status, out))
        if sorted(out.split()) != sorted(["wrote", "exercises/ch03/mul_layer.c", "wrote", source.RECORD]):
            raise Failure("expected exactly 'wrote exercises/ch03/mul_layer.c' and 'wrote %s'; it said:\n%s"
                          % (source.RECORD, out))
        if [n for n in contents(os.path.join(tree, "exercises")) if n.endswith("~")]:
            raise Failure("an untouched file was backed up")
        status, out = gen(tree, "--check")
        if status != 0:
            raise Failure("--check after regenerating:\n" + out)
        status, out = gen(tree)
        if status != 0 or out.strip():
            raise Failure("a second run must write nothing and say nothing; exit %d:\n%s" % (status, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_generator_missing():
    """A missing file or record entry is written; a file the record does not know
    is not thrown away (it is kept as FILE.~1~)."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        tree = generator_tree(tmp)
        ex = os.path.join(tree, "exercises")
        record = os.path.join(tree, source.RECORD)
        pristine = read(record)
        os.unlink(os.path.join(ex, "ch03", "add_layer.c"))
        write(record, b"".join(l + b"\n" for l in pristine.splitlines() if b"ch04/relu_layer.c" not in l))
        status, out = gen(tree)
        if status != 0 or read(os.path.join(ex, "ch03", "add_layer.c")) != stub_of(tree, "ch03/add_layer.c") \
                or read(record) != pristine:
            raise Failure("a missing file and a missing record entry must be written: exit %d\n%s" % (status, out))
        if [n for n in contents(ex) if n.endswith("~")]:
            raise Failure("a backup was made although nothing was edited:\n" + out)
        os.unlink(record)
        edits = fill_in(tree, EDITED[:1])
        status, out = gen(tree)
        rel = EDITED[0]
        backup = os.path.join(ex, rel + ".~1~")
        if status != 0 or read(record) != pristine or read(os.path.join(ex, rel)) != stub_of(tree, rel):
            raise Failure("without a record, the files and the record must be written: exit %d\n%s" % (status, out))
        if not os.path.exists(backup) or read(backup) != edits[rel] or "exercises/%s.~1~" % rel not in out:
            raise Failure("without a record, a file that differs from its stub must be kept as "
                          "exercises/%s.~1~ (%s otherwise):\n%s" % (rel, LOST, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_generator_check_mode():
    """--check passes on the committed tree and fails, naming the record, when the
    record is missing or out of date; it writes nothing."""
    tmp = tempfile.mkdtemp(prefix="wbkeep")
    try:
        tree = generator_tree(tmp)
        record = os.path.join(tree, source.RECORD)
        status, out = gen(tree, "--check")
        if status != 0:
            raise Failure("--check on a copy of the committed exercises/ fails:\n" + out)
        pristine = read(record)
        stale = re.sub(rb"^[0-9a-f]{64}(?=  ch03/add_layer\.c$)", b"0" * 64, pristine, flags=re.M)
        for what, data in (("a changed entry", stale), ("a missing entry", pristine.split(b"\n", 1)[1]),
                           ("no record", None)):
            if data is None:
                os.unlink(record)
            else:
                write(record, data)
            before = contents(os.path.join(tree, "exercises"))
            status, out = gen(tree, "--check")
            if status != 1 or "%s is out of sync" % source.RECORD not in out:
                raise Failure("--check with %s in the record: exit %d\n%s" % (what, status, out))
            if contents(os.path.join(tree, "exercises")) != before:
                raise Failure("--check wrote to exercises/")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- the checks above against the old behaviour ----------------------------------------

def check_detects_old_behaviour(fn):
    """fn, run with the old generator (it writes unconditionally), must fail saying
    the learner's edit is gone; if it passes, it cannot catch the loss of work."""
    try:
        fn(old=True)
    except Failure as e:
        if LOST in str(e):
            return
        raise Failure("against the old generator it failed, but not because an edit was lost:\n%s" % e)
    raise Failure("%s passes against a generator that overwrites edited files: it detects nothing" % fn.__name__)


# ---- the list ------------------------------------------------------------------------


def checks():
    """(name, function, args) for selftest/__main__.py."""
    found = [
        ("generator keeps edited exercise files, one line each", check_generator_keeps_edits, ()),
        ("generator --force writes the stub, keeps FILE.~N~", check_generator_force, ()),
        ("generator updates untouched files without a backup", check_generator_updates_untouched, ()),
        ("generator writes a missing file or record entry", check_generator_missing, ()),
        ("generator --check also checks exercises/.generated", check_generator_check_mode, ()),
        ("keep-work check fails on the old generator (no make)", check_detects_old_behaviour,
         (check_generator_keeps_edits,)),
        ("keep-work check fails on the old generator (make, clone)", check_detects_old_behaviour,
         (check_learner_clone,)),
        # make book is covered in the main tree: selftest.py's book, examples and make
        # run checks fail when any file under exercises/ is written (see guard_exercises)
        ("learner's clone: make exercises/check/run keep edits", check_learner_clone, (False, False)),
    ]
    return found
