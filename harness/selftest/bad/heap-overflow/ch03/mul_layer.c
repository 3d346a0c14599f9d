/* mul_backward writes one element past a malloc'ed array.
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
    double *two = malloc(2 * sizeof *two);
    two[0] = two[1] = 0;
    volatile int i = 2;
    two[i] = dout; /* BAD */
    free(two);
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
