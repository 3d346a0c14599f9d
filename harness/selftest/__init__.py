"""selftest: the workbook's own tests (python3 -m workbook test, make test).

Each module (robustness, install, keep_work, todo_blocks, new_chapter) gives
checks(): (name, function, args) triples that __main__ runs, in parallel where
it can. A check fails by raising Failure with what went wrong, in words; any
other exception in a check is that check's failure too.
"""


class Failure(Exception):
    """A check's failure: what went wrong, in words."""


def expect_refused(folder, name, text, says):
    """course.toml written as `text` in `folder` must be refused by the manifest's
    reader with a message containing `says` (name: what is broken, in words)."""
    import os
    from workbook import course
    path = os.path.join(folder, "broken.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    try:
        course.chapters(path)
    except course.ManifestError as e:
        if says not in str(e):
            raise Failure("course.toml with %s was refused, but not saying %r: %s" % (name, says, e))
        return
    raise Failure("course.toml with %s was accepted" % name)
