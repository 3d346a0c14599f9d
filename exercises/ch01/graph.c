/* graph.c: a computation graph as data, evaluated forward, walked backward. */
#include <stdio.h>
#include <stdlib.h>

#include "graph.h"

void graph_init(Graph *g)
{
    g->count = 0;
}

/* Append one node.  Its inputs must already be in the list: this is what
 * keeps the list in topological order. */
static int append(Graph *g, Op op, const char *name, int a, int b, double v)
{
    int k = g->count;
    int reads = op != OP_INPUT;
    int missing = reads && (a < 0 || a >= k || b < 0 || b >= k);
    if (k == GRAPH_MAX_NODES || missing) {
        fprintf(stderr, "graph: cannot add '%s': the graph is full, or an "
                        "input is not in it yet\n", name);
        abort();
    }
    g->nodes[k] = (Node){op, a, b, name, v};
    g->count = k + 1;
    return k;
}

int graph_input(Graph *g, const char *name, double value)
{
    return append(g, OP_INPUT, name, -1, -1, value);
}

int graph_add(Graph *g, const char *name, int a, int b)
{
    return append(g, OP_ADD, name, a, b, 0.0);
}

int graph_mul(Graph *g, const char *name, int a, int b)
{
    return append(g, OP_MUL, name, a, b, 0.0);
}

double graph_forward(Graph *g)
{
    for (int k = 0; k < g->count; k++) { /* front to back: inputs first */
        Node *node = &g->nodes[k];
        if (node->op == OP_INPUT)
            continue; /* its value was given when it was made */
        double a = g->nodes[node->a].value, b = g->nodes[node->b].value;
        node->value = node->op == OP_ADD ? a + b : a * b;
    }
    return g->nodes[g->count - 1].value;
}

void graph_local_grads(const Graph *g, int k, double *da, double *db)
{
    const Node *node = &g->nodes[k];
    if (node->op == OP_ADD) {        /* d(a + b)/da = 1,  d(a + b)/db = 1 */
        *da = 1.0;
        *db = 1.0;
    } else if (node->op == OP_MUL) { /* d(a * b)/da = b,  d(a * b)/db = a */
        *da = g->nodes[node->b].value;
        *db = g->nodes[node->a].value;
    } else {                         /* an input reads nothing */
        *da = 0.0;
        *db = 0.0;
    }
}

void graph_backward(const Graph *g, double dout, double *grad)
{
    /* TODO: the backward walk.
     * 1. Set every grad[i] to 0, then seed the output:
     *    grad[g->count - 1] = dout.
     * 2. Visit the nodes from the last to the first, skipping inputs
     *    (OP_INPUT).  At operation node k, get the local derivatives
     *    da and db from graph_local_grads, then add grad[k] * da to
     *    grad[node->a] and grad[k] * db to grad[node->b].
     * Add (+=), never assign: a value read twice gets a share from each
     * read. */
    (void)g; (void)dout; (void)grad;
    NOT_IMPLEMENTED();
}
