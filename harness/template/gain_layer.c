/* gain_layer.c: out = a x, element by element, for a learned scalar a. */
#include "workbook.h"

/* x: n values, out: n values.  out[i] = a * x[i]; caches x. */
void gain_forward(const double **cache, double a, const double *x, int n,
                  double *out)
{
    *cache = x;
    for (int i = 0; i < n; i++)
        out[i] = a * x[i];
}

// @snippet gain-backward
/* dout: n values.  dx[i] = a dout[i] (n values);
 * *da = sum of dout[i] x[i]. */
void gain_backward(const double *x, double a, const double *dout, int n,
                   double *dx, double *da)
{
    // @solution
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        dx[i] = a * dout[i]; /* d(a x)/dx = a */
        sum += dout[i] * x[i]; /* d(a x)/da = x, summed over the elements */
    }
    *da = sum;
    // @stub
    // /* TODO: dx[i] = a * dout[i] for each of the n elements, and *da the
    //  * sum over i of dout[i] * x[i]. */
    // (void)x; (void)a; (void)dout; (void)n; (void)dx; (void)da;
    // NOT_IMPLEMENTED();
    // @end solution
}
// @end gain-backward
