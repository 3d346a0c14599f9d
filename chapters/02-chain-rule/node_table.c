/* node_table.c: each unary node at x = 2: its output, the gradient its
 * backward returns for dout = 1, and the same slope found by nudging x.
 */
#include <stdio.h>

#include "numdiff.h"
#include "unary.h"

/* One function of x per node, for numerical_diff. */
static double f_square(double x)
{
    SquareNode n;
    return square_forward(&n, x);
}

static double f_exp(double x)
{
    ExpNode n;
    return exp_forward(&n, x);
}

static double f_reciprocal(double x)
{
    ReciprocalNode n;
    return reciprocal_forward(&n, x);
}

static double f_negate(double x)
{
    ScaleNode n = {-1.0};
    return scale_forward(&n, x);
}

static double f_plus_one(double x)
{
    AddConstNode n = {1.0};
    return add_const_forward(&n, x);
}

int main(void)
{
    double x = 2.0, dout = 1.0, h = 1e-4;
    double out[5], dx[5];
    double (*f[5])(double) = {f_square, f_exp, f_reciprocal, f_negate,
                              f_plus_one};
    const char *name[5] = {"x^2", "exp(x)", "1/x", "-1 * x", "x + 1"};

    // @snippet node-table
    SquareNode square;
    ExpNode exp_node;
    ReciprocalNode reciprocal;
    ScaleNode negate = {-1.0}; /* the constant is set when it is made */
    AddConstNode plus_one = {1.0};

    out[0] = square_forward(&square, x);
    out[1] = exp_forward(&exp_node, x);
    out[2] = reciprocal_forward(&reciprocal, x);
    out[3] = scale_forward(&negate, x);
    out[4] = add_const_forward(&plus_one, x);

    square_backward(&square, dout, &dx[0]);
    exp_backward(&exp_node, dout, &dx[1]);
    reciprocal_backward(&reciprocal, dout, &dx[2]);
    scale_backward(&negate, dout, &dx[3]);
    add_const_backward(&plus_one, dout, &dx[4]);
    // @end node-table

    printf("at x = %g, dout = %g\n\n", x, dout);
    printf("node       out     dx (backward)  dx (nudging x, h = %g)\n", h);
    for (int i = 0; i < 5; i++)
        printf("%-8s %8g %12g %14g\n", name[i], out[i], dx[i],
               numerical_diff(f[i], x, h));
    return 0;
}
