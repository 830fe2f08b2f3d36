/* Constant-time helpers (see ct.h). */
#include "ct.h"

int ct_compare(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint32_t diff = 0;
	for (size_t i = 0; i < len; i++) {
		diff |= (uint32_t)(a[i] ^ b[i]);
	}
	/* diff is in 0..255: diff - 1 has bit 31 set exactly when diff == 0.
	 * That gives 1 for equal, 0 otherwise; minus one maps it to 0 / -1. */
	return (int)((diff - 1u) >> 31) - 1;
}

void ct_wipe(void *p, size_t len)
{
	/* Stores through a volatile pointer are observable behaviour, so the
	 * compiler must emit them even when the buffer is dead afterwards. */
	volatile uint8_t *v = (volatile uint8_t *)p;
	for (size_t i = 0; i < len; i++) {
		v[i] = 0;
	}
}
