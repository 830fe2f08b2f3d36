/* Byte loads and stores with strided loops: the sieve of Eratosthenes
 * over SIEVE_SIZE flags, n times. Returns the sum of the prime counts. */
#include "bench.h"

#define SIEVE_SIZE 8192

static uint8_t flags[SIEVE_SIZE];

uint32_t run(uint32_t n)
{
    uint32_t total = 0;

    for (uint32_t pass = 0; pass < n; pass++) {
        for (uint32_t i = 0; i < SIEVE_SIZE; i++)
            flags[i] = 1;
        for (uint32_t i = 2; i < SIEVE_SIZE; i++) {
            if (!flags[i])
                continue;
            total++;
            for (uint32_t k = i * i; k < SIEVE_SIZE; k += i)
                flags[k] = 0;
        }
    }
    return total;
}
