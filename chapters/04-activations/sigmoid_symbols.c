/* sigmoid_symbols.c: the sigmoid's graph with the gradient on each edge in
 * symbols: going back, each node multiplies by its local derivative.
 *
 *   ./sigmoid_symbols         prints what reaches each value
 *   ./sigmoid_symbols --dot   prints the graph (Graphviz DOT) with it
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

    /* What flows back to each value, the local derivatives collected right
     * to left: 1/x gives -y², +1 gives 1, exp gives exp(-x), ×(-1) gives -1. */
    const char *at_y = "∂L/∂y";
    const char *at_c = "−∂L/∂y y²";
    const char *at_b = "−∂L/∂y y²";
    const char *at_a = "−∂L/∂y y² exp(−x)";
    const char *at_x = "∂L/∂y y² exp(−x)";

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "sigmoid_symbols");
        /* five labelled arrows in a row: pack the ranks closer than usual so
         * that the chain fits the width of a page */
        fprintf(g.out, "    graph [ranksep=0.25];\n");
        int nx = dot_leaf(&g, "x");
        int n_neg = dot_op(&g, "×(−1)"), n_exp = dot_op(&g, "exp");
        int n_add = dot_op(&g, "+1"), n_rec = dot_op(&g, "1/x");
        int ny = dot_leaf(&g, "y");
        dot_edge_text(&g, nx, n_neg, "x", at_x);
        dot_edge_text(&g, n_neg, n_exp, "−x", at_a);
        dot_edge_text(&g, n_exp, n_add, "exp(−x)", at_b);
        dot_edge_text(&g, n_add, n_rec, "1 + exp(−x)", at_c);
        dot_edge_text(&g, n_rec, ny, "y", at_y);
        dot_legend(&g, "forward", "backward: local derivatives multiplied, right to left");
        dot_end(&g);
        return 0;
    }

    printf("reaching y:            %s\n", at_y);
    printf("reaching 1 + exp(−x):  %s        (1/x: times −y²)\n", at_c);
    printf("reaching exp(−x):      %s        (+1: times 1)\n", at_b);
    printf("reaching −x:           %s  (exp: times exp(−x))\n", at_a);
    printf("reaching x:            %s   (×(−1): times −1)\n", at_x);
    return 0;
}
