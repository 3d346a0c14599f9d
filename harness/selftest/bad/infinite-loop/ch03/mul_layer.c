/* mul_backward never returns on the book's example.
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
    if (layer->x == 10 && layer->y == 5)
        for (;;) { } /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
