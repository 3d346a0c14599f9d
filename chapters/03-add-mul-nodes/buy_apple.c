/* buy_apple.c: two apples at 100 each, plus 10% tax, forward and backward.
 *
 *   ./buy_apple         prints the price and its gradients
 *   ./buy_apple --dot   prints the computation graph (Graphviz DOT) with
 *                       the very numbers computed below
 */
#include <stdio.h>
#include <string.h>

#include "add_mul.h"
#include "dotgraph.h"

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet apple-forward
    double apple = 100.0, apple_count = 2.0, tax = 1.1;
    MulLayer mul_apple, mul_tax; /* one layer per node of the graph */

    double apple_price = mul_forward(&mul_apple, apple, apple_count);
    double price = mul_forward(&mul_tax, apple_price, tax);
    // @end apple-forward

    // @snippet apple-backward
    double dprice = 1.0; /* d price / d price */
    double dapple_price, dtax, dapple, dapple_count;

    /* the last node first, then the one before it */
    mul_backward(&mul_tax, dprice, &dapple_price, &dtax);
    mul_backward(&mul_apple, dapple_price, &dapple, &dapple_count);
    // @end apple-backward

    if (draw) {
        // @snippet apple-dot
        DotGraph g;
        dot_begin(&g, stdout, "buy_apple");
        int n_apple = dot_leaf(&g, "apple");
        int n_count = dot_leaf(&g, "apple count");
        int n_tax = dot_leaf(&g, "tax");
        int n_mul_apple = dot_op(&g, "×");
        int n_mul_tax = dot_op(&g, "×");
        int n_price = dot_leaf(&g, "price");
        dot_edge(&g, n_apple, n_mul_apple, apple, dapple);
        dot_edge(&g, n_count, n_mul_apple, apple_count, dapple_count);
        dot_edge(&g, n_mul_apple, n_mul_tax, apple_price, dapple_price);
        dot_edge(&g, n_tax, n_mul_tax, tax, dtax);
        dot_edge(&g, n_mul_tax, n_price, price, dprice);
        dot_legend(&g, "forward value", "gradient of the price");
        dot_end(&g);
        // @end apple-dot
        return 0;
    }

    // @snippet apple-print
    printf("price:         %g\n", price);
    printf("d apple:       %g\n", dapple);
    printf("d apple count: %g\n", dapple_count);
    printf("d tax:         %g\n", dtax);
    printf("\nprice to 17 significant digits: %.17g\n", price);
    // @end apple-print
    return 0;
}
