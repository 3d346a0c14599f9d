"""workbook.bench: `make bench`, chapter 6's training loop in C against NumPy, side by side.

  python3 -m workbook bench [--build DIR] [--blas] [--short] [--skip grader,book]
                            [--numpy-script FILE]

Usually run by `make bench [BLAS=1] [SHORT=1]`, which first builds, in DIR
(build/bench/): `train` (harness/bench/train.c on the reference solutions, the
example build's flags), `train-blas` (the same with harness/bench/affine_blas.c,
cblas_dgemm, in place of solutions/ch05/affine.c) and `dgemm_peak`. In one run,
one thread each, it times:

  - the textbook's recipe (784-50-10, batch 100, learning rate 0.1, on
    Fashion-MNIST) in each build and in NumPy (harness/bench/train_numpy.py):
    iterations per second of the training loop (the best of a few rounds, each
    build in turn, so that a busy machine slows them alike), the test accuracy
    after it, and the ratios to NumPy;
  - the GFLOP/s of the matrix products: their floating-point operations per
    iteration times iterations per second (the whole loop), and the products
    alone, against a big cblas_dgemm on this machine (its single-core peak);
  - the grader: `make check CHAPTER=6` on a copy of solutions/ after one edit;
  - the book: `make book` with nothing changed (when it has been built here).

--short (SHORT=1) is the setting CI runs to prove that all this works: 100
iterations, one round, no -O2 row, no book. A benchmark, not a test: nothing here
fails because something is slow. It fails (exit status 1, saying which) when a
program fails, prints no result, or a network does not learn.
"""
import argparse
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NUMPY_SCRIPT = os.path.join(ROOT, "harness", "bench", "train_numpy.py")

N, D, H, C = 100, 784, 50, 10
# the matrix products of one iteration, 2 m k n each: x W1, h1 W2 forward; dW2, dh1, dW1 back
PRODUCT_FLOPS = 2 * N * (D * H + H * C) + 2 * N * (2 * H * C + D * H)
LEARNS = 0.5  # test accuracy a network that learns passes within a few hundred iterations (chance: 0.1)
RESULT = re.compile(r"^(\S+) iterations=(\d+) seconds=(\S+) best_per_s=(\S+) test_acc=(\S+) loss=(\S+)"
                    r"(?: product_gflops=(\S+))?$", re.M)


class BenchError(Exception):
    pass


def one_thread_env():
    """OpenBLAS on one thread, with the kernels it picks itself (the two variables unset)."""
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(var, None)
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def run(cmd, what, timeout=1800):
    """stdout of cmd; BenchError naming `what` when it fails."""
    try:
        r = subprocess.run(cmd, cwd=ROOT, env=one_thread_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError("%s could not run: %s" % (what, e))
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-5:])
        raise BenchError("%s failed (exit status %d):\n  %s\n  command: %s"
                         % (what, r.returncode, tail.replace("\n", "\n  "), " ".join(cmd)))
    return r.stdout


def finite_positive(value, what):
    try:
        v = float(value)
    except ValueError:
        v = float("nan")
    if not math.isfinite(v) or v <= 0:
        raise BenchError("%s is %r, not a positive number" % (what, value))
    return v


def parse_result(out, what):
    """{its, acc, products} from a program's result line."""
    m = RESULT.search(out)
    if not m:
        raise BenchError("%s printed no result line (NAME iterations=.. seconds=.. best_per_s=.. test_acc=.. "
                         "loss=..); it printed:\n  %s"
                         % (what, "\n  ".join(out.strip().splitlines()[-5:]) or "(nothing)"))
    iterations = int(m.group(2))
    finite_positive(m.group(3), "%s's seconds" % what)
    its = finite_positive(m.group(4), "%s's iterations/s" % what)
    acc = finite_positive(m.group(5), "%s's test accuracy" % what)
    if acc > 1:
        raise BenchError("%s's test accuracy is %s, more than 1" % (what, m.group(5)))
    if acc < LEARNS:
        raise BenchError("%s does not learn: test accuracy %.1f%% after %d iterations (chance is 10%%, "
                         "a working network passes %.0f%%)" % (what, 100 * acc, iterations, 100 * LEARNS))
    finite_positive(m.group(6), "%s's loss" % what)
    products = finite_positive(m.group(7), "%s's GFLOP/s" % what) if m.group(7) else None
    return {"its": its, "acc": acc, "products": products}


def time_training(rows, iterations, rounds, peak=None):
    """Each row's program `rounds` times, in turn (NumPy, the last row, first: a broken
    script stops the bench at once); of each, the best iterations/s and GFLOP/s.
    peak: a function measuring the dgemm peak, run once a round (the best is kept
    under "peak"), so that it meets the same machine as the rows."""
    best = {}
    for _ in range(rounds):
        if peak:
            best["peak"] = max(best.get("peak", 0), peak())
        for label, cmd in rows[-1:] + rows[:-1]:
            r = parse_result(run(cmd + ["--iterations", str(iterations)], label), label)
            if label in best:
                r["its"] = max(r["its"], best[label]["its"])
                if r["products"]:
                    r["products"] = max(r["products"], best[label]["products"])
            best[label] = r
    return best


def dgemm_peak(binary, n, seconds):
    out = run([binary, str(n), str(seconds)], "dgemm_peak")
    m = re.search(r"gflops=(\S+)", out)
    if not m:
        raise BenchError("dgemm_peak printed no gflops=: %r" % out.strip())
    return finite_positive(m.group(1), "the dgemm peak")


def make(args, what):
    t0 = time.perf_counter()
    run(["make", "--no-print-directory", "-s"] + args, what)
    return time.perf_counter() - t0


def grader_latency(chapter):
    """Seconds of `make check CHAPTER=chapter` on a copy of solutions/ after one edit
    (a comment added to the chapter's first file), the grader's cache warm."""
    from workbook import course
    ch = course.chapter(chapter)
    tmp = tempfile.mkdtemp(prefix="wbbench")
    try:
        copy = os.path.join(tmp, "solutions")
        shutil.copytree(os.path.join(ROOT, "solutions"), copy)
        args = ["check", "CHAPTER=%d" % chapter, "EXERCISES=" + copy]
        make(args, "make check CHAPTER=%d (before the edit)" % chapter)
        with open(os.path.join(copy, ch.nn, ch.files[0]), "a", encoding="utf-8") as f:
            f.write("\n/* an edit */\n")
        return make(args, "make check CHAPTER=%d" % chapter), "%s/%s" % (ch.nn, ch.files[0])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(rows, cells):
    widths = [max(len(r[k]) for r in [rows] + cells) for k in range(len(rows))]
    lines = []
    for r in [rows] + cells:
        lines.append("  ".join((c.ljust(w) if k == 0 else c.rjust(w)) for k, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def main(argv):
    ap = argparse.ArgumentParser(prog="python3 -m workbook bench", description=__doc__.split("\n")[0])
    ap.add_argument("verb", nargs="?")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "bench"), help="where make put the programs")
    ap.add_argument("--blas", action="store_true", help="the BLAS build must be there (make bench BLAS=1)")
    ap.add_argument("--short", action="store_true", help="seconds, not minutes: CI's setting (SHORT=1)")
    ap.add_argument("--skip", default="", help="leave out: grader, book (comma-separated)")
    ap.add_argument("--numpy-script", default=NUMPY_SCRIPT)
    ap.add_argument("--flags", default="the Makefile's FAST_CFLAGS", help="the default build's flags, to name them")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    iterations, rounds = (100, 1) if args.short else (1000, 3)
    train, train_o2, train_blas, peak_bin = (os.path.join(args.build, n)
                                             for n in ("train", "train-O2", "train-blas", "dgemm_peak"))
    has_blas = os.access(train_blas, os.X_OK) and os.access(peak_bin, os.X_OK)
    try:
        if not os.access(train, os.X_OK):
            raise BenchError("no %s: run make bench, which builds it" % os.path.relpath(train, ROOT))
        if args.blas and not has_blas:
            raise BenchError("BLAS=1, but there is no BLAS build (%s): install libopenblas-dev (make deps)"
                             % os.path.relpath(train_blas, ROOT))
        # the -O2 row shows what the flags are worth; CI's short run leaves it out
        rows = [("C loops, -O2", [train_o2, "--bench", "c-O2"])] \
            if os.access(train_o2, os.X_OK) and not args.short else []
        rows.append(("C loops, default flags", [train, "--bench", "c"]))
        if has_blas:
            rows.append(("C + OpenBLAS dgemm", [train_blas, "--bench", "c-blas"]))
        rows.append(("NumPy + OpenBLAS", [sys.executable, args.numpy_script]))
        print("make bench: the training loop of the textbook's recipe (784-50-10, batch 100, learning rate 0.1, "
              "Fashion-MNIST),\n%d iterations, %s, one thread each; measured on this machine just now. "
              "Iterations/s: the fastest\nstretch of 50 iterations, in processor time, so that other programs "
              "running disturb the comparison less.\n"
              % (iterations, "%d rounds" % rounds if rounds > 1 else "one round"), flush=True)
        peak_n = 512 if args.short else 1000
        best = time_training(rows, iterations, rounds,
                             (lambda: dgemm_peak(peak_bin, peak_n, 0.3 if args.short else 1.5)) if has_blas else None)
        peak = best.get("peak")
        numpy = best["NumPy + OpenBLAS"]["its"]
        cells = []
        for label, _ in rows:
            r = best[label]
            loop_gflops = PRODUCT_FLOPS * r["its"] / 1e9
            cells.append([label, "%.0f" % r["its"], "%.2fx" % (r["its"] / numpy), "%.2f%%" % (100 * r["acc"]),
                          "%.1f" % loop_gflops,
                          "%.1f" % r["products"] if r["products"] else "-",
                          "%.0f%%" % (100 * r["products"] / peak) if r["products"] and peak else "-"])
        print(table(["build", "iterations/s", "vs NumPy", "test acc", "GFLOP/s loop", "GFLOP/s products",
                     "of peak"], cells))
        print("\ndefault flags: %s (FAST_CFLAGS in the Makefile, as make train and the book's examples)"
              % args.flags)
        print("GFLOP/s: the %.1f million floating-point operations of an iteration's matrix products, over the "
              "time of\nan iteration (loop), or of the products alone (the Affine layers' forward and backward, "
              "timed on their own)." % (PRODUCT_FLOPS / 1e6))
        if peak:
            print("peak: cblas_dgemm of two %d x %d matrices, one thread, the fastest of many runs: %.1f GFLOP/s"
                  % (peak_n, peak_n, peak))
        else:
            print("peak and the BLAS build: left out (no libopenblas-dev; make deps installs it)")

        c = best["C loops, default flags"]["its"] / numpy
        print("\ntargets: C loops >= 0.3x NumPy: %s (%.2fx)" % ("met" if c >= 0.3 else "NOT met", c), end="")
        if has_blas:
            b = best["C + OpenBLAS dgemm"]["its"] / numpy
            print("; C + BLAS >= 1.5x NumPy: %s (%.2fx)" % ("met" if b >= 1.5 else "NOT met", b))
        else:
            print()
        print(flush=True)

        if "grader" not in skip:
            seconds, edited = grader_latency(6)
            print("grader: make check CHAPTER=6 after one edit (a copy of solutions/, %s changed): %.1f s"
                  % (edited, seconds))
        if "book" not in skip and not args.short:
            if os.path.isdir(os.path.join(ROOT, "build", "book", "student", "html")):
                make(["book"], "make book")  # brings it up to date
                print("book: make book with nothing changed (HTML and PDF): %.1f s; FORMAT=html: %.1f s"
                      % (make(["book"], "make book"), make(["book", "FORMAT=html"], "make book FORMAT=html")))
            else:
                print("book: left out (not built on this machine yet: make book)")
    except BenchError as e:
        print("bench: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
