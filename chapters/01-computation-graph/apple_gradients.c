/* apple_gradients.c: how much does the apple bill move when an input moves?
 * Once by the backward walk, once by nudging each input in turn.
 *
 *   ./apple_gradients         prints every node with its gradient, then the
 *                             numerical check and what it cost
 *   ./apple_gradients --dot   prints the graph (Graphviz DOT) with values
 *                             and gradients
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "graph_show.h"
#include "numdiff.h"

// @snippet apple-nudge
static Graph shop;           /* the apple graph, built in main */
static int nudged;           /* the input that price_with() changes */
static int forward_passes;   /* how often the whole graph was evaluated */

/* The price as a function of one input, the others fixed: the kind of
 * function numerical_diff needs. */
static double price_with(double value)
{
    Graph g = shop; /* a copy, so the nudge does not stick */
    g.nodes[nudged].value = value;
    forward_passes++;
    return graph_forward(&g);
}
// @end apple-nudge

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    graph_init(&shop);
    int apple = graph_input(&shop, "apple", 100);
    int count = graph_input(&shop, "apple count", 2);
    int tax = graph_input(&shop, "tax", 1.1);
    int apple_price = graph_mul(&shop, "apple price", apple, count);
    graph_mul(&shop, "price", apple_price, tax);

    // @snippet apple-backward-walk
    graph_forward(&shop);             /* values first: backward reads them */
    double grad[GRAPH_MAX_NODES];
    graph_backward(&shop, 1.0, grad); /* dout = d price / d price = 1 */
    // @end apple-backward-walk

    if (draw) {
        graph_draw(&shop, grad, 1.0, "apple_gradients", "price",
                   "gradient of the price");
        return 0;
    }

    graph_print(&shop, grad);

    // @snippet apple-numerical
    double h = 1e-4;
    int inputs[] = {apple, count, tax};
    printf("\nnudging one input at a time (h = %g):\n", h);
    for (int i = 0; i < 3; i++) {
        nudged = inputs[i];
        double at = shop.nodes[nudged].value;
        double slope = numerical_diff(price_with, at, h);
        printf("  d price / d %-12s = %g\n", shop.nodes[nudged].name, slope);
    }
    printf("forward passes: %d for the numerical check, "
           "1 for the backward walk\n", forward_passes);
    // @end apple-numerical
    return 0;
}
