/* loop_order.c: the first layer's two big products in two loop orders, timed.
 *
 *   ./loop_order
 *
 * The chapter's network spends almost all its time in two products with W1,
 * on a batch of 100 images: forward out = x W1 (100 x 784 times 784 x 50)
 * and backward dW1 = x^T dout (784 x 100 times 100 x 50).  Each is written
 * here in the order of its formula, one output element at a time, a sum down
 * a column; and run as solutions/ch05/affine.c writes it, a row at a time.
 * Both add the same numbers in the same order, so their results agree to
 * the last bit; only the order in which memory is read differs.  The times
 * are processor time on the machine that runs this, the best of RUNS runs.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "affine.h"

enum { N = 100, D = 784, M = 50, RUNS = 15 };

static double x[N * D], W[D * M], b[M], dout[N * M], db[M];
static double out_col[N * M], out_row[N * M], dW_col[D * M], dW_row[D * M];

// @snippet by-column
/* out = x W + b, one element at a time: the inner loop walks down
 * column j of W, a jump of M doubles from one element to the next */
static void forward_by_column(const AffineLayer *layer, const double *x,
                              int batch, double *out)
{
    const int N = batch, D = layer->in_size, M = layer->out_size;
    const double *W = layer->W, *b = layer->b;
    for (int n = 0; n < N; n++)
        for (int j = 0; j < M; j++) {
            double sum = b[j];
            for (int i = 0; i < D; i++)
                sum += x[n * D + i] * W[i * M + j];
            out[n * M + j] = sum;
        }
}

/* dW = x^T dout, one element at a time: the inner loop walks down
 * column i of x (a jump of D doubles) and column j of dout (of M) */
static void dW_by_column(const AffineLayer *layer, const double *dout,
                         double *dW)
{
    const int N = layer->batch, D = layer->in_size, M = layer->out_size;
    const double *x = layer->x;
    for (int i = 0; i < D; i++)
        for (int j = 0; j < M; j++) {
            double sum = 0.0;
            for (int n = 0; n < N; n++)
                sum += x[n * D + i] * dout[n * M + j];
            dW[i * M + j] = sum;
        }
}
// @end by-column

/* The sizes live in the layer and are read as the program runs, as in
 * affine.c: knowing them when it compiles, the compiler could reorder the
 * column loops by itself. */
AffineLayer layer;

static void forward_col(void)
{
    forward_by_column(&layer, x, N, out_col);
}

static void forward_row(void)
{
    affine_forward(&layer, x, N, out_row);
}

static void dW_col_run(void)
{
    dW_by_column(&layer, dout, dW_col);
}

static void dW_row_run(void)
{
    affine_backward(&layer, dout, NULL, dW_row, db); /* dW, db: no dx */
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* the fastest of RUNS calls, in milliseconds */
static double best_ms(void (*f)(void))
{
    double best = 1e30;
    for (int r = 0; r < RUNS; r++) {
        double start = cpu_seconds();
        f();
        double t = cpu_seconds() - start;
        best = t < best ? t : best;
    }
    return 1e3 * best;
}

/* a number from a small generator of its own: any numbers will do */
static double next(unsigned *s, int range, double scale)
{
    *s = *s * 1103515245u + 12345u;
    return (double)((*s >> 8) % (unsigned)range) * scale;
}

int main(void)
{
    unsigned s = 1;
    for (int k = 0; k < N * D; k++)
        x[k] = next(&s, 256, 1 / 255.0); /* like pixels */
    for (int k = 0; k < D * M; k++)
        W[k] = next(&s, 2001, 1e-5) - 0.01;
    for (int k = 0; k < N * M; k++)
        dout[k] = next(&s, 2001, 1e-4) - 0.1;
    layer = (AffineLayer){.in_size = D, .out_size = M, .W = W, .b = b,
                          .x = x, .batch = N};

    double fc = best_ms(forward_col), fr = best_ms(forward_row);
    double bc = best_ms(dW_col_run), br = best_ms(dW_row_run);
    double mflop = 2.0 * N * D * M / 1e6; /* a multiply and an add a term */

    printf("N = %d, D = %d, M = %d: %.2f million multiply-adds a product\n\n",
           N, D, M, mflop / 2);
    printf("                   forward out = x W1      backward dW1 = x^T dout\n");
    printf("by column          %5.2f ms %5.1f GFLOP/s   %5.2f ms %5.1f GFLOP/s\n",
           fc, mflop / fc, bc, mflop / bc);
    printf("by row (affine.c)  %5.2f ms %5.1f GFLOP/s   %5.2f ms %5.1f GFLOP/s\n",
           fr, mflop / fr, br, mflop / br);
    printf("by row is          %5.1f times faster      %5.1f times faster\n\n",
           fc / fr, bc / br);
    int same = !memcmp(out_col, out_row, sizeof out_col) &&
               !memcmp(dW_col, dW_row, sizeof dW_col);
    printf("the same results, bit for bit: %s\n", same ? "yes" : "NO");
    return same ? 0 : 1;
}
