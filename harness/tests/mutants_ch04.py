"""Deliberately wrong chapter 4 solutions that the grader must reject (see harness/mutants.py)."""

RELU = ["relu_backward_book", "relu_backward_zero", "relu_backward_random"]
SIGMOID = ["sigmoid_backward_book", "sigmoid_backward_random"]
RELU_LINE = "dx[i] = layer->mask[i] ? 0.0 : dout[i]; /* local derivative 0 or 1 */"
SIGMOID_LINE = "dx[i] = dout[i] * y * (1.0 - y); /* dy/dx = y(1 - y) */"

MUTANTS = [
# (name, file, old, new, tests that must fail, text the message must contain)
("relu: mask inverted", "relu_layer.c", RELU_LINE, "dx[i] = layer->mask[i] ? dout[i] : 0.0;",
 ["relu_backward_book", "relu_backward_random"], "the mask is inverted"),
("relu: mask multiplied in (inverted)", "relu_layer.c", RELU_LINE, "dx[i] = dout[i] * layer->mask[i];",
 ["relu_backward_book", "relu_backward_random"], "the mask is inverted"),
("relu: mask ignored", "relu_layer.c", RELU_LINE, "dx[i] = dout[i];",
 RELU, "the mask was not applied"),
("relu: dout forgotten", "relu_layer.c", RELU_LINE, "dx[i] = ((void)dout, layer->mask[i] ? 0.0 : 1.0);",
 RELU, "multiply it by dout"),
("relu: zeroes dout in place, like the textbook's Python", "relu_layer.c", RELU_LINE,
 "{ double *d = (double *)dout; if (layer->mask[i]) d[i] = 0.0; dx[i] = d[i]; }",
 RELU, "zeroed in place"),
("relu: last element never written", "relu_layer.c",
 "for (int i = 0; i < layer->n; i++)\n        dx[i]", "for (int i = 0; i < layer->n - 1; i++)\n        dx[i]",
 ["relu_backward_book", "relu_backward_random"], "never written"),
("relu forward: mask x < 0 (given code edited)", "relu_layer.c",
 "layer->mask[i] = x[i] <= 0;", "layer->mask[i] = x[i] < 0;",
 ["relu_forward", "relu_backward_zero"], "exactly 0"),
("sigmoid: dout forgotten", "sigmoid_layer.c", SIGMOID_LINE, "dx[i] = y * (1.0 - y); (void)dout;",
 SIGMOID, "multiply it by dout"),
("sigmoid: sigmoid applied to the cached y", "sigmoid_layer.c", SIGMOID_LINE,
 "double s = 1.0 / (1.0 + exp(-y)); dx[i] = dout[i] * s * (1.0 - s);",
 SIGMOID, "applied to the cached value again"),
("sigmoid: (1 - y) missing", "sigmoid_layer.c", SIGMOID_LINE, "dx[i] = dout[i] * y;",
 SIGMOID, "(1 - y) is missing"),
("sigmoid: parentheses missing", "sigmoid_layer.c", SIGMOID_LINE, "dx[i] = dout[i] * y * 1.0 - y;",
 SIGMOID, "in parentheses"),
("sigmoid: only the 1/x node", "sigmoid_layer.c", SIGMOID_LINE, "dx[i] = dout[i] * -(y * y);",
 SIGMOID, "1/x node's local derivative alone"),
("sigmoid: sign flipped", "sigmoid_layer.c", SIGMOID_LINE, "dx[i] = dout[i] * y * (y - 1.0);",
 SIGMOID, "sign is flipped"),
("sigmoid: overwrites its cache", "sigmoid_layer.c", SIGMOID_LINE,
 "layer->out[i] = dout[i] * y * (1.0 - y); dx[i] = layer->out[i];",
 SIGMOID, "changed the layer's cached y"),
("sigmoid: writes its result into dout", "sigmoid_layer.c", SIGMOID_LINE,
 "((double *)dout)[i] *= y * (1.0 - y); dx[i] = dout[i];",
 SIGMOID, "changed dout"),
("sigmoid forward: caches x (given code edited)", "sigmoid_layer.c",
 "layer->out[i] = out[i]; /* backward needs only y */", "layer->out[i] = x[i];",
 ["sigmoid_forward"], "the cache holds x"),
]
