/* f64 arithmetic and 2-D indexing: C = A * B for DIM x DIM doubles, n
 * times. Each pass nudges one element of A so no two passes are alike,
 * and folds the bits of every element of C into the checksum. */
#include "bench.h"

#define DIM 32

static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

uint32_t run(uint32_t n)
{
    uint32_t seed = 1, sum = 0;

    /* Multiples of 1/16 in [-8, 8): every product and sum is exact, so the
     * checksum cannot depend on how a compiler orders the additions. */
    for (int i = 0; i < DIM; i++)
        for (int j = 0; j < DIM; j++) {
            a[i][j] = (double)(lcg_next(&seed) >> 24) / 16.0 - 8.0;
            b[i][j] = (double)(lcg_next(&seed) >> 24) / 16.0 - 8.0;
        }
    for (uint32_t pass = 0; pass < n; pass++) {
        for (int i = 0; i < DIM; i++)
            for (int j = 0; j < DIM; j++) {
                double s = 0.0;
                for (int k = 0; k < DIM; k++)
                    s += a[i][k] * b[k][j];
                c[i][j] = s;
            }
        for (int i = 0; i < DIM; i++)
            for (int j = 0; j < DIM; j++)
                sum = sum * 31u + f64_fold(c[i][j]);
        a[pass % DIM][(pass / DIM) % DIM] += 0.5;
    }
    return sum;
}
