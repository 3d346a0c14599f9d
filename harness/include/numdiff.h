/* numdiff.h: chapter 1, the derivative estimated by nudging the input. */
#ifndef NUMDIFF_H
#define NUMDIFF_H

#include "workbook.h"

/* (f(x + h) - f(x - h)) / 2h: the slope of f at x from two evaluations of f. */
double numerical_diff(double (*f)(double), double x, double h);

#endif
