/* softmax_loss.h: chapter 5, softmax and the cross-entropy loss as one layer.
 *
 * x holds N rows of C scores (row-major, element (n, k) at x[n * C + k]);
 * the labels t are N class indices, each in 0 .. C-1 (not one-hot rows).
 * The loss is the mean over the batch:
 *     y = softmax(x) row by row,   L = -(1/N) sum_n log y[n][t[n]].
 *
 * Like AffineLayer, the layer keeps pointers, not copies: y is the caller's
 * array (forward's last argument) and t the caller's labels.  Both must stay
 * alive and unchanged until backward has run.
 */
#ifndef SOFTMAX_LOSS_H
#define SOFTMAX_LOSS_H

#include "workbook.h"

// @snippet softmax-loss-layer
typedef struct {
    int batch, classes; /* cache: N and C of the last forward */
    const double *y;    /* cache: N x C, the softmax output forward wrote */
    const int *t;       /* cache: N labels, class indices */
} SoftmaxWithLoss;

/* x: N x C, t: N, y: N x C (written).  y = softmax of each row of x (its
 * maximum subtracted first); returns L = mean of -log y[n][t[n]]; caches
 * y, t, N, C. */
double softmax_loss_forward(SoftmaxWithLoss *layer, const double *x,
                            const int *t, int batch, int classes, double *y);

/* dx: N x C.  dx = dloss * (y - onehot(t)) / N, where dloss, dL_total/dL,
 * is the upstream gradient (1 when L is the final output). */
void softmax_loss_backward(const SoftmaxWithLoss *layer, double dloss,
                           double *dx);
// @end softmax-loss-layer

#endif
