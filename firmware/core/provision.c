#include "provision.h"

#include <string.h>

#include "cursor.h"
#include "link.h"

enum {
	REC_DEVICE_SEED = 1,
	REC_DEVICE_CERT = 2,
	REC_GATEWAY_CA = 3,
	REC_HEARTBEAT_MS = 4,
	REC_RNG_SEED = 5,
	REC_DEVICE_NAME = 6,
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const char *provision_parse(const uint8_t *blob, size_t len, struct provision *out)
{
	memset(out, 0, sizeof *out);
	if (len < 16 || memcmp(blob, "WBPV", 4) != 0) {
		return "no provisioning blob";
	}
	if (blob[4] != 1) {
		return "unknown provisioning version";
	}
	uint32_t records_len = le32(blob + 8);
	if (records_len > len - 16) {
		return "provisioning blob truncated";
	}
	const uint8_t *records = blob + 16;
	if (link_crc32c(0, records, records_len) != le32(blob + 12)) {
		return "provisioning blob corrupt (crc)";
	}
	struct cursor c = cur_init(records, records_len);
	while (cur_ok(&c) && cur_left(&c) > 0) {
		uint8_t type = cur_u8(&c);
		const uint8_t *lenp = cur_take(&c, 2);
		size_t n = lenp != NULL ? (size_t)lenp[0] | (size_t)lenp[1] << 8 : 0;
		const uint8_t *v = cur_take(&c, n);
		if (v == NULL) {
			break;
		}
		switch (type) {
		case REC_DEVICE_SEED:
			out->device_seed = n == 32 ? v : NULL;
			break;
		case REC_DEVICE_CERT:
			out->device_cert = v;
			out->device_cert_len = n;
			break;
		case REC_GATEWAY_CA:
			out->gateway_ca = n == 32 ? v : NULL;
			break;
		case REC_HEARTBEAT_MS:
			out->heartbeat_ms = n == 4 ? le32(v) : 0;
			break;
		case REC_RNG_SEED:
			out->rng_seed = n == 32 ? v : NULL;
			break;
		case REC_DEVICE_NAME:
			for (size_t i = 0; i < n && i < PROVISION_NAME_MAX - 1; i++) {
				out->name[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
			}
			break;
		default:
			break; /* a newer lab's record */
		}
	}
	if (!cur_ok(&c)) {
		return "provisioning records malformed";
	}
	if (out->device_seed == NULL || out->device_cert == NULL || out->gateway_ca == NULL || out->rng_seed == NULL) {
		return "provisioning blob incomplete";
	}
	return NULL;
}
