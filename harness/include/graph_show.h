/* graph_show.h: print and draw a chapter 1 Graph (for the example programs).
 *
 * Both read only the Graph's data (and, if given, the gradients from
 * graph_backward), so the table and the figure show exactly what the code
 * computed.  Header-only (static inline) because only the examples use it:
 * the grader never links dotgraph.c.
 */
#ifndef GRAPH_SHOW_H
#define GRAPH_SHOW_H

#include <stdio.h>

#include "dotgraph.h"
#include "graph.h"

static inline const char *graph_op_symbol(Op op)
{
    return op == OP_ADD ? "+" : op == OP_MUL ? "×" : "";
}

/* One line per node: index, name, value, gradient (if grad is not NULL), and
 * what the node computes from which nodes. */
static inline void graph_print(const Graph *g, const double *grad)
{
    printf("  #  %-14s %8s", "node", "value");
    if (grad)
        printf(" %9s", "gradient");
    printf("  computed as\n");
    for (int k = 0; k < g->count; k++) {
        const Node *node = &g->nodes[k];
        printf("%3d  %-14s %8g", k, node->name, node->value);
        if (grad)
            printf(" %9g", grad[k]);
        if (node->op == OP_INPUT)
            printf("  (input)\n");
        else
            printf("  %s %s %s\n", g->nodes[node->a].name, graph_op_symbol(node->op), g->nodes[node->b].name);
    }
}

/* The graph as Graphviz DOT on stdout: inputs as text, operations as circles,
 * one arrow per (producer, reader) pair carrying the producer's value, and the
 * output flowing into a text node labelled `result`.  With grad (and the seed
 * dout) each arrow also carries, in red, what flows back along it: the
 * reader's gradient times its local derivative.  A value read once gets all of
 * its gradient from that one arrow; a value read twice gets the sum of two. */
static inline void graph_draw(const Graph *g, const double *grad, double dout, const char *name,
                              const char *result, const char *grad_legend)
{
    DotGraph d;
    int handle[GRAPH_MAX_NODES];
    dot_begin(&d, stdout, name);
    for (int k = 0; k < g->count; k++) {
        const Node *node = &g->nodes[k];
        handle[k] = node->op == OP_INPUT ? dot_leaf(&d, node->name) : dot_op(&d, graph_op_symbol(node->op));
    }
    int out = dot_leaf(&d, result);
    for (int k = 0; k < g->count; k++) {
        const Node *node = &g->nodes[k];
        if (node->op == OP_INPUT)
            continue;
        double da, db;
        graph_local_grads(g, k, &da, &db);
        dot_edge(&d, handle[node->a], handle[k], g->nodes[node->a].value, grad ? grad[k] * da : DOT_NONE);
        dot_edge(&d, handle[node->b], handle[k], g->nodes[node->b].value, grad ? grad[k] * db : DOT_NONE);
    }
    int last = g->count - 1;
    dot_edge(&d, handle[last], out, g->nodes[last].value, grad ? dout : DOT_NONE);
    dot_legend(&d, "forward value", grad ? grad_legend : NULL);
    dot_end(&d);
}

#endif
