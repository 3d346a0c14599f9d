/* train_fashion.c: the textbook's training run (section 5.7) on Fashion-MNIST.
 *
 *   ./train_fashion [iterations]   default 1800 (3 epochs); the textbook runs 10000
 *
 * A 784-50-10 network, SGD with learning rate 0.1 on batches of 100 images
 * drawn at random; after every epoch (600 batches, 60000 images) the accuracy
 * on the first 10000 training images and on the 10000 test images, and at the
 * end the test accuracy of each class.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fashion_mnist.h"
#include "two_layer_net.h"

enum { TRAIN = 60000, TEST = 10000, TRAIN_CHECK = 10000, HIDDEN = 50, BATCH = 100,
       D = FASHION_PIXELS };
static const double LEARNING_RATE = 0.1;

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? atoi(argv[1]) : 1800;
    if (iterations < 1) {
        fprintf(stderr, "usage: %s [iterations >= 1]\n", argv[0]);
        return 2;
    }
    FashionSet train, test;
    if (fashion_load(&train, "train", TRAIN) != 0 || fashion_load(&test, "t10k", TEST) != 0)
        return 1;

    TwoLayerNet net;
    if (two_layer_init(&net, FASHION_PIXELS, HIDDEN, FASHION_CLASSES, BATCH, 42) != 0) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    static double x[BATCH * D];
    static int t[BATCH];
    NetRng rng;
    net_rng_seed(&rng, 2026); /* the batches: the same on every run */
    const int per_epoch = TRAIN / BATCH;

    printf("%d iterations, batch %d, learning rate %g (%d iterations = 1 epoch)\n\n", iterations, BATCH,
           LEARNING_RATE, per_epoch);
    printf("epoch  iteration  loss    train acc  test acc\n");
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
        loss_sum += two_layer_forward(&net, x, t, BATCH);
        two_layer_backward(&net);
        sgd_step(&net, LEARNING_RATE);

        if (it % per_epoch == 0 || it == iterations) { /* after an epoch */
            int since = it % per_epoch ? it % per_epoch : per_epoch;
            double train_acc = two_layer_accuracy(&net, train.images,
                                                  train.labels, TRAIN_CHECK, NULL);
            double test_acc = two_layer_accuracy(&net, test.images,
                                                 test.labels, TEST, NULL);
            printf("%5.2f  %9d  %.4f  %8.2f%%  %7.2f%%\n", (double)it / per_epoch,
                   it, loss_sum / since, 100 * train_acc, 100 * test_acc);
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
    printf("\nclass            test acc\n");
    for (int k = 0; k < FASHION_CLASSES; k++)
        printf("%d %-12s  %6.1f%%\n", k, fashion_class_names[k], 100.0 * right[k] / total[k]);

    two_layer_free(&net);
    fashion_free(&train);
    fashion_free(&test);
    return 0;
}
