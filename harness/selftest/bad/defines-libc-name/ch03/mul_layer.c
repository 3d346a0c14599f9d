/* the exercise file defines a global function named like a C library function.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

int index(void); /* BAD */
int index(void)
{
    return 0;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
