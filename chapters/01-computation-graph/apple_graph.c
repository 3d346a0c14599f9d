/* apple_graph.c: two apples at 100 each plus 10% tax, as a graph of data.
 *
 *   ./apple_graph         evaluates the graph and prints every node
 *   ./apple_graph --dot   prints the graph (Graphviz DOT) with its values
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

    // @snippet apple-build
    Graph g;
    graph_init(&g);
    int apple = graph_input(&g, "apple", 100);
    int count = graph_input(&g, "apple count", 2);
    int tax = graph_input(&g, "tax", 1.1);
    int apple_price = graph_mul(&g, "apple price", apple, count);
    graph_mul(&g, "price", apple_price, tax); /* the last node is the output */

    double price = graph_forward(&g);
    // @end apple-build

    if (draw) {
        graph_draw(&g, NULL, 0, "apple_graph", "price", NULL);
        return 0;
    }
    graph_print(&g, NULL);
    printf("\nyou pay %g\n", price);
    return 0;
}
