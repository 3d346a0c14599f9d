"""new_chapter.py: a chapter added from harness/template/ builds, grades and
appears in the book, touching only its folder, its solution, its test file and
one manifest entry. Part of `make test`.

In a copy of the workbook (the build folder's compiled examples come along,
so only the new chapter is built), chapter 10 is laid out from the template;
then `make exercises`, `make check CHAPTER=10` on the solutions (all pass) and
on the fresh stubs (each fails with "not implemented yet"), the lint and
`make book` must work, and the book's table of contents and chapter page must
show it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from selftest import Failure

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(ROOT, "harness", "template")

N, SLUG = 10, "gain-layer"


def lay_out(tree, n=N, slug=SLUG):
    """The template's files in a copy of the workbook, as harness/template/README.md
    says. Returns the paths written (relative to tree)."""
    nn = "%02d" % n

    def fill(name):  # $NN, $N and $SLUG; a TeX $a$ stays as it is
        with open(os.path.join(TEMPLATE, name), encoding="utf-8") as f:
            text = f.read().replace("$NN", nn).replace("$SLUG", slug)
        return re.sub(r"\$N\b", str(n), text)
    places = {
        "chapter.md": "chapters/%s-%s/chapter.md" % (nn, slug),
        "gain_demo.c": "chapters/%s-%s/gain_demo.c" % (nn, slug),
        "gain_layer.c": "solutions/ch%s/gain_layer.c" % nn,
        "test.c": "harness/grader/test_ch%s.c" % nn,
    }
    written = []
    for name, rel in places.items():
        path = os.path.join(tree, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(fill(name))
        written.append(rel)
    with open(os.path.join(tree, "course.toml"), "a", encoding="utf-8") as f:
        f.write(fill("course.toml"))
    return written + ["course.toml"]


def copy_workbook(tmp):
    """The working tree (what is committed and what is not), without git, and
    its build folder with every file's time set to now, so make takes the
    compiled examples and objects as up to date."""
    tree = os.path.join(tmp, "workbook")
    shutil.copytree(ROOT, tree, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "__pycache__", "grade", "run", "screenshots",
                                                  "pdf-pages"))
    build = os.path.join(tree, "build")
    for folder, _, names in os.walk(build):
        for name in names:
            os.utime(os.path.join(folder, name))
    return tree


def run(cmd, cwd, timeout=600):
    env = dict(os.environ)
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    r = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", timeout=timeout, env=env, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout


def check_new_chapter():
    tmp = tempfile.mkdtemp(prefix="wbchapter")
    try:
        tree = copy_workbook(tmp)
        lay_out(tree)
        make = ["make", "-s", "--no-print-directory"]
        py = sys.executable or "python3"
        steps = [
            (make + ["exercises"], 0, [r"ch%02d/gain_layer\.c" % N]),
            ([py, "-m", "workbook", "lint"], 0, []),
            (make + ["check", "CHAPTER=%d" % N, "EXERCISES=solutions"], 0,
             [r"^chapter %d: 2/2 passed$" % N, r"\(given code\) gain_forward"]),
            (make + ["check", "CHAPTER=%d" % N], 2,  # make's own status when the grader's is 1
             [r"gain_backward is not implemented yet", r"^chapter %d: 0/2 passed$" % N,
              r"\[Makefile:\d+: check\] Error 1"]),
            (make + ["run", "EXAMPLE=gain_demo", "EXERCISES=solutions", "FAST=1"], 0, [r"da: 2\.5"]),
            (make + ["book", "FORMAT=html"], 0, []),  # the PDF is the same book, and 15 s of TeX
        ]
        for cmd, status, says in steps:
            got, out = run(cmd, tree)
            shown = " ".join(cmd[3:] if cmd[0] == "make" else cmd[1:])
            if got != status:
                raise Failure("`%s` in the copy with chapter %d exited %d, not %d:\n%s"
                              % (shown, N, got, status, out[-3000:]))
            for pattern in says:
                if not re.search(pattern, out, re.M):
                    raise Failure("`%s` did not print %r:\n%s" % (shown, pattern, out[-3000:]))
        html = os.path.join(tree, "build", "book", "student", "html")
        index = open(os.path.join(html, "index.html"), encoding="utf-8").read()
        if "A gain layer" not in index:
            raise Failure("chapter %d is not in the book's table of contents" % N)
        pages = [p for p in os.listdir(html) if p.endswith(".html")
                 and "gain_backward" in open(os.path.join(html, p), encoding="utf-8").read()]
        if not pages:
            raise Failure("no page of the book shows chapter %d's gain_backward" % N)
        # the chapter's own page (the landing page names gain_backward too, as what you write)
        pages.sort(key=lambda p: p != "ch%02d.html" % N)
        page = open(os.path.join(html, pages[0]), encoding="utf-8").read()
        if not re.search(r"da:\s*2\.5", page):
            raise Failure("chapter %d's page does not show its example's output (da: 2.5)" % N)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks():
    """(name, function, args) for selftest/__main__.py."""
    return [("a chapter 10 from harness/template builds, grades and is in the book", check_new_chapter, ())]
