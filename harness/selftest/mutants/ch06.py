"""Deliberately wrong chapter 6 solutions that the grader must reject (see harness/selftest/mutants/__init__.py)."""

BACKWARD = ["two_layer_backward_small", "two_layer_backward_shapes"]

SOFTMAX = "    softmax_loss_backward(&net->last, 1.0, net->dscores); /* (y - t) / N */\n"
AFFINE2 = "    affine_backward(&net->affine2, net->dscores, net->dh1, net->dW2, net->db2);\n"
RELU = "    relu_backward(&net->relu, net->dh1, net->da1); /* 0 where a1 <= 0 */\n"
AFFINE1 = "    affine_backward(&net->affine1, net->da1, NULL, net->dW1, net->db1);\n"

SGD_W1 = "    for (int i = 0; i < D * H; i++)\n        net->W1[i] -= lr * net->dW1[i];\n"
SGD_B2 = "    for (int i = 0; i < C; i++)\n        net->b2[i] -= lr * net->db2[i];\n"

MUTANTS = [
# (name, file, old, new, tests that must fail, text the message must contain)
("net: layers' backwards in forward order", "two_layer_net.c",
 SOFTMAX + AFFINE2 + RELU + AFFINE1, AFFINE1 + RELU + AFFINE2 + SOFTMAX,
 BACKWARD, "reverse order"),
("net: ReLU's mask ignored", "two_layer_net.c",
 RELU, "    for (int i = 0; i < net->batch * net->hidden_size; i++)\n        net->da1[i] = net->dh1[i];\n",
 BACKWARD, "mask was ignored"),
("net: dW1 never computed", "two_layer_net.c",
 AFFINE1, "",
 BACKWARD, "never written"),
("net: dloss = 1/N, the batch scaled twice", "two_layer_net.c",
 "softmax_loss_backward(&net->last, 1.0, net->dscores);",
 "softmax_loss_backward(&net->last, 1.0 / net->batch, net->dscores);",
 BACKWARD, "batch size N twice"),
("sgd: a step uphill", "two_layer_net.c",
 "net->W1[i] -= lr * net->dW1[i];", "net->W1[i] += lr * net->dW1[i];",
 ["sgd_step"], "uphill"),
("sgd: every step uphill", "two_layer_net.c",
 "sgd_step(TwoLayerNet *net, double lr)\n{\n", "sgd_step(TwoLayerNet *net, double lr)\n{\n    lr = -lr;\n",
 ["sgd_step", "training_lowers_loss"], "uphill"),
("sgd: lr forgotten", "two_layer_net.c",
 "net->b2[i] -= lr * net->db2[i];", "net->b2[i] -= net->db2[i];",
 ["sgd_step"], "learning rate lr was not multiplied in"),
("sgd: b1 not updated", "two_layer_net.c",
 "    for (int i = 0; i < H; i++)\n        net->b1[i] -= lr * net->db1[i];\n", "",
 ["sgd_step"], "b1 was not updated"),
("net: dloss = 1 / N in integer arithmetic (0 for N > 1)", "two_layer_net.c",
 "softmax_loss_backward(&net->last, 1.0, net->dscores);",
 "softmax_loss_backward(&net->last, 1 / net->batch, net->dscores);",
 BACKWARD, "integer division"),

# ---- one step past the end of the network's arrays (named after two_layer_init) ----
("net: ReLU's mask ignored, copying i <= N * H (reads dh1[N * H])", "two_layer_net.c",
 RELU, "    for (int i = 0; i <= net->batch * net->hidden_size; i++)\n        net->da1[i] = net->dh1[i];\n",
 BACKWARD + ["training_lowers_loss"], "one element past the end of dh1"),
("net: db1 zeroed with j <= H first (writes db1[H])", "two_layer_net.c",
 SOFTMAX, "    for (int j = 0; j <= net->hidden_size; j++) /* start from 0 */\n        net->db1[j] = 0.0;\n" + SOFTMAX,
 BACKWARD + ["training_lowers_loss"], "one element past the end of db1"),
("sgd: W1 stepped with i <= D * H", "two_layer_net.c",
 SGD_W1, SGD_W1.replace("i < D * H", "i <= D * H"),
 ["sgd_step", "training_lowers_loss"], "one element past the end of W1"),
("sgd: b2 stepped with i <= C", "two_layer_net.c",
 SGD_B2, SGD_B2.replace("i < C", "i <= C"),
 ["sgd_step", "training_lowers_loss"], "one element past the end of b2"),

# ---- loops that stop early ----
("sgd: W1 stepped with i < D * H - 1 (its last element kept)", "two_layer_net.c",
 SGD_W1, SGD_W1.replace("i < D * H", "i < D * H - 1"),
 ["sgd_step"], "the last element, W1[19], was not updated: the loop stops one step early"),
("sgd: W1 stepped with i < H, one side of the matrix", "two_layer_net.c",
 SGD_W1, SGD_W1.replace("i < D * H", "i < H"),
 ["sgd_step"], "the loop's bound is H = 4, one side of the matrix"),
("sgd: b2 stepped with i < C - 1 (its last element kept)", "two_layer_net.c",
 SGD_B2, SGD_B2.replace("i < C", "i < C - 1"),
 ["sgd_step"], "the last element, b2[2], was not updated"),
]
