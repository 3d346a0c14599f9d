"""course.py: read course.mk, the workbook's one manifest.

The manifest is written as `name := value` lines so that make can include it;
this module reads the same lines for the Python tools.
"""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MANIFEST = os.path.join(ROOT, "course.mk")


def read_manifest(path=MANIFEST):
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].rstrip()
            m = re.match(r"^\s*([A-Za-z0-9_.]+)\s*:=\s*(.*)$", line)
            if m:
                values[m.group(1)] = m.group(2).strip()
    return values


class Chapter:
    def __init__(self, number, values):
        self.number = number
        key = "ch%d." % number
        self.nn = "ch%02d" % number
        self.dir = values.get(key + "dir", "")
        self.title = values.get(key + "title", "")
        self.files = values.get(key + "files", "").split()
        self.examples = values.get(key + "examples", "").split()
        self.graphs = values.get(key + "graphs", "").split()
        # numbers each example must print, in order: chN.expect.NAME := 220 2.2 ...
        self.expect = {k[len(key + "expect."):]: v.split() for k, v in values.items()
                       if k.startswith(key + "expect.")}

    @property
    def path(self):
        return os.path.join("chapters", self.dir)

    @property
    def gradable(self):
        return bool(self.files)


def chapters():
    values = read_manifest()
    return [Chapter(int(n), values) for n in values.get("CHAPTERS", "").split()]


def chapter(number):
    for ch in chapters():
        if ch.number == number:
            return ch
    return None
