/* mul_layer.c includes a file that never ends: the compiler would read it until
 * the machine runs out of memory.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include "/dev/zero" /* BAD */

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
