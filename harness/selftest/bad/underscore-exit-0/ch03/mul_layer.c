/* mul_backward calls _exit(0).
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#define _POSIX_C_SOURCE 200809L
#include "add_mul.h"
#include <unistd.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    _exit(0); /* BAD */
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
