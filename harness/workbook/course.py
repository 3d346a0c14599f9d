"""course.py: the workbook's one manifest, course.toml, as Python objects.

  course.py make-include      print the make variables the Makefile includes
                              (build/course.mk); nothing in it is written by hand

Every tool reads the manifest through this module; make reads the include it
writes. A manifest that breaks a rule (an unknown key, a test named twice, a
chapter without a folder) stops here, with the rule it broke.
"""
import os
import re
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANIFEST = os.path.join(ROOT, "course.toml")

CHAPTER_KEYS = {"number", "dir", "title", "teaches", "files", "weight", "example", "function"}
EXAMPLE_KEYS = {"name", "graph", "expect", "plots"}
FUNCTION_KEYS = {"name", "tests", "given", "points", "hint", "hidden"}


class ManifestError(Exception):
    pass


class Example:
    def __init__(self, entry):
        self.name = entry["name"]
        self.graph = bool(entry.get("graph", False))
        # figures gnuplot draws from what `name --data FILE` writes: chapters/<dir>/<plot>.gp
        self.plots = list(entry.get("plots", []))
        self.expect = entry["expect"].split() if "expect" in entry else None


class Function:
    """What the grader checks: a function the learner writes, or given code."""

    def __init__(self, entry):
        self.name = entry["name"]
        self.tests = list(entry["tests"])
        self.given = bool(entry.get("given", False))
        points = entry.get("points", len(self.tests))
        # points: what the tests are worth together (split evenly), or a table by test
        if isinstance(points, dict):
            self._points = {t: float(points.get(t, 0)) for t in self.tests}
        else:
            self._points = {t: float(points) / len(self.tests) for t in self.tests}
        self.points = sum(self._points.values())
        # hint: one string, or a list: progressive, gentlest first (make hint)
        hint = entry.get("hint", [])
        self.hints = [hint] if isinstance(hint, str) else list(hint)
        self.hint = self.hints[0] if self.hints else None
        self.hidden = set(entry.get("hidden", []))  # graded, but kept out of learners' feedback

    def test_points(self, name):
        """What the test `name` is worth (0 for given code: never part of the score)."""
        return 0.0 if self.given else self._points[name]


class Chapter:
    def __init__(self, entry):
        self.number = entry["number"]
        self.nn = "ch%02d" % self.number
        self.dir = entry["dir"]
        self.title = entry["title"]
        self.teaches = entry.get("teaches")  # one line for the book's contents page
        self.files = list(entry.get("files", []))
        self.weight = float(entry.get("weight", 1))  # multiplies the chapter's points in a course total
        self.example_list = [Example(e) for e in entry.get("example", [])]
        self.functions = [Function(f) for f in entry.get("function", [])]

    @property
    def examples(self):
        return [e.name for e in self.example_list]

    @property
    def graphs(self):
        return [e.name for e in self.example_list if e.graph]

    @property
    def plots(self):
        """The plots of the chapter's examples, in order (their names)."""
        return [p for e in self.example_list for p in e.plots]

    def plotted_by(self, plot):
        """The example whose --data a plot draws."""
        return next(e.name for e in self.example_list if plot in e.plots)

    @property
    def expect(self):
        """{example: the numbers it must print, in order}"""
        return {e.name: e.expect for e in self.example_list if e.expect is not None}

    @property
    def path(self):
        return os.path.join("chapters", self.dir)

    @property
    def gradable(self):
        return bool(self.files)

    def test(self, name):
        """(function, points of this test) for a test name, or (None, 0)."""
        for f in self.functions:
            if name in f.tests:
                return f, f.test_points(name)
        return None, 0

    @property
    def max_points(self):
        """What the learner's functions are worth, before the weight."""
        return sum(f.points for f in self.functions if not f.given)


def _check(entries, root=ROOT):
    """The rules a manifest must keep, each broken one named (root: the
    folder of the manifest, which holds chapters/)."""
    problems, numbers, tests = [], set(), {}
    for i, ch in enumerate(entries):
        where = "course.toml: chapter %s" % ch.get("number", "#%d" % (i + 1))
        for key in sorted(set(ch) - CHAPTER_KEYS):
            problems.append("%s: unknown key %r (known: %s)" % (where, key, ", ".join(sorted(CHAPTER_KEYS))))
        for key in ("number", "dir", "title"):
            if key not in ch:
                problems.append("%s: %s is missing" % (where, key))
        weight = ch.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            problems.append("%s: weight must be a number of at least 0" % where)
        if not isinstance(ch.get("number", 0), int) or not 0 < ch.get("number", 0) < 100:
            problems.append("%s: number must be a whole number from 1 to 99" % where)
        if ch.get("number") in numbers:
            problems.append("%s: the number is used twice" % where)
        numbers.add(ch.get("number"))
        figures = set(e.get("name") for e in ch.get("example", []) if e.get("graph"))
        for e in ch.get("example", []):
            for key in sorted(set(e) - EXAMPLE_KEYS):
                problems.append("%s: example %s: unknown key %r" % (where, e.get("name"), key))
            plots = e.get("plots", [])
            if not isinstance(plots, list) or not all(isinstance(p, str) and re.match(r"^[a-z][a-z0-9_]*$", p)
                                                      for p in plots):
                problems.append("%s: example %s: plots must be a list of names (lower case, digits, _)"
                                % (where, e.get("name")))
                continue
            for p in plots:
                if p in figures:
                    problems.append("%s: example %s: the plot %s has the name of another figure of the chapter "
                                    "(a graph or a plot)" % (where, e.get("name"), p))
                figures.add(p)
                script = os.path.join(root, "chapters", str(ch.get("dir")), p + ".gp")
                # (a checkout without the chapter's folder, as grading needs none, has nothing to check)
                if os.path.isdir(os.path.dirname(script)) and not os.path.isfile(script):
                    problems.append("%s: example %s: the plot %s needs its gnuplot script %s"
                                    % (where, e.get("name"), p, os.path.relpath(script, root)))
        for f in ch.get("function", []):
            for key in sorted(set(f) - FUNCTION_KEYS):
                problems.append("%s: function %s: unknown key %r" % (where, f.get("name"), key))
            if not f.get("tests"):
                problems.append("%s: function %s names no tests" % (where, f.get("name")))
            fwhere = "%s: function %s" % (where, f.get("name"))
            points = f.get("points", 0)
            if isinstance(points, dict):
                for t in sorted(set(points) - set(f.get("tests", []))):
                    problems.append("%s: points names %r, which is not one of its tests" % (fwhere, t))
                values = list(points.values())
            else:
                values = [points]
            if any(isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 for v in values):
                problems.append("%s: points must be a number of at least 0, or a table of them by test" % fwhere)
            hint = f.get("hint", [])
            if not isinstance(hint, str) and not (isinstance(hint, list) and all(isinstance(h, str) and h.strip()
                                                                                 for h in hint)):
                problems.append("%s: hint must be a string, or a list of strings (gentlest first)" % fwhere)
            hidden = f.get("hidden", [])
            if not isinstance(hidden, list) or any(t not in f.get("tests", []) for t in hidden):
                problems.append("%s: hidden must list some of its own tests" % fwhere)
            for t in f.get("tests", []):
                if t in tests.get(ch.get("number"), set()):
                    problems.append("%s: test %s is listed twice" % (where, t))
                tests.setdefault(ch.get("number"), set()).add(t)
        if ch.get("files") and not ch.get("function"):
            problems.append("%s: it has exercise files but no [[chapter.function]] says what is graded" % where)
    if problems:
        raise ManifestError("\n".join(problems))


_cache = {}


def chapters(path=MANIFEST):
    """Every chapter of the manifest, in the order of their numbers."""
    stamp = os.stat(path).st_mtime_ns
    if _cache.get(path, (None,))[0] != stamp:
        with open(path, "rb") as f:
            try:
                data = tomllib.load(f)
            except tomllib.TOMLDecodeError as e:
                raise ManifestError("%s: %s" % (os.path.relpath(path, ROOT), e)) from None
        entries = data.get("chapter", [])
        _check(entries, os.path.dirname(os.path.abspath(path)))
        _cache[path] = (stamp, sorted((Chapter(e) for e in entries), key=lambda c: c.number))
    return list(_cache[path][1])


def chapter(number):
    for ch in chapters():
        if ch.number == number:
            return ch
    return None


def make_include():
    """The make variables the Makefile reads: CHAPTERS, and per chapter N
    chN.nn, chN.dir, chN.files, chN.examples, chN.graphs, chN.upto (the
    numbers of the chapters up to N: what its examples link), chN.plots, for
    each plot P chN.plot.P (the example whose data it draws), and chN.plotted
    (the examples that write data: run with --data FILE)."""
    lines = ["# Written by `harness/workbook/course.py make-include` from course.toml: do not edit.",
             "CHAPTERS := %s" % " ".join(str(c.number) for c in chapters())]
    for c in chapters():
        n = c.number
        lines += ["ch%d.nn := %s" % (n, c.nn), "ch%d.dir := %s" % (n, c.dir),
                  "ch%d.files := %s" % (n, " ".join(c.files)),
                  "ch%d.examples := %s" % (n, " ".join(c.examples)),
                  "ch%d.graphs := %s" % (n, " ".join(c.graphs)),
                  "ch%d.plots := %s" % (n, " ".join(c.plots)),
                  "ch%d.plotted := %s" % (n, " ".join(e.name for e in c.example_list if e.plots)),
                  "ch%d.upto := %s" % (n, " ".join(str(d.number) for d in chapters() if d.number <= n))]
        lines += ["ch%d.plot.%s := %s" % (n, p, c.plotted_by(p)) for p in c.plots]
    return "\n".join(lines) + "\n"


def main(argv):
    try:
        if argv == ["make-include"]:
            sys.stdout.write(make_include())
            return 0
    except ManifestError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
