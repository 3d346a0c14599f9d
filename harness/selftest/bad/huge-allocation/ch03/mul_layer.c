/* mul_backward asks malloc for a terabyte.
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
    volatile size_t n = (size_t)1 << 40;
    double *big = malloc(n * sizeof *big); /* BAD */
    big[0] = dout;
    free(big);
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
