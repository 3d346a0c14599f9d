/* mul_layer.c: the multiplication node, out = x * y. */
#include "add_mul.h"

// @snippet mul-forward
double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x; /* cache both inputs: backward needs them */
    layer->y = y;
    return x * y;
}
// @end mul-forward

// @snippet mul-backward
void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    // @solution
    /* d(xy)/dx = y: x's gradient takes the *other* input, and d(xy)/dy = x */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
    // @stub
    // /* TODO: d(x*y)/dx is y and d(x*y)/dy is x (read them from the cache),
    //  * each multiplied by the upstream gradient dout. */
    // (void)layer; (void)dout; (void)dx; (void)dy;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end mul-backward
