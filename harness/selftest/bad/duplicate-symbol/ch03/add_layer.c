/* both exercise files define a global helper named scale(): a duplicate symbol.
 * (a deliberately bad chapter 3 exercise; see harness/selftest/robustness.py) */
#include "add_mul.h"

double scale(double v, double by);
double scale(double v, double by)
{
    return v * by;
}

double add_forward(AddLayer *layer, double x, double y)
{
    (void)layer;
    return x + y;
}

void add_backward(const AddLayer *layer, double dout, double *dx, double *dy)
{
    (void)layer;
    *dx = scale(dout, 1.0);
    *dy = scale(dout, 1.0);
}
