/* add_layer.c: the addition node, out = x + y. */
#include "add_mul.h"

double add_forward(AddLayer *layer, double x, double y)
{
    (void)layer; /* nothing to cache: its gradient ignores the inputs */
    return x + y;
}

void add_backward(const AddLayer *layer, double dout, double *dx, double *dy)
{
    /* TODO: d(x+y)/dx and d(x+y)/dy are both 1, so each input's gradient
     * is the upstream gradient dout passed through unchanged. */
    (void)layer; (void)dout; (void)dx; (void)dy;
    NOT_IMPLEMENTED();
}
