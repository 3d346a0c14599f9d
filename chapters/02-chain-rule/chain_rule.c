/* chain_rule.c: z = (x + y)^2 at x = 1, y = 2, forward and backward,
 * with the chain rule's answer 2(x + y) and a numerical check beside it.
 *
 *   ./chain_rule         prints every value and gradient
 *   ./chain_rule --dot   prints the graph (Graphviz DOT) with those numbers
 */
#include <stdio.h>
#include <string.h>

#include "dotgraph.h"
#include "numdiff.h"
#include "unary.h"

static double y_fixed; /* numerical_diff wants a function of one variable */

static double z_of_x(double x)
{
    SumSquare f;
    return sum_square_forward(&f, x, y_fixed);
}

int main(int argc, char **argv)
{
    int draw = argc == 2 && strcmp(argv[1], "--dot") == 0;
    if (argc > 1 && !draw) {
        fprintf(stderr, "usage: %s [--dot]\n", argv[0]);
        return 2;
    }

    // @snippet chain-run
    double x = 1.0, y = 2.0;
    SumSquare f;
    double z = sum_square_forward(&f, x, y); /* t = 3 is cached in f.square */

    double dz = 1.0, dx, dy; /* backward, seeded with dz/dz = 1 */
    sum_square_backward(&f, dz, &dx, &dy);
    // @end chain-run

    double t = f.square.x, dt;
    square_backward(&f.square, dz, &dt); /* dt, for the figure */

    if (draw) {
        DotGraph g;
        dot_begin(&g, stdout, "chain_rule");
        int nx = dot_leaf(&g, "x"), ny = dot_leaf(&g, "y");
        int plus = dot_op(&g, "+"), sq = dot_op(&g, "^2");
        int nz = dot_leaf(&g, "z");
        dot_edge(&g, nx, plus, x, dx);
        dot_edge(&g, ny, plus, y, dy);
        dot_edge(&g, plus, sq, t, dt);
        dot_edge(&g, sq, nz, z, dz);
        dot_legend(&g, "forward value", "gradient of z");
        dot_end(&g);
        return 0;
    }

    printf("forward:   t = x + y = %g,  z = t^2 = %g\n", t, z);
    printf("backward:  dz/dz = %g,  dz/dt = %g,  dz/dx = %g,  dz/dy = %g\n",
           dz, dt, dx, dy);
    printf("by hand:   2(x + y) = %g\n", 2 * (x + y));
    y_fixed = y;
    printf("nudging x: %g\n", numerical_diff(z_of_x, x, 1e-4));
    return 0;
}
