/* compute: a CPU benchmark on the device: CRC-32 over 4 KiB, 64 times,
 * then publishes the checksum and the milliseconds it took on "compute",
 * and stops. It never sleeps while it works, so it also shows that a busy
 * app leaves heartbeats alone. */
#include "wasmbed.h"

static uint8_t data[4096];

static uint32_t crc32(const uint8_t *p, uint32_t n, uint32_t crc)
{
	crc = ~crc;
	for (uint32_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++) {
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
		}
	}
	return ~crc;
}

void run(void)
{
	uint32_t x = 1;
	for (uint32_t i = 0; i < sizeof data; i++) {
		x = x * 1664525u + 1013904223u;
		data[i] = (uint8_t)(x >> 24);
	}
	uint64_t start = wasmbed_time_ms();
	uint32_t crc = 0;
	for (int round = 0; round < 64; round++) {
		crc = crc32(data, sizeof data, crc);
	}
	uint32_t ms = (uint32_t)(wasmbed_time_ms() - start);
	uint8_t out[8] = {(uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc,
			  (uint8_t)(ms >> 24), (uint8_t)(ms >> 16), (uint8_t)(ms >> 8), (uint8_t)ms};
	wasmbed_publish("compute", 7, out, sizeof out);
}
