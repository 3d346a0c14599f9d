"""workbook: the tools of the backpropagation workbook, one package.

  course   the manifest, course.toml, as Python objects (and make's include)
  source   the `// @...` markers: exercises from solutions, snippets, lint
  grade    the grader: build a folder of exercises with the harness, run, explain
  weave    the book's loader: chapters, snippets, outputs and figures, with lines
  book     the book: HTML and PDF, and its model book.json

`python3 -m workbook COMMAND` runs them (see __main__.py); the Makefile sets
PYTHONPATH to harness/ so that every tool imports them by name.
"""
