/* gradcheck.c: numerical gradients, comparisons and messages for the grader. */
#define _POSIX_C_SOURCE 200809L
#include "gradcheck.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "workbook.h"

/* The test hooks (gc_test_start, gc_test_end) and the sandbox are in gc_guard.c. */

/* Under the grader, a stub's NOT_IMPLEMENTED() fails the test with a message
 * the grader turns into "not implemented yet". */
void wb_not_implemented(const char *func, const char *file, int line)
{
    cr_assert_fail("%s is not implemented yet (%s:%d): replace its TODO with your code.", func, file, line);
    abort(); /* not reached: the assertion ends the test */
}

/* ---- arrays of exactly the contract's size -------------------------------- */

/* The arrays named so far in this test's process: their shapes name the
 * row and column of a wrong element in a message. */
#define MAX_NAMED 256
typedef struct {
    const void *p;
    size_t rows, cols;
} Named;
static Named named[MAX_NAMED];
static size_t nnamed;

static int shape_of(const void *p, size_t n, size_t *rows, size_t *cols)
{
    for (size_t k = nnamed; k-- > 0;)
        if (named[k].p == p && named[k].rows * named[k].cols == n) {
            *rows = named[k].rows;
            *cols = named[k].cols;
            return 1;
        }
    return 0;
}

void gc_name_array(const char *name, const void *p, size_t rows, size_t cols, size_t elem_size)
{
    if (nnamed < MAX_NAMED)
        named[nnamed++] = (Named){p, rows, cols};
    char line[200];
    snprintf(line, sizeof line, "array %lx %zu %zu %zu %zu %.80s\n", (unsigned long)(uintptr_t)p,
             rows * cols * elem_size, elem_size, rows, cols, name);
    gc_event_line(line);
}

static void *named_alloc(const char *name, size_t rows, size_t cols, size_t elem_size)
{
    size_t n = rows * cols;
    void *p = malloc((n ? n : 1) * elem_size);
    cr_assert(p != NULL, "the grader ran out of memory");
    gc_name_array(name, p, rows, cols, elem_size);
    return p;
}

double *gc_array_fill(const char *name, size_t rows, size_t cols, double value)
{
    double *a = named_alloc(name, rows, cols, sizeof *a);
    for (size_t i = 0; i < rows * cols; i++)
        a[i] = value;
    return a;
}

double *gc_array(const char *name, size_t rows, size_t cols)
{
    return gc_array_fill(name, rows, cols, GC_UNSET);
}

double *gc_array_copy(const char *name, const double *v, size_t rows, size_t cols)
{
    double *a = named_alloc(name, rows, cols, sizeof *a);
    memcpy(a, v, rows * cols * sizeof *a);
    return a;
}

int *gc_labels(const char *name, const int *v, size_t n)
{
    int *a = named_alloc(name, n, 1, sizeof *a);
    memcpy(a, v, n * sizeof *a);
    return a;
}

/* ---- random numbers: xorshift64*, seeded per test -------------------------- */

static unsigned long long rng_state = 88172645463325252ULL;

void gc_seed(unsigned long seed)
{
    rng_state = 0x9E3779B97F4A7C15ULL ^ (unsigned long long)seed;
    if (rng_state == 0)
        rng_state = 1;
}

double gc_uniform(double lo, double hi)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    unsigned long long r = rng_state * 2685821657736338717ULL;
    return lo + (hi - lo) * ((double)(r >> 11) / 9007199254740992.0);
}

double gc_away_from_zero(double lo, double hi)
{
    double v = gc_uniform(lo, hi);
    return gc_uniform(0, 1) < 0.5 ? -v : v;
}

double gc_central_difference(gc_scalar_fn f, double *x, size_t i, void *ctx)
{
    double keep = x[i];
    x[i] = keep + GC_H;
    double plus = f(x, ctx);
    x[i] = keep - GC_H;
    double minus = f(x, ctx);
    x[i] = keep;
    return (plus - minus) / (2 * GC_H);
}

void gc_numeric_vjp(gc_vector_fn f, double *x, size_t n, const double *dout, size_t m, void *ctx,
                    double *want)
{
    double *plus = malloc(m * sizeof *plus), *minus = malloc(m * sizeof *minus);
    cr_assert(plus && minus, "the grader ran out of memory");
    for (size_t i = 0; i < n; i++) {
        double keep = x[i];
        x[i] = keep + GC_H;
        f(x, plus, ctx);
        x[i] = keep - GC_H;
        f(x, minus, ctx);
        x[i] = keep;
        double sum = 0; /* d/dx_i of sum_j dout_j f_j(x) */
        for (size_t j = 0; j < m; j++)
            sum += dout[j] * (plus[j] - minus[j]);
        want[i] = sum / (2 * GC_H);
    }
    free(plus);
    free(minus);
}

/* ---- comparisons ------------------------------------------------------------ */

#define RTOL 1e-6
#define ATOL 1e-7

static int close_enough(double a, double b)
{
    if (!isfinite(a) || !isfinite(b))
        return a == b; /* an infinity matches only itself; NaN matches nothing */
    return fabs(a - b) <= ATOL + RTOL * fmax(fabs(a), fabs(b));
}

static int all_close(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!close_enough(a[i], b[i]))
            return 0;
    return 1;
}

static void format_index(char *buf, size_t size, size_t n, size_t i)
{
    if (n == 1)
        buf[0] = '\0';
    else
        snprintf(buf, size, "[%zu]", i);
}

/* If `names` is a comma-separated list of n names, copy the i-th into buf. */
static int element_name(const char *names, size_t n, size_t i, char *buf, size_t size)
{
    size_t count = 1;
    for (const char *p = names; *p; p++)
        count += *p == ',';
    if (n < 2 || count != n)
        return 0;
    const char *start = names;
    for (size_t k = 0; k < i; k++)
        start = strchr(start, ',') + 1;
    while (*start == ' ')
        start++;
    size_t len = strcspn(start, ",");
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), start);
    return 1;
}

#define ADDED_ONTO                                                                                       \
    "the right value plus what the output held before: it was added onto (+=) without setting it to 0 "  \
    "first. Assign (=), or set it to 0 before adding into it"

static int unwritten(double v)
{
    return v == GC_UNSET || v == GC_STALE;
}

/* Elements still holding what the grader put there (never written), and
 * values that are no numbers at all. With partial_only, only a part of the
 * array never written is explained (its bounds say which loop is wrong); the
 * rest waits until the test's own guesses were tried. `name` names the array. */
static const char *broken_cause(const char *name, const double *got, const double *want, size_t n,
                                int gradient, char *buf, size_t size, int partial_only)
{
    size_t first = n, last = 0, count = 0;
    for (size_t i = 0; i < n; i++)
        if (unwritten(got[i]) && got[i] != want[i]) {
            count++;
            last = i;
            if (first == n)
                first = i;
        }
    size_t rows, cols;
    if (count == 1 && n == 1 && shape_of(got, n, &rows, &cols)) { /* an array of one element */
        snprintf(buf, size, "%s[0], the only element, was never written: does the loop run at all when there "
                 "is one element (a bound such as `i < n - 1`)?", name);
        return buf;
    }
    if (count == n && partial_only)
        return NULL; /* the test's own guesses may know why */
    if (count == n && n > 1)
        return gradient ? "this gradient was never written: assign every element through its pointer"
                        : "these values were never written";
    if (count == n)
        return gradient ? "this gradient was never written: assign every output through its pointer"
                        : "this value was never written";
    if (count > 0 && strchr(name, ',')) /* a list of named values, not an array */
        return gradient ? "some of these gradients were never written: assign every output through its pointer"
                        : "some of these values were never written";
    if (count > 0 && last == n - 1 && count == n - first) {
        if (count == 1)
            snprintf(buf, size, "the last element, %s[%zu], was never written: the loop stops one step early "
                     "(`i < n - 1` where `i < n` belongs)", name, n - 1);
        else
            snprintf(buf, size, "the last %zu elements, %s[%zu] to %s[%zu], were never written: the loop stops "
                     "early (a bound smaller than the array's %zu elements, such as one side of a matrix "
                     "instead of rows x columns)", count, name, first, name, n - 1, n);
        return buf;
    }
    if (count > 0 && first == 0 && count == last + 1) {
        if (count == 1)
            snprintf(buf, size, "the first element, %s[0], was never written: the loop starts one step late "
                     "(`i = 1` where `i = 0` belongs)", name);
        else
            snprintf(buf, size, "the first %zu elements, %s[0] to %s[%zu], were never written: the loop starts "
                     "too late", count, name, name, last);
        return buf;
    }
    if (count > 0) {
        snprintf(buf, size, "%zu of %s's %zu elements were never written (the first is %s[%zu]): every "
                 "element must be assigned", count, name, n, name, first);
        return buf;
    }
    if (partial_only)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (isnan(got[i]))
            return "produced NaN: look for 0/0, inf - inf, or a value read before it was set";
    for (size_t i = 0; i < n; i++)
        if (isinf(got[i]))
            return "produced Inf: look for a division by zero or an overflowing exp";
    return NULL;
}

/* Generic patterns, tried after the test's own guesses (which know more). */
static const char *pattern_cause(const double *got, const double *want, size_t n, int gradient)
{
    int zero = 1, negated = 1;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != 0.0)
            zero = 0;
        if (!close_enough(got[i], -want[i]) || want[i] == 0.0)
            negated = 0;
    }
    if (zero)
        return gradient ? "it is 0 everywhere: the gradient was set to zero instead of computed"
                        : "it is 0: nothing was computed";
    if (negated)
        return "the sign is flipped";
    return NULL;
}

size_t gc_worst_element(const double *got, const double *want, size_t n)
{
    size_t worst = n;
    double worst_err = -1;
    for (size_t i = 0; i < n; i++) {
        double err = fabs(got[i] - want[i]) / fmax(1e-8, fabs(got[i]) + fabs(want[i]));
        if (!close_enough(got[i], want[i]) || isnan(got[i])) {
            if (isnan(err) || err > worst_err) {
                worst_err = isnan(err) ? INFINITY : err;
                worst = i;
            }
        }
    }
    return worst;
}

static void expect(const char *kind, const char *func, const char *arg, const char *where,
                   const double *got, const double *want, size_t n, const gc_guess *guesses,
                   size_t nguesses, int gradient)
{
    size_t worst = gc_worst_element(got, want, n);
    if (worst == n)
        return;

    /* Order: some elements never written (the loop's bounds), then the test's
     * own guesses, then no numbers at all, then generic patterns. */
    char causebuf[300];
    const char *cause = NULL;
    int added = 0, all_zero = 1; /* the right values plus GC_STALE: added (+=) onto it */
    for (size_t i = 0; i < n; i++)
        if (want[i] != 0.0)
            all_zero = 0;
    if (!all_zero) {
        added = 1;
        for (size_t i = 0; i < n; i++)
            if (!close_enough(got[i], want[i] + GC_STALE))
                added = 0;
    }
    if (added)
        cause = ADDED_ONTO;
    if (!cause)
        cause = broken_cause(arg, got, want, n, gradient, causebuf, sizeof causebuf, 1);
    for (size_t g = 0; !cause && g < nguesses; g++)
        if (all_close(got, guesses[g].values, n))
            cause = guesses[g].why;
    if (!cause)
        cause = broken_cause(arg, got, want, n, gradient, causebuf, sizeof causebuf, 0);
    if (!cause)
        cause = pattern_cause(got, want, n, gradient);

    /* A list of names ("price, d apple, ...") names each element. */
    char label[128], idx[64] = "", gotbuf[64];
    size_t rows, cols;
    if (!element_name(arg, n, worst, label, sizeof label)) {
        snprintf(label, sizeof label, "%s", arg);
        format_index(idx, sizeof idx, n, worst);
        if (n > 1 && shape_of(got, n, &rows, &cols) && rows > 1 && cols > 1)
            snprintf(idx + strlen(idx), sizeof idx - strlen(idx), " (row %zu, column %zu)", worst / cols,
                     worst % cols);
    }
    arg = label;
    if (unwritten(got[worst]) && got[worst] != want[worst] && !added)
        snprintf(gotbuf, sizeof gotbuf, "(never written)");
    else
        snprintf(gotbuf, sizeof gotbuf, "%.8g", got[worst]);
    cr_assert_fail("%s: %s%s is wrong %s\n"
                   "  yours: %s%s = %s\n"
                   "  %s: %s%s = %.8g\n"
                   "%s%s",
                   func, arg, idx, where,
                   arg, idx, gotbuf,
                   kind, arg, idx, want[worst],
                   cause ? "  likely cause: " : "", cause ? cause : "");
}

void gc_expect_gradient(const char *func, const char *arg, const char *where, const double *got,
                        const double *want, size_t n, const gc_guess *guesses, size_t nguesses)
{
    expect("numeric (central difference of the grader's forward)", func, arg, where, got, want,
           n, guesses, nguesses, 1);
}

void gc_expect_value(const char *func, const char *what, const char *where, const double *got,
                     const double *want, size_t n, const gc_guess *guesses, size_t nguesses)
{
    expect("expected", func, what, where, got, want, n, guesses, nguesses, 0);
}

void gc_expect_unchanged(const char *func, const char *what, const void *before, const void *after,
                         size_t size)
{
    if (memcmp(before, after, size) != 0)
        cr_assert_fail("%s changed %s, which it must only read.\n"
                       "  likely cause: writing through a pointer meant for reading; backward "
                       "writes only its gradient outputs",
                       func, what);
}
