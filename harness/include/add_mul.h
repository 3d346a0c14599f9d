/* add_mul.h: chapter 3, the two simplest layers of a computation graph.
 *
 * Every layer has the same two verbs:
 *   *_forward   computes the node's output and caches what backward needs;
 *   *_backward  takes dout = dL/d(out) from upstream and writes the
 *               gradients of L with respect to the node's inputs.
 */
#ifndef ADD_MUL_H
#define ADD_MUL_H

#include "workbook.h"

// @snippet layers
/* out = x * y.  Backward needs both inputs, so forward caches them. */
typedef struct {
    double x, y;
} MulLayer;

double mul_forward(MulLayer *layer, double x, double y);
/* dx = dout * y,  dy = dout * x */
void mul_backward(const MulLayer *layer, double dout,
                  double *dx, double *dy);

/* out = x + y.  Backward needs nothing from forward: the struct stays empty
 * in spirit (C needs one member) so that every layer is used the same way. */
typedef struct {
    char unused;
} AddLayer;

double add_forward(AddLayer *layer, double x, double y);
/* dx = dout * 1,  dy = dout * 1 */
void add_backward(const AddLayer *layer, double dout,
                  double *dx, double *dy);
// @end layers

#endif
