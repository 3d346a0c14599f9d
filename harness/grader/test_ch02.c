/* test_ch02.c: grading chapter 2, the unary nodes and z = (x + y)^2.
 *
 * Every backward is called on a node whose cache the grader filled itself,
 * and compared with central differences of the grader's own forward (or, at
 * the chapter's points, with the derivative worked out by hand).
 */
#include <math.h>
#include <stdio.h>

#include "gradcheck.h"
#include "unary.h"

/* ---- the grader's own forwards --------------------------------------------------- */

typedef enum { SQUARE, EXP, RECIPROCAL, SCALE, ADD_CONST } Kind;

static const char *const BACKWARD_NAME[] = {"square_backward", "exp_backward", "reciprocal_backward",
                                            "scale_backward", "add_const_backward"};

static double ref_unary(Kind kind, double c, double x)
{
    switch (kind) {
    case SQUARE: return x * x;
    case EXP: return exp(x);
    case RECIPROCAL: return 1.0 / x;
    case SCALE: return c * x;
    case ADD_CONST: return x + c;
    }
    return NAN;
}

/* The derivatives worked out by hand, for the exact checks. */
static double ref_unary_derivative(Kind kind, double c, double x)
{
    switch (kind) {
    case SQUARE: return 2 * x;
    case EXP: return exp(x);
    case RECIPROCAL: return -1.0 / (x * x);
    case SCALE: return c;
    case ADD_CONST: return 1.0;
    }
    return NAN;
}

/* L(x) = dout * f(x): its slope is what backward must return. */
typedef struct {
    Kind kind;
    double c, dout;
} UnaryLoss;

static double unary_loss(const double *v, void *ctx)
{
    const UnaryLoss *u = ctx;
    return u->dout * ref_unary(u->kind, u->c, v[0]);
}

/* A central difference with step h = 1e-4 |x|: near 0, where 1/x bends sharply,
 * the fixed GC_H would be too coarse for 1/x. */
static double central_difference_scaled(gc_scalar_fn f, double x, void *ctx)
{
    double h = 1e-4 * fabs(x);
    double plus[1] = {x + h}, minus[1] = {x - h};
    return (f(plus, ctx) - f(minus, ctx)) / (2 * h);
}

/* ---- calling the learner's backward on a node the grader filled ------------------- */

/* dx is one double on the heap, holding GC_STALE: a `*dx +=` is recognised.
 * Its value is returned, and compared as a scalar (not a one-element array). */
static double call_backward(Kind kind, double x, double c, double dout)
{
    double *dx = gc_array_fill("dx", 1, 1, GC_STALE);
    switch (kind) {
    case SQUARE: {
        SquareNode node = {x}, before = node;
        square_backward(&node, dout, dx);
        gc_expect_unchanged("square_backward", "the node's cache", &before, &node, sizeof node);
        break;
    }
    case EXP: {
        ExpNode node = {exp(x)}, before = node;
        exp_backward(&node, dout, dx);
        gc_expect_unchanged("exp_backward", "the node's cache", &before, &node, sizeof node);
        break;
    }
    case RECIPROCAL: {
        ReciprocalNode node = {1.0 / x}, before = node;
        reciprocal_backward(&node, dout, dx);
        gc_expect_unchanged("reciprocal_backward", "the node's cache", &before, &node, sizeof node);
        break;
    }
    case SCALE: {
        ScaleNode node = {c}, before = node;
        scale_backward(&node, dout, dx);
        gc_expect_unchanged("scale_backward", "the node's constant", &before, &node, sizeof node);
        break;
    }
    case ADD_CONST: {
        AddConstNode node = {c}, before = node;
        add_const_backward(&node, dout, dx);
        gc_expect_unchanged("add_const_backward", "the node's constant", &before, &node, sizeof node);
        break;
    }
    }
    return *dx;
}

#define MAX_GUESSES 5

/* The wrong answers the grader recognises for each node, at this point. */
static size_t unary_guesses(Kind kind, double x, double c, double dout, double *v, gc_guess *g)
{
    size_t n = 0;
#define GUESS(value, why) (v[n] = (value), g[n] = (gc_guess){&v[n], (why)}, n++)
    double out = ref_unary(kind, c, x);
    switch (kind) {
    case SQUARE:
        GUESS(dout * x, "dx = dout * x: the derivative of x^2 is 2x; the 2 is missing");
        GUESS(2 * x, "dx = 2x: that is the local derivative alone; multiply it by dout");
        GUESS(dout * x * x, "dx = dout * x^2: that is the output, not its derivative 2x");
        GUESS(2 * dout, "dx = 2 * dout: the derivative 2x needs x, which forward cached");
        break;
    case EXP:
        GUESS(dout * exp(out), "dx = dout * exp(out): exp was applied twice; the local derivative of exp is "
                               "exp(x), which is the cached output itself");
        GUESS(out, "dx = out: that is the local derivative alone; multiply it by dout");
        GUESS(dout, "dx = dout: the upstream gradient passed through; multiply it by exp(x), the cached output");
        GUESS(dout * x, "dx = dout * x: the local derivative of exp(x) is exp(x), the cached output, not x");
        break;
    case RECIPROCAL:
        GUESS(-dout * out, "dx = -dout * out: the derivative of 1/x is -1/x^2, which is -out^2; square the "
                           "output");
        GUESS(-dout / (out * out), "dx = -dout / out^2, which is -dout * x^2: -1/x^2 written with the output "
                                   "is -out^2 (out = 1/x), a product, not a quotient");
        GUESS(-out * out, "dx = -out^2: that is the local derivative alone; multiply it by dout");
        break;
    case SCALE:
        GUESS(c, "dx = c: that is the local derivative alone; multiply it by dout");
        GUESS(dout, "dx = dout: the upstream gradient passed through; multiply it by the constant c");
        GUESS(dout / c, "dx = dout / c: the local derivative of c * x is c; multiply, don't divide");
        GUESS(dout * x, "dx = dout * x: the local derivative of c * x with respect to x is c");
        break;
    case ADD_CONST:
        GUESS(1.0, "dx = 1: that is the local derivative alone; multiply it by dout");
        GUESS(dout * c, "dx = dout * c: that is the scale node's rule; adding a constant has local derivative 1");
        GUESS(dout + c, "dx = dout + c: the constant shifts the output, not its slope; the gradient passes "
                        "through unchanged");
        GUESS(c, "dx = c: the local derivative of x + c is 1, whatever c is; the gradient is dout * 1");
        break;
    }
#undef GUESS
    return n;
}

static void where_unary(char *buf, size_t size, Kind kind, double x, double c, double dout)
{
    if (kind == SCALE || kind == ADD_CONST)
        snprintf(buf, size, "for c = %g at x = %g, dout = %g", c, x, dout);
    else if (kind == EXP || kind == RECIPROCAL)
        snprintf(buf, size, "at x = %g (cached out = %g), dout = %g", x, ref_unary(kind, c, x), dout);
    else
        snprintf(buf, size, "at x = %g (cached x), dout = %g", x, dout);
}

/* Central differences (scaled near 0 when `scaled`). */
static void check_unary_numeric(Kind kind, double x, double c, double dout, int scaled)
{
    char where[160];
    where_unary(where, sizeof where, kind, x, c, dout);
    double got = call_backward(kind, x, c, dout);
    UnaryLoss u = {kind, c, dout};
    double v[1] = {x};
    double want = scaled ? central_difference_scaled(unary_loss, x, &u) : gc_central_difference(unary_loss, v, 0, &u);
    double values[MAX_GUESSES];
    gc_guess guesses[MAX_GUESSES];
    size_t n = unary_guesses(kind, x, c, dout, values, guesses);
    gc_expect_gradient(BACKWARD_NAME[kind], "dx", where, &got, &want, 1, guesses, n);
}

/* The derivative worked out by hand. */
static void check_unary_exact(Kind kind, double x, double c, double dout)
{
    char where[160];
    where_unary(where, sizeof where, kind, x, c, dout);
    double got = call_backward(kind, x, c, dout);
    double want = dout * ref_unary_derivative(kind, c, x);
    double values[MAX_GUESSES];
    gc_guess guesses[MAX_GUESSES];
    size_t n = unary_guesses(kind, x, c, dout, values, guesses);
    gc_expect_value(BACKWARD_NAME[kind], "dx", where, &got, &want, 1, guesses, n);
}

/* ---- forward: given code, checked against the grader's forwards -------------------- */

GRADED(ch02, unary_forward, "the five unary forwards return f(x) and cache what their backward needs")
{
    double xs[] = {2, -0.5, 3.25};
    for (int k = 0; k < 3; k++) {
        double x = xs[k], got, want;
        char where[64];
        snprintf(where, sizeof where, "for x = %g", x);

        SquareNode sq = {GC_UNSET};
        got = square_forward(&sq, x);
        want = x * x;
        gc_expect_value("square_forward", "out", where, &got, &want, 1, NULL, 0);
        gc_expect_value("square_forward", "node->x (the cache)", where, &sq.x, &x, 1, NULL, 0);

        ExpNode ex = {GC_UNSET};
        got = exp_forward(&ex, x);
        want = exp(x);
        gc_guess exp_cache[] = {{&x, "cached x, but exp's backward needs out = exp(x)"}};
        gc_expect_value("exp_forward", "out", where, &got, &want, 1, NULL, 0);
        gc_expect_value("exp_forward", "node->out (the cache)", where, &ex.out, &want, 1, exp_cache, 1);

        ReciprocalNode rc = {GC_UNSET};
        got = reciprocal_forward(&rc, x);
        want = 1.0 / x;
        gc_guess rc_cache[] = {{&x, "cached x, but reciprocal's backward needs out = 1/x"}};
        gc_expect_value("reciprocal_forward", "out", where, &got, &want, 1, NULL, 0);
        gc_expect_value("reciprocal_forward", "node->out (the cache)", where, &rc.out, &want, 1, rc_cache, 1);

        char with_c[64];
        ScaleNode negate = {-1.0}, triple = {3.0};
        got = scale_forward(&negate, x);
        want = -x;
        snprintf(with_c, sizeof with_c, "for c = -1, x = %g", x);
        gc_expect_value("scale_forward", "out", with_c, &got, &want, 1, NULL, 0);
        got = scale_forward(&triple, x);
        want = 3 * x;
        snprintf(with_c, sizeof with_c, "for c = 3, x = %g", x);
        gc_expect_value("scale_forward", "out", with_c, &got, &want, 1, NULL, 0);
        double c = triple.c, c_want = 3.0;
        gc_expect_value("scale_forward", "node->c", "after a call with c = 3 (forward must not change c)", &c,
                        &c_want, 1, NULL, 0);

        AddConstNode plus_one = {1.0};
        got = add_const_forward(&plus_one, x);
        want = x + 1;
        snprintf(with_c, sizeof with_c, "for c = 1, x = %g", x);
        gc_expect_value("add_const_forward", "out", with_c, &got, &want, 1, NULL, 0);
        c = plus_one.c, c_want = 1.0;
        gc_expect_value("add_const_forward", "node->c", "after a call with c = 1 (forward must not change c)", &c,
                        &c_want, 1, NULL, 0);
    }
}

/* uses: unary_forward */
GRADED(ch02, sum_square_forward, "sum_square_forward returns (x + y)^2 and its square node caches t = x + y")
{
    double xs[] = {1, 3, -2.5}, ys[] = {2, -1, 0.75};
    for (int k = 0; k < 3; k++) {
        char where[64];
        snprintf(where, sizeof where, "for x = %g, y = %g", xs[k], ys[k]);
        SumSquare f = {{GC_UNSET}};
        double got = sum_square_forward(&f, xs[k], ys[k]);
        double t = xs[k] + ys[k], want = t * t;
        gc_expect_value("sum_square_forward", "z", where, &got, &want, 1, NULL, 0);
        gc_expect_value("sum_square_forward", "f->square.x (the cached t)", where, &f.square.x, &t, 1, NULL, 0);
    }
}

/* ---- the unary backwards ------------------------------------------------------------- */

GRADED(ch02, square_backward_book, "square_backward at the chapter's points (x = 2, 3, -2; dout 1 and 1.5)")
{
    check_unary_exact(SQUARE, 2, 0, 1);
    check_unary_exact(SQUARE, 3, 0, 1.5);
    check_unary_exact(SQUARE, -2, 0, 1.5);
}

GRADED(ch02, square_backward_random, "square_backward on 20 seeded random inputs and upstream gradients")
{
    gc_seed(2001);
    for (int k = 0; k < 20; k++) {
        double x = gc_uniform(-10, 10), c = 0, dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(SQUARE, x, c, dout, 0);
    }
}

GRADED(ch02, exp_backward_book, "exp_backward at the chapter's points (x = 2, 0, -1; dout 1 and 2)")
{
    check_unary_exact(EXP, 2, 0, 1);
    check_unary_exact(EXP, 0, 0, 2);
    check_unary_exact(EXP, -1, 0, 2);
}

GRADED(ch02, exp_backward_random, "exp_backward on 20 seeded random inputs (negative too) and upstream gradients")
{
    gc_seed(2002);
    for (int k = 0; k < 20; k++) {
        double x = gc_uniform(-5, 5), c = 0, dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(EXP, x, c, dout, 0);
    }
}

GRADED(ch02, reciprocal_backward_book, "reciprocal_backward at the chapter's points and close to 0 (x = 2, -0.5, +-0.001)")
{
    check_unary_exact(RECIPROCAL, 2, 0, 1);
    check_unary_exact(RECIPROCAL, -0.5, 0, 1.5);
    check_unary_exact(RECIPROCAL, 0.001, 0, 1);
    check_unary_exact(RECIPROCAL, -0.001, 0, -2);
}

GRADED(ch02, reciprocal_backward_random, "reciprocal_backward on 30 seeded random inputs, negative and near 0 (never 0)")
{
    gc_seed(2003);
    for (int k = 0; k < 20; k++) {
        double x = gc_away_from_zero(0.05, 5), c = 0, dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(RECIPROCAL, x, c, dout, 0);
    }
    for (int k = 0; k < 10; k++) { /* 0.001 <= |x| < 0.05: the slope is steep, so the step shrinks with x */
        double x = gc_away_from_zero(0.001, 0.05), c = 0, dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(RECIPROCAL, x, c, dout, 1);
    }
}

GRADED(ch02, scale_backward_book, "scale_backward for c = 3 and c = -1 (dout 2.5 and 1)")
{
    check_unary_exact(SCALE, -4, 3, 2.5);
    check_unary_exact(SCALE, 2, -1, 1);
    check_unary_exact(SCALE, 2, -1, 2.5);
}

GRADED(ch02, scale_backward_random, "scale_backward on 20 seeded random constants, inputs and upstream gradients")
{
    gc_seed(2004);
    for (int k = 0; k < 20; k++) {
        double x = gc_uniform(-10, 10), c = gc_away_from_zero(0.2, 4), dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(SCALE, x, c, dout, 0);
    }
}

GRADED(ch02, add_const_backward_book, "add_const_backward for c = 1 and c = 100 (dout 1, -0.75, 2)")
{
    check_unary_exact(ADD_CONST, 2, 1, 1);
    check_unary_exact(ADD_CONST, 2, 1, -0.75);
    check_unary_exact(ADD_CONST, -3, 100, 2);
}

GRADED(ch02, add_const_backward_random, "add_const_backward on 20 seeded random constants, inputs and upstream gradients")
{
    gc_seed(2005);
    for (int k = 0; k < 20; k++) {
        double x = gc_uniform(-10, 10), c = gc_away_from_zero(0.2, 5), dout = gc_away_from_zero(0.5, 3);
        check_unary_numeric(ADD_CONST, x, c, dout, 0);
    }
}

/* ---- z = (x + y)^2: the chain ----------------------------------------------------------- */

static double ref_sum_square(const double *v, void *ctx)
{
    double dout = *(const double *)ctx;
    double t = v[0] + v[1];
    return dout * t * t;
}

static void check_sum_square(double x, double y, double dout, int exact)
{
    char where[128];
    snprintf(where, sizeof where, "at x = %g, y = %g (cached t = %g), dout = %g", x, y, x + y, dout);
    SumSquare f = {{x + y}}, before = f;
    double *dx = gc_array_fill("dx", 1, 1, GC_STALE), *dy = gc_array_fill("dy", 1, 1, GC_STALE);
    sum_square_backward(&f, dout, dx, dy);
    double got[2] = {*dx, *dy}, want[2]; /* scalars, not arrays: compared as values */
    gc_expect_unchanged("sum_square_backward", "its cache f->square (t)", &before, &f, sizeof f);
    double t = x + y;
    if (exact) {
        want[0] = want[1] = dout * 2 * t;
    } else {
        double v[2] = {x, y};
        want[0] = gc_central_difference(ref_sum_square, v, 0, &dout);
        want[1] = gc_central_difference(ref_sum_square, v, 1, &dout);
    }
    const char *args[2] = {"dx", "dy"};
    for (int i = 0; i < 2; i++) {
        gc_guess guesses[] = {
            {(double[]){dout}, "dout went straight to the inputs: call square_backward first to get dt = dL/dt, "
                               "then the add node passes dt on (its local derivatives are 1)"},
            {(double[]){2 * t}, "that is 2t, the local derivative alone; multiply it by dout (square_backward "
                                "does, if you pass it dout)"},
            {(double[]){dout * t}, "dout * t: the square node's local derivative is 2t; the 2 is missing"},
            {(double[]){dout * t * t}, "dout * t^2: that is z, the output, not the derivative dz/dt = 2t"},
            {(double[]){4 * t * dout}, "twice too large: the add node passes dt through unchanged (local "
                                       "derivative 1); it does not double it"},
            {(double[]){2 * dout}, "2 * dout: the square node's derivative 2t needs t, which forward cached"},
        };
        if (exact)
            gc_expect_value("sum_square_backward", args[i], where, &got[i], &want[i], 1, guesses, 6);
        else
            gc_expect_gradient("sum_square_backward", args[i], where, &got[i], &want[i], 1, guesses, 6);
    }
}

/* uses: square_backward_book square_backward_random */
GRADED(ch02, sum_square_backward_book, "sum_square_backward at the chapter's point x = 1, y = 2 (and dout = 0.5)")
{
    check_sum_square(1, 2, 1, 1);
    check_sum_square(1, 2, 0.5, 1);
    check_sum_square(3, -1, 1, 1);
}

/* uses: square_backward_book square_backward_random */
GRADED(ch02, sum_square_backward_random, "sum_square_backward on 20 seeded random inputs and upstream gradients")
{
    gc_seed(2006);
    for (int k = 0; k < 20; k++) {
        double x = gc_uniform(-5, 5), y = gc_uniform(-5, 5), dout = gc_away_from_zero(0.5, 3);
        check_sum_square(x, y, dout, 0);
    }
}
