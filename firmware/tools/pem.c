#include "pem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '+') return 62;
	if (ch == '/') return 63;
	return -1;
}

static size_t b64_decode(const char *in, size_t in_len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < in_len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0) {
			continue; /* newlines, padding */
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap) {
				return 0;
			}
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

size_t pem_load(const char *path, const char *label, uint8_t *out, size_t cap)
{
	static char text[65536];
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		perror(path);
		exit(2);
	}
	size_t len = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	text[len] = '\0';
	char begin[64], end[64];
	snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
	snprintf(end, sizeof end, "-----END %s-----", label);
	char *b = strstr(text, begin);
	if (b == NULL) {
		if (len > cap) {
			fprintf(stderr, "%s: too large\n", path);
			exit(2);
		}
		memcpy(out, text, len); /* DER */
		return len;
	}
	b += strlen(begin);
	char *e = strstr(b, end);
	size_t n = e != NULL ? b64_decode(b, (size_t)(e - b), out, cap) : 0;
	if (n == 0) {
		fprintf(stderr, "%s: bad PEM %s block\n", path, label);
		exit(2);
	}
	return n;
}

bool pem_load_ed25519_key(const char *path, uint8_t seed[32])
{
	/* PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.112 },
	 * OCTET STRING { OCTET STRING (32 bytes) } }: 48 bytes, seed last. */
	static const uint8_t prefix[16] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					   0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
	uint8_t der[256];
	size_t n = pem_load(path, "PRIVATE KEY", der, sizeof der);
	if (n != 48 || memcmp(der, prefix, sizeof prefix) != 0) {
		return false;
	}
	memcpy(seed, der + 16, 32);
	return true;
}
