/* libFuzzer harness for the X.509 parser. The input is a DER certificate;
 * when x509_parse accepts it, every span it returns must lie inside the
 * input (TBSCertificate, 64-byte signature, 32-byte public key), the
 * TBSCertificate must be a DER SEQUENCE that starts inside the outer one,
 * and the subject CN must be a terminated string of printable ASCII. A
 * rejection must be one of the two documented errors.
 *
 * Built by `make -C firmware fuzz`; seeds are in testdata/fuzz/x509/. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "x509.h"

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

/* p[0..n) lies within data[0..size). */
static bool within(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (p == NULL) {
		return false;
	}
	uintptr_t lo = (uintptr_t)data, hi = lo + size, at = (uintptr_t)p;
	return at >= lo && at <= hi && n <= hi - at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x509_cert cert;
	enum tls_error err = x509_parse(data, size, &cert);
	if (err != TLS_OK) {
		require(err == TLS_ERR_BAD_CERT || err == TLS_ERR_CERT_ALGORITHM);
		return 0;
	}
	require(size >= 2 && data[0] == 0x30);
	require(within(cert.tbs, cert.tbs_len, data, size));
	require(cert.tbs_len >= 2 && cert.tbs[0] == 0x30);
	require(cert.tbs > data); /* inside the outer SEQUENCE, after its header */
	require(within(cert.signature, 64, data, size));
	require(within(cert.public_key, 32, data, size));
	/* The signature follows the TBSCertificate; the key is inside it. */
	require(cert.signature >= cert.tbs + cert.tbs_len);
	require(cert.public_key >= cert.tbs && cert.public_key + 32 <= cert.tbs + cert.tbs_len);

	const char *nul = memchr(cert.subject_cn, '\0', sizeof cert.subject_cn);
	require(nul != NULL);
	for (const char *p = cert.subject_cn; p < nul; p++) {
		require(*p >= 0x20 && *p < 0x7f);
	}
	return 0;
}
