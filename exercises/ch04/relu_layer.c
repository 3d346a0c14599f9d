/* relu_layer.c: the ReLU layer, out = max(0, x), on n = N * D elements. */
#include <stdlib.h>

#include "activations.h"

int relu_init(ReluLayer *layer, int n)
{
    layer->n = n;
    layer->mask = n > 0 ? malloc((size_t)n * sizeof *layer->mask) : NULL;
    return layer->mask ? 0 : -1;
}

void relu_free(ReluLayer *layer)
{
    free(layer->mask);
    layer->mask = NULL;
    layer->n = 0;
}

void relu_forward(ReluLayer *layer, const double *x, double *out)
{
    for (int i = 0; i < layer->n; i++) {
        layer->mask[i] = x[i] <= 0; /* remember the elements cut off */
        out[i] = layer->mask[i] ? 0.0 : x[i];
    }
}

void relu_backward(const ReluLayer *layer, const double *dout, double *dx)
{
    /* TODO: for each of the layer->n elements, dx[i] is 0 where the mask
     * says forward cut the input off (x[i] <= 0), and dout[i] passed
     * through unchanged everywhere else.  Read dout, never write it. */
    (void)layer; (void)dout; (void)dx;
    NOT_IMPLEMENTED();
}
