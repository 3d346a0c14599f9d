/* affine.c: the Affine layer, out = x W + b, for a batch of N rows. */
#include "affine.h"

// @snippet affine-forward
/* x: N x D, W: D x M, b: M, out: N x M.  out = x W + b */
void affine_forward(AffineLayer *layer, const double *x, int batch, double *out)
{
    const int N = batch, D = layer->in_size, M = layer->out_size;
    const double *W = layer->W, *b = layer->b;
    /* row n of out = b + the sum over i of x[n][i] times row i of W: the inner
     * loop walks along a row of W and a row of out, in memory order */
    for (int n = 0; n < N; n++) {
        for (int j = 0; j < M; j++)
            out[n * M + j] = b[j]; /* the same bias for every row */
        for (int i = 0; i < D; i++)
            for (int j = 0; j < M; j++)
                out[n * M + j] += x[n * D + i] * W[i * M + j];
    }
    layer->x = x; /* a pointer: the caller keeps x alive until backward */
    layer->batch = batch;
}
// @end affine-forward

// @snippet affine-backward
/* dout: N x M; dx = dout W^T: N x D (or NULL: not wanted);
 * dW = x^T dout: D x M; db = column sums: M */
void affine_backward(const AffineLayer *layer, const double *dout,
                     double *dx, double *dW, double *db)
{
    // @solution
    const int N = layer->batch, D = layer->in_size, M = layer->out_size;
    const double *x = layer->x, *W = layer->W;

    /* dx = dout W^T:  dx[n][i] = sum over j of dout[n][j] * W[i][j], row n
     * of dout against row i of W.  NULL: the caller has no use for it. */
    if (dx) {
        for (int n = 0; n < N; n++) {
            for (int i = 0; i < D; i++) {
                double sum = 0.0;
                for (int j = 0; j < M; j++)
                    sum += dout[n * M + j] * W[i * M + j]; /* W^T[j][i] */
                dx[n * D + i] = sum;
            }
        }
    }
    /* dW = x^T dout:  dW[i][j] = sum over n of x[n][i] * dout[n][j], so row i
     * of dW = the sum over n of x[n][i] times row n of dout: the inner loop
     * walks along a row of dW and a row of dout, in memory order */
    for (int i = 0; i < D; i++) {
        for (int j = 0; j < M; j++)
            dW[i * M + j] = 0.0;
        for (int n = 0; n < N; n++)
            for (int j = 0; j < M; j++)
                dW[i * M + j] += x[n * D + i] * dout[n * M + j];
    }
    /* db = the column sums of dout: b was added to every row */
    for (int j = 0; j < M; j++) {
        double sum = 0.0;
        for (int n = 0; n < N; n++)
            sum += dout[n * M + j];
        db[j] = sum;
    }
    // @stub
    // /* TODO: three gradients, each a few nested loops over the shapes above.
    //  *   dx = dout W^T    (N x D): dx[n][i] = sum over j of dout[n][j] * W[i][j]
    //  *   dW = x^T dout    (D x M): dW[i][j] = sum over n of x[n][i] * dout[n][j]
    //  *   db = column sums (M):     db[j]   = sum over n of dout[n][j]
    //  * Element (r, c) of an R x C array is at [r * C + c].  From the layer:
    //  * N = layer->batch, D = layer->in_size, M = layer->out_size, x = layer->x,
    //  * W = layer->W.  Overwrite every element of dx, dW and db; when dx is
    //  * NULL, the caller does not want dx: skip it. */
    // (void)layer; (void)dout; (void)dx; (void)dW; (void)db;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end affine-backward
