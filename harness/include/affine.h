/* affine.h: chapter 5, the Affine layer, out = x W + b, on a batch.
 *
 * Arrays are row-major doubles: a batch is N rows (one sample each) of D
 * numbers, element (n, i) at x[n * D + i].  W is D x M, element (i, j) at
 * W[i * M + j].  Shapes are given above every function.
 *
 * The layer does not own its arrays.  W and b belong to the caller (later,
 * to the network), and forward caches a *pointer* to its input x, not a
 * copy: x must stay alive and unchanged until backward has run.
 */
#ifndef AFFINE_H
#define AFFINE_H

#include "workbook.h"

// @snippet affine-layer
typedef struct {
    int in_size, out_size; /* D and M: set them, with W and b, before forward */
    const double *W;       /* D x M weights, the caller's */
    const double *b;       /* M biases, the caller's */
    const double *x;       /* cache: the last input, N x D (pointer, no copy) */
    int batch;             /* cache: N, the rows of that input */
} AffineLayer;

/* x: N x D, W: D x M, b: M, out: N x M.  out = x W + b (b added to every
 * row); caches x (the pointer) and N. */
void affine_forward(AffineLayer *layer, const double *x, int batch,
                    double *out);

/* dout: N x M, dx: N x D, dW: D x M, db: M.  dx = dout W^T, dW = x^T dout,
 * db = the column sums of dout (sum over the N rows).  Overwrites dx, dW,
 * db.  dx may be NULL: the caller has no use for it (a network's first
 * layer, whose x is the data), and it is not computed. */
void affine_backward(const AffineLayer *layer, const double *dout,
                     double *dx, double *dW, double *db);
// @end affine-layer

#endif
