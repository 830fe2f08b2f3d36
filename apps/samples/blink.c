/* blink: toggles LED 0 every 500 ms, forever, sleeping in between. */
#include "wasmbed.h"

void run(void)
{
	for (uint32_t on = 1;; on ^= 1) {
		if (WASMBED_IS_ERROR(wasmbed_led_set(0, on))) {
			wasmbed_log_str("blink: this board has no LED 0");
			return;
		}
		wasmbed_sleep_ms(500);
	}
}
