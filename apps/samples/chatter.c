/* chatter: logs a numbered line every 20 ms, 50 lines a second: a busy
 * console, for measuring the lab's UI under load. */
#include "wasmbed.h"

void run(void)
{
	for (uint32_t n = 1;; n++) {
		char line[24] = "chatter ";
		uint32_t len = 8;
		char digits[10];
		uint32_t d = 0;
		for (uint32_t v = n; v > 0 || d == 0; v /= 10) {
			digits[d++] = (char)('0' + v % 10);
		}
		while (d > 0) {
			line[len++] = digits[--d];
		}
		wasmbed_log(line, len);
		wasmbed_sleep_ms(20);
	}
}
