/* sigmoid_layer.c: the Sigmoid layer, y = 1 / (1 + exp(-x)), on n = N * D elements. */
#include <math.h>
#include <stdlib.h>

#include "activations.h"

int sigmoid_init(SigmoidLayer *layer, int n)
{
    layer->n = n;
    layer->out = n > 0 ? malloc((size_t)n * sizeof *layer->out) : NULL;
    return layer->out ? 0 : -1;
}

void sigmoid_free(SigmoidLayer *layer)
{
    free(layer->out);
    layer->out = NULL;
    layer->n = 0;
}

void sigmoid_forward(SigmoidLayer *layer, const double *x, double *out)
{
    for (int i = 0; i < layer->n; i++) {
        out[i] = 1.0 / (1.0 + exp(-x[i]));
        layer->out[i] = out[i]; /* backward needs only y */
    }
}

void sigmoid_backward(const SigmoidLayer *layer, const double *dout, double *dx)
{
    /* TODO: for each of the layer->n elements, multiply dout[i] by the
     * sigmoid's local derivative y(1 - y), where y is the output that
     * forward cached in layer->out[i]. */
    (void)layer; (void)dout; (void)dx;
    NOT_IMPLEMENTED();
}
