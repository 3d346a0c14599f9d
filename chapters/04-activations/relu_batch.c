/* relu_batch.c: a ReLU layer on a batch of 2 samples with 3 values each,
 * forward and backward, with the mask that connects the two.
 *
 *   ./relu_batch         prints x, the mask, out, dout and dx as 2 x 3 arrays
 *   ./relu_batch --dot   prints the graph (Graphviz DOT): one ReLU per element,
 *                        with the very numbers computed below
 */
#include <stdio.h>
#include <string.h>

#include "activations.h"
#include "dotgraph.h"

enum { N = 2, D = 3 }; /* N samples (rows) of D values: n = N * D elements */

static void print_array(const char *name, const double *v)
{
    printf("%s\n", name);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < D; j++)
            printf("%8g", v[i * D + j]); /* row i, column j */
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet relu-run
    double x[N * D] = {1.0, -0.5, 0.0,   /* sample 0 */
                       -2.0, 3.0, 0.25}; /* sample 1 */
    double dout[N * D] = {0.5, 2.0, -1.0,
                          1.5, -0.3, 0.8};
    double out[N * D], dx[N * D];

    ReluLayer relu;
    if (relu_init(&relu, N * D) != 0)
        return 1;
    relu_forward(&relu, x, out);   /* fills relu.mask */
    relu_backward(&relu, dout, dx); /* reads it */
    // @end relu-run

    double mask[N * D];
    for (int i = 0; i < N * D; i++)
        mask[i] = relu.mask[i];

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "relu_batch");
        for (int i = N * D - 1; i >= 0; i--) { /* dot stacks them bottom up: x[0] on top */
            char in[32], res[32];
            snprintf(in, sizeof in, "x[%d]", i);
            snprintf(res, sizeof res, "out[%d]", i);
            int nx = dot_leaf(&g, in);
            int op = dot_op(&g, relu.mask[i] ? "ReLU\nmask 1" : "ReLU\nmask 0");
            int ny = dot_leaf(&g, res);
            dot_edge(&g, nx, op, x[i], dx[i]);
            dot_edge(&g, op, ny, out[i], dout[i]);
        }
        dot_legend(&g, "forward value", "gradient of L");
        dot_end(&g);
        relu_free(&relu);
        return 0;
    }

    printf("a batch of N = %d samples, D = %d values each, row-major\n\n", N, D);
    print_array("x", x);
    print_array("mask = (x <= 0)", mask);
    print_array("out = forward(x)", out);
    print_array("dout (from the layer above)", dout);
    print_array("dx = backward(dout)", dx);
    relu_free(&relu);
    return 0;
}
