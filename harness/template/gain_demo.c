/* gain_demo.c: the gain layer forward and back on three values. */
#include <stdio.h>

void gain_forward(const double **cache, double a, const double *x, int n, double *out);
void gain_backward(const double *x, double a, const double *dout, int n, double *dx, double *da);

int main(void)
{
    const double x[] = {2, -0.5, 1}, dout[] = {1, 1, 1};
    const double *cache;
    double out[3], dx[3], da;
    gain_forward(&cache, 3.0, x, 3, out);
    gain_backward(cache, 3.0, dout, 3, dx, &da);
    printf("out: %g %g %g\n", out[0], out[1], out[2]);
    printf("dx: %g %g %g   da: %g\n", dx[0], dx[1], dx[2], da);
    return 0;
}
