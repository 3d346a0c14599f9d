/* mul_backward compares a signed with an unsigned count: a warning, and
 * warnings are errors (all but "unused ...", which are notes).
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
    int n = 1;
    for (unsigned i = 0; i < n; i++) { /* BAD */
        *dx = dout * layer->y;
        *dy = dout * layer->x;
    }
}
