/* mul_backward divides an integer by zero: SIGFPE (UBSan catches it first).
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
    volatile int zero = 0;
    int ratio = (int)dout / zero; /* BAD */
    (void)ratio;
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
