/* ChaCha20-Poly1305 AEAD (RFC 8439). In-place operation (ct == pt) is allowed. */
#ifndef AEAD_H
#define AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32u
#define AEAD_NONCE_LEN 12u
#define AEAD_TAG_LEN 16u

void chacha20poly1305_seal(uint8_t *ct, uint8_t tag[AEAD_TAG_LEN],
			   const uint8_t key[AEAD_KEY_LEN], const uint8_t nonce[AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len);

/* Returns 0 and writes pt when the tag is valid; otherwise returns -1 and
 * writes nothing to pt. The tag is compared in constant time. */
int chacha20poly1305_open(uint8_t *pt, const uint8_t key[AEAD_KEY_LEN],
			  const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
			  const uint8_t *ct, size_t len, const uint8_t tag[AEAD_TAG_LEN]);

/* The raw ChaCha20 block function and stream (RFC 8439 section 2.3/2.4). */
void chacha20_block(uint8_t out[64], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]);
void chacha20_xor(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
		  uint32_t counter, const uint8_t nonce[12]);

#endif
