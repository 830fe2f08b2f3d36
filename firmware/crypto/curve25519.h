/* X25519 (RFC 7748) and Ed25519 (RFC 8032), sharing one field implementation. */
#ifndef CURVE25519_H
#define CURVE25519_H

#include <stddef.h>
#include <stdint.h>

/* out = scalar * point (u-coordinate). Returns -1 when the result is all
 * zero (a low-order point: TLS must abort), else 0. */
int x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32]);
/* out = scalar * 9, the public key for a private scalar. */
void x25519_public(uint8_t out[32], const uint8_t scalar[32]);

/* Ed25519 public key from a 32-byte seed (the RFC 8032 private key). */
void ed25519_public(uint8_t pub[32], const uint8_t seed[32]);
/* pub must be ed25519_public(seed): a different one would leak the key. */
void ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len,
		  const uint8_t seed[32], const uint8_t pub[32]);
/* Returns 0 for a valid signature, -1 otherwise. Rejects non-canonical S
 * (S >= L) and encodings that do not decode to a point. */
int ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pub[32]);
/* The same two for the message prefix || msg, which the caller need not
 * join in a buffer (TLS signs a constant prefix and a transcript hash). */
void ed25519_sign_prefixed(uint8_t sig[64], const uint8_t *prefix, size_t prefix_len, const uint8_t *msg,
			   size_t len, const uint8_t seed[32], const uint8_t pub[32]);
int ed25519_verify_prefixed(const uint8_t sig[64], const uint8_t *prefix, size_t prefix_len,
			    const uint8_t *msg, size_t len, const uint8_t pub[32]);

#endif
