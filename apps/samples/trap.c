/* trap: logs, then divides by zero: the board reports the app Trapped
 * ("integer divide by zero", with the function and offset) and goes on. */
#include "wasmbed.h"

static volatile uint32_t zero, numerator = 12345;

void run(void)
{
	wasmbed_log_str("trap: about to divide by zero");
	volatile uint32_t q = numerator / zero; /* i32.div_u, which traps */
	(void)q;
}
