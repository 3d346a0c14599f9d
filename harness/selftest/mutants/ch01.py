"""Deliberately wrong chapter 1 solutions that the grader must reject (see harness/selftest/mutants/__init__.py)."""

ACCUMULATE = ("grad[node->a] += grad[k] * da; /* += : a value read twice */\n"
              "        grad[node->b] += grad[k] * db; /*      gets a share from each read */")
CLEAR = "for (int i = 0; i < g->count; i++) /* nothing has arrived anywhere yet */"
WALK = "for (int k = g->count - 1; k >= 0; k--) { /* back to front */"
LOCAL_MUL = "*da = g->nodes[node->b].value;"
DIFF = "return (f(x + h) - f(x - h)) / (2 * h);"
BACKWARD_TESTS = ["graph_backward_apple", "graph_backward_fruit", "graph_backward_fan_out",
                  "graph_backward_leaf_twice", "graph_backward_random"]
DIFF_TESTS = ["numerical_diff_known", "numerical_diff_step"]

MUTANTS = [
# (name, file, old, new, tests that must fail, text the message must contain)
("graph: = instead of += where a value fans out", "graph.c",
 ACCUMULATE, "grad[node->a] = grad[k] * da;\n        grad[node->b] = grad[k] * db;",
 ["graph_backward_fan_out", "graph_backward_leaf_twice", "graph_backward_random"], "+="),
("graph: walks in forward order", "graph.c",
 WALK, "for (int k = 0; k < g->count; k++) {",
 BACKWARD_TESTS, "forward order"),
("graph: seeds the output with 1, not dout", "graph.c",
 "grad[g->count - 1] = dout;", "(void)dout;\n    grad[g->count - 1] = 1.0;",
 ["graph_backward_fan_out", "graph_backward_leaf_twice", "graph_backward_random"], "seeded the output with 1"),
("graph: gradients not cleared before accumulating", "graph.c",
 CLEAR + "\n        grad[i] = 0.0;", "",
 BACKWARD_TESTS, "Set every grad[i] to 0 before the walk"),
("graph: local derivatives to the wrong inputs", "graph.c",
 "graph_local_grads(g, k, &da, &db);", "graph_local_grads(g, k, &db, &da);",
 ["graph_backward_apple", "graph_backward_fruit", "graph_backward_random"], "da belongs to grad[a]"),
("graph: dout instead of grad[k] at every node", "graph.c",
 ACCUMULATE, "grad[node->a] += dout * da;\n        grad[node->b] += dout * db;",
 BACKWARD_TESTS, "grad[k]"),
("graph: local derivative alone, upstream forgotten", "graph.c",
 ACCUMULATE, "grad[node->a] += da;\n        grad[node->b] += db;",
 BACKWARD_TESTS, "only the local derivative"),
# Loop bounds. Two slips of the bounds change nothing, so they are no mutants:
# clearing with `i < g->count - 1` (the seed sets the last slot anyway), and
# walking while `k > 0` (node 0 reads nothing: it is always an input).
("graph: clears one slot past the end of grad (<= where < belongs)", "graph.c",
 CLEAR, CLEAR.replace("i < g->count", "i <= g->count"),
 BACKWARD_TESTS, "one element past the end of grad"),
("graph: the walk starts one node past the output (k = g->count)", "graph.c",
 WALK, "for (int k = g->count; k >= 0; k--) {",
 BACKWARD_TESTS, "one element past the end of grad"),
("graph: the walk starts below the output (g->count - 2)", "graph.c",
 WALK, "for (int k = g->count - 2; k >= 0; k--) {",
 BACKWARD_TESTS, "skipped the output node"),
# Given code the learner edited: its own check fails, and the tests that build on it say so.
("graph: wrong local derivative of mul (given code edited)", "graph.c",
 LOCAL_MUL, "*da = g->nodes[node->a].value;",
 ["graph_local_grads"], "da is wrong"),
("graph: wrong local derivative of mul (given code edited), blamed on it", "graph.c",
 LOCAL_MUL, "*da = g->nodes[node->a].value;",
 ["graph_backward_apple", "graph_backward_random"], "graph_local_grads's own test fails too"),
("graph: forward forgets the mul nodes' values (given code edited)", "graph.c",
 "node->value = node->op == OP_ADD ? a + b : a * b;", "node->value = node->op == OP_ADD ? a + b : 0.0;",
 ["graph_forward_book"], "price"),
# numerical_diff
("numerical_diff: forward difference", "numerical_diff.c",
 DIFF, "return (f(x + h) - f(x)) / h;", DIFF_TESTS, "forward difference"),
("numerical_diff: backward difference", "numerical_diff.c",
 DIFF, "return (f(x) - f(x - h)) / h;", DIFF_TESTS, "backward difference"),
("numerical_diff: divides by h, not 2h", "numerical_diff.c",
 DIFF, "return (f(x + h) - f(x - h)) / h;", DIFF_TESTS, "divide by 2 * h, not h"),
("numerical_diff: precedence, the difference not in parentheses", "numerical_diff.c",
 DIFF, "return f(x + h) - f(x - h) / (2 * h);", DIFF_TESTS, "put the difference in parentheses"),
("numerical_diff: precedence, / 2 * h", "numerical_diff.c",
 DIFF, "return (f(x + h) - f(x - h)) / 2 * h;",
 DIFF_TESTS, "/ 2 * h divides by 2 and then multiplies by h: write / (2 * h)"),
("numerical_diff: a step too small to see (1e-50)", "numerical_diff.c",
 DIFF, "(void)h;\n    return (f(x + 1e-50) - f(x - 1e-50)) / (2 * 1e-50);",
 DIFF_TESTS, "x + h rounds to x"),
("numerical_diff: ignores the h it is given", "numerical_diff.c",
 DIFF, "(void)h;\n    return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6;",
 ["numerical_diff_step"], "does not use the h"),
]
