/* graph.h: chapter 1, a computation graph as data.
 *
 * A graph is a list of nodes in topological order: every node reads only
 * nodes that come before it in the list, so walking the list from the front
 * always finds a node's inputs ready.  The last node is the graph's output.
 *
 *     Graph g;
 *     graph_init(&g);
 *     int apple = graph_input(&g, "apple", 100);
 *     int count = graph_input(&g, "apple count", 2);
 *     int cost  = graph_mul(&g, "apple price", apple, count);
 *     graph_forward(&g);                         g.nodes[cost].value is 200
 */
#ifndef GRAPH_H
#define GRAPH_H

#include "workbook.h"

// @snippet graph-types
#define GRAPH_MAX_NODES 32

/* What a node does with its inputs. */
typedef enum {
    OP_INPUT, /* no inputs: a value given from outside (a price, a count) */
    OP_ADD,   /* value = a + b */
    OP_MUL    /* value = a * b */
} Op;

typedef struct {
    Op op;
    int a, b;         /* the nodes it reads, by index (-1 for an input) */
    const char *name; /* what the value means: "apple price" */
    double value;     /* given for an input; set by graph_forward otherwise */
} Node;

typedef struct {
    int count;                   /* nodes in use: nodes[0 .. count-1] */
    Node nodes[GRAPH_MAX_NODES]; /* topological order; the last is the output */
} Graph;
// @end graph-types

/* An empty graph. */
void graph_init(Graph *g);

/* Append a node and return its index.  The inputs a and b must already be in
 * the graph (and may be the same node: x * x). */
int graph_input(Graph *g, const char *name, double value);
int graph_add(Graph *g, const char *name, int a, int b);
int graph_mul(Graph *g, const char *name, int a, int b);

/* Sets nodes[k].value of every operation node, front to back;
 * returns the output's value. */
double graph_forward(Graph *g);

/* d(node k)/d(its input a) and d(node k)/d(its input b), from the values
 * graph_forward stored: add gives 1 and 1, mul gives b's value and a's. */
void graph_local_grads(const Graph *g, int k, double *da, double *db);

/* grad[i] = dL/d(nodes[i].value) for L = dout * (the output's value);
 * grad has g->count entries. */
void graph_backward(const Graph *g, double dout, double *grad);

#endif
