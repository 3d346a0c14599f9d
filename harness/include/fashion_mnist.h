/* fashion_mnist.h: chapter 6, reading Fashion-MNIST's gzipped IDX files.
 *
 * Header-only (static functions) so that an example needs no extra object
 * file; link with -lz.  The files are looked for in $FASHION_MNIST_DIR, else
 * in /usr/share/datasets/fashion-mnist/ (Debian's dataset-fashion-mnist):
 *   train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz   60000 images
 *   t10k-images-idx3-ubyte.gz   t10k-labels-idx1-ubyte.gz    10000 images
 * IDX is big-endian: images start with magic 2051, count, 28, 28, then one
 * byte per pixel; labels with magic 2049, count, then one byte per label.
 */
#ifndef FASHION_MNIST_H
#define FASHION_MNIST_H

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define FASHION_DEFAULT_DIR "/usr/share/datasets/fashion-mnist"
#define FASHION_PIXELS 784 /* 28 x 28 */
#define FASHION_CLASSES 10

static const char *const fashion_class_names[FASHION_CLASSES] = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

typedef struct {
    int count;      /* number of images */
    double *images; /* count x 784, pixels scaled to [0, 1] */
    int *labels;    /* count labels in 0 .. 9 */
} FashionSet;

/* Reads n bytes or says why not; returns 0 or -1. */
static int fashion_read(gzFile f, const char *path, void *buf, unsigned n)
{
    int got = gzread(f, buf, n);
    if (got == (int)n)
        return 0;
    int err;
    const char *msg = gzerror(f, &err);
    fprintf(stderr, "error: %s: %s\n", path,
            got < 0 ? msg : "the file ends early (truncated download?)");
    return -1;
}

static unsigned fashion_be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 |
           p[3];
}

/* Opens dir/name and checks its header: magic, then count (and 28 x 28). */
static gzFile fashion_open(const char *dir, const char *name, unsigned magic,
                           int count, char *path, size_t path_size)
{
    snprintf(path, path_size, "%s/%s", dir, name);
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fprintf(stderr, "error: cannot open %s: install the package "
                        "dataset-fashion-mnist (make deps), or set "
                        "FASHION_MNIST_DIR to the folder that holds %s\n",
                path, name);
        return NULL;
    }
    unsigned char head[16];
    unsigned size = magic == 2051 ? 16 : 8;
    if (fashion_read(f, path, head, size) != 0) {
        gzclose(f);
        return NULL;
    }
    if (fashion_be32(head) != magic ||
        fashion_be32(head + 4) != (unsigned)count ||
        (magic == 2051 &&
         (fashion_be32(head + 8) != 28 || fashion_be32(head + 12) != 28))) {
        fprintf(stderr, "error: %s is not what it should be: header %u %u, "
                        "expected magic %u and %d %s\n",
                path, fashion_be32(head), fashion_be32(head + 4), magic, count,
                magic == 2051 ? "images of 28 x 28" : "labels");
        gzclose(f);
        return NULL;
    }
    return f;
}

/* which: "train" (60000 images) or "t10k" (10000).  Returns 0, or -1 after
 * printing what went wrong. */
static int fashion_load(FashionSet *set, const char *which, int count)
{
    const char *dir = getenv("FASHION_MNIST_DIR");
    if (!dir || !*dir)
        dir = FASHION_DEFAULT_DIR;
    char name[64], path[4096];
    set->count = count;
    set->images = malloc((size_t)count * FASHION_PIXELS * sizeof *set->images);
    set->labels = malloc((size_t)count * sizeof *set->labels);
    unsigned char *bytes = malloc((size_t)count * FASHION_PIXELS);
    if (!set->images || !set->labels || !bytes) {
        fprintf(stderr, "error: out of memory for %d images\n", count);
        goto fail;
    }

    snprintf(name, sizeof name, "%s-images-idx3-ubyte.gz", which);
    gzFile f = fashion_open(dir, name, 2051, count, path, sizeof path);
    if (!f ||
        fashion_read(f, path, bytes, (unsigned)count * FASHION_PIXELS) != 0) {
        if (f)
            gzclose(f);
        goto fail;
    }
    gzclose(f);
    // @snippet fashion-scale
    for (size_t i = 0; i < (size_t)count * FASHION_PIXELS; i++)
        set->images[i] = bytes[i] / 255.0; /* 0 .. 255 -> [0, 1] */
    // @end fashion-scale

    snprintf(name, sizeof name, "%s-labels-idx1-ubyte.gz", which);
    f = fashion_open(dir, name, 2049, count, path, sizeof path);
    if (!f || fashion_read(f, path, bytes, (unsigned)count) != 0) {
        if (f)
            gzclose(f);
        goto fail;
    }
    gzclose(f);
    for (int i = 0; i < count; i++) {
        if (bytes[i] >= FASHION_CLASSES) {
            fprintf(stderr, "error: %s: label %d of image %d is not a class "
                            "0..9\n", path, bytes[i], i);
            goto fail;
        }
        set->labels[i] = bytes[i];
    }
    free(bytes);
    return 0;
fail:
    free(bytes);
    free(set->images);
    free(set->labels);
    set->images = NULL;
    set->labels = NULL;
    return -1;
}

static void fashion_free(FashionSet *set)
{
    free(set->images);
    free(set->labels);
    set->images = NULL;
    set->labels = NULL;
}

#endif
