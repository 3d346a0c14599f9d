/* mul_backward opens a file for writing (the grader's report).
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
    FILE *f = fopen("report.json", "w"); /* BAD */
    if (f)
        fclose(f);
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
