/* Declarations shared by the TLS engine's files; not part of the API. */
#ifndef TLS_INTERNAL_H
#define TLS_INTERNAL_H

#include "tls.h"

enum {
	CT_CHANGE_CIPHER_SPEC = 20,
	CT_ALERT = 21,
	CT_HANDSHAKE = 22,
	CT_APPLICATION_DATA = 23,
};

enum {
	HS_CLIENT_HELLO = 1,
	HS_SERVER_HELLO = 2,
	HS_NEW_SESSION_TICKET = 4,
	HS_ENCRYPTED_EXTENSIONS = 8,
	HS_CERTIFICATE = 11,
	HS_CERTIFICATE_REQUEST = 13,
	HS_CERTIFICATE_VERIFY = 15,
	HS_FINISHED = 20,
	HS_KEY_UPDATE = 24,
};

/* Keeps a handler's frame (its buffers) off the stack of the signature
 * code that its caller runs next: the deepest stack path decides whether
 * a session fits an 8 KiB board. */
#if defined(__GNUC__)
#define TLS_NOINLINE __attribute__((noinline))
#else
#define TLS_NOINLINE
#endif

#define RECORD_HEADER 5u
#define AEAD_OVERHEAD 17u /* inner content type + tag */
#define MAX_CIPHERTEXT (16384u + 256u)

/* keysched.c */
void tls_expand_label(uint8_t *out, size_t out_len, const uint8_t secret[32], const char *label,
		      const uint8_t *context, size_t context_len);
void tls_derive_secret(uint8_t out[32], const uint8_t secret[32], const char *label,
		       const struct sha256_ctx *transcript);
void tls_set_traffic(struct tls_traffic *t, const uint8_t secret[32]);
void tls_transcript_hash(const struct sha256_ctx *transcript, uint8_t out[32]);

/* record.c */
enum tls_error tls_record_append(struct tls_client *c, uint8_t type, const uint8_t *data, size_t len);
/* Decrypts the complete record rec[0..rec_len) in place; on success *type
 * is set and the plaintext is rec[RECORD_HEADER..RECORD_HEADER + *len). */
enum tls_error tls_record_open(struct tls_client *c, uint8_t *rec, size_t rec_len, uint8_t *type, size_t *len);

/* tls.c */
enum tls_error tls_fail(struct tls_client *c, enum tls_error err);

#endif
