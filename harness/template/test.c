/* test_ch$NN.c: grading chapter $N, the gain layer (from harness/template/test.c). */
#include <stdio.h>

#include "gradcheck.h"

/* The learner's functions, declared here: this chapter has no API header. */
void gain_forward(const double **cache, double a, const double *x, int n, double *out);
void gain_backward(const double *x, double a, const double *dout, int n, double *dx, double *da);

/* ---- the grader's own forward --------------------------------------------------- */

typedef struct {
    int n;
    double a;
    const double *x;
    int wrt_a; /* vary a (1) or x (0) */
} GainCtx;

static void gain_fn(const double *v, double *out, void *ctx)
{
    const GainCtx *c = ctx;
    for (int i = 0; i < c->n; i++)
        out[i] = (c->wrt_a ? v[0] : c->a) * (c->wrt_a ? c->x[i] : v[i]);
}

static void check_backward(int n, double a, const double *x0, const double *dout0, const char *origin)
{
    char where[160];
    snprintf(where, sizeof where, "%s, a = %g, n = %d", origin, a, n);
    double *x = gc_array_copy("x", x0, (size_t)n, 1), *dout = gc_array_copy("dout", dout0, (size_t)n, 1);
    double *dx = gc_array_fill("dx", (size_t)n, 1, GC_STALE), *da = gc_array_fill("da", 1, 1, GC_STALE);
    gain_backward(x, a, dout, n, dx, da);

    double want_dx[64], want_da, av = a, xv[64];
    for (int i = 0; i < n; i++)
        xv[i] = x0[i];
    GainCtx ctx = {n, a, x0, 0};
    gc_numeric_vjp(gain_fn, xv, (size_t)n, dout0, (size_t)n, &ctx, want_dx);
    ctx.wrt_a = 1;
    gc_numeric_vjp(gain_fn, &av, 1, dout0, (size_t)n, &ctx, &want_da);
    gc_expect_gradient("gain_backward", "dx", where, dx, want_dx, (size_t)n, NULL, 0);
    gc_expect_gradient("gain_backward", "da", where, da, &want_da, 1, NULL, 0);
}

GRADED(ch$NN, gain_forward, "gain_forward (given): out = a x, x cached")
{
    const double x[] = {2, -0.5, 1};
    const double *cache = NULL;
    double *out = gc_array("out", 3, 1), want[] = {6, -1.5, 3};
    gain_forward(&cache, 3.0, x, 3, out);
    gc_expect_value("gain_forward", "out", "at a = 3", out, want, 3, NULL, 0);
    cr_expect(cache == x, "gain_forward must cache its input x");
}

GRADED(ch$NN, gain_backward_book, "gain_backward at the chapter's three values")
{
    const double x[] = {2, -0.5, 1}, dout[] = {1, 1, 1};
    check_backward(3, 3.0, x, dout, "at the chapter's values");
}

GRADED(ch$NN, gain_backward_random, "gain_backward on seeded random values")
{
    gc_seed(10 * $N + 1);
    for (int n = 1; n <= 40; n += 13) {
        double x[64], dout[64];
        for (int i = 0; i < n; i++)
            x[i] = gc_uniform(-2, 2);
        for (int i = 0; i < n; i++)
            dout[i] = gc_uniform(-1, 1);
        double a = gc_away_from_zero(0.5, 2);
        check_backward(n, a, x, dout, "on random values");
    }
}
