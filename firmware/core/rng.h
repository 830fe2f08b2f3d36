/*
 * The firmware's random numbers: ChaCha20 keyed from the per-boot seed the
 * lab provisions, mixed with the time of first use and a key the previous
 * boot left behind (a reset keeps the blob, so not its seed alone), with
 * fast key erasure
 * (each output block also replaces the key), so earlier outputs cannot be
 * recovered from a later state.
 */
#ifndef RNG_H
#define RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint8_t key[32];
	uint32_t counter;
};

/* extra: the platform's own random bytes, if it has any (hal_entropy). */
void rng_init(struct rng *r, const uint8_t seed[32], uint64_t now_us, const uint8_t *extra, size_t extra_len);
void rng_fill(struct rng *r, uint8_t *out, size_t len);
/* tls_config.random-shaped wrapper; ctx is a struct rng. */
void rng_random(void *ctx, uint8_t *out, size_t len);

#endif
