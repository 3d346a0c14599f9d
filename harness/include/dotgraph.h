/* dotgraph.h: an example program draws its own computation graph.
 *
 * The program computes its numbers with the real layers, then hands those
 * same numbers to these functions, which print Graphviz DOT; `dot -Tsvg`
 * turns that into the book's figure.  So a figure cannot disagree with the
 * code: it is drawn from the values the code just computed.
 *
 *     DotGraph g;
 *     dot_begin(&g, stdout, "buy_apple");
 *     int apple = dot_leaf(&g, "apple");          input: a plain text label
 *     int times = dot_op(&g, "×");                 operation: a circle
 *     int price = dot_leaf(&g, "price");          the result, on the right
 *     dot_edge(&g, apple, times, 100.0, 2.2);      forward value, gradient
 *     dot_edge(&g, times, price, 220.0, 1.0);
 *     dot_legend(&g, "forward value", "gradient of the price");
 *     dot_end(&g);
 *
 * Left to right: forward values ride on black arrows pointing right, the
 * gradients on dark red arrows pointing back, below them.  A node's output
 * may feed several consumers: give it one edge per consumer.
 */
#ifndef DOTGRAPH_H
#define DOTGRAPH_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

/* Pass DOT_NONE as an edge's gradient to draw the forward arrow alone
 * (a graph before backpropagation), or as its value to draw only the gradient. */
#define DOT_NONE NAN

typedef struct {
    FILE *out;
    int nodes;  /* node handles handed out so far */
    int digits; /* significant digits of numbers on edges (6 unless changed) */
} DotGraph;

/* Start a graph named `name` (letters, digits, '_') written to `out`. */
void dot_begin(DotGraph *g, FILE *out, const char *name);

/* A node drawn as plain text: an input such as "apple", or a result such as
 * "price" or "L".  Returns the node's handle for dot_edge. */
int dot_leaf(DotGraph *g, const char *label);

/* An operation node drawn as a circle: "×", "+", "exp", "1/x", "^2", "×(−1)". */
int dot_op(DotGraph *g, const char *symbol);

/* An edge from -> to: `value` above it in black, `grad` (the gradient of the
 * final output with respect to this value) below it in dark red.
 * Either may be DOT_NONE. */
void dot_edge(DotGraph *g, int from, int to, double value, double grad);

/* The same with text instead of numbers ("x", "∂L/∂z"); NULL leaves one out. */
void dot_edge_text(DotGraph *g, int from, int to, const char *value, const char *grad);

/* A one-line key under the graph: a black arrow with `value_text`, a red
 * one with `grad_text`.  Optional; call it at most once, before dot_end. */
void dot_legend(DotGraph *g, const char *value_text, const char *grad_text);

/* Close the graph. */
void dot_end(DotGraph *g);

/* Format v the way the book's text writes it: at most `digits` significant
 * digits, no trailing zeros, no "-0", a true minus sign (U+2212) and powers of
 * ten as 5.5 × 10⁻⁵.  So 220.00000000000003 becomes "220", 3.3000000000000003
 * "3.3", -0.3 "−0.3" and 5.5e-05 "5.5 × 10⁻⁵" (UTF-8: give buf 48 bytes).
 * Returns buf. */
char *dot_number(char *buf, size_t size, double v, int digits);

#endif
