"""selftest: the workbook's own tests (python3 -m selftest, make test); see __main__.py."""
