/* sigmoid_graph.c: the sigmoid y = 1 / (1 + exp(-x)) at x = 1, built from
 * chapter 2's four nodes, forward and backward, with each node's local
 * derivative, and the result beside the short formula y(1 - y).
 *
 *   ./sigmoid_graph         prints every value, local derivative and gradient
 *   ./sigmoid_graph --dot   prints the graph (Graphviz DOT) with those numbers
 */
#include <stdio.h>
#include <string.h>

#include "dotgraph.h"
#include "unary.h"

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet sigmoid-nodes-forward
    double x = 1.0;
    ScaleNode negate = {-1.0};
    ExpNode exp_node;
    AddConstNode plus_one = {1.0};
    ReciprocalNode reciprocal;

    double a = scale_forward(&negate, x);       /* -x */
    double b = exp_forward(&exp_node, a);       /* exp(-x) */
    double c = add_const_forward(&plus_one, b); /* 1 + exp(-x) */
    double y = reciprocal_forward(&reciprocal, c); /* 1 / (1 + exp(-x)) */
    // @end sigmoid-nodes-forward

    // @snippet sigmoid-nodes-backward
    double dy = 1.0; /* dL/dy, from whatever comes after the sigmoid */
    double dc, db, da, dx;
    reciprocal_backward(&reciprocal, dy, &dc); /* the last node first */
    add_const_backward(&plus_one, dc, &db);
    exp_backward(&exp_node, db, &da);
    scale_backward(&negate, da, &dx);          /* dx = dL/dx */
    // @end sigmoid-nodes-backward

    /* Each node's local derivative: its backward with an upstream gradient of 1. */
    double local[4];
    reciprocal_backward(&reciprocal, 1.0, &local[0]);
    add_const_backward(&plus_one, 1.0, &local[1]);
    exp_backward(&exp_node, 1.0, &local[2]);
    scale_backward(&negate, 1.0, &local[3]);

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "sigmoid_graph");
        /* five labelled arrows in a row: pack the ranks closer than usual so
         * that the chain fits the width of a page */
        fprintf(g.out, "    graph [ranksep=0.25];\n");
        int nx = dot_leaf(&g, "x");
        int n_neg = dot_op(&g, "×(−1)"), n_exp = dot_op(&g, "exp");
        int n_add = dot_op(&g, "+1"), n_rec = dot_op(&g, "1/x");
        int ny = dot_leaf(&g, "y");
        dot_edge(&g, nx, n_neg, x, dx);
        dot_edge(&g, n_neg, n_exp, a, da);
        dot_edge(&g, n_exp, n_add, b, db);
        dot_edge(&g, n_add, n_rec, c, dc);
        dot_edge(&g, n_rec, ny, y, dy);
        dot_legend(&g, "forward value", "gradient of L");
        dot_end(&g);
        return 0;
    }

    printf("forward, left to right, at x = %g\n", x);
    printf("  x(-1):  %-10g -> %g\n", x, a);
    printf("  exp:    %-10g -> %g\n", a, b);
    printf("  +1:     %-10g -> %g\n", b, c);
    printf("  1/x:    %-10g -> %g = y\n", c, y);
    printf("\nbackward, right to left, from dL/dy = %g\n", dy);
    printf("  node    local derivative      gradient passed on\n");
    printf("  1/x:    -y^2    = %-10g  %g\n", local[0], dc);
    printf("  +1:     1       = %-10g  %g\n", local[1], db);
    printf("  exp:    exp(-x) = %-10g  %g\n", local[2], da);
    printf("  x(-1):  -1      = %-10g  %g = dL/dx\n", local[3], dx);
    printf("\ny (1 - y) = %g\n", y * (1 - y));
    return 0;
}
