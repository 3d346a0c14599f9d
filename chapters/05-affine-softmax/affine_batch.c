/* affine_batch.c: an Affine layer on a batch of two samples, forward and back.
 *
 *   ./affine_batch         prints every array with its shape
 *   ./affine_batch --dot   prints the layer's graph (Graphviz DOT), each
 *                          arrow labelled with the shape of what it carries
 */
#include <stdio.h>
#include <string.h>

#include "affine.h"
#include "dotgraph.h"

/* a: rows x cols, printed one row a line under its name and shape */
static void print_matrix(const char *name, const double *a, int rows, int cols)
{
    printf("%s: %d x %d\n", name, rows, cols);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++)
            printf(" %6g", a[r * cols + c]);
        printf("\n");
    }
}

/* a: n, printed on one line */
static void print_vector(const char *name, const double *a, int n)
{
    printf("%s: %d\n", name, n);
    for (int i = 0; i < n; i++)
        printf(" %6g", a[i]);
    printf("\n");
}

/* buf: 48 chars.  "name  (rows×cols)", or "name  (rows)" when cols is 0 */
static const char *shape(char *buf, const char *name, int rows, int cols)
{
    if (cols)
        snprintf(buf, 48, "%s  (%d×%d)", name, rows, cols);
    else
        snprintf(buf, 48, "%s  (%d)", name, rows);
    return buf;
}

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet batch-forward
    enum { N = 2, D = 3, M = 2 }; /* 2 samples of 3 numbers in, 2 out each */
    double x[N * D] = {1, 2, 3,   /* sample 0 */
                       0, -1, 2}; /* sample 1 */
    double W[D * M] = {1, 0,
                       2, 1,
                       0, -1};
    double b[M] = {1, -2};
    double out[N * M];

    AffineLayer affine = {.in_size = D, .out_size = M, .W = W, .b = b};
    affine_forward(&affine, x, N, out); /* caches a pointer: keep x as it is */
    // @end batch-forward

    // @snippet batch-backward
    double dout[N * M] = {1, 0.5, /* the gradient for sample 0's outputs */
                          -1, 2}; /* and for sample 1's */
    double dx[N * D], dW[D * M], db[M];
    affine_backward(&affine, dout, dx, dW, db);
    // @end batch-backward

    if (draw) {
        // @snippet batch-dot
        char s[10][48]; /* one label per arrow and direction */
        DotGraph g;
        dot_begin(&g, stdout, "affine_batch");
        int n_x = dot_leaf(&g, "X"), n_w = dot_leaf(&g, "W");
        int n_b = dot_leaf(&g, "b");
        int n_dot = dot_op(&g, "dot"), n_add = dot_op(&g, "+");
        int n_y = dot_leaf(&g, "Y");
        dot_edge_text(&g, n_x, n_dot, shape(s[0], "X", N, D),
                      shape(s[1], "∂L/∂Y·Wᵀ", N, D));
        dot_edge_text(&g, n_w, n_dot, shape(s[2], "W", D, M),
                      shape(s[3], "Xᵀ·∂L/∂Y", D, M));
        dot_edge_text(&g, n_dot, n_add, shape(s[4], "X·W", N, M),
                      shape(s[5], "∂L/∂Y", N, M));
        dot_edge_text(&g, n_b, n_add, shape(s[6], "b", M, 0),
                      shape(s[7], "sum of ∂L/∂Y's rows", M, 0));
        dot_edge_text(&g, n_add, n_y, shape(s[8], "Y", N, M),
                      shape(s[9], "∂L/∂Y", N, M));
        dot_legend(&g, "forward: an array and its shape",
                   "backward: its gradient, same shape");
        dot_end(&g);
        // @end batch-dot
        return 0;
    }

    print_matrix("x", x, N, D);
    print_matrix("W", W, D, M);
    print_vector("b", b, M);
    print_matrix("out = x W + b", out, N, M);
    printf("\n");
    print_matrix("dout", dout, N, M);
    print_matrix("dx = dout W^T", dx, N, D);
    print_matrix("dW = x^T dout", dW, D, M);
    print_vector("db = sum of the rows of dout", db, M);
    return 0;
}
