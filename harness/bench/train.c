/* train.c: `make train` and `make bench`, the textbook's full training run (section 5.7).
 *
 *   train [--iterations N]       10000 by default: the textbook's recipe, with a
 *                                progress bar on stderr, then the accuracy and the time
 *   train --bench NAME [--iterations N]
 *                                one line for harness/workbook/bench.py: the processor
 *                                time of the training loop and of its fastest stretch of
 *                                CHUNK iterations, the test accuracy, and the GFLOP/s of
 *                                the matrix products alone (the fastest of a few runs)
 *
 * A 784-50-10 network on Fashion-MNIST, SGD with learning rate 0.1 on batches of 100
 * images drawn at random: the loop of chapters/06-two-layer-net/train_fashion.c, on the
 * reference solutions.  Linked with solutions/ch05/affine.c (the default build) or with
 * harness/bench/affine_blas.c (BLAS=1): the same loop, the same functions, another
 * Affine layer.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, isatty */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fashion_mnist.h"
#include "two_layer_net.h"

enum { TRAIN = 60000, TEST = 10000, TRAIN_CHECK = 10000, HIDDEN = 50, BATCH = 100,
       D = FASHION_PIXELS, C = FASHION_CLASSES, CHUNK = 50 };
static const double LEARNING_RATE = 0.1;

/* seconds on the wall clock (CLOCK_MONOTONIC) or of processor time this program has
 * used (CLOCK_PROCESS_CPUTIME_ID: not counting the time other programs had the
 * processor, so a busy machine disturbs the benchmark less) */
static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now(void)
{
    return seconds(CLOCK_MONOTONIC);
}
static double cpu(void)
{
    return seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* The floating-point operations of the matrix products of one iteration (a
 * product of an m x k and a k x n matrix: 2 m k n): x W1 and h1 W2 forward; dW2 =
 * h1^T dscores, dh1 = dscores W2^T and dW1 = x^T da1 backward (no dx for x). */
static double product_flops(int N)
{
    return 2.0 * N * ((double)D * HIDDEN + HIDDEN * C)          /* forward */
           + 2.0 * N * ((double)HIDDEN * C * 2 + D * HIDDEN);   /* backward */
}

/* "[#######.........]  iteration 3000/10000  loss 0.4521  12 s left" on one line of a
 * terminal (\r), or a line per epoch when stderr is a file. */
static void progress(int it, int iterations, double loss, double elapsed, int tty)
{
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = (int)((double)WIDTH * it / iterations);
    for (int k = 0; k < WIDTH; k++)
        bar[k] = k < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    double left = elapsed / it * (iterations - it);
    fprintf(stderr, "%s[%s]  iteration %5d/%d  loss %.4f  %4.0f s left%s", tty ? "\r" : "", bar, it,
            iterations, loss, left, tty && it < iterations ? "" : "\n");
}

/* The fewest seconds of `reps` rounds of the network's four matrix products on one
 * batch: affine1 and affine2 forward, affine2 and affine1 backward (no dx for x). */
static double time_products(TwoLayerNet *net, const double *x, int reps)
{
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double start = cpu();
        affine_forward(&net->affine1, x, BATCH, net->a1);
        affine_forward(&net->affine2, net->h1, BATCH, net->scores);
        affine_backward(&net->affine2, net->dscores, net->dh1, net->dW2, net->db2);
        affine_backward(&net->affine1, net->da1, NULL, net->dW1, net->db1);
        double t = cpu() - start;
        best = t < best ? t : best;
    }
    return best;
}

static int usage(const char *prog)
{
    fprintf(stderr, "usage: %s [--iterations N >= 1] [--bench NAME]\n", prog);
    return 2;
}

int main(int argc, char **argv)
{
    int iterations = 10000;
    const char *bench = NULL;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--iterations") && k + 1 < argc)
            iterations = atoi(argv[++k]);
        else if (!strcmp(argv[k], "--bench") && k + 1 < argc)
            bench = argv[++k];
        else
            return usage(argv[0]);
    }
    if (iterations < 1)
        return usage(argv[0]);

    double start = now();
    FashionSet train, test;
    if (fashion_load(&train, "train", TRAIN) != 0 || fashion_load(&test, "t10k", TEST) != 0)
        return 1;
    TwoLayerNet net;
    if (two_layer_init(&net, D, HIDDEN, C, BATCH, 42) != 0) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    static double x[BATCH * D];
    static int t[BATCH];
    NetRng rng;
    net_rng_seed(&rng, 2026); /* the batches: the same on every run */
    int tty = isatty(2), per_epoch = TRAIN / BATCH;
    if (!bench)
        printf("%d iterations, batch %d, learning rate %g, hidden %d: %.1f epochs of Fashion-MNIST\n",
               iterations, BATCH, LEARNING_RATE, HIDDEN, (double)iterations / per_epoch);
    fflush(stdout); /* before the progress bar on stderr */

    double loop_start = now(), loop_cpu = cpu(), last_shown = 0, loss = 0, loss_sum = 0;
    double chunk_start = loop_cpu, best_chunk = 1e30; /* processor time of CHUNK iterations */
    int since = 0;
    for (int it = 1; it <= iterations; it++) {
        for (int n = 0; n < BATCH; n++) { /* a batch of random images */
            int k = net_rng_below(&rng, TRAIN);
            memcpy(x + n * D, train.images + (size_t)k * D, sizeof(double) * D);
            t[n] = train.labels[k];
        }
        loss = two_layer_forward(&net, x, t, BATCH);
        two_layer_backward(&net);
        sgd_step(&net, LEARNING_RATE);
        loss_sum += loss, since++;
        if (it % CHUNK == 0) {
            double t = cpu();
            best_chunk = t - chunk_start < best_chunk ? t - chunk_start : best_chunk;
            chunk_start = t;
        }
        if (!bench) {
            double elapsed = now() - loop_start;
            if (it == iterations || (tty ? elapsed - last_shown > 0.2 : it % per_epoch == 0)) {
                progress(it, iterations, loss_sum / since, elapsed, tty);
                last_shown = elapsed, loss_sum = 0, since = 0;
            }
        }
    }
    double loop_seconds = now() - loop_start, loop_cpu_seconds = cpu() - loop_cpu;
    double test_acc = two_layer_accuracy(&net, test.images, test.labels, TEST, NULL);

    if (bench) {
        double products = time_products(&net, x, 50); /* on the last batch */
        printf("%s iterations=%d seconds=%.6f best_per_s=%.3f test_acc=%.4f loss=%.4f "
               "product_gflops=%.3f\n", bench, iterations, loop_cpu_seconds,
               best_chunk < 1e30 ? CHUNK / best_chunk : iterations / loop_cpu_seconds, test_acc, loss,
               product_flops(BATCH) / products / 1e9);
    } else {
        double train_acc = two_layer_accuracy(&net, train.images, train.labels, TRAIN_CHECK, NULL);
        printf("train accuracy %.2f%% (first %d images), test accuracy %.2f%%\n", 100 * train_acc,
               TRAIN_CHECK, 100 * test_acc);
        printf("training loop %.1f s (%.0f iterations/s; %.1f s of processor time), %.1f s in all\n",
               loop_seconds, iterations / loop_seconds, loop_cpu_seconds, now() - start);
    }
    two_layer_free(&net);
    fashion_free(&train);
    fashion_free(&test);
    return 0;
}
