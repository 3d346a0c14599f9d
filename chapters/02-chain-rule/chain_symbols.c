/* chain_symbols.c: the chain rule on the graph of z = (x + y)^2, in symbols.
 * Going back, each node multiplies what arrives by its own local derivative.
 *
 *   ./chain_symbols         prints the product that reaches each value
 *   ./chain_symbols --dot   prints the graph (Graphviz DOT) with them
 */
#include <stdio.h>
#include <string.h>

#include "dotgraph.h"

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    /* What flows back to each value: the product of the local derivatives
     * on the way from z to it, read right to left. */
    const char *at_z = "∂z/∂z";
    const char *at_t = "∂z/∂z · ∂z/∂t";
    const char *at_x = "∂z/∂z · ∂z/∂t · ∂t/∂x";
    const char *at_y = "∂z/∂z · ∂z/∂t · ∂t/∂y";

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "chain_symbols");
        int nx = dot_leaf(&g, "x"), ny = dot_leaf(&g, "y");
        int plus = dot_op(&g, "+"), sq = dot_op(&g, "^2");
        int nz = dot_leaf(&g, "z");
        dot_edge_text(&g, nx, plus, "x", at_x);
        dot_edge_text(&g, ny, plus, "y", at_y);
        dot_edge_text(&g, plus, sq, "t", at_t);
        dot_edge_text(&g, sq, nz, "z", at_z);
        dot_legend(&g, "forward",
                   "backward: local derivatives multiplied, right to left");
        dot_end(&g);
        return 0;
    }

    printf("reaching z:  %s = 1\n", at_z);
    printf("reaching t:  %s = 1 · 2t\n", at_t);
    printf("reaching x:  %s = 1 · 2t · 1 = 2(x + y)\n", at_x);
    printf("reaching y:  %s = 1 · 2t · 1 = 2(x + y)\n", at_y);
    return 0;
}
