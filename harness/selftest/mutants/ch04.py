"""Deliberately wrong chapter 4 solutions that the grader must reject (see harness/selftest/mutants/__init__.py)."""

RELU = ["relu_backward_book", "relu_backward_zero", "relu_backward_random"]
SIGMOID = ["sigmoid_backward_book", "sigmoid_backward_random"]
RELU_LINE = "dx[i] = layer->mask[i] ? 0.0 : dout[i]; /* local derivative 0 or 1 */"
RELU_LOOP = "for (int i = 0; i < layer->n; i++)\n        dx[i] = layer->mask[i] ? 0.0 : dout[i];"
SIGMOID_LINE = "dx[i] = dout[i] * y * (1.0 - y); /* dy/dx = y(1 - y) */"
SIGMOID_LOOP = ("for (int i = 0; i < layer->n; i++) {\n        double y = layer->out[i];\n"
                "        dx[i] = dout[i] * y * (1.0 - y);")

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
# loop bounds, and reads and writes one element past the end of an array
("relu: the loop stops one step early (n - 1)", "relu_layer.c",
 RELU_LOOP, RELU_LOOP.replace("i < layer->n", "i < layer->n - 1"),
 RELU, "was never written: the loop stops one step early"),
("relu: <= where < belongs: reads the mask one past its end", "relu_layer.c",
 RELU_LOOP, RELU_LOOP.replace("i < layer->n", "i <= layer->n"),
 RELU, "one element past the end of layer->mask"),
("relu: counts from 1 to n: reads dout one past its end", "relu_layer.c",
 RELU_LOOP, "for (int i = 1; i <= layer->n; i++)\n        dx[i - 1] = layer->mask[i - 1] ? 0.0 : dout[i];",
 ["relu_backward_book", "relu_backward_zero"], "read dout[6], one element past the end of dout"),
("relu: clears dx with <=: writes dx one past its end", "relu_layer.c",
 RELU_LOOP, "for (int i = 0; i <= layer->n; i++) /* clear dx first */\n        dx[i] = 0.0;\n"
            "    for (int i = 0; i < layer->n; i++)\n        if (!layer->mask[i])\n            dx[i] = dout[i];",
 RELU, "one element past the end of dx"),
("relu: masked elements never written", "relu_layer.c",
 RELU_LINE, "if (!layer->mask[i]) dx[i] = dout[i];",
 ["relu_backward_book", "relu_backward_zero"], "dx was written only where the mask is 0"),
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
("sigmoid: adds onto dx (+=) instead of assigning", "sigmoid_layer.c", SIGMOID_LINE,
 "dx[i] += dout[i] * y * (1.0 - y);",
 SIGMOID, "added onto (+=) without setting it to 0 first"),
# loop bounds, and reads and writes one element past the end of an array
("sigmoid: the loop stops one step early (n - 1)", "sigmoid_layer.c",
 SIGMOID_LOOP, SIGMOID_LOOP.replace("i < layer->n", "i < layer->n - 1"),
 SIGMOID, "was never written: the loop stops one step early"),
("sigmoid: <= where < belongs: reads the cached y one past its end", "sigmoid_layer.c",
 SIGMOID_LOOP, SIGMOID_LOOP.replace("i < layer->n", "i <= layer->n"),
 SIGMOID, "one element past the end of layer->out"),
("sigmoid: counts from 1 to n: reads dout one past its end", "sigmoid_layer.c",
 SIGMOID_LOOP, "for (int i = 1; i <= layer->n; i++) {\n        double y = layer->out[i - 1];\n"
               "        dx[i - 1] = dout[i] * y * (1.0 - y);",
 SIGMOID, "one element past the end of dout"),
("sigmoid: counts from 1 to n: writes dx one past its end", "sigmoid_layer.c",
 SIGMOID_LOOP, "for (int i = 1; i <= layer->n; i++) {\n        double y = layer->out[i - 1];\n"
               "        dx[i] = dout[i - 1] * y * (1.0 - y);",
 SIGMOID, "one element past the end of dx"),
("sigmoid forward: caches x (given code edited)", "sigmoid_layer.c",
 "layer->out[i] = out[i]; /* backward needs only y */", "layer->out[i] = x[i];",
 ["sigmoid_forward"], "the cache holds x"),
]
