"""selftest: the workbook's own tests (python3 -m workbook test, make test).

Each module (robustness, install, keep_work, todo_blocks, new_chapter) gives
checks(): (name, function, args) triples that __main__ runs, in parallel where
it can. A check fails by raising Failure with what went wrong, in words; any
other exception in a check is that check's failure too.
"""


class Failure(Exception):
    """A check's failure: what went wrong, in words."""
