/* fruit_graph.c: two apples at 100, three oranges at 150, 10% tax.
 *
 *   ./fruit_graph         evaluates the graph and prints every node
 *   ./fruit_graph --dot   prints the graph (Graphviz DOT) with its values
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

    // @snippet fruit-build
    Graph g;
    graph_init(&g);
    int apple = graph_input(&g, "apple", 100);
    int apple_count = graph_input(&g, "apple count", 2);
    int orange = graph_input(&g, "orange", 150);
    int orange_count = graph_input(&g, "orange count", 3);
    int tax = graph_input(&g, "tax", 1.1);
    int apple_price = graph_mul(&g, "apple price", apple, apple_count);
    int orange_price = graph_mul(&g, "orange price", orange, orange_count);
    int fruit_price = graph_add(&g, "fruit price", apple_price, orange_price);
    graph_mul(&g, "price", fruit_price, tax);

    double price = graph_forward(&g);
    // @end fruit-build

    if (draw) {
        graph_draw(&g, NULL, 0, "fruit_graph", "price", NULL);
        return 0;
    }
    graph_print(&g, NULL);
    printf("\nyou pay %g\n", price);
    return 0;
}
