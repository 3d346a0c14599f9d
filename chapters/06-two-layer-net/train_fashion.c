/* train_fashion.c: the textbook's training run (section 5.7) on Fashion-MNIST.
 *
 *   ./train_fashion [iterations]   default 1800 (3 epochs); the textbook runs 10000
 *   ./train_fashion --data FILE [iterations]
 *                                  the same, and the numbers behind the book's
 *                                  figures written to FILE (plain columns, see write_data)
 *
 * A 784-50-10 network, SGD with learning rate 0.1 on batches of 100 images
 * drawn at random; before training and after every epoch (600 batches, 60000
 * images) the accuracy on the first 10000 training images and on the 10000
 * test images, and at the end the test accuracy of each class.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fashion_mnist.h"
#include "two_layer_net.h"

enum { TRAIN = 60000, TEST = 10000, TRAIN_CHECK = 10000, HIDDEN = 50, BATCH = 100,
       D = FASHION_PIXELS };
static const double LEARNING_RATE = 0.1;
enum { SHOWN = 28 }; /* --data: the first SHOWN test images, with their predictions */

/* After `it` iterations: the accuracy on the first TRAIN_CHECK training images
 * and on the test images, one row of the table (mean_loss < 0: no batch yet),
 * and with --data one row of the accuracy plot's data. */
static void report(TwoLayerNet *net, const FashionSet *train, const FashionSet *test, int it,
                   double mean_loss, FILE *data)
{
    const int per_epoch = TRAIN / BATCH;
    double train_acc = two_layer_accuracy(net, train->images, train->labels, TRAIN_CHECK, NULL);
    double test_acc = two_layer_accuracy(net, test->images, test->labels, TEST, NULL);
    char loss[16] = "";
    if (mean_loss >= 0)
        snprintf(loss, sizeof loss, "%.4f", mean_loss);
    printf("%5.2f  %9d  %6s  %8.2f%%  %7.2f%%\n", (double)it / per_epoch, it, loss, 100 * train_acc,
           100 * test_acc);
    if (data)
        fprintf(data, "%.4f %d %.2f %.2f\n", (double)it / per_epoch, it, 100 * train_acc, 100 * test_acc);
}

/* --data: the rest of the figures' data, each block headed by a "# name: columns"
 * line and separated from the next by two blank lines (gnuplot's `index "name"`). */
static void write_data(FILE *data, const TwoLayerNet *net, const double *losses, int iterations,
                       const FashionSet *test, const int *predicted, const double *class_acc)
{
    fprintf(data, "\n\n# network: inputs hidden classes batch\n");
    fprintf(data, "%d %d %d %d\n", net->in_size, net->hidden_size, net->out_size, net->max_batch);
    fprintf(data, "\n\n# loss: iteration loss_of_its_batch\n");
    for (int it = 1; it <= iterations; it++)
        fprintf(data, "%d %.4f\n", it, losses[it - 1]);
    fprintf(data, "\n\n# classes: class name test_accuracy_percent\n");
    for (int k = 0; k < FASHION_CLASSES; k++)
        fprintf(data, "%d \"%s\" %.1f\n", k, fashion_class_names[k], class_acc[k]);
    fprintf(data, "\n\n# predictions: image label predicted label_name predicted_name\n");
    for (int i = 0; i < SHOWN; i++)
        fprintf(data, "%d %d %d \"%s\" \"%s\"\n", i, test->labels[i], predicted[i],
                fashion_class_names[test->labels[i]], fashion_class_names[predicted[i]]);
    fprintf(data, "\n\n# pixels: image row column grey_0_to_255\n");
    for (int i = 0; i < SHOWN; i++)
        for (int p = 0; p < D; p++)
            fprintf(data, "%d %d %d %.0f\n", i, p / 28, p % 28, 255 * test->images[(size_t)i * D + p]);
}

int main(int argc, char **argv)
{
    int iterations = 1800;
    FILE *data = NULL;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--data") == 0 && a + 1 < argc) {
            if (!(data = fopen(argv[++a], "w"))) {
                fprintf(stderr, "error: cannot write %s\n", argv[a]);
                return 1;
            }
        } else if ((iterations = atoi(argv[a])) < 1) {
            fprintf(stderr, "usage: %s [--data FILE] [iterations >= 1]\n", argv[0]);
            return 2;
        }
    }
    FashionSet train, test;
    if (fashion_load(&train, "train", TRAIN) != 0 || fashion_load(&test, "t10k", TEST) != 0)
        return 1;

    TwoLayerNet net;
    if (two_layer_init(&net, FASHION_PIXELS, HIDDEN, FASHION_CLASSES, BATCH, 42) != 0) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    double *losses = data ? malloc(sizeof(double) * (size_t)iterations) : NULL;
    if (data && !losses) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    if (data)
        fprintf(data, "# accuracy: epoch iteration train_accuracy_percent test_accuracy_percent\n");
    static double x[BATCH * D];
    static int t[BATCH];
    NetRng rng;
    net_rng_seed(&rng, 2026); /* the batches: the same on every run */
    const int per_epoch = TRAIN / BATCH;

    printf("%d iterations, batch %d, learning rate %g (%d iterations = 1 epoch)\n\n", iterations, BATCH,
           LEARNING_RATE, per_epoch);
    printf("epoch  iteration  loss    train acc  test acc\n");
    report(&net, &train, &test, 0, -1.0, data); /* before training: guessing */
    // @snippet train-loop
    double loss_sum = 0.0;
    for (int it = 1; it <= iterations; it++) {
        for (int n = 0; n < BATCH; n++) { /* a batch of random images */
            int k = net_rng_below(&rng, TRAIN);
            const double *image = train.images + (size_t)k * D;
            for (int i = 0; i < D; i++)
                x[n * D + i] = image[i];
            t[n] = train.labels[k];
        }
        double loss = two_layer_forward(&net, x, t, BATCH);
        two_layer_backward(&net);
        sgd_step(&net, LEARNING_RATE);
        loss_sum += loss;
        if (losses)
            losses[it - 1] = loss; /* --data: for the plot */

        if (it % per_epoch == 0 || it == iterations) { /* after an epoch */
            int since = it % per_epoch ? it % per_epoch : per_epoch;
            report(&net, &train, &test, it, loss_sum / since, data);
            loss_sum = 0.0;
        }
    }
    // @end train-loop

    static int predicted[TEST];
    two_layer_accuracy(&net, test.images, test.labels, TEST, predicted);
    int right[FASHION_CLASSES] = {0}, total[FASHION_CLASSES] = {0};
    for (int i = 0; i < TEST; i++) {
        total[test.labels[i]]++;
        right[test.labels[i]] += predicted[i] == test.labels[i];
    }
    double class_acc[FASHION_CLASSES];
    printf("\nclass            test acc\n");
    for (int k = 0; k < FASHION_CLASSES; k++) {
        class_acc[k] = 100.0 * right[k] / total[k];
        printf("%d %-12s  %6.1f%%\n", k, fashion_class_names[k], class_acc[k]);
    }
    if (data) {
        write_data(data, &net, losses, iterations, &test, predicted, class_acc);
        if (fclose(data) != 0) {
            fprintf(stderr, "error: the plots' data could not be written completely\n");
            return 1;
        }
    }
    free(losses);

    two_layer_free(&net);
    fashion_free(&train);
    fashion_free(&test);
    return 0;
}
