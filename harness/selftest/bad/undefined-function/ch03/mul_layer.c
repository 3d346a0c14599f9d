/* mul_backward calls a helper that is declared but never written.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

double scaled_by(double a, double b);

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = scaled_by(dout, layer->y); /* BAD */
    *dy = scaled_by(dout, layer->x);
    return;
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
