"""train_numpy.py: the textbook's training recipe (section 5.7) in NumPy, the C's peer in `make bench`.

    python3 train_numpy.py [--iterations N] [--seed S]

The same recipe as harness/bench/train.c: a 784-50-10 network, weights 0.01 x standard
normal, biases 0, Affine -> ReLU -> Affine -> Softmax-with-Loss, SGD with learning rate
0.1 on batches of 100 images drawn at random from Fashion-MNIST's 60000. The same work
per iteration as the C, written as a NumPy user would: the first layer's dx (the gradient
of the pixels) is not computed, by the C either.

Prints one line the benchmark reads:
    numpy iterations=N seconds=S best_per_s=R test_acc=A loss=L
seconds is the processor time of the training loop alone (batches, forward, backward,
update), and R the iterations per second of its fastest stretch of CHUNK iterations,
measured as the C measures its own; test_acc the accuracy on the 10000 test images
after it. Run it single-threaded with OpenBLAS's own kernels:
OPENBLAS_NUM_THREADS=1, and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (make bench
does both).
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np

DATA = os.environ.get("FASHION_MNIST_DIR") or "/usr/share/datasets/fashion-mnist"
HIDDEN, BATCH, LEARNING_RATE = 50, 100, 0.1
CHUNK = 50


def load(which, count):
    """(images count x 784 in [0, 1], labels count), from Debian's dataset-fashion-mnist."""
    with gzip.open(os.path.join(DATA, "%s-images-idx3-ubyte.gz" % which)) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(os.path.join(DATA, "%s-labels-idx1-ubyte.gz" % which)) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    if images.size != count * 784 or labels.size != count:
        sys.exit("error: %s: expected %d images and labels in %s" % (which, count, DATA))
    return images.reshape(count, 784) / 255.0, labels.astype(np.intp)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iterations", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    x_train, t_train = load("train", 60000)
    x_test, t_test = load("t10k", 10000)

    rng = np.random.default_rng(args.seed)
    W1 = 0.01 * rng.standard_normal((784, HIDDEN))
    b1 = np.zeros(HIDDEN)
    W2 = 0.01 * rng.standard_normal((HIDDEN, 10))
    b2 = np.zeros(10)
    rows = np.arange(BATCH)

    start = time.process_time()  # processor time: other programs' turns not counted
    chunk_start, best_chunk = start, float("inf")
    for it in range(1, args.iterations + 1):
        pick = rng.integers(0, 60000, BATCH)
        x, t = x_train[pick], t_train[pick]
        # forward
        a1 = x @ W1 + b1
        h1 = np.maximum(a1, 0)
        scores = h1 @ W2 + b2
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(y[rows, t]).mean()
        # backward: dscores = (y - t) / N, then the layers in reverse
        dscores = y
        dscores[rows, t] -= 1
        dscores /= BATCH
        dW2, db2 = h1.T @ dscores, dscores.sum(axis=0)
        da1 = (dscores @ W2.T) * (a1 > 0)
        dW1, db1 = x.T @ da1, da1.sum(axis=0)  # no dx: the input is data
        # SGD
        W1 -= LEARNING_RATE * dW1
        b1 -= LEARNING_RATE * db1
        W2 -= LEARNING_RATE * dW2
        b2 -= LEARNING_RATE * db2
        if it % CHUNK == 0:
            now = time.process_time()
            best_chunk, chunk_start = min(best_chunk, now - chunk_start), now
    seconds = time.process_time() - start
    best = CHUNK / best_chunk if best_chunk < float("inf") else args.iterations / seconds

    scores = np.maximum(x_test @ W1 + b1, 0) @ W2 + b2
    acc = float((scores.argmax(axis=1) == t_test).mean())
    print("numpy iterations=%d seconds=%.6f best_per_s=%.3f test_acc=%.4f loss=%.4f"
          % (args.iterations, seconds, best, acc, loss))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
