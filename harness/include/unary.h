/* unary.h: chapter 2, nodes with one input, and the chain z = (x + y)^2.
 *
 * Each node is a struct (its cache, or its constant) and two functions:
 *   *_forward   computes out from x and caches what backward will need;
 *   *_backward  takes dout = dL/d(out), writes dx = dL/dx = dout * d(out)/dx.
 *
 * Chapter 4 chains four of them into the sigmoid 1 / (1 + exp(-x)):
 *   ScaleNode {-1}  ->  ExpNode  ->  AddConstNode {1}  ->  ReciprocalNode
 */
#ifndef UNARY_H
#define UNARY_H

#include "workbook.h"

// @snippet square-node
/* out = x^2.  Its derivative 2x needs the input: forward caches x. */
typedef struct {
    double x;
} SquareNode;

/* out = x^2; caches x */
double square_forward(SquareNode *node, double x);
/* dx = dout * 2x */
void square_backward(const SquareNode *node, double dout, double *dx);
// @end square-node

/* out = exp(x).  Its derivative is exp(x) again, the output: cache out. */
typedef struct {
    double out;
} ExpNode;

/* out = exp(x); caches out */
double exp_forward(ExpNode *node, double x);
/* dx = dout * out */
void exp_backward(const ExpNode *node, double dout, double *dx);

/* out = 1/x.  Its derivative -1/x^2 is -out^2: forward caches out. */
typedef struct {
    double out;
} ReciprocalNode;

/* out = 1 / x; caches out (x must not be 0) */
double reciprocal_forward(ReciprocalNode *node, double x);
/* dx = dout * (-out^2) */
void reciprocal_backward(const ReciprocalNode *node, double dout,
                         double *dx);

/* out = c * x, c fixed when made:  ScaleNode negate = {-1.0}; */
typedef struct {
    double c;
} ScaleNode;

/* out = c * x; caches nothing (c is the node's own) */
double scale_forward(ScaleNode *node, double x);
/* dx = dout * c */
void scale_backward(const ScaleNode *node, double dout, double *dx);

/* out = x + c, c fixed when made:  AddConstNode plus_one = {1.0}; */
typedef struct {
    double c;
} AddConstNode;

/* out = x + c; caches nothing */
double add_const_forward(AddConstNode *node, double x);
/* dx = dout * 1 */
void add_const_backward(const AddConstNode *node, double dout, double *dx);

/* z = (x + y)^2 as two nodes: t = x + y, then z = t^2 (a SquareNode). */
typedef struct {
    SquareNode square; /* the second node; it caches t */
} SumSquare;

/* z = (x + y)^2 */
double sum_square_forward(SumSquare *f, double x, double y);
/* dx = dy = dout * 2(x + y): the square node's backward, then the add's */
void sum_square_backward(const SumSquare *f, double dout,
                         double *dx, double *dy);

#endif
