/* mul_backward casts away const and changes the layer's cache.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    ((MulLayer *)layer)->x = 0; /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
