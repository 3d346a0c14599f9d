/* test_ch04.c: grading chapter 4, the ReLU and Sigmoid layers on arrays.
 *
 * Every backward runs on a layer whose cache the grader filled itself, from
 * its own forward, with each array the learner's code reads or writes
 * allocated to exactly n elements and named as the book names it (dout, dx,
 * layer->mask, layer->out), so that the sanitizer stops a step past either end
 * and the message names the array and the index. The result is compared with the
 * numeric vector-Jacobian product of the grader's forward for a random
 * upstream gradient (gc_numeric_vjp), or, at the chapter's points, with the
 * values worked out by hand. A batch is N rows of D values, row-major: n = N * D.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "gradcheck.h"

/* ---- the grader's own forwards ------------------------------------------------------ */

static double ref_relu(double x) { return x > 0 ? x : 0.0; }
static double ref_relu_cut(double x) { return x <= 0; } /* the mask: 1 where x <= 0 */
static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* out = f(x) element by element, for gc_numeric_vjp; ctx holds n. */
static void ref_relu_array(const double *x, double *out, void *ctx)
{
    size_t n = *(const size_t *)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = ref_relu(x[i]);
}

static void ref_sigmoid_array(const double *x, double *out, void *ctx)
{
    size_t n = *(const size_t *)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = ref_sigmoid(x[i]);
}

/* ---- small tools ----------------------------------------------------------------------- */

/* The grader's own scratch arrays, never handed to the learner's code. */
static double *scratch(size_t n)
{
    double *p = malloc(n * sizeof *p);
    cr_assert(p != NULL, "the grader ran out of memory");
    return p;
}

/* want = the numeric vector-Jacobian product of f (n values in, n out) at x
 * for the upstream gradient dout; x itself is left alone. */
static void numeric_vjp(gc_vector_fn f, const double *x, const double *dout, size_t n, double *want)
{
    double *xv = scratch(n);
    memcpy(xv, x, n * sizeof *xv);
    gc_numeric_vjp(f, xv, n, dout, n, &n, want);
    free(xv);
}

/* A mask of exactly n flags on the heap, named for the messages: layer->mask. */
static unsigned char *mask_array(size_t n)
{
    unsigned char *p = malloc(n);
    cr_assert(p != NULL, "the grader ran out of memory");
    gc_name_array("layer->mask", p, n, 1, 1);
    return p;
}

static void describe_batch(char *buf, size_t size, const char *what, int rows, int cols)
{
    snprintf(buf, size, "%s %d x %d batch (n = %d, row-major)", what, rows, cols, rows * cols);
}

/* ---- forward: given code, checked against the grader's forwards ----------------------- */

GRADED(ch04, relu_forward, "relu_init and relu_forward: out = max(0, x), mask = (x <= 0), x = 0 included")
{
    const double x0[] = {1.0, -0.5, 0.0, -2.0, 3.0, 0.25, -0.0, 1e-9};
    size_t n = sizeof x0 / sizeof x0[0];
    double *x = gc_array_copy("x", x0, n, 1);
    ReluLayer layer = {0, NULL};
    int status = relu_init(&layer, (int)n);
    double got_status = status, want_status = 0, got_n = layer.n, want_n = (double)n;
    gc_expect_value("relu_init", "the return value", "for n = 8", &got_status, &want_status, 1, NULL, 0);
    gc_expect_value("relu_init", "layer->n", "for n = 8", &got_n, &want_n, 1, NULL, 0);
    cr_assert(layer.mask != NULL, "relu_init: layer->mask is NULL after a successful init");
    gc_name_array("layer->mask", layer.mask, n, 1, 1);

    double *out = gc_array("out", n, 1), want[8], mask[8], want_mask[8], lt[8];
    relu_forward(&layer, x, out);
    for (size_t i = 0; i < n; i++) {
        want[i] = ref_relu(x[i]);
        mask[i] = layer.mask[i] != 0;
        want_mask[i] = ref_relu_cut(x[i]);
        lt[i] = x[i] < 0;
    }
    const char *where = "for x = {1, -0.5, 0, -2, 3, 0.25, -0, 1e-9}";
    gc_expect_value("relu_forward", "out", where, out, want, n, NULL, 0);
    gc_guess mask_guesses[] = {
        {lt, "the mask is x < 0; it must be x <= 0, so that an input of exactly 0 is cut off too"},
    };
    gc_expect_value("relu_forward", "layer->mask", where, mask, want_mask, n, mask_guesses, 1);
    relu_free(&layer);
}

GRADED(ch04, sigmoid_forward, "sigmoid_init and sigmoid_forward: y = 1 / (1 + exp(-x)), cached as layer->out")
{
    const double x0[] = {1.0, 0.0, -1.0, 2.0, -3.0, 0.5, 40.0, -40.0};
    size_t n = sizeof x0 / sizeof x0[0];
    double *x = gc_array_copy("x", x0, n, 1);
    SigmoidLayer layer = {0, NULL};
    int status = sigmoid_init(&layer, (int)n);
    double got_status = status, want_status = 0, got_n = layer.n, want_n = (double)n;
    gc_expect_value("sigmoid_init", "the return value", "for n = 8", &got_status, &want_status, 1, NULL, 0);
    gc_expect_value("sigmoid_init", "layer->n", "for n = 8", &got_n, &want_n, 1, NULL, 0);
    cr_assert(layer.out != NULL, "sigmoid_init: layer->out is NULL after a successful init");
    gc_name_array("layer->out", layer.out, n, 1, sizeof *layer.out);
    for (size_t i = 0; i < n; i++)
        layer.out[i] = GC_UNSET;

    double *out = gc_array("out", n, 1), want[8];
    sigmoid_forward(&layer, x, out);
    for (size_t i = 0; i < n; i++)
        want[i] = ref_sigmoid(x[i]);
    const char *where = "for x = {1, 0, -1, 2, -3, 0.5, 40, -40}";
    gc_expect_value("sigmoid_forward", "out", where, out, want, n, NULL, 0);
    gc_guess cache_guesses[] = {{x, "the cache holds x, but sigmoid's backward needs the output y"}};
    gc_expect_value("sigmoid_forward", "layer->out", where, layer.out, want, n, cache_guesses, 1);
    sigmoid_free(&layer);
}

/* ---- ReLU backward ------------------------------------------------------------------------ */

enum { RELU_GUESSES = 4, SIGMOID_GUESSES = 8 };

/* The wrong answers the grader recognises for ReLU, element by element. */
static size_t relu_guesses(const double *cut, const double *dout, size_t n, double *v, gc_guess *g)
{
    static const char *const why[RELU_GUESSES] = {
        "the mask is inverted: mask[i] is 1 where x[i] <= 0, and there the gradient is blocked (0); "
        "everywhere else dout[i] passes through",
        "dx = dout everywhere: the mask was not applied; where x <= 0 the output is the constant 0, so "
        "no gradient flows back there",
        "dx = 1 where x > 0: that is the local derivative alone; multiply it by dout (pass dout[i] through)",
        "dx = mask: the mask only says where to block; where it is 0, dx[i] is dout[i]",
    };
    for (size_t i = 0; i < n; i++) {
        v[0 * n + i] = cut[i] ? dout[i] : 0.0;
        v[1 * n + i] = dout[i];
        v[2 * n + i] = cut[i] ? 0.0 : 1.0;
        v[3 * n + i] = cut[i];
    }
    for (size_t k = 0; k < RELU_GUESSES; k++)
        g[k] = (gc_guess){&v[k * n], why[k]};
    return RELU_GUESSES;
}

/* dout must come back untouched; the textbook's Python zeroes it in place. */
static void expect_dout_unchanged(const char *func, const double *before, const double *after,
                                  const double *cut, size_t n)
{
    if (memcmp(before, after, n * sizeof *before) == 0)
        return;
    int zeroed_in_place = cut != NULL;
    for (size_t i = 0; zeroed_in_place && i < n; i++)
        if (after[i] != (cut[i] ? 0.0 : before[i]))
            zeroed_in_place = 0;
    if (zeroed_in_place)
        cr_assert_fail("%s changed dout, which it must only read.\n"
                       "  likely cause: dout was zeroed in place where the mask is set, as the textbook's "
                       "Python does (dout[mask] = 0); here dout is const: write the result into dx",
                       func);
    gc_expect_unchanged(func, "dout", before, after, n * sizeof *before);
}

/* dx written only where the mask is clear, as if dx started at 0 (it does not:
 * the grader fills it with GC_STALE). Said before gradcheck.c's generic "some
 * elements were never written", which cannot know about the mask. */
static void expect_masked_written(const double *dx, const double *cut, const double *dout, size_t n,
                                  const char *batch)
{
    size_t first = n;
    for (size_t i = 0; i < n; i++) {
        if (cut[i] ? dx[i] != GC_STALE : dx[i] != dout[i])
            return; /* not this mistake */
        if (cut[i] && first == n)
            first = i;
    }
    if (first == n)
        return; /* nothing masked: nothing left unwritten */
    cr_assert_fail("relu_backward: dx[%zu] is wrong on %s, where mask[%zu] = 1\n"
                   "  yours: dx[%zu] = (never written)\n"
                   "  expected: dx[%zu] = 0\n"
                   "  likely cause: dx was written only where the mask is 0; where it is 1, dx[i] must be set to "
                   "0 too. dx does not start at 0: it holds whatever was in that memory",
                   first, batch, first, first, first);
}

/* Calls relu_backward on a layer the grader filled from x; checks dx against
 * mask ? 0 : dout (exact) or the numeric VJP of the grader's forward. */
static void check_relu_backward(const double *x, const double *dout, int rows, int cols, const char *what,
                                int exact)
{
    size_t n = (size_t)rows * (size_t)cols;
    unsigned char *mask = mask_array(n), *mask_before = malloc(n);
    double *cut = scratch(n);
    cr_assert(mask_before != NULL, "the grader ran out of memory");
    for (size_t i = 0; i < n; i++) {
        cut[i] = ref_relu_cut(x[i]);
        mask[i] = mask_before[i] = (unsigned char)cut[i];
    }
    ReluLayer layer = {(int)n, mask};
    /* n values each, as a flat array: the layer only knows n = rows x cols */
    double *dout_in = gc_array_copy("dout", dout, n, 1), *dx = gc_array_fill("dx", n, 1, GC_STALE);

    relu_backward(&layer, dout_in, dx);

    expect_dout_unchanged("relu_backward", dout, dout_in, cut, n);
    gc_expect_unchanged("relu_backward", "the layer's mask, layer->mask", mask_before, mask, n);
    int n_after = layer.n, n_before = (int)n;
    gc_expect_unchanged("relu_backward", "layer->n", &n_before, &n_after, sizeof n_after);
    cr_assert(layer.mask == mask, "relu_backward changed layer->mask, which it must only read.");

    double *want = scratch(n);
    if (exact) {
        for (size_t i = 0; i < n; i++)
            want[i] = cut[i] ? 0.0 : dout[i];
    } else {
        numeric_vjp(ref_relu_array, x, dout, n, want);
    }
    double *values = scratch(RELU_GUESSES * n);
    gc_guess guesses[RELU_GUESSES];
    size_t ng = relu_guesses(cut, dout, n, values, guesses);

    char batch[96], where[256];
    describe_batch(batch, sizeof batch, what, rows, cols);
    expect_masked_written(dx, cut, dout, n, batch);
    size_t k = gc_worst_element(dx, want, n);
    if (k == n) /* all close: the message below is not shown */
        k = 0;
    snprintf(where, sizeof where, "on %s, where x[%zu] = %g (mask[%zu] = %d) and dout[%zu] = %g", batch, k,
             x[k], k, (int)cut[k], k, dout[k]);
    if (exact)
        gc_expect_value("relu_backward", "dx", where, dx, want, n, guesses, ng);
    else
        gc_expect_gradient("relu_backward", "dx", where, dx, want, n, guesses, ng);
    free(mask_before), free(cut), free(want), free(values); /* the named arrays live until the test ends */
}

/* The book's batch: the relu_batch example, 2 x 3. */
static const double RELU_X[6] = {1.0, -0.5, 0.0, -2.0, 3.0, 0.25};
static const double RELU_DOUT[6] = {0.5, 2.0, -1.0, 1.5, -0.3, 0.8};

GRADED(ch04, relu_backward_book, "relu_backward on the chapter's 2 x 3 batch (x = 0 included)")
{
    check_relu_backward(RELU_X, RELU_DOUT, 2, 3, "the chapter's", 1);
    double x1[] = {2.0}, d1[] = {1.3}, x2[] = {-1.0}, d2[] = {1.3};
    check_relu_backward(x1, d1, 1, 1, "a", 1);
    check_relu_backward(x2, d2, 1, 1, "a", 1);
}

/* uses: relu_forward */
GRADED(ch04, relu_backward_zero, "relu_forward then relu_backward: the gradient at exactly x = 0 is 0")
{
    const double x0[] = {0.0, 2.0, -0.0, -1.0, 0.0, 0.5}, dout0[] = {1.5, 1.5, -2.0, -2.0, 0.7, 0.7};
    size_t n = 6;
    check_relu_backward(x0, dout0, 2, 3, "a", 1); /* the grader's mask */

    /* and through the layer's own forward, as a network uses it */
    ReluLayer layer = {0, NULL};
    cr_assert(relu_init(&layer, (int)n) == 0, "relu_init failed for n = 6");
    gc_name_array("layer->mask", layer.mask, n, 1, 1);
    double *x = gc_array_copy("x", x0, n, 1), *out = gc_array("out", n, 1);
    double *dout = gc_array_copy("dout", dout0, n, 1), *dx = gc_array_fill("dx", n, 1, GC_STALE);
    double want[6], at_zero[6];
    relu_forward(&layer, x, out);
    relu_backward(&layer, dout, dx);
    for (size_t i = 0; i < n; i++) {
        want[i] = x0[i] > 0 ? dout0[i] : 0.0;
        at_zero[i] = x0[i] < 0 ? 0.0 : dout0[i];
    }
    gc_guess guesses[] = {
        {at_zero, "at x = 0 the gradient came out as dout, not 0: the mask must be x <= 0 (see "
                  "relu_forward), so that an input of exactly 0 is cut off"},
    };
    gc_expect_value("relu_backward", "dx", "after relu_forward on x = {0, 2, -0, -1, 0, 0.5}", dx, want, n,
                    guesses, 1);
    relu_free(&layer);
}

GRADED(ch04, relu_backward_random, "relu_backward on seeded random batches (3 x 4 up to 16 x 32, and 1 x 1), away from x = 0")
{
    gc_seed(4001);
    /* 1 x 1 last: with one element, a loop that stops one step early writes nothing at all,
     * and a longer batch first says which loop bound is wrong */
    int shapes[][2] = {{3, 4}, {1, 5}, {5, 3}, {16, 32}, {1, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int rows = shapes[s][0], cols = shapes[s][1];
        size_t n = (size_t)rows * (size_t)cols;
        double *x = scratch(n), *dout = scratch(n);
        for (size_t i = 0; i < n; i++) /* one draw per statement: the order is fixed */
            x[i] = gc_away_from_zero(0.01, 5); /* the kink at 0 has no derivative */
        for (size_t i = 0; i < n; i++)
            dout[i] = gc_away_from_zero(0.1, 3);
        check_relu_backward(x, dout, rows, cols, "a random", 0);
        free(x), free(dout);
    }
}

/* ---- Sigmoid backward ---------------------------------------------------------------------- */

/* The wrong answers the grader recognises for Sigmoid, element by element. */
static size_t sigmoid_guesses(const double *y, const double *dout, size_t n, double *v, gc_guess *g)
{
    static const char *const why[SIGMOID_GUESSES] = {
        "dx = y(1 - y): that is the local derivative alone; multiply it by dout",
        "the sigmoid was applied to the cached value again: layer->out already holds y = sigmoid(x), "
        "so the derivative is y(1 - y) with that y as it is",
        "dx = dout * y: the factor (1 - y) is missing",
        "dx = dout * (1 - y): the factor y is missing",
        "dx = dout * y * 1 - y: put (1 - y) in parentheses",
        "dx = -dout * y^2: that is the 1/x node's local derivative alone; the +1, exp and x(-1) nodes "
        "after it multiply by exp(-x) and -1, and -y^2 * exp(-x) * (-1) = y(1 - y)",
        "dx = dout * y^2: the factor exp(-x) is missing, and y^2 exp(-x) simplifies to y(1 - y)",
        "dx = dout * y * (1 + y): the local derivative is y(1 - y), with a minus",
    };
    for (size_t i = 0; i < n; i++) {
        double s = ref_sigmoid(y[i]);
        v[0 * n + i] = y[i] * (1 - y[i]);
        v[1 * n + i] = dout[i] * s * (1 - s);
        v[2 * n + i] = dout[i] * y[i];
        v[3 * n + i] = dout[i] * (1 - y[i]);
        v[4 * n + i] = dout[i] * y[i] * 1 - y[i];
        v[5 * n + i] = -dout[i] * y[i] * y[i];
        v[6 * n + i] = dout[i] * y[i] * y[i];
        v[7 * n + i] = dout[i] * y[i] * (1 + y[i]);
    }
    for (size_t k = 0; k < SIGMOID_GUESSES; k++)
        g[k] = (gc_guess){&v[k * n], why[k]};
    return SIGMOID_GUESSES;
}

/* Calls sigmoid_backward on a layer whose cache the grader filled with
 * y = sigmoid(x); checks dx against dout * y(1 - y) (exact) or the numeric
 * VJP of the grader's forward. */
static void check_sigmoid_backward(const double *x, const double *dout, int rows, int cols, const char *what,
                                   int exact)
{
    size_t n = (size_t)rows * (size_t)cols;
    double *y_before = scratch(n);
    for (size_t i = 0; i < n; i++)
        y_before[i] = ref_sigmoid(x[i]);
    /* n values each, as a flat array: the layer only knows n = rows x cols */
    double *y = gc_array_copy("layer->out", y_before, n, 1);
    SigmoidLayer layer = {(int)n, y};
    double *dout_in = gc_array_copy("dout", dout, n, 1), *dx = gc_array_fill("dx", n, 1, GC_STALE);

    sigmoid_backward(&layer, dout_in, dx);

    expect_dout_unchanged("sigmoid_backward", dout, dout_in, NULL, n);
    gc_expect_unchanged("sigmoid_backward", "the layer's cached y, layer->out", y_before, y, n * sizeof *y);
    int n_after = layer.n, n_before = (int)n;
    gc_expect_unchanged("sigmoid_backward", "layer->n", &n_before, &n_after, sizeof n_after);
    cr_assert(layer.out == y, "sigmoid_backward changed layer->out, which it must only read.");

    double *want = scratch(n);
    if (exact) {
        for (size_t i = 0; i < n; i++)
            want[i] = dout[i] * y[i] * (1 - y[i]);
    } else {
        numeric_vjp(ref_sigmoid_array, x, dout, n, want);
    }
    double *values = scratch(SIGMOID_GUESSES * n);
    gc_guess guesses[SIGMOID_GUESSES];
    size_t ng = sigmoid_guesses(y, dout, n, values, guesses);

    char batch[96], where[256];
    describe_batch(batch, sizeof batch, what, rows, cols);
    size_t k = gc_worst_element(dx, want, n);
    if (k == n) /* all close: the message below is not shown */
        k = 0;
    snprintf(where, sizeof where, "on %s, where x[%zu] = %g (cached y[%zu] = %.6g) and dout[%zu] = %g", batch,
             k, x[k], k, y[k], k, dout[k]);
    if (exact)
        gc_expect_value("sigmoid_backward", "dx", where, dx, want, n, guesses, ng);
    else
        gc_expect_gradient("sigmoid_backward", "dx", where, dx, want, n, guesses, ng);
    free(y_before), free(want), free(values); /* the named arrays live until the test ends */
}

/* The book's batch: the sigmoid_batch example, 2 x 3; its first element is
 * the x = 1, dout = 1 of the sigmoid_graph example. */
static const double SIGMOID_X[6] = {1.0, 0.0, -1.0, 2.0, -3.0, 0.5};
static const double SIGMOID_DOUT[6] = {1.0, 0.5, -2.0, 1.5, 1.0, -0.4};

GRADED(ch04, sigmoid_backward_book, "sigmoid_backward on the chapter's 2 x 3 batch and at x = 1 (dout 1)")
{
    double x1[] = {1.0}, d1[] = {1.0};
    check_sigmoid_backward(SIGMOID_X, SIGMOID_DOUT, 2, 3, "the chapter's", 1);
    check_sigmoid_backward(x1, d1, 1, 1, "a", 1);
}

GRADED(ch04, sigmoid_backward_random, "sigmoid_backward on seeded random batches (3 x 4 up to 16 x 32, and 1 x 1)")
{
    gc_seed(4002);
    /* 1 x 1 last: with one element, a loop that stops one step early writes nothing at all,
     * and a longer batch first says which loop bound is wrong */
    int shapes[][2] = {{3, 4}, {1, 5}, {5, 3}, {16, 32}, {1, 1}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int rows = shapes[s][0], cols = shapes[s][1];
        size_t n = (size_t)rows * (size_t)cols;
        double *x = scratch(n), *dout = scratch(n);
        for (size_t i = 0; i < n; i++) /* one draw per statement: the order is fixed */
            x[i] = gc_uniform(-6, 6);
        for (size_t i = 0; i < n; i++)
            dout[i] = gc_away_from_zero(0.1, 3);
        check_sigmoid_backward(x, dout, rows, cols, "a random", 0);
        free(x), free(dout);
    }
}
