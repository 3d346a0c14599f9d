"""selftest.bench: `make bench SHORT=1` and `make train SHORT=1`, the settings CI runs.

A benchmark is never a timed test: these checks only prove that the commands
work and print what they promise, with numbers that are numbers. Each detector
is also shown failing: on the real bench output with one number made
impossible, on a NumPy script that does not learn and on one that crashes, and
on a `train` built from a copy of solutions/ whose sgd_step does nothing.
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

from selftest import Failure
from workbook import course

ROOT = course.ROOT
NUMPY_SCRIPT = os.path.join(ROOT, "harness", "bench", "train_numpy.py")
ROWS = ("C loops, -O2", "C loops, default flags", "C + OpenBLAS dgemm", "NumPy + OpenBLAS")
COLUMNS = ["build", "iterations/s", "vs NumPy", "test acc", "GFLOP/s loop", "GFLOP/s products", "of peak"]


def run(cmd, timeout=300, cwd=ROOT):
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(var, None)
    try:
        return subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("%s did not finish within %d s" % (" ".join(cmd), timeout))


def positive(text, what):
    """float(text) if it is a finite number > 0 (a trailing x or % allowed), else Failure."""
    try:
        v = float(text.rstrip("x%"))
    except ValueError:
        v = float("nan")
    if not math.isfinite(v) or v <= 0:
        raise Failure("%s is %r: not a positive number" % (what, text))
    return v


def check_bench_table(out, blas=True, short=True):
    """The table make bench prints: its header, one row per build (the BLAS one when
    `blas`, the -O2 one unless `short`), every number positive and finite, the ratios consistent with the
    iterations/s, accuracies those of networks that learned; then the peak, the
    targets and the grader's time. Failure says what is missing or wrong."""
    lines = out.splitlines()
    head = next((i for i, l in enumerate(lines) if l.split()[:2] == ["build", "iterations/s"]), None)
    if head is None:
        raise Failure("make bench printed no table (no line starting 'build  iterations/s'):\n" + out)
    if re.split(r"\s{2,}", lines[head].strip()) != COLUMNS:
        raise Failure("the table's columns are %r, expected %r" % (lines[head], COLUMNS))
    want = [r for r in ROWS if (blas or "BLAS dgemm" not in r) and not (short and "-O2" in r)]
    rows = {}
    for line in lines[head + 1:head + 1 + len(want)]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(COLUMNS):
            raise Failure("table row %r has %d cells, not %d" % (line, len(cells), len(COLUMNS)))
        rows[cells[0]] = cells
    if list(rows) != want:
        raise Failure("the table's rows are %r, expected %r:\n%s" % (list(rows), want, out))
    numpy = positive(rows["NumPy + OpenBLAS"][1], "NumPy's iterations/s")
    for name, cells in rows.items():
        its = positive(cells[1], "%s: iterations/s" % name)
        ratio = positive(cells[2], "%s: vs NumPy" % name)
        if abs(ratio - its / numpy) > 0.01 + 0.01 * ratio:
            raise Failure("%s: vs NumPy says %s, but %s / %s iterations/s is %.2f" % (name, cells[2], cells[1],
                                                                                    rows["NumPy + OpenBLAS"][1],
                                                                                    its / numpy))
        acc = positive(cells[3], "%s: test acc" % name)
        if not 50 <= acc <= 100:
            raise Failure("%s: test accuracy %s is not that of a network that learned (50%% to 100%%)" % (name, cells[3]))
        positive(cells[4], "%s: GFLOP/s loop" % name)
        if name.startswith("C"):
            positive(cells[5], "%s: GFLOP/s products" % name)
            if blas:
                positive(cells[6], "%s: of peak" % name)
    if blas and not re.search(r"^peak: cblas_dgemm .*: (\S+) GFLOP/s$", out, re.M):
        raise Failure("make bench printed no peak line ('peak: cblas_dgemm ...: N GFLOP/s'):\n" + out)
    if blas:
        positive(re.search(r"^peak: cblas_dgemm .*: (\S+) GFLOP/s$", out, re.M).group(1), "the dgemm peak")
    if not re.search(r"^targets: C loops >= 0\.3x NumPy: (met|NOT met)", out, re.M):
        raise Failure("make bench printed no targets line:\n" + out)
    m = re.search(r"^grader: make check CHAPTER=6 after one edit .*: (\S+) s$", out, re.M)
    if not m:
        raise Failure("make bench printed no grader line ('grader: make check CHAPTER=6 after one edit ...: N s'):\n"
                      + out)
    positive(m.group(1), "the grader's latency")


def check_train_output(out, err, iterations):
    """make train's output: the accuracy of a network that learned, the time it took,
    and a progress bar (iteration, loss, time left) on stderr."""
    m = re.search(r"test accuracy (\S+)%", out)
    if not m:
        raise Failure("make train printed no 'test accuracy N%':\n" + out)
    acc = positive(m.group(1), "make train's test accuracy")
    if acc < 50:
        raise Failure("make train does not learn: test accuracy %s%% after %d iterations (chance is 10%%)"
                      % (m.group(1), iterations))
    m = re.search(r"training loop (\S+) s \((\S+) iterations/s; (\S+) s of processor time\), (\S+) s in all", out)
    if not m:
        raise Failure("make train printed no 'training loop N s (N iterations/s; N s of processor time), N s in "
                      "all':\n" + out)
    for k, what in ((1, "seconds"), (2, "iterations/s"), (3, "processor time"), (4, "seconds in all")):
        positive(m.group(k), "make train's " + what)
    bar = re.search(r"\[[#.]+\]\s+iteration\s+%d/%d\s+loss (\S+)\s+(\S+) s left" % (iterations, iterations), err)
    if not bar:
        raise Failure("make train's progress bar (stderr) never reached iteration %d/%d with its loss and time "
                      "left:\n%s" % (iterations, iterations, err))
    positive(bar.group(1), "the progress bar's loss")


def make_bench():
    r = run(["make", "--no-print-directory", "-s", "bench", "SHORT=1"], timeout=300)
    if r.returncode != 0:
        raise Failure("make bench SHORT=1 failed (exit status %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    check_bench_table(r.stdout, blas=True)
    # the detector, shown failing: the same output with one number made impossible
    for old, new, why in ((r"(NumPy \+ OpenBLAS\s+)\d+", r"\g<1>nan", "NumPy's iterations/s as nan"),
                          (r"(C loops, default flags\s+\S+\s+\S+\s+)\d+\.\d+%", r"\g<1>9.00%", "an accuracy of 9%"),
                          (r"(C \+ OpenBLAS dgemm\s+\S+\s+)\S+", r"\g<1>9.99x", "a wrong ratio")):
        broken = re.sub(old, new, r.stdout, count=1)
        if broken == r.stdout:
            raise Failure("could not make the broken copy (%s) of the output:\n%s" % (why, r.stdout))
        try:
            check_bench_table(broken, blas=True)
        except Failure:
            continue
        raise Failure("the table's check passed the output with %s:\n%s" % (why, broken))


make_bench.in_tree = True


def bench_broken_numpy():
    """make bench's own checks, on NumPy scripts that fail in two ways: it must stop
    and say which program and what went wrong."""
    tmp = tempfile.mkdtemp(prefix="wbbench")
    try:
        with open(NUMPY_SCRIPT, encoding="utf-8") as f:
            script = f.read()
        for what, old, new, said in (
                ("a NumPy script that does not learn (learning rate 0)",
                 "HIDDEN, BATCH, LEARNING_RATE = 50, 100, 0.1", "HIDDEN, BATCH, LEARNING_RATE = 50, 100, 0.0",
                 "NumPy + OpenBLAS does not learn"),
                ("a NumPy script that crashes", "    x_test, t_test = load(", "    x_test, t_test = undefined_name(",
                 "NumPy + OpenBLAS failed (exit status 1)")):
            if script.count(old) != 1:
                raise Failure("harness/bench/train_numpy.py: %r is not in it once; update this check" % old)
            path = os.path.join(tmp, "train_numpy.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(script.replace(old, new))
            r = run([sys.executable, "-m", "workbook", "bench", "--short", "--skip", "grader,book",
                     "--numpy-script", path], timeout=300)
            if r.returncode == 0 or said not in r.stderr:
                raise Failure("make bench ran %s and did not stop saying %r (exit status %d):\n%s%s"
                              % (what, said, r.returncode, r.stdout, r.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


bench_broken_numpy.in_tree = True  # it runs the programs make bench built in build/bench/


def make_train():
    r = run(["make", "--no-print-directory", "-s", "train", "SHORT=1"], timeout=300)
    if r.returncode != 0:
        raise Failure("make train SHORT=1 failed (exit status %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    check_train_output(r.stdout, r.stderr, 300)


make_train.in_tree = True


def train_broken():
    """The train check, shown failing: harness/bench/train.c built on a copy of
    solutions/ whose sgd_step does nothing must be caught as not learning."""
    tmp = tempfile.mkdtemp(prefix="wbtrain")
    try:
        sol = os.path.join(tmp, "solutions")
        shutil.copytree(os.path.join(ROOT, "solutions"), sol)
        path = os.path.join(sol, "ch06", "two_layer_net.c")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        old = "void sgd_step(TwoLayerNet *net, double lr)\n{\n"
        if text.count(old) != 1:
            raise Failure("solutions/ch06/two_layer_net.c: %r is not in it once; update this check" % old)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace(old, old + "    lr = 0.0; /* broken: never learns */\n"))
        binary = os.path.join(tmp, "train")
        srcs = [os.path.join(ROOT, "harness", "bench", "train.c")] + \
            [os.path.join(sol, p) for p in ("ch04/relu_layer.c", "ch05/affine.c", "ch05/softmax_loss.c",
                                            "ch06/two_layer_net.c")]
        r = run(["cc", "-std=c11", "-O3", "-march=native", "-I" + os.path.join(ROOT, "harness", "include")] + srcs
                + ["-lm", "-lz", "-o", binary])
        if r.returncode != 0:
            raise Failure("could not build the broken train:\n" + r.stderr)
        r = run([binary, "--iterations", "100"])
        try:
            check_train_output(r.stdout, r.stderr, 100)
        except Failure as e:
            if "does not learn" in str(e):
                return
            raise Failure("the train check failed the broken train for another reason: %s" % e)
        raise Failure("the train check passed a train whose sgd_step does nothing:\n" + r.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


BLAS_TEST = r"""
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "affine.h"
void ref_forward(AffineLayer *layer, const double *x, int batch, double *out);
void ref_backward(const AffineLayer *layer, const double *dout, double *dx, double *dW, double *db);
static double worst = 0;
static void compare(const char *what, const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        double e = fabs(a[i] - b[i]) / (1e-12 + fabs(a[i]) + fabs(b[i]));
        if (!(e <= 1e-12))
            printf("%s[%d]: %.17g, the reference %.17g\n", what, i, a[i], b[i]);
        worst = e > worst || e != e ? e : worst;
    }
}
int main(void)
{
    /* N D M: a batch of one, the network's two layers, and shapes cut into 2 and 3 blocks */
    const int shapes[][3] = {{1, 3, 2}, {100, 784, 50}, {100, 50, 10}, {3, 1000, 400}, {7, 2500, 200}};
    unsigned s = 7;
    for (int k = 0; k < 5; k++) {
        int N = shapes[k][0], D = shapes[k][1], M = shapes[k][2];
        double *x = malloc(sizeof(double) * N * D), *W = malloc(sizeof(double) * D * M), *b = malloc(sizeof(double) * M);
        double *dout = malloc(sizeof(double) * N * M), *out[2], *dx[2], *dW[2], *db[2];
        for (int v = 0; v < 2; v++) {
            out[v] = malloc(sizeof(double) * N * M), dx[v] = malloc(sizeof(double) * N * D);
            dW[v] = malloc(sizeof(double) * D * M), db[v] = malloc(sizeof(double) * M);
        }
        for (int i = 0; i < N * D; i++) x[i] = (double)((s = s * 1103515245u + 12345u) >> 8 & 1023) / 512 - 1;
        for (int i = 0; i < D * M; i++) W[i] = (double)((s = s * 1103515245u + 12345u) >> 8 & 1023) / 512 - 1;
        for (int i = 0; i < M; i++) b[i] = (double)((s = s * 1103515245u + 12345u) >> 8 & 1023) / 512 - 1;
        for (int i = 0; i < N * M; i++) dout[i] = (double)((s = s * 1103515245u + 12345u) >> 8 & 1023) / 512 - 1;
        AffineLayer l[2] = {{.in_size = D, .out_size = M, .W = W, .b = b}, {.in_size = D, .out_size = M, .W = W, .b = b}};
        affine_forward(&l[0], x, N, out[0]);
        ref_forward(&l[1], x, N, out[1]);
        affine_backward(&l[0], dout, dx[0], dW[0], db[0]);
        ref_backward(&l[1], dout, dx[1], dW[1], db[1]);
        compare("out", out[0], out[1], N * M);
        compare("dx", dx[0], dx[1], N * D);
        compare("dW", dW[0], dW[1], D * M);
        compare("db", db[0], db[1], M);
        affine_backward(&l[0], dout, NULL, dW[0], db[0]); /* without dx */
        compare("dW (dx NULL)", dW[0], dW[1], D * M);
    }
    printf("worst relative difference %.3g\n", worst);
    return worst <= 1e-12 ? 0 : 1;
}
"""


def blas_agrees(blas_source, tmp):
    """Build harness/bench's BLAS Affine layer (or a copy) against the reference
    solutions/ch05/affine.c, renamed; compare them on several shapes. (ok, output)."""
    test = os.path.join(tmp, "blas_test.c")
    with open(test, "w", encoding="utf-8") as f:
        f.write(BLAS_TEST)
    inc = "-I" + os.path.join(ROOT, "harness", "include")
    ref = os.path.join(tmp, "ref.o")
    r = run(["cc", "-std=c11", "-O2", inc, "-Daffine_forward=ref_forward", "-Daffine_backward=ref_backward", "-c",
             os.path.join(ROOT, "solutions", "ch05", "affine.c"), "-o", ref])
    if r.returncode != 0:
        raise Failure("could not build the reference Affine layer:\n" + r.stderr)
    binary = os.path.join(tmp, "blas_test")
    r = run(["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", inc, test, blas_source, ref, "-lopenblas", "-lm",
             "-o", binary])
    if r.returncode != 0:
        raise Failure("could not build %s with the test:\n%s" % (blas_source, r.stderr))
    r = run([binary])
    return r.returncode == 0, r.stdout + r.stderr


def blas_layer():
    """harness/bench/affine_blas.c computes what solutions/ch05/affine.c computes (to
    1e-12), whole and cut into blocks, with dx and without; and the comparison fails on
    a copy whose blocks overwrite out instead of adding to it."""
    tmp = tempfile.mkdtemp(prefix="wbblas")
    try:
        source = os.path.join(ROOT, "harness", "bench", "affine_blas.c")
        ok, out = blas_agrees(source, tmp)
        if not ok:
            raise Failure("harness/bench/affine_blas.c disagrees with solutions/ch05/affine.c:\n" + out)
        with open(source, encoding="utf-8") as f:
            text = f.read()
        old = "1.0, out, M);"
        if text.count(old) != 1:
            raise Failure("harness/bench/affine_blas.c: %r is not in it once; update this check" % old)
        broken = os.path.join(tmp, "affine_blas_broken.c")
        with open(broken, "w", encoding="utf-8") as f:
            f.write(text.replace(old, "0.0, out, M);"))
        ok, out = blas_agrees(broken, tmp)
        if ok:
            raise Failure("the comparison passed a BLAS layer whose blocks overwrite out:\n" + out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks():
    """[(name, function, args)]; a function with fn.in_tree = True runs make in
    this tree, so it runs in the serial make stream."""
    return [
        ("bench: make bench SHORT=1 prints C, C + BLAS and NumPy side by side, with finite numbers",
         make_bench, ()),
        ("bench: stops on a NumPy script that does not learn or crashes", bench_broken_numpy, ()),
        ("bench: make train SHORT=1 learns, with a progress bar and its time", make_train, ()),
        ("bench: make train's check catches a network that does not learn", train_broken, ()),
        ("bench: the BLAS Affine layer computes what solutions/ch05/affine.c does", blas_layer, ()),
    ]
