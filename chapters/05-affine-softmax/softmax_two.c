/* softmax_two.c: Softmax-with-Loss on the textbook's "2", forward and back.
 *
 *   ./softmax_two         prints y, the loss and dx = y - t, for the right
 *                         label, a wrong one, both as a batch, and huge scores
 *   ./softmax_two --dot   prints the layer's graph (Graphviz DOT) with the
 *                         numbers of the first case
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dotgraph.h"
#include "softmax_loss.h"

enum { C = 3 }; /* three classes: 0, 1, 2 */

/* a: n numbers on one line, after a label */
static void print_row(const char *label, const double *a, int n)
{
    printf("%-22s", label);
    for (int k = 0; k < n; k++)
        printf(" %10.6f", a[k]);
    printf("\n");
}

static void draw(const double *x, const double *y, const double *dx, int t, double loss)
{
    const char *sub[C] = {"₀", "₁", "₂"}; /* class indices, as in the code */
    char num[32], text[64], grad[64];
    DotGraph g;
    dot_begin(&g, stdout, "softmax_two");
    int n_x[C], n_t[C];
    for (int k = 0; k < C; k++) {
        snprintf(text, sizeof text, "x%s", sub[k]);
        n_x[k] = dot_leaf(&g, text);
    }
    int n_soft = dot_op(&g, "softmax");
    int n_ce = dot_op(&g, "cross\nentropy");
    for (int k = 0; k < C; k++) {
        snprintf(text, sizeof text, "t%s", sub[k]);
        n_t[k] = dot_leaf(&g, text);
    }
    int n_l = dot_leaf(&g, "L");
    for (int k = 0; k < C; k++) { /* scores in; y - t back */
        snprintf(text, sizeof text, "%s", dot_number(num, sizeof num, x[k], 4));
        snprintf(grad, sizeof grad, "y%s − t%s = %s", sub[k], sub[k], dot_number(num, sizeof num, dx[k], 4));
        dot_edge_text(&g, n_x[k], n_soft, text, grad);
    }
    for (int k = 0; k < C; k++) { /* y out of softmax; -t/y back from the loss */
        double tk = k == t ? 1.0 : 0.0;
        snprintf(text, sizeof text, "y%s = %s", sub[k], dot_number(num, sizeof num, y[k], 4));
        snprintf(grad, sizeof grad, "−t%s/y%s = %s", sub[k], sub[k], dot_number(num, sizeof num, -tk / y[k], 4));
        dot_edge_text(&g, n_soft, n_ce, text, grad);
    }
    for (int k = 0; k < C; k++) {
        snprintf(text, sizeof text, "%g", k == t ? 1.0 : 0.0);
        dot_edge_text(&g, n_t[k], n_ce, text, NULL);
    }
    snprintf(text, sizeof text, "%s", dot_number(num, sizeof num, loss, 4));
    dot_edge_text(&g, n_ce, n_l, text, "1");
    dot_legend(&g, "forward", "backward: the gradient of L");
    dot_end(&g);
}

int main(int argc, char **argv)
{
    int want_dot = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !want_dot) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet two-forward
    double x[C] = {5.3, 0.3, 10.1}; /* the scores for an image of a "2" */
    int t = 2;                      /* its label: class 2 */
    double y[C], dx[C];
    SoftmaxWithLoss layer;

    double loss = softmax_loss_forward(&layer, x, &t, 1, C, y); /* a batch of one */
    softmax_loss_backward(&layer, 1.0, dx);                      /* dL/dL = 1 */
    // @end two-forward

    if (want_dot) {
        draw(x, y, dx, t, loss);
        return 0;
    }

    print_row("scores x", x, C);
    print_row("softmax y", y, C);
    printf("%-22s %10.6f\n", "sum of y", y[0] + y[1] + y[2]);
    printf("label t = %d\n", t);
    printf("%-22s %10.6f\n", "loss -log y[t]", loss);
    print_row("dx = y - t", dx, C);

    // @snippet two-wrong
    int wrong = 0; /* the same scores, but suppose the image were a "0" */
    loss = softmax_loss_forward(&layer, x, &wrong, 1, C, y);
    softmax_loss_backward(&layer, 1.0, dx);
    // @end two-wrong
    printf("\nlabel t = %d\n", wrong);
    printf("%-22s %10.6f\n", "loss -log y[t]", loss);
    print_row("dx = y - t", dx, C);

    // @snippet two-batch
    double xx[2 * C] = {5.3, 0.3, 10.1,  /* both samples in one batch */
                        5.3, 0.3, 10.1};
    int tt[2] = {2, 0};
    double yy[2 * C], dxx[2 * C];
    loss = softmax_loss_forward(&layer, xx, tt, 2, C, yy);
    softmax_loss_backward(&layer, 1.0, dxx);
    // @end two-batch
    printf("\nboth, as a batch of N = 2 with labels 2 and 0\n");
    printf("%-22s %10.6f\n", "mean loss", loss);
    print_row("dx row 0 = (y - t)/2", dxx, C);
    print_row("dx row 1 = (y - t)/2", dxx + C, C);

    // @snippet two-huge
    double huge[C] = {1000, 1001, 1002};
    double naive_sum = exp(huge[0]) + exp(huge[1]) + exp(huge[2]); /* overflows */
    double naive_y0 = exp(huge[0]) / naive_sum;                      /* inf / inf */
    loss = softmax_loss_forward(&layer, huge, &t, 1, C, y); /* max taken first */
    // @end two-huge
    printf("\nscores 1000, 1001, 1002\n");
    printf("%-22s %10s\n", "naive: exp(1000)", isinf(exp(huge[0])) ? "inf" : "finite");
    printf("%-22s %10s\n", "naive: y[0]", isnan(naive_y0) ? "nan" : "a number");
    print_row("max subtracted: y", y, C);
    printf("%-22s %10.6f\n", "loss -log y[2]", loss);
    return 0;
}
