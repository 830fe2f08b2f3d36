/* trap: logs, then divides by zero: the board reports the app Trapped
 * ("integer divide by zero", with the function and offset) and goes on. */
#include "wasmbed.h"

static volatile uint32_t zero;

void run(void)
{
	wasmbed_log_str("trap: about to divide by zero");
	volatile uint32_t q = 1u / zero;
	(void)q;
}
