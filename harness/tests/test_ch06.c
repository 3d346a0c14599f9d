/* test_ch06.c: grading chapter 6, the two-layer network and its SGD step.
 *
 * The learner's two_layer_backward calls the layers of chapters 4 and 5.  So
 * that chapter 6 is graded on its own, whatever state those exercises are in,
 * this file links the project's reference layers (solutions/ch04, ch05):
 * the learner's ch06 file is the only learner code in the test program.
 * The gradients are compared with central differences of the grader's own
 * forward below, which uses none of those layers.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gradcheck.h"
#include "two_layer_net.h"

/* The reference layers the learner's network is built from. */
#include "../../solutions/ch04/relu_layer.c"
#include "../../solutions/ch05/affine.c"
#include "../../solutions/ch05/softmax_loss.c"

#define MAXDIM 8
#define MAXLEN (MAXDIM * MAXDIM)

/* Gradient arrays start filled with this: never written, or added onto, shows. */
#define STALE 0.375

/* ---- the grader's own forward ------------------------------------------------------- */

typedef struct {
    int N, D, H, C;
    const double *x;
    const int *t;
    const double *p[4]; /* W1, b1, W2, b2 */
    int wrt;            /* which of the four the numeric gradient varies */
} NetCtx;

static const char *const PARAM[4] = {"W1", "b1", "W2", "b2"};

/* The loss of x W1 + b1 -> max(0, .) -> . W2 + b2 -> softmax cross-entropy, the mean over N. */
static double ref_loss(int N, int D, int H, int C, const double *x, const int *t, const double *W1,
                       const double *b1, const double *W2, const double *b2)
{
    double total = 0;
    for (int n = 0; n < N; n++) {
        double h[MAXDIM], s[MAXDIM];
        for (int j = 0; j < H; j++) {
            double a = b1[j];
            for (int i = 0; i < D; i++)
                a += x[n * D + i] * W1[i * H + j];
            h[j] = a > 0 ? a : 0;
        }
        double mx = -INFINITY;
        for (int k = 0; k < C; k++) {
            s[k] = b2[k];
            for (int j = 0; j < H; j++)
                s[k] += h[j] * W2[j * C + k];
            mx = fmax(mx, s[k]);
        }
        double sum = 0;
        for (int k = 0; k < C; k++)
            sum += exp(s[k] - mx);
        total += mx + log(sum) - s[t[n]];
    }
    return total / N;
}

static void loss_fn(const double *v, double *out, void *ctx)
{
    const NetCtx *c = ctx;
    const double *p[4] = {c->p[0], c->p[1], c->p[2], c->p[3]};
    p[c->wrt] = v;
    out[0] = ref_loss(c->N, c->D, c->H, c->C, c->x, c->t, p[0], p[1], p[2], p[3]);
}

/* The four gradients by the formulas; mask = 0 leaves out ReLU's mask (for a guess). */
static void formula(const NetCtx *c, int mask, double *g[4])
{
    const int N = c->N, D = c->D, H = c->H, C = c->C;
    const double *W1 = c->p[0], *b1 = c->p[1], *W2 = c->p[2], *b2 = c->p[3];
    for (int k = 0; k < 4; k++)
        memset(g[k], 0, sizeof(double) * (size_t)(k == 0 ? D * H : k == 1 ? H : k == 2 ? H * C : C));
    for (int n = 0; n < N; n++) {
        double a[MAXDIM], h[MAXDIM], s[MAXDIM], ds[MAXDIM], dh[MAXDIM];
        for (int j = 0; j < H; j++) {
            a[j] = b1[j];
            for (int i = 0; i < D; i++)
                a[j] += c->x[n * D + i] * W1[i * H + j];
            h[j] = a[j] > 0 ? a[j] : 0;
        }
        double mx = -INFINITY, sum = 0;
        for (int k = 0; k < C; k++) {
            s[k] = b2[k];
            for (int j = 0; j < H; j++)
                s[k] += h[j] * W2[j * C + k];
            mx = fmax(mx, s[k]);
        }
        for (int k = 0; k < C; k++)
            sum += exp(s[k] - mx);
        for (int k = 0; k < C; k++)
            ds[k] = (exp(s[k] - mx) / sum - (k == c->t[n])) / N;
        for (int j = 0; j < H; j++) {
            dh[j] = 0;
            for (int k = 0; k < C; k++) {
                g[2][j * C + k] += h[j] * ds[k];
                dh[j] += ds[k] * W2[j * C + k];
            }
            if (mask && a[j] <= 0)
                dh[j] = 0;
        }
        for (int k = 0; k < C; k++)
            g[3][k] += ds[k];
        for (int j = 0; j < H; j++) {
            g[1][j] += dh[j];
            for (int i = 0; i < D; i++)
                g[0][i * H + j] += c->x[n * D + i] * dh[j];
        }
    }
}

/* ---- helpers ----------------------------------------------------------------------- */

static void random_array(double *a, int n, double lo, double hi)
{
    for (int i = 0; i < n; i++) /* one draw per statement: the order is fixed */
        a[i] = gc_uniform(lo, hi);
}

static void fill(double *a, int n, double v)
{
    for (int i = 0; i < n; i++)
        a[i] = v;
}

static int param_size(const TwoLayerNet *net, int k)
{
    const int D = net->in_size, H = net->hidden_size, C = net->out_size;
    return k == 0 ? D * H : k == 1 ? H : k == 2 ? H * C : C;
}

static double *param(TwoLayerNet *net, int k)
{
    return k == 0 ? net->W1 : k == 1 ? net->b1 : k == 2 ? net->W2 : net->b2;
}

static double *grad(TwoLayerNet *net, int k)
{
    return k == 0 ? net->dW1 : k == 1 ? net->db1 : k == 2 ? net->dW2 : net->db2;
}

/* A network whose parameters, batch and labels the grader drew, every hidden
 * pre-activation at least 0.05 from ReLU's kink (so h = 1e-5 never crosses it). */
static void random_net(TwoLayerNet *net, int N, int D, int H, int C, int max_batch, double *x, int *t)
{
    if (two_layer_init(net, D, H, C, max_batch, 99) != 0)
        cr_assert_fail("two_layer_init failed (out of memory?)");
    for (int attempt = 0;; attempt++) {
        for (int k = 0; k < 4; k++)
            random_array(param(net, k), param_size(net, k), k % 2 ? -0.5 : -1, k % 2 ? 0.5 : 1);
        random_array(x, N * D, -2, 2);
        int near = 0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++) {
                double a = net->b1[j];
                for (int i = 0; i < D; i++)
                    a += x[n * D + i] * net->W1[i * H + j];
                near |= fabs(a) < 0.05;
            }
        if (!near || attempt > 200)
            break;
    }
    for (int n = 0; n < N; n++)
        t[n] = (int)gc_uniform(0, C - 1e-9);
}

/* ---- two_layer_backward against central differences -------------------------------- */

static void check_backward(int N, int D, int H, int C, int max_batch, const char *origin)
{
    TwoLayerNet net;
    double x[MAXLEN];
    int t[MAXDIM];
    random_net(&net, N, D, H, C, max_batch, x, t);
    double loss = two_layer_forward(&net, x, t, N);

    char where[300];
    snprintf(where, sizeof where,
             "%s: a %d-%d-%d network (W1: %d x %d, W2: %d x %d) on a batch of N = %d, L = the mean loss, "
             "dL = 1 (element [k] of an R x C array is row k / C, column k %% C)",
             origin, D, H, C, D, H, H, C, N);

    /* What the learner's backward may read and must not change, kept to compare. */
    double before[4][MAXLEN];
    for (int k = 0; k < 4; k++) {
        memcpy(before[k], param(&net, k), sizeof(double) * (size_t)param_size(&net, k));
        fill(grad(&net, k), param_size(&net, k), STALE);
    }
    fill(net.dscores, N * C, 0); /* so that a layer run before its dout was written gives zeros */
    fill(net.dh1, N * H, 0);
    fill(net.da1, N * H, 0);
    two_layer_backward(&net);
    for (int k = 0; k < 4; k++)
        gc_expect_unchanged("two_layer_backward", PARAM[k], before[k], param(&net, k),
                            sizeof(double) * (size_t)param_size(&net, k));

    NetCtx ctx = {N, D, H, C, x, t, {before[0], before[1], before[2], before[3]}, 0};
    double fw[4][MAXLEN], nomask[4][MAXLEN];
    double *g[4] = {fw[0], fw[1], fw[2], fw[3]}, *gm[4] = {nomask[0], nomask[1], nomask[2], nomask[3]};
    formula(&ctx, 1, g);
    formula(&ctx, 0, gm);

    /* Backward order, as the gradient flows: W2 and b2 first, then W1 and b1. */
    const int order[4] = {2, 3, 0, 1};
    for (int o = 0; o < 4; o++) {
        int k = order[o], size = param_size(&net, k);
        double want[MAXLEN], v[MAXLEN], one = 1.0;
        memcpy(v, before[k], sizeof(double) * (size_t)size);
        ctx.wrt = k;
        gc_numeric_vjp(loss_fn, v, (size_t)size, &one, 1, &ctx, want);

        double stale[MAXLEN], plus[MAXLEN], twice[MAXLEN], times_loss[MAXLEN];
        fill(stale, size, STALE);
        for (int i = 0; i < size; i++) {
            plus[i] = fw[k][i] + STALE;
            twice[i] = fw[k][i] / N;
            times_loss[i] = fw[k][i] * loss;
        }
        char why_stale[200], why_zero[400];
        snprintf(why_stale, sizeof why_stale,
                 "d%s still holds what the grader put in it: it was never written (is the call to "
                 "affine_backward of layer %d missing?)", PARAM[k], k < 2 ? 1 : 2);
        double zero[MAXLEN];
        fill(zero, size, 0);
        snprintf(why_zero, sizeof why_zero,
                 "d%s is all zeros: the layer's backward ran before its upstream gradient was "
                 "computed. Call the backwards in reverse order: softmax_loss_backward, affine_backward "
                 "(layer 2), relu_backward, affine_backward (layer 1)", PARAM[k]);
        gc_guess guesses[] = {
            {zero, why_zero},
            {stale, why_stale},
            {plus, "the right gradient plus what the array held before: it was added (+=) onto, not "
                   "overwritten (or not set to 0 first)"},
            {twice, "divided by the batch size N twice: softmax_loss_backward already divides by N, so "
                    "dloss must be 1"},
            {times_loss, "multiplied by the loss L: dloss is dL/dL = 1, not the value of L"},
            {nomask[k], "ReLU's mask was ignored: the gradient went through the hidden units whose input "
                        "was <= 0; send dh1 through relu_backward"},
        };
        size_t ng = sizeof guesses / sizeof *guesses - (k >= 2 ? 1 : 0); /* no mask in W2, b2 */
        char func[80];
        snprintf(func, sizeof func, "two_layer_backward (net->d%s)", PARAM[k]);
        gc_expect_gradient(func, PARAM[k], where, grad(&net, k), want, (size_t)size, guesses, ng);
    }
    two_layer_free(&net);
}

/* ---- forward: given code -------------------------------------------------------------- */

GRADED(ch06, two_layer_forward, "two_layer_init and two_layer_forward (given): the initial weights and the loss of the grader's own forward")
{
    TwoLayerNet a, b, c;
    if (two_layer_init(&a, 6, 5, 3, 4, 1) || two_layer_init(&b, 6, 5, 3, 4, 1) || two_layer_init(&c, 6, 5, 3, 4, 2))
        cr_assert_fail("two_layer_init failed");
    double sum_abs = 0;
    for (int i = 0; i < 30; i++) {
        if (a.W1[i] != b.W1[i])
            cr_assert_fail("two_layer_init: the same seed gave different W1");
        sum_abs += fabs(a.W1[i]);
    }
    if (memcmp(a.W1, c.W1, 30 * sizeof(double)) == 0)
        cr_assert_fail("two_layer_init: different seeds gave the same W1");
    if (sum_abs / 30 < 0.002 || sum_abs / 30 > 0.02)
        cr_assert_fail("two_layer_init: mean |W1| is %g, not about 0.008 (0.01 x standard normal)", sum_abs / 30);
    for (int j = 0; j < 5; j++)
        if (a.b1[j] != 0)
            cr_assert_fail("two_layer_init: b1 must start at 0");
    two_layer_free(&a);
    two_layer_free(&b);
    two_layer_free(&c);

    gc_seed(6000);
    const int shapes[][5] = {{4, 6, 5, 3, 4}, {1, 4, 3, 2, 3}, {3, 5, 8, 4, 8}};
    for (int s = 0; s < 3; s++) {
        int N = shapes[s][0], D = shapes[s][1], H = shapes[s][2], C = shapes[s][3];
        TwoLayerNet net;
        double x[MAXLEN];
        int t[MAXDIM];
        random_net(&net, N, D, H, C, shapes[s][4], x, t);
        double got = two_layer_forward(&net, x, t, N);
        double want = ref_loss(N, D, H, C, x, t, net.W1, net.b1, net.W2, net.b2);
        char where[120];
        snprintf(where, sizeof where, "for a %d-%d-%d network on a batch of %d", D, H, C, N);
        gc_expect_value("two_layer_forward", "the loss", where, &got, &want, 1, NULL, 0);
        two_layer_free(&net);
    }
}

/* ---- backward ------------------------------------------------------------------------- */

GRADED(ch06, two_layer_backward_small, "two_layer_backward on 6-5-3 networks with a batch of 4: dW1, db1, dW2, db2 against central differences")
{
    gc_seed(6001);
    for (int r = 0; r < 3; r++)
        check_backward(4, 6, 5, 3, 4, "on seeded random parameters and inputs");
}

GRADED(ch06, two_layer_backward_shapes, "two_layer_backward for N = 1 and other shapes, batches smaller than max_batch")
{
    gc_seed(6002);
    const int shapes[][5] = {{1, 4, 3, 2, 1}, {2, 3, 7, 4, 5}, {5, 8, 2, 3, 8}, {3, 2, 6, 5, 3}};
    for (int s = 0; s < 4; s++)
        check_backward(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], shapes[s][4],
                       "on seeded random parameters and inputs");
}

/* ---- SGD ------------------------------------------------------------------------------ */

GRADED(ch06, sgd_step, "sgd_step: p -= lr * dp for every element of W1, b1, W2, b2")
{
    gc_seed(6003);
    const double rates[] = {0.1, 0.37};
    for (int r = 0; r < 2; r++) {
        double lr = rates[r];
        TwoLayerNet net;
        if (two_layer_init(&net, 5, 4, 3, 2, 5) != 0)
            cr_assert_fail("two_layer_init failed");
        double p0[4][MAXLEN], g0[4][MAXLEN];
        for (int k = 0; k < 4; k++) {
            random_array(param(&net, k), param_size(&net, k), -1, 1);
            random_array(grad(&net, k), param_size(&net, k), -2, 2);
            memcpy(p0[k], param(&net, k), sizeof(double) * (size_t)param_size(&net, k));
            memcpy(g0[k], grad(&net, k), sizeof(double) * (size_t)param_size(&net, k));
        }
        sgd_step(&net, lr);
        char where[80];
        snprintf(where, sizeof where, "with lr = %g on random parameters and gradients", lr);
        for (int k = 0; k < 4; k++) {
            int size = param_size(&net, k);
            gc_expect_unchanged("sgd_step", "a gradient", g0[k], grad(&net, k), sizeof(double) * (size_t)size);
            double want[MAXLEN], up[MAXLEN], nolr[MAXLEN];
            for (int i = 0; i < size; i++) {
                want[i] = p0[k][i] - lr * g0[k][i];
                up[i] = p0[k][i] + lr * g0[k][i];
                nolr[i] = p0[k][i] - g0[k][i];
            }
            char why_same[120];
            snprintf(why_same, sizeof why_same, "%s was not updated: step every one of W1, b1, W2, b2", PARAM[k]);
            gc_guess guesses[] = {
                {up, "p += lr * dp: a step uphill; gradient descent subtracts the gradient"},
                {nolr, "p -= dp: the learning rate lr was not multiplied in"},
                {p0[k], why_same},
            };
            char what[40];
            snprintf(what, sizeof what, "%s after the step", PARAM[k]);
            gc_expect_value("sgd_step", what, where, param(&net, k), want, (size_t)size, guesses, 3);
        }
        two_layer_free(&net);
    }
}

GRADED(ch06, training_lowers_loss, "20 rounds of forward, your backward and your sgd_step lower the loss of a fixed batch")
{
    gc_seed(6004);
    TwoLayerNet net;
    double x[MAXLEN];
    int t[MAXDIM];
    random_net(&net, 6, 4, 8, 3, 6, x, t);
    for (int k = 0; k < 4; k++) /* small weights, as two_layer_init draws them */
        for (int i = 0; i < param_size(&net, k); i++)
            param(&net, k)[i] *= 0.3;
    double first = two_layer_forward(&net, x, t, 6), last = first;
    for (int round = 0; round < 20; round++) {
        two_layer_backward(&net);
        sgd_step(&net, 0.5);
        last = two_layer_forward(&net, x, t, 6);
    }
    if (!(last < first - 0.05))
        cr_assert_fail("training a 4-8-3 network on one batch of 6 with lr = 0.5: the loss went from %.4f to "
                       "%.4f in 20 steps; it should fall.\n  likely cause: the step goes uphill (p += lr * dp) "
                       "or uses the wrong gradients", first, last);
    two_layer_free(&net);
}
