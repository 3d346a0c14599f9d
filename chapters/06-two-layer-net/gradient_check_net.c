/* gradient_check_net.c: the textbook's gradient check of the whole network.
 *
 *   ./gradient_check_net   backprop against central differences for a
 *                          784-50-10 network on 3 random "images"
 *
 * Every element of b1, W2 and b2 is checked, and 300 elements of W1 chosen at
 * random (all 39200 would take 80000 forward passes).
 */
#include <math.h>
#include <stdio.h>

#include "two_layer_net.h"

enum { D = 784, H = 50, C = 10, N = 3, W1_SAMPLES = 300 };

static const double STEP = 1e-5; /* h of the central difference */

static TwoLayerNet net;
static double x[N * D];
static int t[N] = {2, 7, 9};

// @snippet net-numeric
/* The central difference of the loss with respect to one parameter p[i]. */
static double numeric(double *p, int i)
{
    double keep = p[i];
    p[i] = keep + STEP;
    double plus = two_layer_forward(&net, x, t, N);
    p[i] = keep - STEP;
    double minus = two_layer_forward(&net, x, t, N);
    p[i] = keep;
    return (plus - minus) / (2 * STEP);
}
// @end net-numeric

/* the mean |backprop - numeric| over the chosen elements of one parameter */
static void report(const char *name, double *p, const double *grad, int size, const int *which, int count)
{
    double sum = 0.0, worst = 0.0;
    for (int k = 0; k < count; k++) {
        int i = which ? which[k] : k;
        double diff = fabs(grad[i] - numeric(p, i));
        sum += diff;
        worst = fmax(worst, diff);
    }
    printf("  %-3s %5d of %5d   mean %.1e   largest %.1e\n", name, count, size, sum / count, worst);
}

int main(void)
{
    if (two_layer_init(&net, D, H, C, N, 1) != 0) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    NetRng rng;
    net_rng_seed(&rng, 7);
    for (int i = 0; i < N * D; i++)
        x[i] = net_rng_uniform(&rng); /* "pixels" in [0, 1) */

    two_layer_forward(&net, x, t, N);
    two_layer_backward(&net); /* fills dW1, db1, dW2, db2 */
    static double dW1[D * H], db1[H], dW2[H * C], db2[C];
    for (int i = 0; i < D * H; i++) /* keep them: numeric() runs forward again */
        dW1[i] = net.dW1[i];
    for (int i = 0; i < H; i++)
        db1[i] = net.db1[i];
    for (int i = 0; i < H * C; i++)
        dW2[i] = net.dW2[i];
    for (int i = 0; i < C; i++)
        db2[i] = net.db2[i];

    int which[W1_SAMPLES];
    for (int k = 0; k < W1_SAMPLES; k++)
        which[k] = net_rng_below(&rng, D * H);

    printf("network %d-%d-%d, batch of %d, h = %g\n", D, H, C, N, STEP);
    printf("|backprop - numeric| per parameter:\n");
    report("W1", net.W1, dW1, D * H, which, W1_SAMPLES);
    report("b1", net.b1, db1, H, NULL, H);
    report("W2", net.W2, dW2, H * C, NULL, H * C);
    report("b2", net.b2, db2, C, NULL, C);
    two_layer_free(&net);
    return 0;
}
