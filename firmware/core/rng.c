#include "rng.h"

#include <string.h>

#include "aead.h"
#include "ct.h"
#include "sha2.h"

#define CARRY_MAGIC 0x52ca77edu

/* A reset reloads the same provisioning blob, so its seed alone would make
 * the next boot repeat this one's random numbers. Each boot leaves a key for
 * the next in RAM that startup does not clear; a power-on (a new emulator,
 * with a new blob) finds none. */
static struct {
	uint32_t magic;
	uint8_t key[32];
} carry __attribute__((section(".noinit")));

void rng_init(struct rng *r, const uint8_t seed[32], uint64_t now_us, const uint8_t *extra, size_t extra_len)
{
	struct sha256_ctx h;
	uint8_t t[8];
	for (int i = 0; i < 8; i++) {
		t[i] = (uint8_t)(now_us >> (8 * i));
	}
	sha256_init(&h);
	sha256_update(&h, seed, 32);
	sha256_update(&h, t, sizeof t);
	if (carry.magic == CARRY_MAGIC) {
		sha256_update(&h, carry.key, sizeof carry.key);
	}
	sha256_update(&h, extra, extra_len);
	sha256_final(&h, r->key);
	r->counter = 0;
	rng_fill(r, carry.key, sizeof carry.key);
	carry.magic = CARRY_MAGIC;
}

void rng_fill(struct rng *r, uint8_t *out, size_t len)
{
	static const uint8_t nonce[12] = {0};
	uint8_t block[64];
	while (len > 0) {
		chacha20_block(block, r->key, r->counter++, nonce);
		memcpy(r->key, block, 32);
		size_t n = len < 32 ? len : 32;
		memcpy(out, block + 32, n);
		out += n;
		len -= n;
	}
	ct_wipe(block, sizeof block);
}

void rng_random(void *ctx, uint8_t *out, size_t len)
{
	rng_fill(ctx, out, len);
}
