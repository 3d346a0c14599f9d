"""Deliberately wrong chapter 6 solutions that the grader must reject (see harness/mutants.py)."""

BACKWARD = ["two_layer_backward_small", "two_layer_backward_shapes"]

SOFTMAX = "    softmax_loss_backward(&net->last, 1.0, net->dscores); /* (y - t) / N */\n"
AFFINE2 = "    affine_backward(&net->affine2, net->dscores, net->dh1, net->dW2, net->db2);\n"
RELU = "    relu_backward(&net->relu, net->dh1, net->da1); /* 0 where a1 <= 0 */\n"
AFFINE1 = "    affine_backward(&net->affine1, net->da1, net->dx, net->dW1, net->db1);\n"

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
]
