/* mul_backward reads memory it has freed.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <stdlib.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

static double *released(double v)
{
    double *p = malloc(sizeof *p);
    double *volatile kept = p;
    *p = v;
    free(p);
    return kept;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    double *gone = released(dout);
    *dx = *gone; /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
