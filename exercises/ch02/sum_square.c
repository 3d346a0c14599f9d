/* sum_square.c: z = (x + y)^2, two nodes chained: t = x + y, z = t^2. */
#include "unary.h"

double sum_square_forward(SumSquare *f, double x, double y)
{
    double t = x + y;                     /* node 1: add (caches nothing) */
    return square_forward(&f->square, t); /* node 2: square (caches t) */
}

void sum_square_backward(const SumSquare *f, double dout,
                         double *dx, double *dy)
{
    /* TODO: walk the two nodes backwards, the last one first.
     * 1. The square node: square_backward(&f->square, dout, &dt)
     *    gives dt, the gradient with respect to t.
     * 2. The add node t = x + y: both local derivatives are 1, so
     *    dx and dy are each dt * 1. */
    (void)f; (void)dout; (void)dx; (void)dy;
    NOT_IMPLEMENTED();
}
