/* gradient_race.c: one gradient by numerical differentiation, and by backprop.
 *
 *   ./gradient_race [--data FILE]
 *
 * Networks 64-H-10 (8 x 8 "images") with H = 10 ... 100 hidden units, on a batch of 3 random
 * "images": the time to compute the gradient of the loss with respect to every
 * parameter, by central differences (two forward passes per parameter) and by
 * backpropagation (one forward pass and one backward pass for all of them).
 * Then the chapter's 784-50-10 network: backprop measured, the numerical
 * gradient estimated from one forward pass (it would take seconds).
 * --data FILE also writes the table as plain columns, for the book's plot.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "two_layer_net.h"

enum { D = 64, C = 10, N = 3, BIG_D = 784, BIG_H = 50 };
static const int HIDDEN[] = {10, 25, 50, 75, 100};
enum { SIZES = sizeof HIDDEN / sizeof HIDDEN[0] };

static const double STEP = 1e-5;       /* h of the central difference */
static const double ROUND = 0.005, MIN_SECONDS = 0.1; /* see seconds_per_call */

static double x[N * BIG_D];
static const int t[N] = {2, 7, 9};

/* The processor time this program has used, in seconds: unlike the clock on
 * the wall, it does not count the time other programs had the processor. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int parameters(const TwoLayerNet *net)
{
    int d = net->in_size, h = net->hidden_size, c = net->out_size;
    return d * h + h + h * c + c;
}

/* Every parameter's gradient by central differences, in the order
 * W1, b1, W2, b2: two forward passes per parameter. grad: parameters(net). */
static void numeric_gradient(TwoLayerNet *net, double *grad)
{
    int d = net->in_size, h = net->hidden_size, c = net->out_size;
    double *param[4] = {net->W1, net->b1, net->W2, net->b2};
    int size[4] = {d * h, h, h * c, c};
    int k = 0;
    for (int p = 0; p < 4; p++)
        for (int i = 0; i < size[p]; i++) {
            double keep = param[p][i];
            param[p][i] = keep + STEP;
            double plus = two_layer_forward(net, x, t, N);
            param[p][i] = keep - STEP;
            double minus = two_layer_forward(net, x, t, N);
            param[p][i] = keep;
            grad[k++] = (plus - minus) / (2 * STEP);
        }
}

/* Every parameter's gradient by backprop: left in dW1, db1, dW2, db2. */
static void backprop_gradient(TwoLayerNet *net, double *unused)
{
    (void)unused;
    two_layer_forward(net, x, t, N);
    two_layer_backward(net);
}

/* One forward pass alone (what the numerical gradient repeats). */
static void forward_only(TwoLayerNet *net, double *unused)
{
    (void)unused;
    two_layer_forward(net, x, t, N);
}

/* Seconds per call of work: rounds of calls, each at least ROUND seconds long,
 * at least three rounds and MIN_SECONDS in all; the fastest round's mean. (The
 * first round pays for cold caches, and other programs on the machine only
 * ever slow a round down.) */
static double seconds_per_call(void (*work)(TwoLayerNet *, double *), TwoLayerNet *net, double *grad)
{
    double best = INFINITY, total = 0.0;
    for (int round = 0; round < 3 || total < MIN_SECONDS; round++) {
        int calls = 0;
        double start = now(), elapsed;
        do {
            work(net, grad);
            calls++;
            elapsed = now() - start;
        } while (elapsed < ROUND);
        best = fmin(best, elapsed / calls);
        total += elapsed;
    }
    return best;
}

/* The largest |numeric - backprop| over all parameters. */
static double largest_difference(const TwoLayerNet *net, const double *grad)
{
    int d = net->in_size, h = net->hidden_size, c = net->out_size;
    const double *back[4] = {net->dW1, net->db1, net->dW2, net->db2};
    int size[4] = {d * h, h, h * c, c};
    double worst = 0.0;
    int k = 0;
    for (int p = 0; p < 4; p++)
        for (int i = 0; i < size[p]; i++)
            worst = fmax(worst, fabs(grad[k++] - back[p][i]));
    return worst;
}

/* The processor's name from /proc/cpuinfo (Linux), or "an unknown processor". */
static void processor_name(char *buf, size_t size)
{
    snprintf(buf, size, "an unknown processor");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon += strspn(colon + 1, " \t") + 1;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, size, "%s", colon);
            break;
        }
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    FILE *data = NULL;
    if (argc == 3 && strcmp(argv[1], "--data") == 0) {
        if (!(data = fopen(argv[2], "w"))) {
            fprintf(stderr, "error: cannot write %s\n", argv[2]);
            return 1;
        }
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [--data FILE]\n", argv[0]);
        return 2;
    }
    NetRng rng;
    net_rng_seed(&rng, 7);
    for (int i = 0; i < N * BIG_D; i++)
        x[i] = net_rng_uniform(&rng); /* "pixels" in [0, 1) */

    char cpu[200];
    processor_name(cpu, sizeof cpu);
    printf("measured on the machine that built the book: %s, one core\n\n", cpu);
    printf("one gradient of the loss, networks %d-H-%d, batch of %d:\n\n", D, C, N);
    printf("hidden  parameters  numerical   backprop  numerical / backprop  largest difference\n");
    if (data)
        fprintf(data, "# race: hidden parameters numerical_seconds backprop_seconds ratio\n");
    for (int s = 0; s < SIZES; s++) {
        TwoLayerNet net;
        double *grad = NULL;
        if (two_layer_init(&net, D, HIDDEN[s], C, N, 1) != 0 ||
            !(grad = malloc(sizeof(double) * (size_t)parameters(&net)))) {
            fprintf(stderr, "error: out of memory\n");
            return 1;
        }
        double numeric = seconds_per_call(numeric_gradient, &net, grad);
        double backprop = seconds_per_call(backprop_gradient, &net, NULL);
        printf("%6d  %10d  %6.1f ms  %6.1f µs  %20.0f  %18.0e\n", HIDDEN[s], parameters(&net), 1e3 * numeric,
               1e6 * backprop, numeric / backprop, largest_difference(&net, grad));
        if (data)
            fprintf(data, "%d %d %.6g %.6g %.6g\n", HIDDEN[s], parameters(&net), numeric, backprop,
                    numeric / backprop);
        free(grad);
        two_layer_free(&net);
    }

    TwoLayerNet big;
    if (two_layer_init(&big, BIG_D, BIG_H, C, N, 1) != 0) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    int p = parameters(&big);
    double forward = seconds_per_call(forward_only, &big, NULL);
    double backprop = seconds_per_call(backprop_gradient, &big, NULL);
    printf("\nthe chapter's %d-%d-%d network, %d parameters, batch of %d:\n", BIG_D, BIG_H, C, p, N);
    printf("  backprop   %.2f ms (measured)\n", 1e3 * backprop);
    printf("  numerical  %.1f s (estimated: %d forward passes of %.3f ms)\n", 2.0 * p * forward, 2 * p,
           1e3 * forward);
    if (data) {
        fprintf(data, "\n\n# chapter: input hidden classes parameters backprop_seconds numerical_seconds_estimated\n");
        fprintf(data, "%d %d %d %d %.6g %.6g\n", BIG_D, BIG_H, C, p, backprop, 2.0 * p * forward);
        fclose(data);
    }
    two_layer_free(&big);
    return 0;
}
