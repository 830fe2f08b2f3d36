/* HMAC-SHA256 and HMAC-SHA512 (RFC 2104), and HKDF-SHA256 (RFC 5869). */
#ifndef HMAC_H
#define HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "sha2.h"

struct hmac_sha256_ctx {
	struct sha256_ctx inner, outer;
};

void hmac_sha256_init(struct hmac_sha256_ctx *ctx, const uint8_t *key, size_t key_len);
void hmac_sha256_update(struct hmac_sha256_ctx *ctx, const void *data, size_t len);
void hmac_sha256_final(struct hmac_sha256_ctx *ctx, uint8_t out[SHA256_LEN]); /* wipes ctx */
void hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[SHA256_LEN]);

struct hmac_sha512_ctx {
	struct sha512_ctx inner, outer;
};

void hmac_sha512_init(struct hmac_sha512_ctx *ctx, const uint8_t *key, size_t key_len);
void hmac_sha512_update(struct hmac_sha512_ctx *ctx, const void *data, size_t len);
void hmac_sha512_final(struct hmac_sha512_ctx *ctx, uint8_t out[SHA512_LEN]); /* wipes ctx */
void hmac_sha512(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[SHA512_LEN]);

/* HKDF-Extract: prk = HMAC(salt, ikm); a NULL or empty salt means 32 zero bytes. */
void hkdf_sha256_extract(uint8_t prk[SHA256_LEN], const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len);
/* HKDF-Expand: returns 0, or -1 when out_len > 255 * 32 (nothing written). */
int hkdf_sha256_expand(uint8_t *out, size_t out_len, const uint8_t prk[SHA256_LEN],
		       const uint8_t *info, size_t info_len);

#endif
