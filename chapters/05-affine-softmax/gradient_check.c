/* gradient_check.c: the chapter's two layers against central differences.
 *
 *   ./gradient_check   prints the relative error of every gradient, then
 *                      what the textbook's 1e-7 inside the log does to it
 */
#include <math.h>
#include <stdio.h>

#include "affine.h"
#include "softmax_loss.h"

enum { N = 3, D = 4, M = 3 }; /* 3 samples, 4 inputs, 3 outputs (= classes) */

static const double H = 1e-5;  /* the step of the central difference */
static const double OK = 1e-7; /* a relative error above this means a bug */

// @snippet check-rel-error
/* a, n: len.  The largest |a - n| / max(1e-8, |a| + |n|) over the elements. */
static double rel_error(const double *a, const double *n, int len)
{
    double worst = 0.0;
    for (int i = 0; i < len; i++) {
        double err = fabs(a[i] - n[i]) / fmax(1e-8, fabs(a[i]) + fabs(n[i]));
        worst = fmax(worst, err);
    }
    return worst;
}
// @end check-rel-error

/* Repeatable numbers in [-1, 1] without a random generator. */
static void fill(double *a, int len, double seed)
{
    for (int i = 0; i < len; i++)
        a[i] = sin(1.7 * i + seed);
}

static double x[N * D], W[D * M], b[M], dout[N * M];
static int t[N] = {2, 0, 1};

/* The loss of the Affine layer alone: sum(dout * (x W + b)), a number whose
 * gradient with respect to x, W and b is what affine_backward returns. */
static double affine_loss(void)
{
    AffineLayer affine = {.in_size = D, .out_size = M, .W = W, .b = b};
    double out[N * M], sum = 0.0;
    affine_forward(&affine, x, N, out);
    for (int i = 0; i < N * M; i++)
        sum += dout[i] * out[i];
    return sum;
}

/* The loss of the two layers chained: softmax-with-loss(x W + b, t). */
static double chain_loss(void)
{
    AffineLayer affine = {.in_size = D, .out_size = M, .W = W, .b = b};
    SoftmaxWithLoss loss_layer;
    double scores[N * M], y[N * M];
    affine_forward(&affine, x, N, scores);
    return softmax_loss_forward(&loss_layer, scores, t, N, M, y);
}

static double two[3] = {5.3, 0.3, 10.1}; /* the "2" of the softmax example */
static int two_t;

/* The textbook's cross-entropy, with 1e-7 added inside the log. */
static double textbook_loss(void)
{
    SoftmaxWithLoss loss_layer;
    double y[3];
    softmax_loss_forward(&loss_layer, two, &two_t, 1, 3, y);
    return -log(y[two_t] + 1e-7);
}

// @snippet check-numeric
/* grad: len.  Central differences of loss() with respect to each v[i]. */
static void numeric_gradient(double (*loss)(void), double *v, int len,
                             double *grad)
{
    for (int i = 0; i < len; i++) {
        double keep = v[i];
        v[i] = keep + H;
        double plus = loss();
        v[i] = keep - H;
        double minus = loss();
        v[i] = keep; /* put it back before the next element */
        grad[i] = (plus - minus) / (2 * H);
    }
}
// @end check-numeric

static int checked, passed;

static void report(const char *name, const double *analytic, const double *numeric, int len)
{
    double err = rel_error(analytic, numeric, len);
    checked++;
    passed += err < OK;
    printf("  %-3s %8.1e  %s\n", name, err, err < OK ? "ok" : "WRONG");
}

int main(void)
{
    fill(x, N * D, 0.3);
    fill(W, D * M, 1.1);
    fill(b, M, 2.0);
    fill(dout, N * M, 0.7);
    printf("relative error = max |a - n| / max(1e-8, |a| + |n|), a: backprop, n: numeric\n\n");

    // @snippet check-affine
    AffineLayer affine = {.in_size = D, .out_size = M, .W = W, .b = b};
    double out[N * M], dx[N * D], dW[D * M], db[M];
    affine_forward(&affine, x, N, out);
    affine_backward(&affine, dout, dx, dW, db);

    double ndx[N * D], ndW[D * M], ndb[M];
    numeric_gradient(affine_loss, x, N * D, ndx);
    numeric_gradient(affine_loss, W, D * M, ndW);
    numeric_gradient(affine_loss, b, M, ndb);
    // @end check-affine
    printf("Affine alone, x: %d x %d, W: %d x %d, a fixed dout\n", N, D, D, M);
    report("dx", dx, ndx, N * D);
    report("dW", dW, ndW, D * M);
    report("db", db, ndb, M);

    // @snippet check-chain
    SoftmaxWithLoss loss_layer;
    double scores[N * M], y[N * M], dscores[N * M];
    affine_forward(&affine, x, N, scores);
    softmax_loss_forward(&loss_layer, scores, t, N, M, y);
    softmax_loss_backward(&loss_layer, 1.0, dscores); /* dscores: the Affine dout */
    affine_backward(&affine, dscores, dx, dW, db);

    numeric_gradient(chain_loss, x, N * D, ndx);
    numeric_gradient(chain_loss, W, D * M, ndW);
    numeric_gradient(chain_loss, b, M, ndb);
    // @end check-chain
    printf("Affine, then Softmax-with-Loss (labels %d %d %d)\n", t[0], t[1], t[2]);
    report("dx", dx, ndx, N * D);
    report("dW", dW, ndW, D * M);
    report("db", db, ndb, M);
    printf("%d of %d gradients agree to better than %g\n", passed, checked, OK);

    // @snippet check-delta
    /* The textbook's loss, -log(y[t] + 1e-7), differentiated numerically,
     * against the y - t that backward returns. */
    printf("\nThe textbook's -log(y[t] + 1e-7) at 5.3 0.3 10.1, against y - t\n");
    for (two_t = 2; two_t >= 1; two_t--) {
        double y3[3], dx3[3], n3[3];
        softmax_loss_forward(&loss_layer, two, &two_t, 1, 3, y3);
        softmax_loss_backward(&loss_layer, 1.0, dx3);
        numeric_gradient(textbook_loss, two, 3, n3);
        double err = rel_error(dx3, n3, 3);
        printf("  label %d, y[t] = %.6f:  %8.1e\n", two_t, y3[two_t], err);
    }
    // @end check-delta
    return 0;
}
