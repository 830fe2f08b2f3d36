/* bench-native: every kernel built natively with the host compiler, the
 * baseline for the wasm interpreter.
 *
 *   bench-native NAME N   prints "NAME N CHECKSUM NANOSECONDS"
 *   bench-native --list   prints "NAME DEFAULT_N" per kernel
 *
 * Each kernel's run() is renamed at compile time (-Drun=run_fib). */
#define _POSIX_C_SOURCE 199309L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint32_t run_fib(uint32_t n);
uint32_t run_sieve(uint32_t n);
uint32_t run_matmul(uint32_t n);
uint32_t run_crc32(uint32_t n);
uint32_t run_sha256(uint32_t n);
uint32_t run_nbody(uint32_t n);
uint32_t run_sort(uint32_t n);

/* Default N: a native run of roughly 5-30 ms on a 2-core x86-64 host, so
 * the interpreter (one to two orders of magnitude slower) stays in seconds. */
static const struct kernel {
    const char *name;
    uint32_t (*run)(uint32_t n);
    uint32_t default_n;
} kernels[] = {
    {"fib", run_fib, 35},
    {"sieve", run_sieve, 1000},
    {"matmul", run_matmul, 1500},
    {"crc32", run_crc32, 1000},
    {"sha256", run_sha256, 1000},
    {"nbody", run_nbody, 200000},
    {"sort", run_sort, 50},
};
#define NKERNELS (sizeof kernels / sizeof kernels[0])

static int usage(void)
{
    fprintf(stderr, "usage: bench-native NAME N | bench-native --list\n");
    return 2;
}

int main(int argc, char **argv)
{
    const struct kernel *k = NULL;
    struct timespec t0, t1;
    unsigned long n;
    uint32_t sum;
    char *end;

    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NKERNELS; i++)
            printf("%s %u\n", kernels[i].name, (unsigned)kernels[i].default_n);
        return 0;
    }
    if (argc != 3)
        return usage();
    for (size_t i = 0; i < NKERNELS; i++)
        if (strcmp(argv[1], kernels[i].name) == 0)
            k = &kernels[i];
    if (k == NULL) {
        fprintf(stderr, "bench-native: unknown kernel %s (see --list)\n", argv[1]);
        return 2;
    }
    errno = 0;
    n = strtoul(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || argv[2][0] == '-' || n > UINT32_MAX) {
        fprintf(stderr, "bench-native: N must be a u32, got %s\n", argv[2]);
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sum = k->run((uint32_t)n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%s %lu %u %lld\n", k->name, n, (unsigned)sum,
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    return 0;
}
