/* HMAC-SHA256 and HMAC-SHA512 (RFC 2104), and HKDF-SHA256 (RFC 5869). */
#include <string.h>

#include "ct.h"
#include "hmac.h"

#define IPAD 0x36
#define OPAD 0x5c

static void xor_bytes(uint8_t *p, size_t len, uint8_t x)
{
	for (size_t i = 0; i < len; i++) {
		p[i] ^= x;
	}
}

/* Fills pad[0..block) with the key XOR ipad: the key zero-padded to the
 * block, or its hash (by hash) when it is longer than the block. */
static void hmac_ipad(uint8_t *pad, size_t block, const uint8_t *key, size_t key_len,
		      void (*hash)(const void *data, size_t len, uint8_t *out))
{
	memset(pad, 0, block);
	if (key_len > block) {
		hash(key, key_len, pad);
	} else if (key_len > 0) {
		memcpy(pad, key, key_len);
	}
	xor_bytes(pad, block, IPAD);
}

void hmac_sha256_init(struct hmac_sha256_ctx *ctx, const uint8_t *key, size_t key_len)
{
	uint8_t pad[SHA256_BLOCK];
	hmac_ipad(pad, sizeof pad, key, key_len, sha256);
	sha256_init(&ctx->inner);
	sha256_update(&ctx->inner, pad, sizeof pad);
	xor_bytes(pad, sizeof pad, IPAD ^ OPAD);
	sha256_init(&ctx->outer);
	sha256_update(&ctx->outer, pad, sizeof pad);
	ct_wipe(pad, sizeof pad);
}

void hmac_sha256_update(struct hmac_sha256_ctx *ctx, const void *data, size_t len)
{
	sha256_update(&ctx->inner, data, len);
}

void hmac_sha256_final(struct hmac_sha256_ctx *ctx, uint8_t out[SHA256_LEN])
{
	uint8_t inner[SHA256_LEN];
	sha256_final(&ctx->inner, inner); /* wipes ctx->inner */
	sha256_update(&ctx->outer, inner, sizeof inner);
	sha256_final(&ctx->outer, out); /* wipes ctx->outer */
	ct_wipe(inner, sizeof inner);
}

void hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[SHA256_LEN])
{
	/* out may alias key or data: both are read before out is written. */
	struct hmac_sha256_ctx ctx;
	hmac_sha256_init(&ctx, key, key_len);
	hmac_sha256_update(&ctx, data, len);
	hmac_sha256_final(&ctx, out);
}

void hmac_sha512_init(struct hmac_sha512_ctx *ctx, const uint8_t *key, size_t key_len)
{
	uint8_t pad[SHA512_BLOCK];
	hmac_ipad(pad, sizeof pad, key, key_len, sha512);
	sha512_init(&ctx->inner);
	sha512_update(&ctx->inner, pad, sizeof pad);
	xor_bytes(pad, sizeof pad, IPAD ^ OPAD);
	sha512_init(&ctx->outer);
	sha512_update(&ctx->outer, pad, sizeof pad);
	ct_wipe(pad, sizeof pad);
}

void hmac_sha512_update(struct hmac_sha512_ctx *ctx, const void *data, size_t len)
{
	sha512_update(&ctx->inner, data, len);
}

void hmac_sha512_final(struct hmac_sha512_ctx *ctx, uint8_t out[SHA512_LEN])
{
	uint8_t inner[SHA512_LEN];
	sha512_final(&ctx->inner, inner); /* wipes ctx->inner */
	sha512_update(&ctx->outer, inner, sizeof inner);
	sha512_final(&ctx->outer, out); /* wipes ctx->outer */
	ct_wipe(inner, sizeof inner);
}

void hmac_sha512(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t out[SHA512_LEN])
{
	/* out may alias key or data: both are read before out is written. */
	struct hmac_sha512_ctx ctx;
	hmac_sha512_init(&ctx, key, key_len);
	hmac_sha512_update(&ctx, data, len);
	hmac_sha512_final(&ctx, out);
}

void hkdf_sha256_extract(uint8_t prk[SHA256_LEN], const uint8_t *salt, size_t salt_len,
			 const uint8_t *ikm, size_t ikm_len)
{
	/* HMAC pads a short key with zeros, so an empty salt already acts as
	 * the RFC's 32 zero bytes. prk may alias salt or ikm. */
	hmac_sha256(salt, salt_len, ikm, ikm_len, prk);
}

int hkdf_sha256_expand(uint8_t *out, size_t out_len, const uint8_t prk[SHA256_LEN],
		       const uint8_t *info, size_t info_len)
{
	if (out_len > 255u * SHA256_LEN) {
		return -1;
	}
	/* T(i) = HMAC(prk, T(i-1) || info || i). The keyed state is computed
	 * once and copied per block; it is read in full before out is first
	 * written, so out may alias prk. */
	struct hmac_sha256_ctx keyed, ctx;
	uint8_t t[SHA256_LEN];
	hmac_sha256_init(&keyed, prk, SHA256_LEN);
	for (uint8_t i = 1; out_len > 0; i++) {
		ctx = keyed;
		if (i > 1) {
			hmac_sha256_update(&ctx, t, sizeof t);
		}
		hmac_sha256_update(&ctx, info, info_len);
		hmac_sha256_update(&ctx, &i, 1);
		hmac_sha256_final(&ctx, t);
		size_t n = out_len < sizeof t ? out_len : sizeof t;
		memcpy(out, t, n);
		out += n;
		out_len -= n;
	}
	ct_wipe(&keyed, sizeof keyed);
	ct_wipe(t, sizeof t);
	return 0;
}
