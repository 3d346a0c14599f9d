/* test_ch05.c: grading chapter 5, the Affine and Softmax-with-Loss layers.
 *
 * Every backward is called on a layer whose cache the grader filled itself,
 * and compared with central differences of the grader's own forward (or, at
 * the chapter's points, with the values worked out in the book).  The last
 * test chains the two layers the way chapter 6's network does.
 *
 * Every array the learner's code reads or writes is on the heap, exactly as
 * large as the contract says and named as the book names it (gc_array*), so
 * a step one element past either end is caught and named.  Outputs start as
 * GC_STALE, so "never written" and "added (+=) onto" read the same in every
 * test.  The MAXLEN arrays below are the grader's own scratch only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "affine.h"
#include "gradcheck.h"
#include "softmax_loss.h"

#define MAXDIM 8               /* N, D, M, C are at most this in every test */
#define MAXLEN (MAXDIM * MAXDIM) /* the grader's scratch arrays, never the learner's */

/* The likely cause when dx is 0 for a batch of N > 1 (the same in every test
 * that sees it; each test checks N = 1 first). */
static const char INTEGER_DIVISION[] =
    "1 / N is integer division in C: 0 for every N > 1 (it passed for N = 1). Write 1.0 / N";

/* ---- the grader's own forwards ------------------------------------------------------ */

/* x: N x D, W: D x M, b: M, out: N x M.  out = x W + b */
static void ref_affine(int N, int D, int M, const double *x, const double *W, const double *b, double *out)
{
    for (int n = 0; n < N; n++)
        for (int j = 0; j < M; j++) {
            double s = b[j];
            for (int i = 0; i < D; i++)
                s += x[n * D + i] * W[i * M + j];
            out[n * M + j] = s;
        }
}

/* x: N x C, y: N x C.  Softmax of each row, its maximum subtracted first. */
static void ref_softmax(int N, int C, const double *x, double *y)
{
    for (int n = 0; n < N; n++) {
        double mx = x[n * C];
        for (int k = 1; k < C; k++)
            mx = fmax(mx, x[n * C + k]);
        double s = 0;
        for (int k = 0; k < C; k++)
            s += exp(x[n * C + k] - mx);
        for (int k = 0; k < C; k++)
            y[n * C + k] = exp(x[n * C + k] - mx) / s;
    }
}

/* x: N x C, t: N.  The mean over rows of -log softmax(x)[t] = log-sum-exp(x) - x[t]. */
static double ref_softmax_loss(int N, int C, const double *x, const int *t)
{
    double total = 0;
    for (int n = 0; n < N; n++) {
        double mx = x[n * C];
        for (int k = 1; k < C; k++)
            mx = fmax(mx, x[n * C + k]);
        double s = 0;
        for (int k = 0; k < C; k++)
            s += exp(x[n * C + k] - mx);
        total += mx + log(s) - x[n * C + t[n]];
    }
    return total / N;
}

/* ---- small helpers ------------------------------------------------------------------ */

static void fill(double *a, int n, double v)
{
    for (int i = 0; i < n; i++)
        a[i] = v;
}

static void random_array(double *a, int n, double lo, double hi)
{
    for (int i = 0; i < n; i++) /* one draw per statement: the order is fixed */
        a[i] = gc_uniform(lo, hi);
}

static void copy(double *dst, const double *src, int n)
{
    memcpy(dst, src, (size_t)n * sizeof *dst);
}

static void times_const(double *dst, const double *src, int n, double c)
{
    for (int i = 0; i < n; i++)
        dst[i] = src[i] * c;
}

/* ---- the functions whose central differences give the wanted gradients -------------- */

typedef enum { WRT_X, WRT_W, WRT_B } Wrt;

typedef struct {
    int N, D, M;
    const double *x, *W, *b;
    Wrt wrt; /* which of x, W, b the numeric gradient varies */
} AffineCtx;

static void affine_fn(const double *v, double *out, void *ctx)
{
    const AffineCtx *c = ctx;
    ref_affine(c->N, c->D, c->M, c->wrt == WRT_X ? v : c->x, c->wrt == WRT_W ? v : c->W,
               c->wrt == WRT_B ? v : c->b, out);
}

typedef struct {
    int N, C;
    const int *t;
} LossCtx;

static void loss_fn(const double *v, double *out, void *ctx)
{
    const LossCtx *c = ctx;
    out[0] = ref_softmax_loss(c->N, c->C, v, c->t);
}

/* L(x, W, b) = softmax-with-loss(x W + b, t): the two layers chained. */
typedef struct {
    AffineCtx affine;
    const int *t;
} ChainCtx;

static void chain_fn(const double *v, double *out, void *ctx)
{
    const ChainCtx *c = ctx;
    double scores[MAXLEN];
    affine_fn(v, scores, (void *)&c->affine);
    out[0] = ref_softmax_loss(c->affine.N, c->affine.M, scores, c->t);
}

/* The gradient of sum(dout * f(v)) with respect to the array `wrt`, n elements. */
static void numeric(gc_vector_fn f, const double *at, int n, const double *dout, int m, void *ctx, double *want)
{
    double v[MAXLEN];
    copy(v, at, n);
    gc_numeric_vjp(f, v, (size_t)n, dout, (size_t)m, ctx, want);
}

/* ---- Affine: calling the learner's backward on a layer the grader filled ------------- */

/* The three gradients worked out by the formulas, for the guesses. */
static void formula_affine(int N, int D, int M, const double *x, const double *W, const double *dout, double *dx,
                           double *dW, double *db)
{
    for (int n = 0; n < N; n++)
        for (int i = 0; i < D; i++) {
            double s = 0;
            for (int j = 0; j < M; j++)
                s += dout[n * M + j] * W[i * M + j];
            dx[n * D + i] = s;
        }
    for (int i = 0; i < D; i++)
        for (int j = 0; j < M; j++) {
            double s = 0;
            for (int n = 0; n < N; n++)
                s += x[n * D + i] * dout[n * M + j];
            dW[i * M + j] = s;
        }
    for (int j = 0; j < M; j++) {
        double s = 0;
        for (int n = 0; n < N; n++)
            s += dout[n * M + j];
        db[j] = s;
    }
}

/* want_* NULL: compare with central differences; otherwise with the book's values. */
/* An Affine layer as affine_forward leaves it: its arrays, and x (N x D) cached. */
static AffineLayer cached_affine(int N, int D, int M, double *x, double *W, double *b)
{
    AffineLayer layer;
    memset(&layer, 0, sizeof layer);
    layer.in_size = D;
    layer.out_size = M;
    layer.W = W;
    layer.b = b;
    layer.x = x;
    layer.batch = N;
    return layer;
}

static void check_affine_backward(int N, int D, int M, const double *x0, const double *W0, const double *b0,
                                  const double *dout0, const char *origin, const double *want_dx,
                                  const double *want_dW, const double *want_db)
{
    char where[200];
    snprintf(where, sizeof where, "%s, with x: %d x %d, W: %d x %d, dout: %d x %d", origin, N, D, D, M, N, M);

    /* What the learner's backward sees, and a copy of each to tell if it changed. */
    double *x = gc_array_copy("x", x0, N, D), *W = gc_array_copy("W", W0, D, M);
    double *b = gc_array_copy("b", b0, M, 1), *dout = gc_array_copy("dout", dout0, N, M);
    AffineLayer layer = cached_affine(N, D, M, x, W, b), before;
    memcpy(&before, &layer, sizeof layer);

    double *dx = gc_array_fill("dx", N, D, GC_STALE), *dW = gc_array_fill("dW", D, M, GC_STALE);
    double *db = gc_array_fill("db", M, 1, GC_STALE);
    affine_backward(&layer, dout, dx, dW, db);
    gc_expect_unchanged("affine_backward", "the layer (its sizes, pointers and batch)", &before, &layer,
                        sizeof layer);
    gc_expect_unchanged("affine_backward", "its input dout", dout0, dout, (size_t)(N * M) * sizeof *dout);
    gc_expect_unchanged("affine_backward", "the cached x", x0, x, (size_t)(N * D) * sizeof *x);
    gc_expect_unchanged("affine_backward", "the weights W", W0, W, (size_t)(D * M) * sizeof *W);
    gc_expect_unchanged("affine_backward", "the biases b", b0, b, (size_t)M * sizeof *b);

    double fdx[MAXLEN], fdW[MAXLEN], fdb[MAXDIM];
    formula_affine(N, D, M, x0, W0, dout0, fdx, fdW, fdb);

    /* ---- the mistakes the grader recognises (never written and += are generic) ---- */
    double dx_noT[MAXLEN], dx_mean[MAXLEN];
    for (int n = 0; n < N; n++) /* W's memory read as if it were M x D: W[j * D + i] */
        for (int i = 0; i < D; i++) {
            double s = 0;
            for (int j = 0; j < M; j++)
                s += dout0[n * M + j] * W0[j * D + i];
            dx_noT[n * D + i] = s;
        }
    times_const(dx_mean, fdx, N * D, 1.0 / N);
    gc_guess dx_guesses[] = {
        {dx_noT, "missing transpose: this is dout W (reading W[j * D + i], as if W were M x D), but dx = dout "
                 "W^T. Element (n, i) is the sum over j of dout[n * M + j] * W[i * M + j]"},
        {dx_mean, "dx was divided by the batch size N: the Affine layer does not average; a 1/N belongs to "
                  "the loss, and arrives already inside dout"},
    };

    double dW_T[MAXLEN], dW_first[MAXLEN], dW_last[MAXLEN], dW_mean[MAXLEN], dW_nodout[MAXLEN];
    for (int r = 0; r < M; r++) /* dout^T x, an M x D matrix, written into dW's memory */
        for (int c = 0; c < D; c++) {
            double s = 0;
            for (int n = 0; n < N; n++)
                s += dout0[n * M + r] * x0[n * D + c];
            dW_T[r * D + c] = s;
        }
    for (int i = 0; i < D; i++)
        for (int j = 0; j < M; j++) {
            dW_first[i * M + j] = x0[i] * dout0[j];
            dW_last[i * M + j] = x0[(N - 1) * D + i] * dout0[(N - 1) * M + j];
            double s = 0;
            for (int n = 0; n < N; n++)
                s += x0[n * D + i];
            dW_nodout[i * M + j] = s;
        }
    times_const(dW_mean, fdW, D * M, 1.0 / N);
    gc_guess dW_guesses[] = {
        {dW_T, "dW holds dout^T x, the transpose of the answer (M x D instead of D x M): dW = x^T dout, "
               "shaped like W, with dW[i * M + j] = sum over n of x[n * D + i] * dout[n * M + j]"},
        {dW_last, "dW holds only the last sample's x^T dout: inside the loop over the batch it was assigned "
                  "(=) where it must be summed (+=) over all N rows"},
        {dW_first, "dW holds only the first sample's x^T dout: sum over all N rows of the batch"},
        {dW_mean, "dW was divided by the batch size N: the Affine layer sums over the batch; a 1/N belongs "
                  "to the loss, and arrives already inside dout"},
        {dW_nodout, "dW is the column sums of x: the upstream gradient dout was not multiplied in"},
    };

    double db_first[MAXDIM], db_last[MAXDIM], db_mean[MAXDIM];
    for (int j = 0; j < M; j++) {
        db_first[j] = dout0[j];
        db_last[j] = dout0[(N - 1) * M + j];
    }
    times_const(db_mean, fdb, M, 1.0 / N);
    gc_guess db_guesses[] = {
        {db_first, "db is only the first row of dout: b is added to every row, so db is the sum of dout "
                   "over all N rows"},
        {db_last, "db is only the last row of dout: inside the loop over the batch it was assigned (=) "
                  "where it must be summed (+=)"},
        {db_mean, "db is the mean of dout's rows: the Affine layer sums over the batch; a 1/N belongs to the "
                  "loss, and arrives already inside dout"},
    };
    size_t nx = sizeof dx_guesses / sizeof *dx_guesses, nW = sizeof dW_guesses / sizeof *dW_guesses,
           nb = sizeof db_guesses / sizeof *db_guesses;

    if (want_dx) {
        gc_expect_value("affine_backward", "dx", where, dx, want_dx, (size_t)(N * D), dx_guesses, nx);
        gc_expect_value("affine_backward", "dW", where, dW, want_dW, (size_t)(D * M), dW_guesses, nW);
        gc_expect_value("affine_backward", "db", where, db, want_db, (size_t)M, db_guesses, nb);
        return;
    }
    double ndx[MAXLEN], ndW[MAXLEN], ndb[MAXDIM];
    AffineCtx ctx = {N, D, M, x0, W0, b0, WRT_X};
    numeric(affine_fn, x0, N * D, dout0, N * M, &ctx, ndx);
    ctx.wrt = WRT_W;
    numeric(affine_fn, W0, D * M, dout0, N * M, &ctx, ndW);
    ctx.wrt = WRT_B;
    numeric(affine_fn, b0, M, dout0, N * M, &ctx, ndb);
    gc_expect_gradient("affine_backward", "dx", where, dx, ndx, (size_t)(N * D), dx_guesses, nx);
    gc_expect_gradient("affine_backward", "dW", where, dW, ndW, (size_t)(D * M), dW_guesses, nW);
    gc_expect_gradient("affine_backward", "db", where, db, ndb, (size_t)M, db_guesses, nb);
}

/* dx = NULL: the caller wants only dW and db (chapter 6's first layer, whose x is
 * the data).  They must come out as with dx, and nothing is written through NULL
 * (that crashes, and the message says so). */
static void check_affine_backward_no_dx(int N, int D, int M, const double *x0, const double *W0,
                                        const double *dout0)
{
    char where[200];
    snprintf(where, sizeof where, "called with dx = NULL (only dW and db wanted), x: %d x %d, W: %d x %d, "
             "dout: %d x %d", N, D, D, M, N, M);
    double *x = gc_array_copy("x", x0, N, D), *W = gc_array_copy("W", W0, D, M);
    double *b = gc_array_fill("b", M, 1, 0.0), *dout = gc_array_copy("dout", dout0, N, M);
    AffineLayer layer = cached_affine(N, D, M, x, W, b);
    double *dW = gc_array_fill("dW", D, M, GC_STALE), *db = gc_array_fill("db", M, 1, GC_STALE);
    affine_backward(&layer, dout, NULL, dW, db);

    double fdx[MAXLEN], fdW[MAXLEN], fdb[MAXDIM];
    formula_affine(N, D, M, x0, W0, dout0, fdx, fdW, fdb);
    gc_expect_value("affine_backward", "dW", where, dW, fdW, (size_t)(D * M), NULL, 0);
    gc_expect_value("affine_backward", "db", where, db, fdb, (size_t)M, NULL, 0);
}

/* ---- Softmax-with-Loss: calling the learner's backward on a layer the grader filled --- */

/* The likely cause of an all-zero dx: 1 / N in integer arithmetic (only a
 * batch of N > 1 shows it). `zero` must hold N * C zeros. */
static size_t integer_division_guess(int N, const double *zero, gc_guess *guess)
{
    if (N <= 1)
        return 0;
    *guess = (gc_guess){zero, INTEGER_DIVISION};
    return 1;
}

static void check_softmax_loss_backward(int N, int C, const double *x, const int *t0, double dloss,
                                        const char *origin, int exact)
{
    char where[200];
    snprintf(where, sizeof where, "%s, for N = %d rows of C = %d classes, dloss = %g", origin, N, C, dloss);

    double y0[MAXLEN];
    ref_softmax(N, C, x, y0);
    double *y = gc_array_copy("y", y0, N, C);
    int *t = gc_labels("t", t0, N);
    SoftmaxWithLoss layer, before;
    memset(&layer, 0, sizeof layer);
    layer.batch = N;
    layer.classes = C;
    layer.y = y;
    layer.t = t;
    memcpy(&before, &layer, sizeof layer);

    double *dx = gc_array_fill("dx", N, C, GC_STALE);
    softmax_loss_backward(&layer, dloss, dx);
    gc_expect_unchanged("softmax_loss_backward", "the layer (its sizes and pointers)", &before, &layer,
                        sizeof layer);
    gc_expect_unchanged("softmax_loss_backward", "the cached y", y0, y, (size_t)(N * C) * sizeof *y);
    gc_expect_unchanged("softmax_loss_backward", "the labels t", t0, t, (size_t)N * sizeof *t);

    /* y - onehot(t), the heart of every guess */
    double diff[MAXLEN];
    for (int n = 0; n < N; n++)
        for (int k = 0; k < C; k++)
            diff[n * C + k] = y0[n * C + k] - (k == t0[n]);

    double formula[MAXLEN], no_n[MAXLEN], twice_n[MAXLEN], by_c[MAXLEN], no_dloss[MAXLEN], bare[MAXLEN],
        no_t[MAXLEN], row0[MAXLEN], label0[MAXLEN], column_n[MAXLEN], zero[MAXLEN];
    times_const(formula, diff, N * C, dloss / N);
    times_const(no_n, diff, N * C, dloss);
    times_const(twice_n, diff, N * C, dloss / ((double)N * N));
    times_const(by_c, diff, N * C, dloss / C);
    times_const(no_dloss, diff, N * C, 1.0 / N);
    copy(bare, diff, N * C);
    times_const(no_t, y0, N * C, dloss / N);
    copy(row0, no_t, N * C);
    for (int n = 0; n < N; n++) /* the 1 of every label subtracted in row 0 */
        row0[t0[n]] -= dloss / N;
    for (int n = 0; n < N; n++)
        for (int k = 0; k < C; k++) {
            label0[n * C + k] = dloss / N * (y0[n * C + k] - (k == t0[0]));
            column_n[n * C + k] = dloss / N * (y0[n * C + k] - (k == n));
        }
    fill(zero, N * C, 0.0);
    gc_guess guesses[12] = {
        {no_t, "dx = dloss * y / N: the one-hot label t was never subtracted; it is y - t"},
        {no_n, "dx = dloss * (y - t): not divided by the batch size N. The loss is the mean over N rows, so "
               "each row's gradient carries a 1/N"},
        {twice_n, "dx = dloss * (y - t) / N^2: divided by the batch size N twice; once is right"},
        {by_c, "dx = dloss * (y - t) / C: divided by the number of classes C; the loss is a mean over the "
               "batch, so divide by the batch size N"},
        {no_dloss, "dx = (y - t) / N: the upstream gradient dloss was not multiplied in"},
        {bare, "dx = y - t: neither multiplied by the upstream gradient dloss nor divided by the batch size N"},
        {row0, "the 1 of each label was subtracted in row 0 (at [t[n]]): sample n's label sits in row n, at "
               "[n * C + t[n]]"},
        {label0, "every row used the label of sample 0: row n subtracts its own label, t[n]"},
    };
    size_t ng = 8;
    if (N <= C) /* column n exists only when N <= C */
        guesses[ng++] = (gc_guess){column_n, "the 1 was subtracted at column n, the row's number, instead of at "
                                             "column t[n], the row's label"};
    ng += integer_division_guess(N, zero, &guesses[ng]);

    if (exact) {
        gc_expect_value("softmax_loss_backward", "dx", where, dx, formula, (size_t)(N * C), guesses, ng);
        return;
    }
    double want[MAXLEN];
    LossCtx ctx = {N, C, t0};
    numeric(loss_fn, x, N * C, &dloss, 1, &ctx, want);
    gc_expect_gradient("softmax_loss_backward", "dx", where, dx, want, (size_t)(N * C), guesses, ng);
}

/* ---- the chapter's numbers ------------------------------------------------------------ */

/* The tiny batch of chapters/05-affine-softmax/affine_batch.c */
static const double BOOK_X[] = {1, 2, 3, 0, -1, 2};      /* 2 x 3 */
static const double BOOK_W[] = {1, 0, 2, 1, 0, -1};      /* 3 x 2 */
static const double BOOK_B[] = {1, -2};                  /* 2 */
static const double BOOK_DOUT[] = {1, 0.5, -1, 2};       /* 2 x 2 */
static const double BOOK_OUT[] = {6, -3, -1, -5};        /* x W + b */
static const double BOOK_DX[] = {1, 2.5, -0.5, -1, 0, -2}; /* dout W^T */
static const double BOOK_DW[] = {1, 0.5, 3, -1, 1, 5.5};  /* x^T dout */
static const double BOOK_DB[] = {0, 2.5};                /* column sums of dout */

/* The textbook's image of a 2: three scores, the label is class 2. */
static const double TWO_X[] = {5.3, 0.3, 10.1};

/* ---- forward: given code, checked against the grader's forwards ---------------------- */

/* want_out NULL: compare with the grader's forward; otherwise with the book's values too. */
static void check_affine_forward(int N, int D, int M, const double *x0, const double *W0, const double *b0,
                                 const char *origin, const double *want_out)
{
    char where[160];
    snprintf(where, sizeof where, "%s, with x: %d x %d, W: %d x %d", origin, N, D, D, M);
    double *x = gc_array_copy("x", x0, N, D), *W = gc_array_copy("W", W0, D, M);
    double *b = gc_array_copy("b", b0, M, 1), *out = gc_array("out", N, M);
    AffineLayer layer;
    memset(&layer, 0, sizeof layer);
    layer.in_size = D;
    layer.out_size = M;
    layer.W = W;
    layer.b = b;
    layer.batch = -1;
    affine_forward(&layer, x, N, out);
    double want[MAXLEN], no_bias[MAXLEN], zero_b[MAXDIM] = {0};
    ref_affine(N, D, M, x0, W0, b0, want);
    ref_affine(N, D, M, x0, W0, zero_b, no_bias);
    gc_guess guesses[] = {{no_bias, "out = x W: the bias b was not added"}};
    gc_expect_value("affine_forward", "out", where, out, want, (size_t)(N * M), guesses, 1);
    if (want_out)
        gc_expect_value("affine_forward", "out", where, out, want_out, (size_t)(N * M), guesses, 1);
    if (layer.x != x)
        cr_assert_fail("affine_forward: the cached x is not the input x %s.\n"
                       "  likely cause: backward reads the input through layer->x; store the pointer", where);
    if (layer.batch != N)
        cr_assert_fail("affine_forward: the cached batch is %d, but N = %d %s", layer.batch, N, where);
    if (layer.in_size != D || layer.out_size != M || layer.W != W || layer.b != b)
        cr_assert_fail("affine_forward changed the layer's sizes or its W and b pointers %s", where);
}

GRADED(ch05, affine_forward, "affine_forward computes x W + b for a batch and caches x and N")
{
    check_affine_forward(2, 3, 2, BOOK_X, BOOK_W, BOOK_B, "at the chapter's tiny batch", BOOK_OUT);

    gc_seed(5000);
    const int shapes[][3] = {{1, 3, 2}, {4, 2, 5}, {3, 5, 3}, {8, 8, 8}};
    for (int s = 0; s < 4; s++) {
        int N = shapes[s][0], D = shapes[s][1], M = shapes[s][2];
        double x[MAXLEN], W[MAXLEN], b[MAXDIM];
        random_array(x, N * D, -2, 2);
        random_array(W, D * M, -1, 1);
        random_array(b, M, -1, 1);
        check_affine_forward(N, D, M, x, W, b, "on seeded random values", NULL);
    }
}

static void check_softmax_forward(int N, int C, const double *x0, const int *t0, const char *origin)
{
    char where[200];
    snprintf(where, sizeof where, "%s, for N = %d rows of C = %d classes", origin, N, C);
    double *x = gc_array_copy("x", x0, N, C), *y = gc_array("y", N, C);
    int *t = gc_labels("t", t0, N);
    SoftmaxWithLoss layer;
    memset(&layer, 0, sizeof layer);
    double loss = softmax_loss_forward(&layer, x, t, N, C, y);
    double want_y[MAXLEN];
    ref_softmax(N, C, x0, want_y);
    double want_loss = ref_softmax_loss(N, C, x0, t0);
    gc_expect_value("softmax_loss_forward", "y", where, y, want_y, (size_t)(N * C), NULL, 0);
    gc_expect_value("softmax_loss_forward", "the loss", where, &loss, &want_loss, 1, NULL, 0);
    if (layer.y != y || layer.t != t || layer.batch != N || layer.classes != C)
        cr_assert_fail("softmax_loss_forward: the cache must hold the pointers y and t, N and C %s", where);
}

GRADED(ch05, softmax_loss_forward, "softmax_loss_forward: the softmax of each row, the mean cross-entropy, no overflow for large scores")
{
    int two = 2, zero = 0;
    check_softmax_forward(1, 3, TWO_X, &two, "at the chapter's scores 5.3, 0.3, 10.1 with label 2");
    check_softmax_forward(1, 3, TWO_X, &zero, "at the chapter's scores with label 0");

    double big[] = {1000, 1001, 1002, -1000, -1001, -1002};
    int t_big[] = {2, 0};
    check_softmax_forward(2, 3, big, t_big, "at scores near +-1000, where exp overflows without the max "
                                            "subtracted");

    gc_seed(5010);
    const int shapes[][2] = {{1, 2}, {3, 4}, {5, 10}, {8, 3}};
    for (int s = 0; s < 4; s++) {
        int N = shapes[s][0], C = shapes[s][1];
        double x[MAXLEN];
        int t[MAXDIM];
        random_array(x, N * C, -6, 6);
        for (int n = 0; n < N; n++)
            t[n] = (int)gc_uniform(0, C - 1e-9);
        check_softmax_forward(N, C, x, t, "on seeded random scores");
    }
}

/* ---- Affine backward ------------------------------------------------------------------- */

GRADED(ch05, affine_backward_book, "affine_backward on the chapter's tiny batch (x: 2 x 3, W: 3 x 2)")
{
    check_affine_backward(2, 3, 2, BOOK_X, BOOK_W, BOOK_B, BOOK_DOUT, "at the chapter's tiny batch", BOOK_DX,
                          BOOK_DW, BOOK_DB);
}

GRADED(ch05, affine_backward_random, "affine_backward on seeded random batches of 8 shapes, N = 1 and N > 1, W not square, then with dx = NULL (skip dx: only dW and db wanted)")
{
    gc_seed(5001);
    const int shapes[][3] = {{1, 3, 2}, {1, 2, 4}, {2, 3, 4}, {4, 2, 5}, {3, 5, 3}, {6, 4, 7}, {5, 4, 4}, {8, 7, 3}};
    for (int s = 0; s < 8; s++) {
        int N = shapes[s][0], D = shapes[s][1], M = shapes[s][2];
        double x[MAXLEN], W[MAXLEN], b[MAXDIM], dout[MAXLEN]; /* copied into exact arrays before the call */
        random_array(x, N * D, -2, 2);
        random_array(W, D * M, -1, 1);
        random_array(b, M, -1, 1);
        random_array(dout, N * M, -1.5, 1.5);
        check_affine_backward(N, D, M, x, W, b, dout, "on seeded random x, W, b, dout", NULL, NULL, NULL);
        if (s == 7) /* the last shape once more, without dx */
            check_affine_backward_no_dx(N, D, M, x, W, dout);
    }
}

/* ---- Softmax-with-Loss backward ------------------------------------------------------ */

GRADED(ch05, softmax_loss_backward_book, "softmax_loss_backward at the chapter's scores 5.3, 0.3, 10.1: dx = y - t, then a batch of two and dloss = 2.5")
{
    int two = 2, zero = 0;
    check_softmax_loss_backward(1, 3, TWO_X, &two, 1.0, "at the chapter's scores 5.3, 0.3, 10.1 with label 2", 1);
    check_softmax_loss_backward(1, 3, TWO_X, &zero, 1.0, "at the chapter's scores with label 0", 1);
    check_softmax_loss_backward(1, 3, TWO_X, &two, 2.5, "at the chapter's scores with label 2", 1);
    double pair[] = {5.3, 0.3, 10.1, 5.3, 0.3, 10.1};
    int t_pair[] = {2, 0};
    check_softmax_loss_backward(2, 3, pair, t_pair, 1.0, "at the chapter's batch of two (labels 2 and 0)", 1);
    check_softmax_loss_backward(2, 3, pair, t_pair, 2.5, "at the chapter's batch of two (labels 2 and 0)", 1);
}

GRADED(ch05, softmax_loss_backward_random, "softmax_loss_backward on seeded random scores, labels and dloss (N = 1, then N > 1)")
{
    gc_seed(5002);
    const int shapes[][2] = {{1, 3}, {1, 10}, {2, 5}, {4, 3}, {5, 7}, {8, 4}, {3, 8}};
    for (int s = 0; s < 7; s++) {
        int N = shapes[s][0], C = shapes[s][1];
        double x[MAXLEN];
        int t[MAXDIM];
        random_array(x, N * C, -5, 5);
        for (int n = 0; n < N; n++)
            t[n] = (int)gc_uniform(0, C - 1e-9);
        double dloss = gc_away_from_zero(0.5, 3);
        check_softmax_loss_backward(N, C, x, t, dloss, "on seeded random scores and labels", 0);
    }
}

/* ---- the two layers chained, as in chapter 6 ------------------------------------------- */

GRADED(ch05, affine_softmax_chain, "Affine then Softmax-with-Loss, forward and back through your layers: dW, db and dx of the loss")
{
    gc_seed(5003);
    const int shapes[][3] = {{1, 4, 3}, {4, 5, 3}, {6, 3, 5}};
    for (int s = 0; s < 3; s++) {
        int N = shapes[s][0], D = shapes[s][1], M = shapes[s][2];
        double x0[MAXLEN], W0[MAXLEN], b0[MAXDIM];
        int t0[MAXDIM];
        random_array(x0, N * D, -2, 2);
        random_array(W0, D * M, -1, 1);
        random_array(b0, M, -1, 1);
        for (int n = 0; n < N; n++)
            t0[n] = (int)gc_uniform(0, M - 1e-9);
        char loss[120], where_s[200], where_a[280];
        snprintf(loss, sizeof loss, "L = softmax-with-loss(x W + b, t) with x: %d x %d, W: %d x %d, %d classes, "
                 "dL = 1", N, D, D, M, M);
        snprintf(where_s, sizeof where_s, "for %s (dscores is the array given as its dx)", loss);
        snprintf(where_a, sizeof where_a, "with dout = the dscores that softmax_loss_backward gave, for %s", loss);

        /* forward through the given layers, every array exact */
        double *x = gc_array_copy("x", x0, N, D), *W = gc_array_copy("W", W0, D, M);
        double *b = gc_array_copy("b", b0, M, 1);
        int *t = gc_labels("t", t0, N);
        double *scores = gc_array("scores", N, M), *y = gc_array("y", N, M);
        AffineLayer affine = {.in_size = D, .out_size = M, .W = W, .b = b};
        SoftmaxWithLoss loss_layer;
        memset(&loss_layer, 0, sizeof loss_layer);
        affine_forward(&affine, x, N, scores);
        softmax_loss_forward(&loss_layer, scores, t, N, M, y);

        /* back through the learner's layers */
        double *dscores = gc_array_fill("dscores", N, M, GC_STALE);
        softmax_loss_backward(&loss_layer, 1.0, dscores);
        double one = 1.0, want_scores[MAXLEN], ref_scores[MAXLEN], zero[MAXLEN];
        ref_affine(N, D, M, x0, W0, b0, ref_scores);
        LossCtx lctx = {N, M, t0};
        numeric(loss_fn, ref_scores, N * M, &one, 1, &lctx, want_scores);
        fill(zero, N * M, 0.0);
        gc_guess guess[1];
        size_t ng = integer_division_guess(N, zero, guess);
        gc_expect_gradient("softmax_loss_backward", "dscores", where_s, dscores, want_scores, (size_t)(N * M),
                           guess, ng);

        double *dx = gc_array_fill("dx", N, D, GC_STALE), *dW = gc_array_fill("dW", D, M, GC_STALE);
        double *db = gc_array_fill("db", M, 1, GC_STALE);
        affine_backward(&affine, dscores, dx, dW, db);
        double ndx[MAXLEN], ndW[MAXLEN], ndb[MAXDIM];
        ChainCtx ctx = {{N, D, M, x0, W0, b0, WRT_X}, t0};
        numeric(chain_fn, x0, N * D, &one, 1, &ctx, ndx);
        ctx.affine.wrt = WRT_W;
        numeric(chain_fn, W0, D * M, &one, 1, &ctx, ndW);
        ctx.affine.wrt = WRT_B;
        numeric(chain_fn, b0, M, &one, 1, &ctx, ndb);
        gc_expect_gradient("affine_backward", "dx", where_a, dx, ndx, (size_t)(N * D), NULL, 0);
        gc_expect_gradient("affine_backward", "dW", where_a, dW, ndW, (size_t)(D * M), NULL, 0);
        gc_expect_gradient("affine_backward", "db", where_a, db, ndb, (size_t)M, NULL, 0);
    }
}
