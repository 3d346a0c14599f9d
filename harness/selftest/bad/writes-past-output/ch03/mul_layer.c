/* mul_backward writes past its output pointer (dy[1]: dy points to one double).
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
    dy[1] = 0; /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
