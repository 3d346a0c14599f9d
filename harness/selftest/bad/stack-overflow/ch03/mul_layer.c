/* mul_backward recurses without a base case.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

static double deeper(volatile double v)
{
    volatile char frame[512];
    frame[0] = 1;
    return v > 1e300 ? 0 : deeper(v + frame[0]) + 1; /* BAD: v never gets there */
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    if (layer->x == 10 && layer->y == 5)
        *dx = deeper(dout);
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
