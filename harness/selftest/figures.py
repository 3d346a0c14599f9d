"""selftest.figures: the plots the book shows are drawn from the numbers their
examples print, at build time (course.toml: plots = [...]; Makefile: plot_rules).

For each plot P of an example E, in build/examples/chNN/:

  exists     P.svg, P.pdf and P.alt (the alt text the plot's script wrote) are there
  current    none is older than E.dat, chapters/<dir>/P.gp or harness/src/figure.gp,
             and P.svg and P.alt are exactly what gnuplot draws from E.dat now
             (drawn again in a temporary folder and compared)
  agrees     the numbers in E.dat are the ones E printed in E.out (the book's table
             and the plot show the same run): the accuracy after each epoch, the
             mean loss of each epoch, each class's accuracy, the race's rows
  notation   the text in the SVG and the alt text writes numbers as the book does:
             no ASCII hyphen for a minus (−1), no e-notation (1e-05); no text in
             the SVG smaller than 16 px (the book's figure labels)

The second check breaks copies of chapter 6's files in each of these ways and
expects each broken copy to be caught, and the intact copy to pass.
"""
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile

from selftest import Failure, expect_refused
from workbook import course

ROOT = course.ROOT
FIGURE_GP = os.path.join(ROOT, "harness", "src", "figure.gp")
MIN_FONT_PX = 16.0  # the book's graphs' labels (figure.py); the captions are 14.1 px


def blocks(path):
    """{name: [row, ...]} of a --data file: blocks headed "# name: columns",
    two blank lines apart; each row a list of fields (quoted strings kept whole)."""
    out, name = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*([\w-]+):", line)
            if m:
                name = m.group(1)
                out[name] = []
            elif line.strip() and name is not None:
                out[name].append(shlex.split(line))
    return out


def svg_texts(svg):
    """The text of every <text> element of an SVG, tags removed."""
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text\b.*?</text>", svg, re.S)]


_drawn = {}  # (script, the data's bytes' digest) -> (svg, alt): the self-check draws each once


def draw(script, data, out_dir):
    """(svg, alt) as gnuplot draws them now from data, in out_dir."""
    with open(data, "rb") as f:
        key = (script, hashlib.sha256(f.read()).hexdigest(), os.path.getmtime(script))
    if key not in _drawn:
        _drawn[key] = _draw(script, data, out_dir)
    return _drawn[key]


def _draw(script, data, out_dir):
    svg, alt = os.path.join(out_dir, "now.svg"), os.path.join(out_dir, "now.alt")
    r = subprocess.run(["gnuplot", "-e", "data='%s'; format='svg'; output='%s'; alt='%s'" % (data, svg, alt),
                        FIGURE_GP, script], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        return None, "gnuplot failed: " + r.stderr.strip()
    with open(svg, encoding="utf-8") as f, open(alt, encoding="utf-8") as g:
        return f.read(), g.read()


# ---- what an example's .out and .dat must agree on ---------------------------------

def agree_train_fashion(out, data):
    problems = []
    rows = re.findall(r"^\s*(\d+\.\d+)\s+(\d+)\s+(\d+\.\d+)?\s+(\d+\.\d+)%\s+(\d+\.\d+)%\s*$", out, re.M)
    acc = data.get("accuracy", [])
    if [(r[1], r[3], r[4]) for r in rows] != [(a[1], a[2], a[3]) for a in acc]:
        problems.append("the accuracies it printed %s are not the plotted ones %s"
                        % ([(r[1], r[3], r[4]) for r in rows], [tuple(a[1:]) for a in acc]))
    losses = {int(r[0]): float(r[1]) for r in data.get("loss", [])}
    start = 0
    for r in rows:
        it = int(r[1])
        if r[2]:
            batch = [losses.get(i) for i in range(start + 1, it + 1)]
            if None in batch or not batch:
                problems.append("the loss data lacks iterations %d to %d" % (start + 1, it))
            elif abs(sum(batch) / len(batch) - float(r[2])) > 2e-4:
                problems.append("after iteration %d it printed the mean loss %s; the plotted losses average %.4f"
                                % (it, r[2], sum(batch) / len(batch)))
        start = it
    classes = re.findall(r"^(\d) (\S.*?)\s+(\d+\.\d)%\s*$", out, re.M)
    if [(k, n, v) for k, n, v in classes] != [tuple(c) for c in data.get("classes", [])]:
        problems.append("the per-class accuracies it printed %s are not the plotted ones %s"
                        % (classes, [tuple(c) for c in data.get("classes", [])]))
    return problems


def agree_gradient_race(out, data):
    problems = []
    rows = re.findall(r"^\s*(\d+)\s+(\d+)\s+([\d.]+) ms\s+([\d.]+) µs\s+(\d+)\s", out, re.M)
    race = data.get("race", [])
    if len(rows) != len(race) or not rows:
        return ["it printed %d rows, the data has %d" % (len(rows), len(race))]
    for r, d in zip(rows, race):
        same = (r[0] == d[0] and r[1] == d[1] and abs(float(d[2]) * 1e3 - float(r[2])) <= 0.051
                and abs(float(d[3]) * 1e6 - float(r[3])) <= 0.051 and abs(float(d[4]) - float(r[4])) <= 0.51)
        if not same:
            problems.append("the printed row %s is not the plotted row %s" % (" ".join(r), " ".join(d)))
    return problems


AGREE = {"train_fashion": agree_train_fashion, "gradient_race": agree_gradient_race}


def notation_problems(where, texts):
    out = []
    for t in texts:
        if re.search(r"(?<![\w.])-(?=\d)", t):
            out.append("%s: %r has an ASCII hyphen for a minus sign; write − (U+2212: gnuplot's `set minussign`)"
                       % (where, t))
        if re.search(r"\d[eE][-+−]?\d", t):
            out.append("%s: %r writes a number in e-notation; write it as the text does (0.00001, 10 µs)"
                       % (where, t))
    return out


def verify(ex_root, chapters=None):
    """Every problem of the plots under ex_root (build/examples), as sentences."""
    problems = []
    tmp = tempfile.mkdtemp(prefix="wb-figures.")
    try:
        for ch in chapters or course.chapters():
            d = os.path.join(ex_root, ch.nn)
            for e in ch.example_list:
                if not e.plots:
                    continue
                out_path, data_path = os.path.join(d, e.name + ".out"), os.path.join(d, e.name + ".dat")
                if not (os.path.exists(out_path) and os.path.exists(data_path)):
                    problems.append("%s: %s.out or %s.dat is missing: run `make examples`" % (ch.nn, e.name, e.name))
                    continue
                data = blocks(data_path)
                with open(out_path, encoding="utf-8") as f:
                    out = f.read()
                problems += ["%s: %s.out and %s.dat disagree: %s" % (ch.nn, e.name, e.name, p)
                             for p in AGREE.get(e.name, lambda o, d: [])(out, data)]
                for p in e.plots:
                    script = os.path.join(ROOT, ch.path, p + ".gp")
                    files = {ext: os.path.join(d, p + ext) for ext in (".svg", ".pdf", ".alt")}
                    missing = [os.path.basename(f) for f in files.values() if not os.path.exists(f)]
                    if missing:
                        problems.append("%s: plot %s: %s missing: run `make examples`" % (ch.nn, p, ", ".join(missing)))
                        continue
                    newest = max(os.path.getmtime(x) for x in (data_path, script, FIGURE_GP))
                    for ext, f in files.items():
                        if os.path.getmtime(f) < newest:
                            problems.append("%s: %s%s is older than its data or script: it was not drawn from the "
                                            "current numbers (run `make examples`)" % (ch.nn, p, ext))
                    with open(files[".svg"], encoding="utf-8") as f:
                        svg = f.read()
                    with open(files[".alt"], encoding="utf-8") as f:
                        alt = f.read()
                    now_svg, now_alt = draw(script, os.path.abspath(data_path), tmp)
                    if now_svg is None:
                        problems.append("%s: plot %s: %s" % (ch.nn, p, now_alt))
                        continue
                    if svg != now_svg:
                        problems.append("%s: %s.svg is not what gnuplot draws from %s.dat now" % (ch.nn, p, e.name))
                    if alt != now_alt:
                        problems.append("%s: %s.alt (the figure's alt text) is not what %s.gp writes from %s.dat now"
                                        % (ch.nn, p, p, e.name))
                    problems += notation_problems("%s: %s.svg" % (ch.nn, p), svg_texts(svg))
                    problems += notation_problems("%s: %s.alt" % (ch.nn, p), [alt])
                    small = sorted(set(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)
                                       if float(s) < MIN_FONT_PX))
                    if small:
                        problems.append("%s: %s.svg has text of %s px, under %g px: too small to read"
                                        % (ch.nn, p, ", ".join("%g" % s for s in small), MIN_FONT_PX))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return problems


def make_figures():
    r = subprocess.run(["make", "-s", "--no-print-directory", "example-figures"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise Failure("make example-figures failed:\n" + r.stdout)


def check_figures_current():
    make_figures()
    problems = verify(os.path.join(ROOT, "build", "examples"))
    if problems:
        raise Failure("\n".join(problems))


check_figures_current.in_tree = True


def _replace(path, old, new, count=1):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if old not in text:
        raise Failure("the self-check cannot break %s: it has no %r" % (os.path.basename(path), old))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new, count))


def _first_class_value(path):
    with open(path, encoding="utf-8") as f:
        m = re.search(r'^0 "[^"]+" (\d+\.\d)$', f.read(), re.M)
    if not m:
        raise Failure("the self-check finds no class 0 in %s" % path)
    return m.group(0)


def _older(path, than):
    t = os.path.getmtime(than) - 10
    os.utime(path, (t, t))


# (name, how to break a copy of build/examples/ch06, words the problem must contain)
BREAKS = [
    ("a printed accuracy that is not the plotted one",
     lambda d: _replace(os.path.join(d, "train_fashion.out"), "%\n", "1%\n"), "disagree"),
    ("data changed after the figure was drawn",
     lambda d: _replace(os.path.join(d, "train_fashion.dat"), _first_class_value(os.path.join(d, "train_fashion.dat")),
                        re.sub(r"\d+\.\d$", "12.5", _first_class_value(os.path.join(d, "train_fashion.dat")))),
     "is not what gnuplot draws"),
    ("a figure older than its data",
     lambda d: _older(os.path.join(d, "race.pdf"), os.path.join(d, "gradient_race.dat")), "race.pdf is older"),
    ("an alt text missing", lambda d: os.unlink(os.path.join(d, "predictions.alt")), "predictions.alt missing"),
    ("an ASCII minus in a figure",
     lambda d: _replace(os.path.join(d, "race.svg"), "</tspan></text>", " -3</tspan></text>"), "ASCII hyphen"),
    ("e-notation in an alt text",
     lambda d: _replace(os.path.join(d, "learning_curve.alt"), "iterations", "iterations (1e-05)"), "e-notation"),
    ("text too small to read",
     lambda d: _replace(os.path.join(d, "class_accuracy.svg"), 'font-size="16.00"', 'font-size="7.00"'),
     "too small to read"),
]


def check_figures_self_check():
    """Each broken copy of chapter 6's plots is caught; the intact copy passes."""
    make_figures()
    ch = course.chapter(6)
    src = os.path.join(ROOT, "build", "examples", ch.nn)
    failures = []
    tmp = tempfile.mkdtemp(prefix="wb-figures-check.")
    try:
        for name, brk, says in [("intact", None, None)] + BREAKS:
            root = os.path.join(tmp, re.sub(r"\W+", "-", name))
            d = os.path.join(root, ch.nn)
            os.makedirs(d)
            for f in os.listdir(src):
                if f.endswith((".out", ".dat", ".svg", ".pdf", ".alt")):
                    shutil.copy2(os.path.join(src, f), d)
            if brk:
                brk(d)
            problems = verify(root, [ch])
            if brk is None and problems:
                failures.append("the intact copy fails: %s" % "; ".join(problems))
            elif brk and not any(says in p for p in problems):
                failures.append("%s: not caught (want a problem saying %r; got %s)" % (name, says, problems or "none"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        raise Failure("\n".join(failures))


check_figures_self_check.in_tree = True


# course.toml's rules for plots: (what is broken, the plots line, words the refusal must contain)
BROKEN_PLOTS = [
    ("a plot name with a capital", 'plots = ["Race"]', "plots must be a list of names"),
    ("a plot without its script", 'plots = ["no_such_plot"]', "needs its gnuplot script"),
    ("two plots of one name", 'plots = ["race", "race"]', "has the name of another figure"),
]


def check_manifest_plots():
    """course.toml's plots are read, and each broken rule is refused, naming it."""
    text = open(course.MANIFEST, encoding="utf-8").read()
    if 'plots = ["race"]' not in text:
        raise Failure('course.toml has no plots = ["race"] (gradient_race) for the check to break')
    tmp = tempfile.mkdtemp(prefix="manifest-plots.")
    try:
        os.symlink(os.path.join(ROOT, "chapters"), os.path.join(tmp, "chapters"))  # the scripts beside it
        good = os.path.join(tmp, "course.toml")
        open(good, "w", encoding="utf-8").write(text)
        ch = [c for c in course.chapters(good) if "race" in c.plots][0]
        if ch.plotted_by("race") != "gradient_race":
            raise Failure("the plot race is not read as gradient_race's")
        for name, new, says in BROKEN_PLOTS:
            expect_refused(tmp, name, text.replace('plots = ["race"]', new, 1), says)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks():
    return [
        ("course.toml: plots read, each broken plots rule named", check_manifest_plots, ()),
        ("plots are drawn from their examples' current numbers", check_figures_current, ()),
        ("the plots' check catches a stale, mismatched or badly written figure", check_figures_self_check, ()),
    ]
