/* add_layer.c: the addition node, out = x + y. */
#include "add_mul.h"

// @snippet add-forward
double add_forward(AddLayer *layer, double x, double y)
{
    (void)layer; /* nothing to cache: its gradient ignores the inputs */
    return x + y;
}
// @end add-forward

// @snippet add-backward
void add_backward(const AddLayer *layer, double dout, double *dx, double *dy)
{
    // @solution
    *dx = dout * 1.0; /* d(x+y)/dx = 1: the upstream gradient passes through */
    *dy = dout * 1.0; /* d(x+y)/dy = 1 */
    // @stub
    // /* TODO: d(x+y)/dx and d(x+y)/dy are both 1, so each input's gradient
    //  * is the upstream gradient dout passed through unchanged. */
    // (void)layer; (void)dout; (void)dx; (void)dy;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end add-backward
