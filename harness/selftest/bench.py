"""selftest.bench: (being written)."""


def checks():
    """[(name, function, args)]; a function with fn.in_tree = True runs make in
    this tree, so it runs in the serial make stream."""
    return []
