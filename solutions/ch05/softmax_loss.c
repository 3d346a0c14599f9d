/* softmax_loss.c: softmax followed by the cross-entropy loss, as one layer. */
#include <math.h>

#include "softmax_loss.h"

/* x: N x C, t: N, y: N x C.  y = softmax of each row; returns mean of -log y[n][t[n]] */
double softmax_loss_forward(SoftmaxWithLoss *layer, const double *x, const int *t,
                            int batch, int classes, double *y)
{
    const int N = batch, C = classes;
    double total = 0.0;
    for (int n = 0; n < N; n++) {
        const double *xn = x + n * C; /* row n */
        double *yn = y + n * C;
        // @snippet softmax-row
        double max = xn[0];
        for (int k = 1; k < C; k++)
            if (xn[k] > max)
                max = xn[k];
        double sum = 0.0;
        for (int k = 0; k < C; k++) {
            yn[k] = exp(xn[k] - max); /* every exponent <= 0: no overflow */
            sum += yn[k];
        }
        for (int k = 0; k < C; k++)
            yn[k] /= sum;
        // @end softmax-row
        // @snippet cross-entropy
        /* -log y[t] = -log(exp(x[t] - max) / sum) = log(sum) - (x[t] - max).
         * sum >= 1, so this is never log(0), and needs no 1e-7 guard. */
        total += log(sum) - (xn[t[n]] - max);
        // @end cross-entropy
    }
    // @snippet softmax-loss-cache
    layer->batch = N;
    layer->classes = C;
    layer->y = y; /* pointers: the caller keeps y and t alive until backward */
    layer->t = t;
    return total / N;
    // @end softmax-loss-cache
}

// @snippet softmax-loss-backward
/* dx: N x C.  dx = dloss * (y - onehot(t)) / N */
void softmax_loss_backward(const SoftmaxWithLoss *layer, double dloss,
                           double *dx)
{
    // @solution
    const int N = layer->batch, C = layer->classes;
    const double scale = dloss / N; /* the loss is a mean over N rows */
    for (int n = 0; n < N; n++) {
        for (int k = 0; k < C; k++) {
            /* t_nk: the one-hot label, never stored */
            double t_nk = (k == layer->t[n]) ? 1.0 : 0.0;
            dx[n * C + k] = scale * (layer->y[n * C + k] - t_nk);
        }
    }
    // @stub
    // /* TODO: for every row n and class k,
    //  *   dx[n][k] = dloss * (y[n][k] - t[n][k]) / N,
    //  * where t[n][k] is 1 when k is the label layer->t[n] and 0 otherwise.
    //  * From the layer: y = layer->y, N = layer->batch, C = layer->classes.
    //  * dx is N x C, like y. */
    // (void)layer; (void)dloss; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end softmax-loss-backward
