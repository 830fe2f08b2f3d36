/* Shared by every benchmark kernel. Each kernel is built twice from the
 * same source: freestanding for wasm32 (no libc, no imports) and natively
 * with the host compiler, so this header may use nothing but the
 * freestanding headers. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* The one entry point of every kernel: work proportional to n, and a
 * checksum that depends on all of it so the compiler cannot drop any.
 * The native driver renames it per kernel (-Drun=run_fib). */
uint32_t run(uint32_t n);

/* Numerical Recipes' LCG: deterministic inputs without libc's rand(). */
static inline uint32_t lcg_next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state;
}

/* The bits of a double, folded to 32 (a union: memcpy is not available
 * on the wasm side, and C11 allows reading the other member). */
static inline uint32_t f64_fold(double d)
{
    union { double d; uint64_t u; } v;
    v.d = d;
    return (uint32_t)v.u ^ (uint32_t)(v.u >> 32);
}

#endif
