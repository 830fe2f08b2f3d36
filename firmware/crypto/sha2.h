/* SHA-256 and SHA-512 (FIPS 180-4). Incremental and one-shot. */
#ifndef SHA2_H
#define SHA2_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32u
#define SHA256_BLOCK 64u
#define SHA512_LEN 64u
#define SHA512_BLOCK 128u

struct sha256_ctx {
	uint32_t state[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[SHA256_BLOCK];
	size_t used; /* bytes in block */
};

struct sha512_ctx {
	uint64_t state[8];
	uint64_t total; /* bytes hashed so far (messages stay below 2^64 bytes) */
	uint8_t block[SHA512_BLOCK];
	size_t used;
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_LEN]); /* wipes ctx */
void sha256(const void *data, size_t len, uint8_t out[SHA256_LEN]);

void sha512_init(struct sha512_ctx *ctx);
void sha512_update(struct sha512_ctx *ctx, const void *data, size_t len);
void sha512_final(struct sha512_ctx *ctx, uint8_t out[SHA512_LEN]); /* wipes ctx */
void sha512(const void *data, size_t len, uint8_t out[SHA512_LEN]);

#endif
