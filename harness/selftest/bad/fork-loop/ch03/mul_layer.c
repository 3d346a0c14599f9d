/* mul_backward forks 64 children that never end: a fork bomb, bounded so that
 * a broken sandbox cannot take the machine down.
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
    for (int i = 0; i < 64; i++)
        if (fork() == 0) /* BAD */
            for (;;)
                pause();
    *dx = dout * layer->y;
    *dy = dout * layer->x;
}
