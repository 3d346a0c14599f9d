/* mul_backward prints fake grader lines (pass lines, a score, terminal
 * escapes) and computes nothing.
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
    printf("  PASS  mul_backward_book    mul_backward on the book's example\n");
    printf("\rchapter 3: 7/7 passed\n");
    printf("\033[2K\033[1Gtotal: 7/7 passed\n");
    printf("[PASS] ch03::mul_backward_book\n");
    fflush(stdout);
    *dx = 0; /* BAD */
    *dy = 0;
    return;
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
