/* two_layer_net.h: chapter 6, a two-layer network built from chapters 4 and 5.
 *
 *     x --Affine(W1, b1)--> a1 --ReLU--> h1 --Affine(W2, b2)--> scores
 *       --Softmax-with-Loss(t)--> L
 *
 * D inputs, H hidden units, C classes (784, 50, 10 for Fashion-MNIST).
 * Arrays are row-major doubles as in chapter 5: a batch x is N x D, W1 is
 * D x H, b1 is H, W2 is H x C, b2 is C.  The network owns every array:
 * two_layer_init allocates them for batches of up to max_batch rows.
 */
#ifndef TWO_LAYER_NET_H
#define TWO_LAYER_NET_H

#include "activations.h"
#include "affine.h"
#include "softmax_loss.h"
#include "workbook.h"

/* A small seeded random generator (splitmix64), so that a run can be
 * repeated exactly on any machine. */
typedef struct {
    unsigned long long state;
} NetRng;

void net_rng_seed(NetRng *rng, unsigned long long seed);
/* a number uniform in [0, 1) */
double net_rng_uniform(NetRng *rng);
/* a number from the standard normal distribution (Box-Muller) */
double net_rng_normal(NetRng *rng);
/* an integer uniform in 0 .. n-1 */
int net_rng_below(NetRng *rng, int n);

// @snippet net-struct
typedef struct {
    int in_size, hidden_size, out_size; /* D, H, C */
    int max_batch; /* the largest N forward accepts */
    int batch;     /* cache: N of the last forward */

    double *W1, *b1, *W2, *b2;     /* D x H, H, H x C, C */
    double *dW1, *db1, *dW2, *db2; /* their gradients, same shapes */

    AffineLayer affine1, affine2; /* point at W1, b1 and W2, b2 */
    ReluLayer relu;  /* mask for max_batch x H; forward sets n = N x H */
    SoftmaxWithLoss last;

    double *a1, *h1;      /* forward: N x H, N x H */
    double *scores, *y;   /* forward: N x C, N x C */
    const int *t;         /* cache: the labels of the last forward */
    double *dscores;      /* backward: N x C */
    double *dh1, *da1;    /* backward: N x H, N x H (no dx: x is data) */
} TwoLayerNet;
// @end net-struct

/* Allocates everything; W1, W2 = 0.01 x standard normal (from seed), b1 and
 * b2 = 0, every gradient and work array 0.  Returns 0, or -1 if out of
 * memory. */
int two_layer_init(TwoLayerNet *net, int in_size, int hidden_size,
                   int out_size, int max_batch, unsigned long long seed);
void two_layer_free(TwoLayerNet *net);

/* x: N x D, t: N labels in 0 .. C-1, N <= max_batch.  Runs the four layers
 * forward and returns the loss L (the mean over the batch).  x and t must stay
 * alive and unchanged until two_layer_backward has run. */
double two_layer_forward(TwoLayerNet *net, const double *x, const int *t,
                         int batch);

/* x: count x D, t: count, predicted: count (or NULL).  The fraction of rows
 * whose largest score is at their label, in batches of max_batch rows; writes
 * each row's predicted class when predicted is not NULL. */
double two_layer_accuracy(TwoLayerNet *net, const double *x, const int *t,
                          int count, int *predicted);

/* After two_layer_forward: the gradient of L with respect to every parameter,
 * dL/dL = 1 sent back through the four layers in reverse order.  Overwrites
 * dW1, db1, dW2, db2 (and the backward values).  Never changes a parameter.
 * The first Affine layer's dx is not computed: x is the data, not learned. */
void two_layer_backward(TwoLayerNet *net);

/* One step of stochastic gradient descent: p -= lr * dp for every element of
 * W1, b1, W2, b2. */
void sgd_step(TwoLayerNet *net, double lr);

#endif
