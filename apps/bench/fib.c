/* Call-heavy: the naive doubly recursive Fibonacci, fib(n) calls. Work
 * grows as phi^n, not linearly; it measures call/return overhead. */
#include "bench.h"

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

uint32_t run(uint32_t n)
{
    return fib(n);
}
