/* counter: publishes 1, 2, 3, ... on "counter", one a second. */
#include "wasmbed.h"

void run(void)
{
	for (uint32_t count = 1;; count++) {
		uint8_t bytes[4] = {(uint8_t)(count >> 24), (uint8_t)(count >> 16), (uint8_t)(count >> 8), (uint8_t)count};
		while (wasmbed_publish("counter", 7, bytes, sizeof bytes) == WASMBED_EBUSY) {
			wasmbed_sleep_ms(100);
		}
		wasmbed_sleep_ms(1000);
	}
}
