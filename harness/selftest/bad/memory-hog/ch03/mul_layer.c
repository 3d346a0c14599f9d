/* mul_backward allocates 64 MB at a time, touches it and never frees it (3 GB).
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"
#include <stdlib.h>
#include <string.h>

double mul_forward(MulLayer *layer, double x, double y)
{
    layer->x = x;
    layer->y = y;
    return x * y;
}

void mul_backward(const MulLayer *layer, double dout, double *dx, double *dy)
{
    if (layer->x == 10 && layer->y == 5)
        for (int i = 0; i < 48; i++) { /* 3 GB at most, should the grader's limit be broken */
            char *block = malloc(64 << 20);
            memset(block, 1, 64 << 20); /* BAD */
        }
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
