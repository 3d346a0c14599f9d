/* mul_backward prints without end.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <stdio.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    if (layer->x == 10 && layer->y == 5)
        for (;;)
            printf("debugging, debugging, debugging, debugging\n"); /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
