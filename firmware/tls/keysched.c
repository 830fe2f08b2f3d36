/* The TLS 1.3 key schedule (RFC 8446 section 7.1) over HKDF-SHA256. */
#include <string.h>

#include "ct.h"
#include "hmac.h"
#include "internal.h"

void tls_expand_label(uint8_t *out, size_t out_len, const uint8_t secret[32], const char *label,
		      const uint8_t *context, size_t context_len)
{
	/* HkdfLabel: uint16 length, opaque label<7..255> ("tls13 " + label), opaque context<0..255> */
	uint8_t info[2 + 1 + 6 + 32 + 1 + 32];
	size_t label_len = strlen(label);
	size_t n = 0;
	info[n++] = (uint8_t)(out_len >> 8);
	info[n++] = (uint8_t)out_len;
	info[n++] = (uint8_t)(6 + label_len);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, label_len);
	n += label_len;
	info[n++] = (uint8_t)context_len;
	if (context_len > 0) {
		memcpy(info + n, context, context_len);
		n += context_len;
	}
	hkdf_sha256_expand(out, out_len, secret, info, n);
}

void tls_transcript_hash(const struct sha256_ctx *transcript, uint8_t out[32])
{
	struct sha256_ctx copy = *transcript;
	sha256_final(&copy, out);
}

void tls_derive_secret(uint8_t out[32], const uint8_t secret[32], const char *label,
		       const struct sha256_ctx *transcript)
{
	uint8_t hash[32];
	if (transcript != NULL) {
		tls_transcript_hash(transcript, hash);
	} else {
		sha256("", 0, hash); /* Derive-Secret(., "derived", "") hashes the empty string */
	}
	tls_expand_label(out, 32, secret, label, hash, sizeof hash);
}

void tls_set_traffic(struct tls_traffic *t, const uint8_t secret[32])
{
	memmove(t->secret, secret, 32);
	tls_expand_label(t->key, sizeof t->key, t->secret, "key", NULL, 0);
	tls_expand_label(t->iv, sizeof t->iv, t->secret, "iv", NULL, 0);
	t->seq = 0;
	t->epoch++;
	t->on = true;
}
