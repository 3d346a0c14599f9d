"""Deliberately wrong chapter 5 solutions that the grader must reject (see harness/selftest/mutants/__init__.py)."""

AFFINE_BACKWARD = ["affine_backward_book", "affine_backward_random"]
SOFTMAX_BACKWARD = ["softmax_loss_backward_book", "softmax_loss_backward_random"]
CHAIN = ["affine_softmax_chain"]

# Pieces of solutions/ch05, for the mutants that rewrite a loop: code only (a
# mutant is matched on code, so comments may change freely), long enough to be
# found once.
DX_ROWS = "        for (int n = 0; n < N; n++) {\n            for (int i = 0; i < D; i++) {\n"
DW_ROWS = "    for (int i = 0; i < D; i++) {\n        for (int j = 0; j < M; j++)\n            dW[i * M + j] = 0.0;\n"
DW_ZERO = "        for (int j = 0; j < M; j++)\n            dW[i * M + j] = 0.0;\n"
DW_SUM = "dW[i * M + j] += x[n * D + i] * dout[n * M + j];"
DW_SAMPLES = "        for (int n = 0; n < N; n++)\n            for (int j = 0; j < M; j++)\n                " + DW_SUM
DB_HEAD = "    for (int j = 0; j < M; j++) {\n        double sum = 0.0;\n        for (int n = 0; n < N; n++)\n"
DB_LOOP = (DB_HEAD
           + "            sum += dout[n * M + j];\n"
           + "        db[j] = sum;\n"
           + "    }\n")
DB_SUM = "        for (int n = 0; n < N; n++)\n            sum += dout[n * M + j];\n"

SCALE = "    const double scale = dloss / N; /* the loss is a mean over N rows */\n"
ROWS = "    for (int n = 0; n < N; n++) {\n"
CLASSES = "        for (int k = 0; k < C; k++) {\n"
T_NK = "            double t_nk = (k == layer->t[n]) ? 1.0 : 0.0; /* one-hot, never stored */\n"
DX_NK = "            dx[n * C + k] = scale * (layer->y[n * C + k] - t_nk);\n"
SOFTMAX_LOOPS = ROWS + CLASSES + T_NK + DX_NK + "        }\n    }\n"

INTEGER_DIVISION = "1 / N is integer division in C: 0 for every N > 1 (it passed for N = 1). Write 1.0 / N"

MUTANTS = [
# (name, file, old, new, tests that must fail, text the message must contain)
("affine: dx = dout W, the transpose missing", "affine.c",
 "sum += dout[n * M + j] * W[i * M + j];", "sum += dout[n * M + j] * W[j * D + i];",
 AFFINE_BACKWARD, "missing transpose"),
("affine: dW = dout^T x, operands swapped", "affine.c",
 DW_ZERO + DW_SAMPLES, DW_ZERO.replace("dW[i * M + j]", "dW[j * D + i]") + DW_SAMPLES.replace("dW[i * M + j]", "dW[j * D + i]"),
 AFFINE_BACKWARD, "transpose of the answer"),
("affine: dout forgotten in dW", "affine.c",
 DW_SUM, "dW[i * M + j] += x[n * D + i];",
 AFFINE_BACKWARD, "dout was not multiplied in"),
("affine: dW assigned, not summed, over the batch", "affine.c",
 DW_SUM, "dW[i * M + j] = x[n * D + i] * dout[n * M + j];",
 AFFINE_BACKWARD, "only the last sample"),
("affine: dW added onto what it held (never set to 0)", "affine.c",
 DW_ZERO, "",
 AFFINE_BACKWARD + CHAIN, "without setting it to 0 first"),
("affine: db added onto what it held", "affine.c",
 "db[j] = sum;", "db[j] += sum;",
 AFFINE_BACKWARD + CHAIN, "without setting it to 0 first"),
("affine: db not summed over the batch (row 0)", "affine.c",
 "db[j] = sum;", "db[j] = dout[j];",
 AFFINE_BACKWARD, "only the first row of dout"),
("affine: db averaged over the batch", "affine.c",
 "db[j] = sum;", "db[j] = sum / N;",
 AFFINE_BACKWARD, "mean of dout's rows"),
("affine: dx divided by N", "affine.c",
 "dx[n * D + i] = sum;", "dx[n * D + i] = sum / N;",
 AFFINE_BACKWARD, "divided by the batch size N"),
("affine: dx never written", "affine.c",
 "dx[n * D + i] = sum;", "(void)sum; (void)dx;",
 AFFINE_BACKWARD + CHAIN, "never written"),
("affine: dx written when it is NULL (the caller wants only dW and db)", "affine.c",
 "    if (dx) {\n", "    {\n",
 ["affine_backward_random"], "NULL pointer"),
("affine: forward forgets the bias", "affine.c",
 "out[n * M + j] = b[j];", "{ out[n * M + j] = 0.0; (void)b; }",
 ["affine_forward"], "bias b was not added"),
("softmax: dloss forgotten", "softmax_loss.c",
 "const double scale = dloss / N;", "const double scale = 1.0 / N; (void)dloss;",
 SOFTMAX_BACKWARD, "dloss was not multiplied in"),
("softmax: not divided by N", "softmax_loss.c",
 "const double scale = dloss / N;", "const double scale = dloss;",
 SOFTMAX_BACKWARD, "not divided by the batch size N"),
("softmax: divided by N twice", "softmax_loss.c",
 "const double scale = dloss / N;", "const double scale = dloss / N / N;",
 SOFTMAX_BACKWARD, "divided by the batch size N twice"),
("softmax: t never subtracted", "softmax_loss.c",
 "dx[n * C + k] = scale * (layer->y[n * C + k] - t_nk);",
 "dx[n * C + k] = scale * layer->y[n * C + k]; (void)t_nk;",
 SOFTMAX_BACKWARD, "never subtracted"),
("softmax: t - y, operands swapped", "softmax_loss.c",
 "dx[n * C + k] = scale * (layer->y[n * C + k] - t_nk);",
 "dx[n * C + k] = scale * (t_nk - layer->y[n * C + k]);",
 SOFTMAX_BACKWARD, "sign is flipped"),
("softmax: every row uses label t[0]", "softmax_loss.c",
 "double t_nk = (k == layer->t[n]) ? 1.0 : 0.0;", "double t_nk = (k == layer->t[0]) ? 1.0 : 0.0;",
 SOFTMAX_BACKWARD, "label of sample 0"),
("softmax: the one-hot 1 at column n", "softmax_loss.c",
 "double t_nk = (k == layer->t[n]) ? 1.0 : 0.0;", "double t_nk = (k == n) ? 1.0 : 0.0;",
 ["softmax_loss_backward_book"], "column n"),
("softmax: forward without the max subtracted", "softmax_loss.c",
 "double max = xn[0];\n        for (int k = 1; k < C; k++)\n            if (xn[k] > max)\n                max = xn[k];",
 "double max = 0.0;",
 ["softmax_loss_forward"], "NaN"),

# ---- 1 / N in integer arithmetic: right for N = 1, zeros for N > 1 ----
("softmax: scale = dloss * (1 / N), integer division", "softmax_loss.c",
 "const double scale = dloss / N;", "const double scale = dloss * (1 / N);",
 SOFTMAX_BACKWARD + CHAIN, INTEGER_DIVISION),
("softmax: dx = (y - t) * (1 / N) * dloss, integer division", "softmax_loss.c",
 SCALE + SOFTMAX_LOOPS,
 ROWS + CLASSES + T_NK
 + "            dx[n * C + k] = (layer->y[n * C + k] - t_nk) * (1 / N) * dloss;\n"
 + "        }\n    }\n",
 SOFTMAX_BACKWARD + CHAIN, INTEGER_DIVISION),

# ---- one step past the end, `<=` where `<` belongs: the sanitizer names the array ----
# write
("affine: db loop j <= M, zeroing then summing into db (writes db[M])", "affine.c",
 DB_LOOP,
 "    for (int j = 0; j <= M; j++) {\n"
 + "        db[j] = 0.0;\n"
 + "        for (int n = 0; n < N; n++)\n"
 + "            db[j] += dout[n * M + j];\n"
 + "    }\n",
 AFFINE_BACKWARD + CHAIN, "one element past the end of db"),
("affine: dx zeroed with k <= N * D first (writes dx[N * D])", "affine.c",
 DX_ROWS, "        for (int k = 0; k <= N * D; k++) /* start from 0 */\n            dx[k] = 0.0;\n" + DX_ROWS,
 AFFINE_BACKWARD + CHAIN, "one element past the end of dx"),
("affine: dW zeroed with k <= D * M first (writes dW[D * M])", "affine.c",
 DW_ROWS, "    for (int k = 0; k <= D * M; k++) /* start from 0 */\n        dW[k] = 0.0;\n" + DW_ROWS,
 AFFINE_BACKWARD + CHAIN, "one element past the end of dW"),
("softmax: dx zeroed with i <= N * C first (writes dx[N * C])", "softmax_loss.c",
 SOFTMAX_LOOPS,
 "    for (int i = 0; i <= N * C; i++) /* start from 0 */\n        dx[i] = 0.0;\n" + SOFTMAX_LOOPS,
 SOFTMAX_BACKWARD, "one element past the end of dx"),
# read
("affine: dW sums n <= N (reads x[N * D])", "affine.c",
 DW_SAMPLES, DW_SAMPLES.replace("n < N", "n <= N"),
 AFFINE_BACKWARD + CHAIN, "one element past the end of x"),
("affine: db sums n <= N (reads dout[N * M])", "affine.c",
 DB_SUM, DB_SUM.replace("n < N", "n <= N"),
 AFFINE_BACKWARD, "one element past the end of dout"),
("affine: db sums n <= N, in the chain (reads dscores[N * M])", "affine.c",
 DB_SUM, DB_SUM.replace("n < N", "n <= N"),
 CHAIN, "one element past the end of dscores"),
("softmax: i <= N * C over the flat array (reads y[N * C])", "softmax_loss.c",
 SOFTMAX_LOOPS,
 "    for (int i = 0; i <= N * C; i++)\n"
 + "        dx[i] = dloss * layer->y[i] / N;\n"
 + "    for (int n = 0; n < N; n++)\n"
 + "        dx[n * C + layer->t[n]] -= scale;\n",
 SOFTMAX_BACKWARD + CHAIN, "one element past the end of y"),
("softmax: rows n <= N (reads t[N])", "softmax_loss.c",
 SCALE + ROWS, SCALE + ROWS.replace("n < N", "n <= N"),
 SOFTMAX_BACKWARD + CHAIN, "one element past the end of t"),

# ---- loops that stop early: the last elements never written ----
("affine: db loop j < M - 1 (db[M - 1] never written)", "affine.c",
 DB_LOOP, DB_LOOP.replace("j < M", "j < M - 1"),
 AFFINE_BACKWARD + CHAIN, "was never written: the loop stops one step early"),
("affine: dW loop i < D - 1 (dW's last row never written)", "affine.c",
 DW_ROWS, DW_ROWS.replace("i < D", "i < D - 1"),
 AFFINE_BACKWARD + CHAIN, "were never written: the loop stops early"),
("affine: dx loop n < N - 1 (dx's last row never written)", "affine.c",
 DX_ROWS, DX_ROWS.replace("n < N", "n < N - 1"),
 ["affine_backward_book"], "were never written: the loop stops early"),
("softmax: classes k < C - 1 (the last class of a row never written)", "softmax_loss.c",
 CLASSES + T_NK, CLASSES.replace("k < C", "k < C - 1") + T_NK,
 SOFTMAX_BACKWARD + CHAIN, "was never written: the loop stops one step early"),
("softmax: rows n < N - 1 (the last row never written)", "softmax_loss.c",
 SCALE + ROWS, SCALE + ROWS.replace("n < N", "n < N - 1"),
 SOFTMAX_BACKWARD + CHAIN, "never written"),
]
