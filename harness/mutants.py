"""mutants.py: deliberately wrong solutions the grader must reject.

Each chapter's list lives in harness/tests/mutants_chNN.py as

    MUTANTS = [(name, file, old, new, tests_that_must_fail, text_the_message_must_contain), ...]

A mutant copies solutions/, replaces `old` by `new` in solutions/chNN/<file>
(the text must occur exactly once), grades that chapter, and expects every
listed test to fail with a message containing the text. `make test` runs them.
"""
import glob
import os
import re
import runpy

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    found = {}
    for path in sorted(glob.glob(os.path.join(HERE, "tests", "mutants_ch*.py"))):
        chapter = int(re.search(r"mutants_ch(\d+)\.py$", path).group(1))
        found[chapter] = runpy.run_path(path)["MUTANTS"]
    return found


MUTANTS = load()
