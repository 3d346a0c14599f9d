/* the exercise file has a constructor: code that would run in the grader's runner.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <stdio.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

__attribute__((constructor)) static void hello(void) /* BAD */
{
    puts("hello from before main");
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
