/* the exercise file defines gc_seed, a function of the grader.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void gc_seed(unsigned long seed); /* BAD */
void gc_seed(unsigned long seed)
{
    (void)seed;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
