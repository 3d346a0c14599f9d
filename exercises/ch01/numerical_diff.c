/* numerical_diff.c: the central difference, a slope from two evaluations. */
#include "numdiff.h"

double numerical_diff(double (*f)(double), double x, double h)
{
    /* TODO: evaluate f a little to the right of x (at x + h) and a
     * little to the left (at x - h), and return the rise over the run
     * between those two points. */
    (void)f; (void)x; (void)h;
    NOT_IMPLEMENTED();
}
