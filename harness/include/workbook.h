/* workbook.h: what every exercise, solution, example and test shares. */
#ifndef WORKBOOK_H
#define WORKBOOK_H

/* A stub's body calls NOT_IMPLEMENTED(); until you replace it.
 * Under the grader it fails the test with "not implemented yet";
 * in an example program it prints where the stub is and exits with status 3. */
#define NOT_IMPLEMENTED() wb_not_implemented(__func__, __FILE__, __LINE__)

_Noreturn void wb_not_implemented(const char *func, const char *file, int line);

#endif
