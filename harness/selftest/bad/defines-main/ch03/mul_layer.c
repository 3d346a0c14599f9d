/* the exercise file defines main().
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

int main(void) /* BAD */
{
    return 0;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
