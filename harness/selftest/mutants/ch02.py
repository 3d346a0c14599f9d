"""Deliberately wrong chapter 2 solutions that the grader must reject (see harness/selftest/mutants/__init__.py)."""

SQUARE = ["square_backward_book", "square_backward_random"]
EXP = ["exp_backward_book", "exp_backward_random"]
RECIPROCAL = ["reciprocal_backward_book", "reciprocal_backward_random"]
SCALE = ["scale_backward_book", "scale_backward_random"]
ADD_CONST = ["add_const_backward_book", "add_const_backward_random"]
SUM_SQUARE = ["sum_square_backward_book", "sum_square_backward_random"]
SQUARE_LINE = "*dx = dout * 2.0 * node->x;"
CHAIN_LINE = "square_backward(&f->square, dout, &dt); /* node 2 first: dt = dout * 2t */"

MUTANTS = [
# (name, file, old, new, tests that must fail, text the message must contain)
("square: the 2 forgotten", "unary_nodes.c", SQUARE_LINE, "*dx = dout * node->x;", SQUARE, "the 2 is missing"),
("square: dout forgotten", "unary_nodes.c", SQUARE_LINE, "(void)dout;\n    *dx = 2.0 * node->x;",
 SQUARE, "multiply it by dout"),
("square: the output instead of the derivative", "unary_nodes.c", SQUARE_LINE,
 "*dx = dout * node->x * node->x;", SQUARE, "not its derivative"),
("square: adds onto dx (+=) instead of assigning", "unary_nodes.c", SQUARE_LINE, "*dx += dout * 2.0 * node->x;",
 SQUARE, "added onto (+=) without setting it to 0 first"),
("square: dx never written", "unary_nodes.c", SQUARE_LINE, "(void)node; (void)dout; (void)dx;",
 SQUARE, "dx = (never written)"),
# sum_square_backward builds on square_backward: a broken square_backward is named first
("square: the 2 forgotten, seen from sum_square", "unary_nodes.c", SQUARE_LINE, "*dx = dout * node->x;",
 SUM_SQUARE, "square_backward's own test fails too"),
("exp: exp applied to the cached output", "unary_nodes.c",
 "*dx = dout * node->out;", "*dx = dout * exp(node->out);", EXP, "cached output"),
("exp: dout passed through", "unary_nodes.c",
 "*dx = dout * node->out;", "(void)node;\n    *dx = dout;", EXP, "passed through"),
("reciprocal: sign flipped", "unary_nodes.c",
 "*dx = dout * -(node->out * node->out);", "*dx = dout * (node->out * node->out);",
 RECIPROCAL, "sign is flipped"),
("reciprocal: output not squared", "unary_nodes.c",
 "*dx = dout * -(node->out * node->out);", "*dx = dout * -node->out;", RECIPROCAL, "square the output"),
("reciprocal: -1/x^2 applied to the output", "unary_nodes.c",
 "*dx = dout * -(node->out * node->out);", "*dx = -dout / (node->out * node->out);",
 RECIPROCAL, "a product, not a quotient"),
("scale: dout passed through", "unary_nodes.c",
 "*dx = dout * node->c;", "(void)node;\n    *dx = dout;", SCALE, "multiply it by the constant c"),
("scale: divides by c", "unary_nodes.c",
 "*dx = dout * node->c;", "*dx = dout / node->c;", ["scale_backward_random"], "don't divide"),
("add_const: multiplies by c", "unary_nodes.c",
 "*dx = dout * 1.0;", "*dx = dout * node->c;", ADD_CONST, "scale node's rule"),
("add_const: adds c to the gradient", "unary_nodes.c",
 "*dx = dout * 1.0;", "*dx = dout + node->c;", ADD_CONST, "not its slope"),
("exp forward: caches x instead of exp(x) (given code edited)", "unary_nodes.c",
 "node->out = exp(x); /* d(exp x)/dx = exp x: the output is the derivative */\n    return node->out;",
 "node->out = x;\n    return exp(x);", ["unary_forward"], "needs out = exp(x)"),
("sum_square: dout straight to the inputs", "sum_square.c",
 CHAIN_LINE, "(void)f;\n    dt = dout;", SUM_SQUARE, "call square_backward first"),
("sum_square: the add node doubles", "sum_square.c",
 "*dx = dt * 1.0;", "*dx = dt * 2.0;", SUM_SQUARE, "does not double"),
("sum_square: dout forgotten", "sum_square.c",
 CHAIN_LINE, "square_backward(&f->square, 1.0, &dt); (void)dout;", SUM_SQUARE, "multiply it by dout"),
("sum_square: dy never written", "sum_square.c",
 "*dy = dt * 1.0;", "(void)dy;", SUM_SQUARE, "dy = (never written)"),
("sum_square: z instead of dz/dt", "sum_square.c",
 CHAIN_LINE, "dt = dout * f->square.x * f->square.x;", SUM_SQUARE, "not the derivative"),
]
