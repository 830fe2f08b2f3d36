/* The record layer: ChaCha20-Poly1305 protection (RFC 8446 section 5). */
#include <string.h>

#include "aead.h"
#include "internal.h"

static void record_nonce(const struct tls_traffic *t, uint8_t nonce[12])
{
	memcpy(nonce, t->iv, 12);
	for (int i = 0; i < 8; i++) {
		nonce[11 - i] ^= (uint8_t)(t->seq >> (8 * i));
	}
}

static void put_header(uint8_t *h, uint8_t type, size_t len)
{
	h[0] = type;
	h[1] = 0x03;
	h[2] = 0x03;
	h[3] = (uint8_t)(len >> 8);
	h[4] = (uint8_t)len;
}

/* Appends one record to the output: plaintext before keys are set, else
 * protected with the inner content type and no padding. */
enum tls_error tls_record_append(struct tls_client *c, uint8_t type, const uint8_t *data, size_t len)
{
	struct tls_traffic *t = &c->tx;
	bool protect = t->on && type != CT_CHANGE_CIPHER_SPEC;
	size_t body = protect ? len + AEAD_OVERHEAD : len;
	if (c->out_len + RECORD_HEADER + body > sizeof c->out || len > 16384u) {
		return TLS_ERR_NO_SPACE;
	}
	uint8_t *rec = c->out + c->out_len;
	put_header(rec, protect ? CT_APPLICATION_DATA : type, body);
	memmove(rec + RECORD_HEADER, data, len);
	if (protect) {
		uint8_t nonce[12];
		rec[RECORD_HEADER + len] = type;
		record_nonce(t, nonce);
		chacha20poly1305_seal(rec + RECORD_HEADER, rec + RECORD_HEADER + len + 1, t->key, nonce, rec,
				      RECORD_HEADER, rec + RECORD_HEADER, len + 1);
		t->seq++;
	}
	c->out_len += RECORD_HEADER + body;
	c->records_out++;
	return TLS_OK;
}

/* Decrypts the complete record rec[0..rec_len) in place and finds the inner
 * type behind the zero padding; the plaintext is at rec + RECORD_HEADER. */
enum tls_error tls_record_open(struct tls_client *c, uint8_t *rec, size_t rec_len, uint8_t *type, size_t *len)
{
	struct tls_traffic *t = &c->rx;
	size_t body = rec_len - RECORD_HEADER;
	if (!t->on) {
		*type = rec[0];
		*len = body;
		return TLS_OK;
	}
	if (rec[0] != CT_APPLICATION_DATA) {
		return TLS_ERR_UNEXPECTED;
	}
	if (body < AEAD_OVERHEAD) {
		return TLS_ERR_BAD_RECORD_MAC;
	}
	uint8_t nonce[12];
	record_nonce(t, nonce);
	uint8_t *text = rec + RECORD_HEADER;
	size_t ct_len = body - 16;
	if (chacha20poly1305_open(text, t->key, nonce, rec, RECORD_HEADER, text, ct_len, text + ct_len) != 0) {
		return TLS_ERR_BAD_RECORD_MAC;
	}
	t->seq++;
	size_t n = ct_len;
	while (n > 0 && text[n - 1] == 0) {
		n--; /* padding */
	}
	if (n == 0) {
		return TLS_ERR_UNEXPECTED; /* no content type at all */
	}
	*type = text[n - 1];
	*len = n - 1;
	return TLS_OK;
}
