/*
 * The provisioning blob the lab places in the board's memory before boot:
 * identity, trust anchor, heartbeat interval and a fresh random seed. The
 * normative format is documented in lab/pki/provision.go.
 */
#ifndef PROVISION_H
#define PROVISION_H

#include <stddef.h>
#include <stdint.h>

#define PROVISION_NAME_MAX 32u

struct provision {
	const uint8_t *device_seed; /* 32 bytes: a private key, never printed */
	const uint8_t *device_cert;
	size_t device_cert_len;
	const uint8_t *gateway_ca; /* 32 bytes */
	uint32_t heartbeat_ms;
	const uint8_t *rng_seed; /* 32 bytes */
	char name[PROVISION_NAME_MAX];
};

/* Parses the blob in place (pointers point into it). Returns NULL on
 * success, else a short reason for the console. */
const char *provision_parse(const uint8_t *blob, size_t len, struct provision *out);

#endif
