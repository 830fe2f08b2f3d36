/* echo: publishes on "echo" each message the gateway sends it (the lab's
 * POST /v1/devices/DEVICE/message), polling every 20 ms. */
#include "wasmbed.h"

void run(void)
{
	uint8_t buf[256];
	for (;;) {
		int32_t n = wasmbed_receive(buf, sizeof buf);
		if (WASMBED_IS_ERROR(n)) {
			wasmbed_sleep_ms(20);
			continue;
		}
		wasmbed_publish("echo", 4, buf, (uint32_t)n);
	}
}
