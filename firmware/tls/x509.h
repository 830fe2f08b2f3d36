/*
 * Just enough X.509 (DER) for an Ed25519 leaf certificate: the signed
 * TBSCertificate bytes, the signature, the subject public key and the
 * subject common name. Nothing else of the certificate is interpreted.
 */
#ifndef X509_H
#define X509_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

struct x509_cert {
	const uint8_t *tbs; /* the whole TBSCertificate TLV: what the CA signed */
	size_t tbs_len;
	const uint8_t *signature;  /* 64 bytes */
	const uint8_t *public_key; /* 32 bytes */
	char subject_cn[TLS_NAME_MAX];
};

/* TLS_OK, TLS_ERR_BAD_CERT (malformed) or TLS_ERR_CERT_ALGORITHM (not Ed25519). */
enum tls_error x509_parse(const uint8_t *der, size_t len, struct x509_cert *out);

#endif
