# course.mk: the one manifest of the workbook.
#
# Read by the Makefile (include), by harness/grade.py, harness/source.py and
# book/build.py (which parse these `name := value` lines). Keep to that form:
# one `name := value` per line, values are space-separated words, except titles.
#
#   chN.dir       folder under chapters/ holding chapter.md and example programs
#   chN.title     the chapter's title (book, grader table)
#   chN.files     exercise files under exercises/chNN/ (and solutions/chNN/);
#                 empty = the chapter has nothing to grade yet
#   chN.examples  example programs chapters/<dir>/<name>.c; each is run at book
#                 build time and its stdout is woven in with {.output run=...}
#   chN.graphs    the examples that also draw their graph: `<name> --dot` prints
#                 Graphviz DOT, rendered to SVG (HTML) and PDF (LaTeX)
#   chN.expect.NAME  numbers example NAME must print, in this order (make test)

CHAPTERS := 1 2 3 4 5 6

ch1.dir      := 01-computation-graph
ch1.title    := The computation graph
ch1.files    := graph.c numerical_diff.c
ch1.examples := apple_graph fruit_graph local_computation apple_gradients
ch1.graphs   := apple_graph fruit_graph local_computation apple_gradients
ch1.expect.apple_graph       := 100 2 1.1 200 220 220
ch1.expect.fruit_graph       := 100 2 150 3 1.1 200 450 650 715 715
ch1.expect.local_computation := 4000 100 2 1.1 200 4200 4620 4000 200 4200 1.1 4620
ch1.expect.apple_gradients   := 100 2.2 2 110 1.1 200 200 1.1 220 1 2.2 110 200 6 1

ch2.dir      := 02-chain-rule
ch2.title    := The chain rule
ch2.files    := unary_nodes.c sum_square.c
ch2.examples := chain_symbols chain_rule node_table
ch2.graphs   := chain_symbols chain_rule
ch2.expect.chain_rule := 3 9 1 6 6 6 6 6
ch2.expect.node_table := 2 1 4 4 4 7.38906 7.38906 7.38906 0.5 -0.25 -0.25 -2 -1 -1 3 1 1

ch3.dir      := 03-add-mul-nodes
ch3.title    := Backward through add and mul nodes
ch3.files    := mul_layer.c add_layer.c
ch3.examples := buy_apple buy_apple_orange
ch3.graphs   := buy_apple buy_apple_orange
ch3.expect.buy_apple        := 220 2.2 110 200
ch3.expect.buy_apple_orange := 715 2.2 110 3.3 165 650

ch4.dir      := 04-activations
ch4.title    := Activation layers: ReLU and Sigmoid
ch4.files    := relu_layer.c sigmoid_layer.c
ch4.examples := relu_batch sigmoid_symbols sigmoid_graph sigmoid_batch
ch4.graphs   := relu_batch sigmoid_symbols sigmoid_graph sigmoid_batch
ch4.expect.relu_batch    := 2 3 1 -0.5 0 -2 3 0.25 0 1 1 1 0 0 1 0 0 0 3 0.25 0.5 2 -1 1.5 -0.3 0.8 0.5 0 0 0 -0.3 0.8
ch4.expect.sigmoid_graph := 1 -1 0.367879 1.36788 0.731059 -0.534447 -0.534447 1 -0.534447 0.367879 -0.196612 -1 0.196612 0.196612
ch4.expect.sigmoid_batch := 0.731059 0.5 0.268941 0.880797 0.0474259 0.622459 0.196612 0.125 -0.393224 0.15749 0.0451767 -0.0940015 0.196612 1 0.196612

ch5.dir      := 05-affine-softmax
ch5.title    := Affine and Softmax-with-Loss
ch5.files    := affine.c softmax_loss.c
ch5.examples := affine_batch softmax_two gradient_check
ch5.graphs   := affine_batch softmax_two
ch5.expect.affine_batch   := 6 -3 -1 -5 1 2.5 -0.5 -1 0 -2 1 0.5 3 -1 1 5.5 0 2.5
ch5.expect.softmax_two    := 0.008162 0.000055 0.991783 0.008251 0.008162 0.000055 -0.008217 4.808251 -0.991838 0.000055 0.991783 2.408251 0.004081 0.000027 -0.004109 -0.495919 0.000027 0.495891 0.090031 0.244728 0.665241
ch5.expect.gradient_check := 6 6 5.1e-08 9.1e-04

ch6.dir      := 06-two-layer-net
ch6.title    := A two-layer network on Fashion-MNIST
ch6.files    := two_layer_net.c
ch6.examples := gradient_check_net train_fashion
ch6.graphs   :=
ch6.expect.gradient_check_net := 784 50 10 3 300 39200 50 50 500 500 10 10
ch6.expect.train_fashion      := 1800 100 0.1 600 1800 0.4421 83.63 82.23
