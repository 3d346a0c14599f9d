/* unary_nodes.c: five nodes with one input, each a forward and a backward. */
#include <math.h>

#include "unary.h"

// @snippet square
double square_forward(SquareNode *node, double x)
{
    node->x = x; /* backward needs the input: d(x^2)/dx = 2x */
    return x * x;
}

void square_backward(const SquareNode *node, double dout, double *dx)
{
    // @solution
    *dx = dout * 2.0 * node->x;
    // @stub
    // /* TODO: the local derivative of x^2 is 2x (x is in the cache);
    //  * multiply it by the upstream gradient dout. */
    // (void)node; (void)dout; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end square

// @snippet exp
double exp_forward(ExpNode *node, double x)
{
    node->out = exp(x); /* d(exp x)/dx = exp x: the output is the derivative */
    return node->out;
}

void exp_backward(const ExpNode *node, double dout, double *dx)
{
    // @solution
    *dx = dout * node->out;
    // @stub
    // /* TODO: the local derivative of exp(x) is exp(x) itself, which forward
    //  * already computed and cached as out; multiply it by dout. */
    // (void)node; (void)dout; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end exp

// @snippet reciprocal
double reciprocal_forward(ReciprocalNode *node, double x)
{
    node->out = 1.0 / x; /* d(1/x)/dx = -1/x^2 = -out^2 */
    return node->out;
}

void reciprocal_backward(const ReciprocalNode *node, double dout, double *dx)
{
    // @solution
    *dx = dout * -(node->out * node->out);
    // @stub
    // /* TODO: the local derivative of 1/x is -1/x^2, which is -out^2 in
    //  * terms of the cached output; multiply it by dout. */
    // (void)node; (void)dout; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end reciprocal

// @snippet scale
double scale_forward(ScaleNode *node, double x)
{
    return node->c * x; /* c belongs to the node; nothing to cache */
}

void scale_backward(const ScaleNode *node, double dout, double *dx)
{
    // @solution
    *dx = dout * node->c;
    // @stub
    // /* TODO: the local derivative of c * x is the constant c. */
    // (void)node; (void)dout; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end scale

// @snippet add-const
double add_const_forward(AddConstNode *node, double x)
{
    return x + node->c;
}

void add_const_backward(const AddConstNode *node, double dout, double *dx)
{
    // @solution
    *dx = dout * 1.0; /* the constant moves the output, not its slope */
    // @stub
    // /* TODO: the local derivative of x + c is 1: adding a constant shifts the
    //  * output but does not change how fast it moves with x. */
    // (void)node; (void)dout; (void)dx;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end add-const
