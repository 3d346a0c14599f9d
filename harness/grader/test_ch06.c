/* test_ch06.c: grading chapter 6, the two-layer network and its SGD step.
 *
 * The learner's two_layer_backward calls the layers of chapters 4 and 5.  So
 * that chapter 6 is graded on its own, whatever state those exercises are in,
 * this file links the project's reference layers (solutions/ch04, ch05):
 * the learner's ch06 file is the only learner code in the test program.
 * The gradients are compared with central differences of the grader's own
 * forward below, which uses none of those layers.
 *
 * Every network is made with max_batch = N, and the arrays two_layer_init
 * allocated are named with their shapes right after it (name_net), as are
 * the grader's x and t: a step one element past the end of any of them is
 * caught and named.  The MAXLEN arrays below are the grader's scratch only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gradcheck.h"
#include "two_layer_net.h"

/* The reference layers the learner's network is built from. A student release
 * (make dist-student) has no solutions/: there the grader links the learner's
 * own files of chapters 4 and 5 instead (grade.py, own_layers). */
#if __has_include("../../solutions/ch04/relu_layer.c")
#include "../../solutions/ch04/relu_layer.c"
#include "../../solutions/ch05/affine.c"
#include "../../solutions/ch05/softmax_loss.c"
#endif

#define MAXDIM 8
#define MAXLEN (MAXDIM * MAXDIM) /* the grader's scratch arrays, never the learner's */

/* ---- the grader's own forward ------------------------------------------------------- */

typedef struct {
    int N, D, H, C;
    const double *x;
    const int *t;
    const double *p[4]; /* W1, b1, W2, b2 */
    int wrt;            /* which of the four the numeric gradient varies */
} NetCtx;

static const char *const PARAM[4] = {"W1", "b1", "W2", "b2"};
static const char *const GRAD[4] = {"dW1", "db1", "dW2", "db2"};

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

static int all_zero(const double *a, int n)
{
    for (int i = 0; i < n; i++)
        if (a[i] != 0.0)
            return 0;
    return 1;
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

/* two_layer_init, then the arrays it allocated named with their shapes (the
 * work arrays have max_batch rows), so that a step past the end of one is
 * named in the grader's message. */
static void init_net(TwoLayerNet *net, int D, int H, int C, int max_batch, unsigned long long seed)
{
    if (two_layer_init(net, D, H, C, max_batch, seed) != 0)
        cr_assert_fail("two_layer_init failed (out of memory?)");
    const size_t d = (size_t)D, h = (size_t)H, c = (size_t)C, n = (size_t)max_batch, e = sizeof(double);
    gc_name_array("W1", net->W1, d, h, e);
    gc_name_array("b1", net->b1, h, 1, e);
    gc_name_array("W2", net->W2, h, c, e);
    gc_name_array("b2", net->b2, c, 1, e);
    gc_name_array("dW1", net->dW1, d, h, e);
    gc_name_array("db1", net->db1, h, 1, e);
    gc_name_array("dW2", net->dW2, h, c, e);
    gc_name_array("db2", net->db2, c, 1, e);
    gc_name_array("a1", net->a1, n, h, e);
    gc_name_array("h1", net->h1, n, h, e);
    gc_name_array("scores", net->scores, n, c, e);
    gc_name_array("y", net->y, n, c, e);
    gc_name_array("dscores", net->dscores, n, c, e);
    gc_name_array("dh1", net->dh1, n, h, e);
    gc_name_array("da1", net->da1, n, h, e);
    gc_name_array("mask", net->relu.mask, n, h, sizeof *net->relu.mask);
}

/* A network for batches of exactly N (max_batch = N) whose parameters, batch
 * x (N x D) and labels t (N) the grader drew, every hidden pre-activation at
 * least 0.05 from ReLU's kink (so h = 1e-5 never crosses it). */
static void random_net(TwoLayerNet *net, int N, int D, int H, int C, double **x, int **t)
{
    init_net(net, D, H, C, N, 99);
    double xs[MAXLEN];
    int ts[MAXDIM];
    for (int attempt = 0;; attempt++) {
        for (int k = 0; k < 4; k++)
            random_array(param(net, k), param_size(net, k), k % 2 ? -0.5 : -1, k % 2 ? 0.5 : 1);
        random_array(xs, N * D, -2, 2);
        int near = 0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < H; j++) {
                double a = net->b1[j];
                for (int i = 0; i < D; i++)
                    a += xs[n * D + i] * net->W1[i * H + j];
                near |= fabs(a) < 0.05;
            }
        if (!near || attempt > 200)
            break;
    }
    for (int n = 0; n < N; n++)
        ts[n] = (int)gc_uniform(0, C - 1e-9);
    *x = gc_array_copy("x", xs, (size_t)N, (size_t)D);
    *t = gc_labels("t", ts, (size_t)N);
}

/* ---- two_layer_backward against central differences -------------------------------- */

static void check_backward(int N, int D, int H, int C, const char *origin)
{
    TwoLayerNet net;
    double *x;
    int *t;
    random_net(&net, N, D, H, C, &x, &t);
    double loss = two_layer_forward(&net, x, t, N);

    char where[240];
    snprintf(where, sizeof where,
             "%s: a %d-%d-%d network (W1: %d x %d, W2: %d x %d) on a batch of N = %d, L = the mean loss, dL = 1",
             origin, D, H, C, D, H, H, C, N);

    /* What the learner's backward may read and must not change, kept to compare. */
    double before[4][MAXLEN];
    for (int k = 0; k < 4; k++) {
        memcpy(before[k], param(&net, k), sizeof(double) * (size_t)param_size(&net, k));
        fill(grad(&net, k), param_size(&net, k), GC_STALE);
    }
    fill(net.dscores, N * C, 0); /* so that a layer run before its dout was written gives zeros */
    fill(net.dh1, N * H, 0);
    fill(net.da1, N * H, 0);
    two_layer_backward(&net);
    for (int k = 0; k < 4; k++)
        gc_expect_unchanged("two_layer_backward", PARAM[k], before[k], param(&net, k),
                            sizeof(double) * (size_t)param_size(&net, k));
    /* dscores still all 0: softmax_loss_backward never ran, or ran with dloss = 0 */
    int no_dscores = all_zero(net.dscores, N * C);

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

        double zero[MAXLEN], twice[MAXLEN], times_loss[MAXLEN];
        for (int i = 0; i < size; i++) {
            zero[i] = 0;
            twice[i] = fw[k][i] / N;
            times_loss[i] = fw[k][i] * loss;
        }
        char why_stale[200], why_zero[400];
        snprintf(why_stale, sizeof why_stale,
                 "%s still holds what the grader put in it: it was never written (is the call to "
                 "affine_backward of layer %d missing?)", GRAD[k], k < 2 ? 1 : 2);
        if (no_dscores)
            snprintf(why_zero, sizeof why_zero,
                     "%s is all zeros, and so is dscores: softmax_loss_backward was not called, or was given "
                     "dloss = 0%s. dloss is dL/dL = 1", GRAD[k],
                     N > 1 ? " (1 / N is integer division in C: 0 for every N > 1)" : "");
        else
            snprintf(why_zero, sizeof why_zero,
                     "%s is all zeros: the layer's backward ran before its upstream gradient was "
                     "computed. Call the backwards in reverse order: softmax_loss_backward, affine_backward "
                     "(layer 2), relu_backward, affine_backward (layer 1)", GRAD[k]);
        double stale[MAXLEN];
        fill(stale, size, GC_STALE);
        gc_guess guesses[] = {
            {zero, why_zero},
            {stale, why_stale},
            {twice, "divided by the batch size N twice: softmax_loss_backward already divides by N, so "
                    "dloss must be 1"},
            {times_loss, "multiplied by the loss L: dloss is dL/dL = 1, not the value of L"},
            {nomask[k], "ReLU's mask was ignored: the gradient went through the hidden units whose input "
                        "was <= 0; send dh1 through relu_backward"},
        };
        size_t ng = sizeof guesses / sizeof *guesses - (k >= 2 ? 1 : 0); /* no mask in W2, b2 */
        gc_expect_gradient("two_layer_backward", GRAD[k], where, grad(&net, k), want, (size_t)size, guesses, ng);
    }
    two_layer_free(&net);
}

/* ---- forward: given code -------------------------------------------------------------- */

GRADED(ch06, two_layer_forward, "two_layer_init and two_layer_forward: the initial weights and the loss of the grader's own forward")
{
    TwoLayerNet a, b, c;
    init_net(&a, 6, 5, 3, 4, 1);
    init_net(&b, 6, 5, 3, 4, 1);
    init_net(&c, 6, 5, 3, 4, 2);
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
    const int shapes[][4] = {{4, 6, 5, 3}, {1, 4, 3, 2}, {3, 5, 8, 4}};
    for (int s = 0; s < 3; s++) {
        int N = shapes[s][0], D = shapes[s][1], H = shapes[s][2], C = shapes[s][3];
        TwoLayerNet net;
        double *x;
        int *t;
        random_net(&net, N, D, H, C, &x, &t);
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
        check_backward(4, 6, 5, 3, "on seeded random parameters and inputs");
}

GRADED(ch06, two_layer_backward_shapes, "two_layer_backward for N = 1, then other batch sizes and shapes")
{
    gc_seed(6002);
    const int shapes[][4] = {{1, 4, 3, 2}, {2, 3, 7, 4}, {5, 8, 2, 3}, {3, 2, 6, 5}};
    for (int s = 0; s < 4; s++)
        check_backward(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
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
        const int D = 5, H = 4, C = 3;
        init_net(&net, D, H, C, 2, 5);
        double p0[4][MAXLEN], g0[4][MAXLEN];
        for (int k = 0; k < 4; k++) {
            random_array(param(&net, k), param_size(&net, k), -1, 1);
            random_array(grad(&net, k), param_size(&net, k), -2, 2);
            memcpy(p0[k], param(&net, k), sizeof(double) * (size_t)param_size(&net, k));
            memcpy(g0[k], grad(&net, k), sizeof(double) * (size_t)param_size(&net, k));
        }
        sgd_step(&net, lr);
        char where[80];
        snprintf(where, sizeof where, "after sgd_step with lr = %g, on random parameters and gradients", lr);
        for (int k = 0; k < 4; k++) {
            int size = param_size(&net, k);
            char what[40];
            snprintf(what, sizeof what, "%s, its gradient", GRAD[k]);
            gc_expect_unchanged("sgd_step", what, g0[k], grad(&net, k), sizeof(double) * (size_t)size);
            double want[MAXLEN], up[MAXLEN], nolr[MAXLEN], last[MAXLEN], side_a[MAXLEN], side_b[MAXLEN];
            /* a matrix's two sides: a loop bound of one of them stops early */
            const int sa = k == 0 ? D : k == 2 ? H : 0, sb = k == 0 ? H : k == 2 ? C : 0;
            const char *na = k == 0 ? "D" : "H", *nb = k == 0 ? "H" : "C";
            for (int i = 0; i < size; i++) {
                want[i] = p0[k][i] - lr * g0[k][i];
                up[i] = p0[k][i] + lr * g0[k][i];
                nolr[i] = p0[k][i] - g0[k][i];
                last[i] = i < size - 1 ? want[i] : p0[k][i];
                side_a[i] = i < sa ? want[i] : p0[k][i];
                side_b[i] = i < sb ? want[i] : p0[k][i];
            }
            char why_same[120], why_last[200], why_a[240], why_b[240];
            snprintf(why_same, sizeof why_same, "%s was not updated: step every one of W1, b1, W2, b2", PARAM[k]);
            snprintf(why_last, sizeof why_last, "the last element, %s[%d], was not updated: the loop stops one "
                     "step early (`i < n - 1` where `i < n` belongs)", PARAM[k], size - 1);
            snprintf(why_a, sizeof why_a, "only %s[0] to %s[%d] were updated: the loop's bound is %s = %d, one "
                     "side of the matrix; %s has %s x %s = %d elements", PARAM[k], PARAM[k], sa - 1, na, sa,
                     PARAM[k], na, nb, size);
            snprintf(why_b, sizeof why_b, "only %s[0] to %s[%d] were updated: the loop's bound is %s = %d, one "
                     "side of the matrix; %s has %s x %s = %d elements", PARAM[k], PARAM[k], sb - 1, nb, sb,
                     PARAM[k], na, nb, size);
            gc_guess guesses[] = {
                {up, "p += lr * dp: a step uphill; gradient descent subtracts the gradient"},
                {nolr, "p -= dp: the learning rate lr was not multiplied in"},
                {p0[k], why_same},
                {last, why_last},
                {side_a, why_a},
                {side_b, why_b},
            };
            size_t ng = sizeof guesses / sizeof *guesses - (k % 2 ? 2 : 0); /* b1, b2 have one side */
            gc_expect_value("sgd_step", PARAM[k], where, param(&net, k), want, (size_t)size, guesses, ng);
        }
        two_layer_free(&net);
    }
}

GRADED(ch06, training_lowers_loss, "20 rounds of forward, your backward and your sgd_step lower the loss of a fixed batch")
{
    gc_seed(6004);
    TwoLayerNet net;
    double *x;
    int *t;
    random_net(&net, 6, 4, 8, 3, &x, &t);
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
