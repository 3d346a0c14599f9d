/* local_computation.c: a basket of many things (4000 in all) and two apples,
 * plus 10% tax.  Each node sees only its own inputs.
 *
 *   ./local_computation         evaluates the graph and prints every node
 *   ./local_computation --dot   prints the graph (Graphviz DOT)
 */
#include <stdio.h>
#include <string.h>

#include "graph.h"
#include "graph_show.h"

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet local-build
    Graph g;
    graph_init(&g);
    int other = graph_input(&g, "other items", 4000); /* however computed */
    int apple = graph_input(&g, "apple", 100);
    int count = graph_input(&g, "apple count", 2);
    int tax = graph_input(&g, "tax", 1.1);
    int apple_price = graph_mul(&g, "apple price", apple, count);
    int basket = graph_add(&g, "basket", other, apple_price);
    graph_mul(&g, "price", basket, tax);

    double price = graph_forward(&g);
    // @end local-build

    if (draw) {
        graph_draw(&g, NULL, 0, "local_computation", "price", NULL);
        return 0;
    }
    graph_print(&g, NULL);
    printf("\nthe + node saw only %g and %g\n", g.nodes[other].value,
           g.nodes[apple_price].value);
    printf("the tax node saw only %g and %g\n", g.nodes[basket].value,
           g.nodes[tax].value);
    printf("you pay %g\n", price);
    return 0;
}
