/* test_ch03.c: grading chapter 3, the add and mul nodes. */
#include <stdio.h>

#include "add_mul.h"
#include "gradcheck.h"

/* ---- the grader's own forwards ------------------------------------------- */

static double ref_mul(const double *v) { return v[0] * v[1]; }
static double ref_add(const double *v) { return v[0] + v[1]; }

/* L(x, y) = dout * f(x, y): its gradient is what backward must produce. */
typedef struct {
    double (*f)(const double *v);
    double dout;
} Upstream;

static double upstream_loss(const double *v, void *ctx)
{
    const Upstream *u = ctx;
    return u->dout * u->f(v);
}

static void numeric_gradient(double (*f)(const double *), double x, double y, double dout,
                             double want[2])
{
    double v[2] = {x, y};
    Upstream u = {f, dout};
    want[0] = gc_central_difference(upstream_loss, v, 0, &u);
    want[1] = gc_central_difference(upstream_loss, v, 1, &u);
}

/* ---- forward: checked against the grader's values -------------------------- */

GRADED(ch03, mul_forward, "mul_forward returns x * y and caches x and y")
{
    double xs[] = {10, 100, -2.5}, ys[] = {5, 2, 4};
    for (int k = 0; k < 3; k++) {
        char where[96];
        snprintf(where, sizeof where, "for x = %g, y = %g", xs[k], ys[k]);
        MulLayer layer = {GC_UNSET, GC_UNSET};
        double out = mul_forward(&layer, xs[k], ys[k]);
        double want = xs[k] * ys[k];
        gc_expect_value("mul_forward", "out", where, &out, &want, 1, NULL, 0);
        double cache[2] = {layer.x, layer.y}, inputs[2] = {xs[k], ys[k]};
        gc_guess swapped = {(double[]){ys[k], xs[k]}, "x and y are cached the other way round"};
        gc_expect_value("mul_forward", "layer->x, layer->y", where, cache, inputs, 2, &swapped, 1);
    }
}

GRADED(ch03, add_forward, "add_forward returns x + y")
{
    double xs[] = {10, 4000, -2.5}, ys[] = {5, 200, 4};
    for (int k = 0; k < 3; k++) {
        char where[96];
        snprintf(where, sizeof where, "for x = %g, y = %g", xs[k], ys[k]);
        AddLayer layer = {0};
        double out = add_forward(&layer, xs[k], ys[k]);
        double want = xs[k] + ys[k];
        gc_expect_value("add_forward", "out", where, &out, &want, 1, NULL, 0);
    }
}

/* ---- backward: checked against central differences ----------------------- */

/* One output of a backward: a double on the heap holding GC_STALE, so that a
 * `*dx +=` is recognised. Its value is compared as a scalar, not an array. */
static double *output(const char *name)
{
    return gc_array_fill(name, 1, 1, GC_STALE);
}

static void check_mul_backward(double x, double y, double dout)
{
    char where[128];
    snprintf(where, sizeof where, "at x = %g, y = %g, dout = %g", x, y, dout);
    MulLayer layer = {x, y}, before = layer;
    double *dx = output("dx"), *dy = output("dy");
    mul_backward(&layer, dout, dx, dy);
    double got[2] = {*dx, *dy}, want[2];
    gc_expect_unchanged("mul_backward", "the layer's cache", &before, &layer, sizeof layer);
    numeric_gradient(ref_mul, x, y, dout, want);

    gc_guess dx_guesses[] = {
        {(double[]){dout * x}, "dx = dout * x, but d(xy)/dx is y: each input's gradient takes the *other* input"},
        {(double[]){y}, "dx = y: the upstream gradient dout was not multiplied in"},
        {(double[]){x}, "dx = x: use the *other* input (y), times dout"},
        {(double[]){dout}, "dx = dout: that is the add node's rule; the mul node multiplies dout by y"},
    };
    gc_guess dy_guesses[] = {
        {(double[]){dout * y}, "dy = dout * y, but d(xy)/dy is x: each input's gradient takes the *other* input"},
        {(double[]){x}, "dy = x: the upstream gradient dout was not multiplied in"},
        {(double[]){y}, "dy = y: use the *other* input (x), times dout"},
        {(double[]){dout}, "dy = dout: that is the add node's rule; the mul node multiplies dout by x"},
    };
    gc_expect_gradient("mul_backward", "dx", where, &got[0], &want[0], 1, dx_guesses, 4);
    gc_expect_gradient("mul_backward", "dy", where, &got[1], &want[1], 1, dy_guesses, 4);
}

static void check_add_backward(double x, double y, double dout)
{
    char where[128];
    snprintf(where, sizeof where, "at x = %g, y = %g, dout = %g", x, y, dout);
    AddLayer layer = {0}, before = layer;
    double *dx = output("dx"), *dy = output("dy");
    add_backward(&layer, dout, dx, dy);
    double got[2] = {*dx, *dy}, want[2];
    gc_expect_unchanged("add_backward", "the layer", &before, &layer, sizeof layer);
    numeric_gradient(ref_add, x, y, dout, want);

    gc_guess dx_guesses[] = {
        {(double[]){1.0}, "dx = 1: that is the local derivative alone; multiply it by dout"},
        {(double[]){dout * y}, "dx = dout * y: that is the mul node's rule; the add node passes dout through"},
        {(double[]){dout * x}, "dx = dout * x: the add node passes dout through unchanged"},
    };
    gc_guess dy_guesses[] = {
        {(double[]){1.0}, "dy = 1: that is the local derivative alone; multiply it by dout"},
        {(double[]){dout * x}, "dy = dout * x: that is the mul node's rule; the add node passes dout through"},
        {(double[]){dout * y}, "dy = dout * y: the add node passes dout through unchanged"},
    };
    gc_expect_gradient("add_backward", "dx", where, &got[0], &want[0], 1, dx_guesses, 3);
    gc_expect_gradient("add_backward", "dy", where, &got[1], &want[1], 1, dy_guesses, 3);
}

GRADED(ch03, mul_backward_book, "mul_backward on the book's example: 10 x 5, dout 1.3")
{
    check_mul_backward(10, 5, 1.3);
}

GRADED(ch03, mul_backward_random, "mul_backward on 20 seeded random inputs and upstream gradients")
{
    gc_seed(3001);
    for (int k = 0; k < 20; k++) { /* one draw per statement: the order is fixed */
        double x = gc_away_from_zero(0.1, 200), y = gc_away_from_zero(0.1, 10);
        double dout = gc_away_from_zero(1.5, 4);
        check_mul_backward(x, y, dout);
    }
}

GRADED(ch03, add_backward_book, "add_backward on the book's example: 10 + 5, dout 1.3")
{
    check_add_backward(10, 5, 1.3);
}

GRADED(ch03, add_backward_random, "add_backward on 20 seeded random inputs and upstream gradients")
{
    gc_seed(3002);
    for (int k = 0; k < 20; k++) { /* one draw per statement: the order is fixed */
        double x = gc_away_from_zero(0.1, 200), y = gc_away_from_zero(0.1, 10);
        double dout = gc_away_from_zero(1.5, 4);
        check_add_backward(x, y, dout);
    }
}

/* ---- the chapter's examples, end to end through the learner's layers -------
 * The outputs are named as in buy_apple.c and buy_apple_orange.c. */

/* uses: mul_forward mul_backward_book mul_backward_random add_forward add_backward_book add_backward_random */
GRADED(ch03, shopping, "the apple and apples-and-oranges examples give the book's gradients")
{
    MulLayer apple_layer, orange_layer, tax_layer;
    AddLayer fruit_layer;

    /* apples: 100 x 2 x 1.1 */
    double apple_price = mul_forward(&apple_layer, 100, 2);
    double price = mul_forward(&tax_layer, apple_price, 1.1);
    double *dapple_price = output("dapple_price"), *dtax = output("dtax");
    double *dapple = output("dapple"), *dapple_count = output("dapple_count");
    mul_backward(&tax_layer, 1.0, dapple_price, dtax);
    mul_backward(&apple_layer, *dapple_price, dapple, dapple_count);
    double want_price = 220, got1[] = {*dapple, *dapple_count, *dtax}, want1[] = {2.2, 110, 200};
    gc_expect_value("mul_forward", "price", "in the apple example (100 x 2 x 1.1)", &price, &want_price, 1, NULL,
                    0);
    gc_expect_value("mul_backward", "dapple, dapple_count, dtax", "in the apple example (100 x 2 x 1.1, dprice = 1)",
                    got1, want1, 3, NULL, 0);

    /* apples and oranges: (100 x 2 + 150 x 3) x 1.1, with fresh outputs */
    apple_price = mul_forward(&apple_layer, 100, 2);
    double orange_price = mul_forward(&orange_layer, 150, 3);
    double fruit = add_forward(&fruit_layer, apple_price, orange_price);
    price = mul_forward(&tax_layer, fruit, 1.1);
    double *dfruit_price = output("dfruit_price"), *dorange_price = output("dorange_price");
    double *dorange = output("dorange"), *dorange_count = output("dorange_count");
    dapple_price = output("dapple_price"), dtax = output("dtax");
    dapple = output("dapple"), dapple_count = output("dapple_count");
    mul_backward(&tax_layer, 1.0, dfruit_price, dtax);
    add_backward(&fruit_layer, *dfruit_price, dapple_price, dorange_price);
    mul_backward(&orange_layer, *dorange_price, dorange, dorange_count);
    mul_backward(&apple_layer, *dapple_price, dapple, dapple_count);
    double got2[] = {*dapple, *dapple_count, *dorange, *dorange_count, *dtax};
    double want2[] = {2.2, 110, 3.3, 165, 650};
    want_price = 715;
    gc_expect_value("mul_forward and add_forward", "price", "in the apples-and-oranges example "
                    "((100 x 2 + 150 x 3) x 1.1)", &price, &want_price, 1, NULL, 0);
    gc_expect_value("mul_backward and add_backward", "dapple, dapple_count, dorange, dorange_count, dtax",
                    "in the apples-and-oranges example ((100 x 2 + 150 x 3) x 1.1, dprice = 1)", got2, want2, 5,
                    NULL, 0);
}
