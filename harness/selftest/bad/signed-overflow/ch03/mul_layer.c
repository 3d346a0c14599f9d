/* mul_backward overflows a signed int (undefined behaviour).
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <limits.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    volatile int big = INT_MAX;
    int sum = big + (dout != 0); /* BAD */
    (void)sum;
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
