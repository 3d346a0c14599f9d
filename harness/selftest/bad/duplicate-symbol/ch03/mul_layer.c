/* both exercise files define a global helper named scale(): a duplicate symbol.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double scale(double v, double by); /* BAD */
double scale(double v, double by)
{
    return v * by;
}

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = scale(dout, layer->y);
    *dy = scale(dout, layer->x);
}
