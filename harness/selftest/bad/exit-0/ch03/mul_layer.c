/* mul_backward calls exit(0): the test process ends 'successfully' before any check.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <stdlib.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    exit(0); /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
