"""junit.py: the grader's results as JUnit XML, for any CI (make check JUNIT=file.xml).

  python3 -m workbook dist junit RESULTS.json OUT.xml

One <testsuite> per chapter (name "chNN: title"), one <testcase> per test:
classname "chNN.function" (given code: "chNN.given"), name the test's name.
A failed test has a <failure> whose message is the grader's first line and
whose text is all of it, with the hint; a chapter that could not be graded
(missing file, compile error) has an <error> in each of its tests. A test
course.toml marks hidden keeps its verdict and withholds its message, as the
grader's own feedback does. Points go in <properties>, which JUnit readers
keep and ignore.
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

HIDDEN_MESSAGE = "a hidden test: its message is not shown"
# XML 1.0 has no place for most control characters (a learner's program may print them)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def clean(text):
    return NOT_XML.sub("?", ANSI.sub("", text or ""))


def number(x):
    return ("%.4f" % x).rstrip("0").rstrip(".") if x is not None else "0"


def convert(results):
    """An ElementTree <testsuites> from a results dict (version 2)."""
    top = ET.Element("testsuites", name="backprop-workbook")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for c in results.get("chapters", []):
        nn = "ch%02d" % c["chapter"]
        suite = ET.SubElement(top, "testsuite", name="%s: %s" % (nn, clean(c.get("title", ""))))
        props = ET.SubElement(suite, "properties")
        for key in ("points", "max_points", "weight"):
            ET.SubElement(props, "property", name=key, value=number(c.get(key)))
        counts = {"tests": 0, "failures": 0, "errors": 0}
        problem = c.get("problem")
        tests = c.get("tests") or []
        if problem and not tests:  # nothing to list: the chapter itself is the one case
            tests = [{"name": "chapter", "function": None, "given": False, "passed": False, "message": problem}]
        for t in tests:
            fn = "given" if t.get("given") else re.sub(r"\W+", "_", t.get("function") or "chapter").strip("_")
            case = ET.SubElement(suite, "testcase", classname="%s.%s" % (nn, fn), name=t["name"])
            counts["tests"] += 1
            if t.get("passed"):
                continue
            message = HIDDEN_MESSAGE if t.get("hidden") else clean(t.get("message") or "failed")
            if not t.get("hidden") and t.get("hint") and "likely cause:" not in message:
                message += "\nhint: " + clean(t["hint"])
            kind = "error" if problem else "failure"
            counts["errors" if problem else "failures"] += 1
            el = ET.SubElement(case, kind, message=message.split("\n", 1)[0][:500],
                               type="not graded" if problem else "wrong result")
            el.text = message
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
        if c.get("notes"):
            ET.SubElement(suite, "system-out").text = clean("\n".join(c["notes"]))
    for key, value in totals.items():
        top.set(key, str(value))
    return top


def write(results, out):
    tree = ET.ElementTree(convert(results))
    ET.indent(tree)
    tmp = "%s.%d.tmp" % (out, os.getpid())
    tree.write(tmp, encoding="UTF-8", xml_declaration=True)
    os.replace(tmp, out)


def main(argv):
    if len(argv) != 2:
        print("usage: python3 -m workbook dist junit RESULTS.json OUT.xml", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        print("junit: cannot read the grader's results %s (%s): was the grading stopped?" % (argv[0], e),
              file=sys.stderr)
        return 1
    try:
        write(results, argv[1])
    except OSError as e:
        print("junit: cannot write %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
