/* mul_layer.c: the multiplication node, out = x * y. */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x; /* cache both inputs: backward needs them */
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    /* TODO: d(x*y)/dx is y and d(x*y)/dy is x (read them from the cache),
     * each multiplied by the upstream gradient dout. */
    (void)layer; (void)dout; (void)dx; (void)dy;
    NOT_IMPLEMENTED();
}
