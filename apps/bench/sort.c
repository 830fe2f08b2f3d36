/* Data-dependent branches and indexed u32 loads/stores: heapsort (no
 * recursion, so the depth of the wasm stack stays flat) of SORT_LEN LCG
 * values, refilled from the continuing LCG n times. The checksum hashes
 * every sorted array in order, so a build that sorts wrongly disagrees. */
#include "bench.h"

#define SORT_LEN 4096

static uint32_t a[SORT_LEN];

/* Moves a[root] down until the max-heap a[0..end) holds again. */
static void sift_down(uint32_t root, uint32_t end)
{
    uint32_t top = a[root];

    for (;;) {
        uint32_t child = 2 * root + 1;
        if (child >= end)
            break;
        if (child + 1 < end && a[child + 1] > a[child])
            child++;
        if (a[child] <= top)
            break;
        a[root] = a[child];
        root = child;
    }
    a[root] = top;
}

uint32_t run(uint32_t n)
{
    uint32_t seed = 1, sum = 0;

    for (uint32_t pass = 0; pass < n; pass++) {
        for (uint32_t i = 0; i < SORT_LEN; i++)
            a[i] = lcg_next(&seed);
        for (uint32_t i = SORT_LEN / 2; i-- > 0;)
            sift_down(i, SORT_LEN);
        for (uint32_t end = SORT_LEN - 1; end > 0; end--) {
            uint32_t t = a[0];
            a[0] = a[end];
            a[end] = t;
            sift_down(0, end);
        }
        for (uint32_t i = 0; i < SORT_LEN; i++)
            sum = sum * 31u + a[i];
    }
    return sum;
}
