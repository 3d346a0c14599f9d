/* dgemm_peak.c: this machine's single-core dgemm speed, the yardstick of `make bench`.
 *
 *   dgemm_peak [n [seconds]]
 *                     C = A B for n x n matrices (1000 by default), again and again
 *                     for about `seconds` (2 by default): the fastest run, in
 *                     processor time, prints "dgemm n=1000 gflops=... runs=..."
 *
 * A big square product keeps the multiply-add units as busy as they get: its GFLOP/s
 * is the ceiling the network's small products are measured against.  Run it with
 * OPENBLAS_NUM_THREADS=1, as make bench does.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* processor time, as train --bench measures: other programs' turns not counted */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    double budget = argc > 2 ? atof(argv[2]) : 2.0;
    if (n < 16 || n > 8000 || !(budget > 0 && budget <= 60)) {
        fprintf(stderr, "usage: %s [n: 16 .. 8000 [seconds: up to 60]]\n", argv[0]);
        return 2;
    }
    double *A = malloc(sizeof(double) * n * n), *B = malloc(sizeof(double) * n * n),
           *C = malloc(sizeof(double) * n * n);
    if (!A || !B || !C) {
        fprintf(stderr, "error: out of memory for three %d x %d matrices\n", n, n);
        return 1;
    }
    for (long i = 0; i < (long)n * n; i++) {
        A[i] = (double)(i % 7) - 3.0;
        B[i] = (double)(i % 5) * 0.5;
    }
    double best = 1e30, flops = 2.0 * n * n * n;
    int runs = 0;
    for (double start = now(); runs < 3 || (runs < 1000 && now() - start < budget); runs++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        double t = now() - t0;
        if (t < best)
            best = t;
    }
    printf("dgemm n=%d gflops=%.3f runs=%d\n", n, flops / best / 1e9, runs);
    free(A);
    free(B);
    free(C);
    return 0;
}
