/* sum_square.c: z = (x + y)^2, two nodes chained: t = x + y, z = t^2. */
#include "unary.h"

// @snippet sum-square-forward
double sum_square_forward(SumSquare *f, double x, double y)
{
    double t = x + y;                     /* node 1: add (caches nothing) */
    return square_forward(&f->square, t); /* node 2: square (caches t) */
}
// @end sum-square-forward

// @snippet sum-square-backward
void sum_square_backward(const SumSquare *f, double dout,
                         double *dx, double *dy)
{
    // @solution
    double dt;
    square_backward(&f->square, dout, &dt); /* node 2 first: dt = dout * 2t */
    *dx = dt * 1.0;                         /* then node 1: dt/dx = 1 */
    *dy = dt * 1.0;                         /*              dt/dy = 1 */
    // @stub
    // /* TODO: walk the two nodes backwards, the last one first.
    //  * 1. The square node: square_backward(&f->square, dout, &dt)
    //  *    gives dt, the gradient with respect to t.
    //  * 2. The add node t = x + y: both local derivatives are 1, so
    //  *    dx and dy are each dt * 1. */
    // (void)f; (void)dout; (void)dx; (void)dy;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end sum-square-backward
