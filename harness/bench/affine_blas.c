/* affine_blas.c: the Affine layer with its matrix products done by a BLAS, for
 * `make train BLAS=1` and `make bench`.
 *
 * The contract of harness/include/affine.h, the formulas of solutions/ch05/affine.c;
 * linked in place of that file (the rest of the network is the reference code), so
 * the two builds differ only here.  cblas_dgemm(order, transA, transB, m, n, k, alpha,
 * A, lda, B, ldb, beta, C, ldc) computes C = alpha op(A) op(B) + beta C, op(A) m x k,
 * op(B) k x n; row-major arrays, so the leading dimension of an R x C array is C, and a
 * block of columns c0.. of it starts at c0 with the same leading dimension.
 *
 * Debian's libopenblas-dev: kernels written for each processor's vector units.  Run
 * it single-threaded (OPENBLAS_NUM_THREADS=1, as make train and make bench do).
 */
#include <cblas.h>
#include <string.h>

#include "affine.h"

/* OpenBLAS has two ways to multiply.  A big product is first copied ("packed") into
 * blocks laid out for its kernel; a small one, m n k <= 100^3 on processors with
 * AVX-512, goes to kernels that read the matrices where they are.  The first layer's
 * products (100 x 784 x 50, 3.9 million multiply-adds) are big, and for them the
 * copying costs more than it saves: cut along D into blocks of at most SMALL, each a
 * product of its own, they run about 1.4 times faster here (measured by make bench's
 * GFLOP/s of the products; elsewhere it costs a few calls more, nothing else). */
enum { SMALL = 100 * 100 * 100 };

/* how many of D to take at a time so that one block, block x (the other two sizes), stays small */
static int block(int D, int others)
{
    int b = SMALL / others;
    return b < 1 ? 1 : b < D ? b : D;
}

/* x: N x D, W: D x M, b: M, out: N x M.  out = x W + b */
void affine_forward(AffineLayer *layer, const double *x, int batch, double *out)
{
    const int N = batch, D = layer->in_size, M = layer->out_size, step = block(D, N * M);
    for (int n = 0; n < N; n++) /* out = b in every row, */
        memcpy(out + n * M, layer->b, sizeof(double) * (size_t)M);
    for (int i = 0; i < D; i += step) { /* then out += x[:, i..] W[i.., :], block by block */
        int k = D - i < step ? D - i : step;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, M, k, 1.0, x + i, D, layer->W + i * M, M,
                    1.0, out, M);
    }
    layer->x = x; /* a pointer: the caller keeps x alive until backward */
    layer->batch = batch;
}

/* dout: N x M; dx = dout W^T: N x D (or NULL: not wanted); dW = x^T dout: D x M;
 * db = column sums: M */
void affine_backward(const AffineLayer *layer, const double *dout,
                     double *dx, double *dW, double *db)
{
    const int N = layer->batch, D = layer->in_size, M = layer->out_size, step = block(D, N * M);
    for (int i = 0; i < D; i += step) { /* rows i.. of W and dW, columns i.. of x and dx */
        int k = D - i < step ? D - i : step;
        if (dx) /* dx[:, i..] = dout W[i.., :]^T */
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, k, M, 1.0, dout, M, layer->W + i * M, M,
                        0.0, dx + i, D);
        /* dW[i.., :] = x[:, i..]^T dout */
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, M, N, 1.0, layer->x + i, D, dout, M, 0.0,
                    dW + i * M, M);
    }
    for (int j = 0; j < M; j++) /* db = the column sums of dout */
        db[j] = 0.0;
    for (int n = 0; n < N; n++)
        for (int j = 0; j < M; j++)
            db[j] += dout[n * M + j];
}
