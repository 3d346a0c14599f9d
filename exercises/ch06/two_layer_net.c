/* two_layer_net.c: Affine -> ReLU -> Affine -> Softmax-with-Loss, and SGD. */
#include <math.h>
#include <stdlib.h>

#include "two_layer_net.h"

void net_rng_seed(NetRng *rng, unsigned long long seed)
{
    rng->state = seed;
}

/* splitmix64: the same numbers on every machine and compiler */
static unsigned long long next64(NetRng *rng)
{
    unsigned long long z = (rng->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double net_rng_uniform(NetRng *rng)
{
    return (double)(next64(rng) >> 11) * 0x1.0p-53; /* 53 random bits */
}

double net_rng_normal(NetRng *rng)
{
    double u1 = 1.0 - net_rng_uniform(rng); /* in (0, 1]: log(u1) is finite */
    double u2 = net_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

int net_rng_below(NetRng *rng, int n)
{
    return (int)(net_rng_uniform(rng) * n);
}

static double *zeros(int n)
{
    return calloc((size_t)n, sizeof(double));
}

enum { NET_ARRAYS = 15 };

/* the addresses of the network's 15 array pointers */
static void net_arrays(TwoLayerNet *net, double **arrays[NET_ARRAYS])
{
    double **all[NET_ARRAYS] = {&net->W1, &net->b1, &net->W2, &net->b2, &net->dW1, &net->db1,
                                &net->dW2, &net->db2, &net->a1, &net->h1, &net->scores, &net->y,
                                &net->dscores, &net->dh1, &net->da1};
    for (int k = 0; k < NET_ARRAYS; k++)
        arrays[k] = all[k];
}

static int all_allocated(TwoLayerNet *net)
{
    double **arrays[NET_ARRAYS];
    net_arrays(net, arrays);
    for (int k = 0; k < NET_ARRAYS; k++)
        if (!*arrays[k])
            return 0;
    return 1;
}

int two_layer_init(TwoLayerNet *net, int in_size, int hidden_size,
                   int out_size, int max_batch, unsigned long long seed)
{
    const int D = in_size, H = hidden_size, C = out_size, N = max_batch;
    *net = (TwoLayerNet){.in_size = D, .hidden_size = H, .out_size = C,
                         .max_batch = N};
    net->W1 = zeros(D * H), net->dW1 = zeros(D * H); /* parameters, gradients */
    net->b1 = zeros(H), net->db1 = zeros(H);
    net->W2 = zeros(H * C), net->dW2 = zeros(H * C);
    net->b2 = zeros(C), net->db2 = zeros(C);
    net->a1 = zeros(N * H), net->h1 = zeros(N * H); /* between the layers */
    net->scores = zeros(N * C), net->y = zeros(N * C);
    net->dscores = zeros(N * C), net->dh1 = zeros(N * H);
    net->da1 = zeros(N * H);
    if (relu_init(&net->relu, N * H) != 0 || !all_allocated(net)) {
        two_layer_free(net);
        return -1;
    }
    NetRng rng;
    net_rng_seed(&rng, seed);
    for (int i = 0; i < D * H; i++)
        net->W1[i] = 0.01 * net_rng_normal(&rng); /* biases stay 0 */
    for (int i = 0; i < H * C; i++)
        net->W2[i] = 0.01 * net_rng_normal(&rng);

    net->affine1 = (AffineLayer){.in_size = D, .out_size = H,
                                 .W = net->W1, .b = net->b1};
    net->affine2 = (AffineLayer){.in_size = H, .out_size = C,
                                 .W = net->W2, .b = net->b2};
    return 0;
}

void two_layer_free(TwoLayerNet *net)
{
    double **arrays[NET_ARRAYS];
    net_arrays(net, arrays);
    for (int k = 0; k < NET_ARRAYS; k++) {
        free(*arrays[k]);
        *arrays[k] = NULL;
    }
    relu_free(&net->relu);
}

/* x: N x D, t: N.  Returns the mean loss of the batch. */
double two_layer_forward(TwoLayerNet *net, const double *x, const int *t,
                         int batch)
{
    const int N = batch, H = net->hidden_size, C = net->out_size;
    net->batch = N;
    net->t = t;
    net->relu.n = N * H; /* the mask has room for max_batch rows */
    affine_forward(&net->affine1, x, N, net->a1);   /* x W1 + b1 */
    relu_forward(&net->relu, net->a1, net->h1);     /* max(0, a1) */
    affine_forward(&net->affine2, net->h1, N, net->scores); /* h1 W2 + b2 */
    return softmax_loss_forward(&net->last, net->scores, t, N, C, net->y);
}

double two_layer_accuracy(TwoLayerNet *net, const double *x, const int *t, int count, int *predicted)
{
    const int D = net->in_size, C = net->out_size;
    int correct = 0;
    for (int start = 0; start < count; start += net->max_batch) {
        int N = count - start < net->max_batch ? count - start : net->max_batch;
        two_layer_forward(net, x + (size_t)start * D, t + start, N);
        for (int n = 0; n < N; n++) {
            const double *row = net->scores + n * C;
            int best = 0; /* the class with the largest score */
            for (int k = 1; k < C; k++)
                if (row[k] > row[best])
                    best = k;
            correct += best == t[start + n];
            if (predicted)
                predicted[start + n] = best;
        }
    }
    return (double)correct / count;
}

/* dL/dL = 1, then the layers' backwards in reverse order */
void two_layer_backward(TwoLayerNet *net)
{
    /* TODO: four calls, from the loss back to the input; each layer's dx is
     * the next call's dout.
     *   softmax_loss_backward: net->last, dloss = 1, writes net->dscores
     *   affine_backward:       net->affine2, dout = net->dscores,
     *                          writes net->dh1, net->dW2, net->db2
     *   relu_backward:         net->relu, dout = net->dh1, writes net->da1
     *   affine_backward:       net->affine1, dout = net->da1, dx = NULL
     *                          (the input is data: nothing uses its
     *                          gradient), writes net->dW1, net->db1 */
    (void)net;
    NOT_IMPLEMENTED();
}

/* p -= lr * dp for W1, b1, W2, b2 */
void sgd_step(TwoLayerNet *net, double lr)
{
    /* TODO: for every element of the four parameters, step against its
     * gradient: W1[i] -= lr * dW1[i], and the same for b1, W2, b2.
     * Sizes: W1 is D x H, b1 H, W2 H x C, b2 C, with D = net->in_size,
     * H = net->hidden_size, C = net->out_size. */
    (void)net; (void)lr;
    NOT_IMPLEMENTED();
}
