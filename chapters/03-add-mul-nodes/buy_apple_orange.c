/* buy_apple_orange.c: two apples at 100, three oranges at 150, 10% tax.
 *
 *   ./buy_apple_orange         prints the price and its six gradients
 *   ./buy_apple_orange --dot   prints the computation graph (Graphviz DOT)
 *                              with the very numbers computed below
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

    double apple = 100.0, apple_count = 2.0;
    double orange = 150.0, orange_count = 3.0;
    double tax = 1.1;

    // @snippet fruit-forward
    MulLayer mul_apple, mul_orange, mul_tax;
    AddLayer add_fruit;

    double apple_price = mul_forward(&mul_apple, apple, apple_count);
    double orange_price = mul_forward(&mul_orange, orange, orange_count);
    double fruit_price = add_forward(&add_fruit, apple_price, orange_price);
    double price = mul_forward(&mul_tax, fruit_price, tax);
    // @end fruit-forward

    // @snippet fruit-backward
    double dprice = 1.0;
    double dfruit_price, dtax, dapple_price, dorange_price;
    double dapple, dapple_count, dorange, dorange_count;

    mul_backward(&mul_tax, dprice, &dfruit_price, &dtax);
    add_backward(&add_fruit, dfruit_price, &dapple_price, &dorange_price);
    mul_backward(&mul_orange, dorange_price, &dorange, &dorange_count);
    mul_backward(&mul_apple, dapple_price, &dapple, &dapple_count);
    // @end fruit-backward

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "buy_apple_orange");
        int n_apple = dot_leaf(&g, "apple");
        int n_apple_count = dot_leaf(&g, "apple count");
        int n_orange = dot_leaf(&g, "orange");
        int n_orange_count = dot_leaf(&g, "orange count");
        int n_tax = dot_leaf(&g, "tax");
        int n_mul_apple = dot_op(&g, "×");
        int n_mul_orange = dot_op(&g, "×");
        int n_add = dot_op(&g, "+");
        int n_mul_tax = dot_op(&g, "×");
        int n_price = dot_leaf(&g, "price");
        dot_edge(&g, n_apple, n_mul_apple, apple, dapple);
        dot_edge(&g, n_apple_count, n_mul_apple, apple_count, dapple_count);
        dot_edge(&g, n_orange, n_mul_orange, orange, dorange);
        dot_edge(&g, n_orange_count, n_mul_orange, orange_count, dorange_count);
        dot_edge(&g, n_mul_apple, n_add, apple_price, dapple_price);
        dot_edge(&g, n_mul_orange, n_add, orange_price, dorange_price);
        dot_edge(&g, n_add, n_mul_tax, fruit_price, dfruit_price);
        dot_edge(&g, n_tax, n_mul_tax, tax, dtax);
        dot_edge(&g, n_mul_tax, n_price, price, dprice);
        dot_legend(&g, "forward value", "gradient of the price");
        dot_end(&g);
        return 0;
    }

    printf("price:          %g\n", price);
    printf("d apple:        %g\n", dapple);
    printf("d apple count:  %g\n", dapple_count);
    printf("d orange:       %g\n", dorange);
    printf("d orange count: %g\n", dorange_count);
    printf("d tax:          %g\n", dtax);
    return 0;
}
