/* hello: logs a greeting with the device's name, then returns (the app
 * stops). It declares the little memory it needs (MEMORY_hello). */
#include "wasmbed.h"

void run(void)
{
	char line[48] = "hello from ";
	int32_t n = wasmbed_device_id(line + 11, sizeof line - 11);
	wasmbed_log(line, 11 + (n > 0 ? (uint32_t)n : 0));
}
