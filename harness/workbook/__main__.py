"""python3 -m workbook COMMAND [ARGS]: the workbook's one command line.

  check [--chapter N] [--exercises DIR] [--results FILE]   grade (make check)
  exercises [--check] [--force]                            exercises/ from solutions/ (make exercises)
  show FILE [SNIPPET] [--edition student|instructor]       a file or snippet as the book shows it
  lint                                                     every snippet resolves and is used
  book [--edition E] [--format all|html|pdf] [--self-check]   the book (make book)
  make-include                                             make's variables from course.toml
  figure GRAPH.dot OUT.svg|OUT.pdf [--self-check]          a graph drawn for the book (make examples)
  grade --submissions DIR [--jobs N] [--out DIR] [--chapter N,M] | --bench N
                                                           grade a class into a gradebook (make grade)
  dist student|instructor|gradescope|classroom|scan|junit ...
                                                           releases, course platforms (make dist-student, ...)
  test [--quick] [--only TEXT] [--skip-book]               the project's own tests (make test)

Run from the workbook's top folder with PYTHONPATH=harness (the Makefile does both).
"""
import sys

MODULE_OF = {
    # the learner's loop (make progress, hint, watch, reset)
    "progress": "learner", "hint": "learner", "watch": "learner", "reset": "learner",
    # a class of submissions (make grade)
    "grade": "batch",
    # releases and course platforms (make dist-student, dist-instructor, gradescope, classroom)
    "dist": "dist",
    # chapter 6's benchmark and full training run (make bench, make train)
    "bench": "bench",
    # the book's computation graphs, drawn from an example's --dot (make's graph rules)
    "figure": "figure",
}


def main(argv):
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0 if argv else 2
    verb, rest = argv[0], argv[1:]
    if verb == "check":
        from workbook import grade
        return grade.command(rest)
    if verb in ("exercises", "show", "lint"):
        from workbook import source
        return source.main(argv)
    if verb == "book":
        from workbook import book
        return book.main(rest)
    if verb == "test":
        from selftest.__main__ import main as selftest
        return selftest(rest)
    if verb in MODULE_OF:  # the module's main(argv) gets the verb and its arguments
        import importlib
        return importlib.import_module("workbook." + MODULE_OF[verb]).main(argv)
    if verb == "make-include":
        from workbook import course
        return course.main(argv)
    print("workbook: unknown command %r\n\n%s" % (verb, __doc__.strip()), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
