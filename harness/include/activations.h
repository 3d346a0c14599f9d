/* activations.h: chapter 4, the ReLU and Sigmoid layers, on arrays.
 *
 * A layer takes a whole batch at once: N samples (rows) of D values each,
 * stored row-major in one array of n = N * D doubles, so that element (i, j)
 * is x[i * D + j].  An activation acts on every element on its own, so these
 * two layers only need n; chapter 5's layers use N and D.
 *
 * The cache now holds n values, so a layer owns memory:
 *   *_init      allocates the cache for n elements (0 on success, -1 if not);
 *   *_forward   reads x[0..n-1], writes out[0..n-1] and fills the cache;
 *   *_backward  reads dout[0..n-1] and the cache, writes dx[0..n-1];
 *               it never writes dout or the cache;
 *   *_free      releases the cache.
 */
#ifndef ACTIVATIONS_H
#define ACTIVATIONS_H

#include "workbook.h"

// @snippet relu-layer
/* out = max(0, x).  Backward only needs to know which elements were cut
 * off, so forward caches a mask: mask[i] = 1 where x[i] <= 0, else 0. */
typedef struct {
    int n;               /* elements in the batch, N * D */
    unsigned char *mask; /* n flags: 1 where x[i] <= 0 */
} ReluLayer;

/* allocates the mask for n elements; returns 0, or -1 if out of memory */
int relu_init(ReluLayer *layer, int n);
/* releases the mask */
void relu_free(ReluLayer *layer);
/* out[i] = x[i] > 0 ? x[i] : 0;  caches mask[i] = (x[i] <= 0) */
void relu_forward(ReluLayer *layer, const double *x, double *out);
/* dx[i] = mask[i] ? 0 : dout[i] */
void relu_backward(const ReluLayer *layer, const double *dout, double *dx);
// @end relu-layer

/* y = 1 / (1 + exp(-x)).  Its derivative y(1 - y) needs only the output,
 * so forward caches y. */
typedef struct {
    int n;       /* elements in the batch, N * D */
    double *out; /* n values: the output y of the last forward */
} SigmoidLayer;

/* allocates the cache for n elements; returns 0, or -1 if out of memory */
int sigmoid_init(SigmoidLayer *layer, int n);
/* releases the cache */
void sigmoid_free(SigmoidLayer *layer);
/* out[i] = 1 / (1 + exp(-x[i]));  caches a copy of out */
void sigmoid_forward(SigmoidLayer *layer, const double *x, double *out);
/* dx[i] = dout[i] * y[i] * (1 - y[i]),  y = the cached out */
void sigmoid_backward(const SigmoidLayer *layer, const double *dout,
                      double *dx);

#endif
