#include "x509.h"

#include <string.h>

#include "cursor.h"

#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OID 0x06
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_VERSION 0xa0 /* [0] EXPLICIT */

static const uint8_t oid_ed25519[] = {0x2b, 0x65, 0x70};     /* 1.3.101.112 */
static const uint8_t oid_common_name[] = {0x55, 0x04, 0x03}; /* 2.5.4.3 */

/* Reads one TLV with the expected tag; *whole spans tag to end. DER lengths
 * up to three bytes, minimal encoding only. */
static struct cursor der_read(struct cursor *c, uint8_t tag, struct cursor *whole)
{
	const uint8_t *start = c->p;
	struct cursor body = {NULL, NULL, true};
	if (cur_u8(c) != tag || !cur_ok(c)) {
		c->bad = true;
		return body;
	}
	size_t len = cur_u8(c);
	if (len & 0x80u) {
		size_t n = len & 0x7fu;
		if (n == 0 || n > 3) {
			c->bad = true;
			return body;
		}
		len = cur_uint(c, n);
		if (len < 0x80u || (n > 1 && len < (1u << (8 * (n - 1))))) {
			c->bad = true; /* not minimal */
			return body;
		}
	}
	const uint8_t *p = cur_take(c, len);
	if (p == NULL) {
		return body;
	}
	body = cur_init(p, len);
	if (whole != NULL) {
		*whole = cur_init(start, (size_t)(p + len - start));
	}
	return body;
}

/* Peeks at the next tag without consuming it. */
static int der_peek(const struct cursor *c)
{
	return cur_left(c) > 0 ? c->p[0] : -1;
}

/* AlgorithmIdentifier with the Ed25519 OID and no parameters. */
static enum tls_error read_ed25519_algorithm(struct cursor *c)
{
	struct cursor alg = der_read(c, DER_SEQUENCE, NULL);
	struct cursor oid = der_read(&alg, DER_OID, NULL);
	if (!cur_ok(c) || !cur_ok(&alg)) {
		return TLS_ERR_BAD_CERT;
	}
	if (cur_left(&oid) != sizeof oid_ed25519 || memcmp(oid.p, oid_ed25519, sizeof oid_ed25519) != 0 ||
	    !cur_done(&alg)) {
		return TLS_ERR_CERT_ALGORITHM;
	}
	return TLS_OK;
}

/* BIT STRING with no unused bits holding exactly n bytes. */
static const uint8_t *read_bits(struct cursor *c, size_t n)
{
	struct cursor bits = der_read(c, DER_BIT_STRING, NULL);
	if (cur_u8(&bits) != 0 || cur_left(&bits) != n) {
		c->bad = true;
		return NULL;
	}
	return bits.p;
}

/* Finds the first commonName in a Name and copies it (printable ASCII only). */
static void read_common_name(struct cursor name, char out[TLS_NAME_MAX])
{
	out[0] = '\0';
	while (cur_left(&name) > 0) {
		struct cursor rdn = der_read(&name, DER_SET, NULL);
		while (cur_ok(&rdn) && cur_left(&rdn) > 0) {
			struct cursor atv = der_read(&rdn, DER_SEQUENCE, NULL);
			struct cursor oid = der_read(&atv, DER_OID, NULL);
			if (!cur_ok(&atv) || cur_left(&atv) < 2) {
				return;
			}
			if (cur_left(&oid) != sizeof oid_common_name || memcmp(oid.p, oid_common_name, 3) != 0) {
				continue;
			}
			struct cursor value = der_read(&atv, atv.p[0], NULL); /* any string type */
			size_t n = 0;
			while (cur_ok(&value) && cur_left(&value) > 0 && n < TLS_NAME_MAX - 1) {
				uint8_t ch = cur_u8(&value);
				out[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
			}
			out[n] = '\0';
			return;
		}
		if (!cur_ok(&rdn)) {
			return;
		}
	}
}

enum tls_error x509_parse(const uint8_t *der, size_t len, struct x509_cert *out)
{
	memset(out, 0, sizeof *out);
	struct cursor in = cur_init(der, len);
	struct cursor cert = der_read(&in, DER_SEQUENCE, NULL);
	if (!cur_done(&in)) {
		return TLS_ERR_BAD_CERT;
	}
	struct cursor tbs_whole;
	struct cursor tbs = der_read(&cert, DER_SEQUENCE, &tbs_whole);
	enum tls_error err = read_ed25519_algorithm(&cert);
	if (err != TLS_OK) {
		return err;
	}
	out->signature = read_bits(&cert, 64);
	if (!cur_done(&cert) || !cur_ok(&tbs)) {
		return TLS_ERR_BAD_CERT;
	}
	out->tbs = tbs_whole.p;
	out->tbs_len = cur_left(&tbs_whole);

	if (der_peek(&tbs) == DER_VERSION) {
		der_read(&tbs, DER_VERSION, NULL);
	}
	der_read(&tbs, DER_INTEGER, NULL); /* serialNumber */
	if ((err = read_ed25519_algorithm(&tbs)) != TLS_OK) {
		return err;
	}
	der_read(&tbs, DER_SEQUENCE, NULL); /* issuer */
	der_read(&tbs, DER_SEQUENCE, NULL); /* validity */
	struct cursor subject = der_read(&tbs, DER_SEQUENCE, NULL);
	struct cursor spki = der_read(&tbs, DER_SEQUENCE, NULL);
	if (!cur_ok(&tbs)) {
		return TLS_ERR_BAD_CERT;
	}
	if ((err = read_ed25519_algorithm(&spki)) != TLS_OK) {
		return err;
	}
	out->public_key = read_bits(&spki, 32);
	if (!cur_done(&spki)) {
		return TLS_ERR_BAD_CERT;
	}
	read_common_name(subject, out->subject_cn);
	return TLS_OK;
}
