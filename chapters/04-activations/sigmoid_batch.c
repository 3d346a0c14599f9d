/* sigmoid_batch.c: a Sigmoid layer on a batch of 2 samples with 3 values
 * each, forward and backward in one node per element: dx = dout * y(1 - y).
 * Its first element, x = 1 with dout = 1, is the input of sigmoid_graph.
 *
 *   ./sigmoid_batch         prints x, y, dout and dx as 2 x 3 arrays
 *   ./sigmoid_batch --dot   prints the first element's graph (Graphviz DOT):
 *                           the sigmoid as a single node
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
            printf("%11g", v[i * D + j]); /* row i, column j */
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

    // @snippet sigmoid-run
    double x[N * D] = {1.0, 0.0, -1.0,
                       2.0, -3.0, 0.5};
    double dout[N * D] = {1.0, 0.5, -2.0,
                          1.5, 1.0, -0.4};
    double y[N * D], dx[N * D];

    SigmoidLayer sigmoid;
    if (sigmoid_init(&sigmoid, N * D) != 0)
        return 1;
    sigmoid_forward(&sigmoid, x, y);      /* caches y in sigmoid.out */
    sigmoid_backward(&sigmoid, dout, dx); /* dx = dout * y * (1 - y) */
    // @end sigmoid-run

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "sigmoid_batch");
        int nx = dot_leaf(&g, "x[0]");
        int op = dot_op(&g, "sigmoid");
        int ny = dot_leaf(&g, "y[0]");
        dot_edge(&g, nx, op, x[0], dx[0]);
        dot_edge(&g, op, ny, y[0], dout[0]);
        dot_legend(&g, "forward value", "gradient of L");
        dot_end(&g);
        sigmoid_free(&sigmoid);
        return 0;
    }

    printf("a batch of N = %d samples, D = %d values each, row-major\n\n", N, D);
    print_array("x", x);
    print_array("y = forward(x), cached", y);
    print_array("dout (from the layer above)", dout);
    print_array("dx = backward(dout)", dx);
    printf("\nfirst element: y(1 - y) = %g, times dout %g = dx %g\n", y[0] * (1 - y[0]), dout[0], dx[0]);
    sigmoid_free(&sigmoid);
    return 0;
}
