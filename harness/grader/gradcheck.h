/* gradcheck.h: the grader's own tools, shared by every harness/grader/test_chNN.c.
 *
 * The grader trusts only what is here and in the test files: its own forward
 * functions, its own central differences, its own messages. The learner's
 * code is called, never believed.
 */
#ifndef GRADCHECK_H
#define GRADCHECK_H

#include <criterion/criterion.h>
#include <stddef.h>

/* Every test: a time limit, and the hooks (gc_guard.c) that sandbox the
 * test's process and let the grader tell "passed" from "the learner's code
 * ended the process early". Which tests check given code, and what each is
 * worth, course.toml says. The grader lowers the time limit
 * to its own (10 s by default, see harness/workbook/grade.py); 60 s applies only when a
 * test binary is run by hand. */
#define GRADED(suite, name, desc) \
    Test(suite, name, .description = desc, .init = gc_test_start, .fini = gc_test_end, .timeout = 60)

void gc_test_start(void);
void gc_test_end(void);

/* Output slots start as one of these, so a gradient never written is caught.
 * GC_STALE is for outputs a learner might add onto (+=): the right answer plus
 * GC_STALE is recognised as "added onto what the array held, without setting
 * it to 0 first", in every test alike. */
#define GC_UNSET (-7.25e301)
#define GC_STALE 0.375

/* Arrays handed to the learner's code: on the heap and exactly as large as the
 * contract says (rows x cols, row-major; cols = 1 for a vector), so that
 * AddressSanitizer stops a read or write one element past either end. Each is
 * named, and the grader's message says which array and which index ("wrote
 * dW[6], one element past the end of dW"). Freed when the test's process ends.
 *   gc_array       every element GC_UNSET
 *   gc_array_fill  every element `value`
 *   gc_array_copy  a copy of v
 *   gc_labels      a copy of n ints (class labels)
 *   gc_name_array  names memory allocated elsewhere (a network's own arrays) */
double *gc_array(const char *name, size_t rows, size_t cols);
double *gc_array_fill(const char *name, size_t rows, size_t cols, double value);
double *gc_array_copy(const char *name, const double *v, size_t rows, size_t cols);
int *gc_labels(const char *name, const int *v, size_t n);
void gc_name_array(const char *name, const void *p, size_t rows, size_t cols, size_t elem_size);

/* Writes one line to the test run's event log, which the grader reads (gc_guard.c). */
void gc_event_line(const char *line);

/* Seeded, reproducible random numbers (one stream per test). Draw them one
 * per declaration or statement: C leaves the order of the arguments of one
 * call unspecified, so gc_f(gc_uniform(..), gc_uniform(..)) differs between
 * compilers. */
void   gc_seed(unsigned long seed);
double gc_uniform(double lo, double hi);
/* A value whose magnitude lies in [lo, hi], with a random sign. */
double gc_away_from_zero(double lo, double hi);

/* Central difference of f at x[i]: (f(x + h e_i) - f(x - h e_i)) / 2h.
 * f must not keep state; x is restored before returning. */
typedef double (*gc_scalar_fn)(const double *x, void *ctx);
double gc_central_difference(gc_scalar_fn f, double *x, size_t i, void *ctx);
#define GC_H 1e-5

/* The gradient a backward must produce for an array function out = f(x)
 * (n inputs, m outputs) and an upstream gradient dout (m values):
 *   want[i] = d/dx[i] of sum_j dout[j] * f(x)[j], by central differences.
 * f writes its m outputs; x is restored before returning. Grade one input
 * of a many-input layer by passing the others through ctx. */
typedef void (*gc_vector_fn)(const double *x, double *out, void *ctx);
void gc_numeric_vjp(gc_vector_fn f, double *x, size_t n, const double *dout, size_t m, void *ctx,
                    double *want);

/* A wrong answer the grader recognises: if the learner's values match
 * `values` (all n of them), `why` is printed as the likely cause. */
typedef struct {
    const double *values;
    const char *why;
} gc_guess;

/* Compare a gradient the learner computed (`got`, n elements) with the one
 * the grader computed (`want`). On mismatch the test fails with a message that
 * names the function, the argument, the worst element, both values, where the
 * check was made (`where`), and the first matching guess as likely cause.
 * The generic guesses (not written, NaN, zero, wrong sign) are always tried. */
void gc_expect_gradient(const char *func, const char *arg, const char *where,
                        const double *got, const double *want, size_t n,
                        const gc_guess *guesses, size_t nguesses);

/* The element the message about got reports: the worst of those outside the
 * tolerance (relative error, NaN worst of all), or n when all are close. */
size_t gc_worst_element(const double *got, const double *want, size_t n);

/* The same for a forward value, compared with the harness's own forward. */
void gc_expect_value(const char *func, const char *what, const char *where,
                     const double *got, const double *want, size_t n,
                     const gc_guess *guesses, size_t nguesses);

/* Fails the test if two byte ranges differ: for "your backward changed its
 * input" checks. */
void gc_expect_unchanged(const char *func, const char *what, const void *before,
                         const void *after, size_t size);

#endif
