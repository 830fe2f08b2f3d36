/*
 * Tickless time base on SysTick. Before each sleep the counter is
 * reprogrammed to expire at the next deadline, so an idle board takes no
 * periodic interrupt; every wrap adds the period to a 64-bit count. The
 * devicetree picks the clock: the reference clock where the board has one
 * (a 24-bit count then lasts far longer), else the CPU clock.
 */
#include "cortexm.h"
#include "board.h"

#define CYCLES_PER_US (BOARD_SYSTICK_HZ / 1000000u)
_Static_assert(BOARD_SYSTICK_HZ % 1000000u == 0, "SysTick clock must be a whole number of MHz");

/* A safety net: even with nothing to do, look around once a second. */
#define MAX_SLEEP_US 1000000u
#define MIN_PERIOD_CYCLES (16u * CYCLES_PER_US)

static volatile uint64_t base_cycles; /* cycles at the start of the current period */
static volatile uint32_t period;      /* cycles per wrap = reload + 1 */
static uint64_t last_cycles;          /* the latest time read: time never goes back */

void SysTick_Handler(void)
{
	base_cycles += period;
}

static int wrap_pending(void)
{
	return (SCB_ICSR & ICSR_PENDSTSET) != 0;
}

/* Call with interrupts masked. */
static uint64_t now_cycles_locked(void)
{
	int p1, p2;
	uint32_t val;
	do { /* a consistent pair: no wrap between reading val and the flag */
		p1 = wrap_pending();
		val = SYST_CVR;
		p2 = wrap_pending();
	} while (p1 != p2);

	uint64_t base = base_cycles;
	uint64_t now;
	if (val == 0) {
		/* Either just restarted (nothing elapsed) or expired with its
		 * wrap not yet flagged: QEMU reads 0 from expiry until its timer
		 * callback reloads, which a loaded host delays. The latter read
		 * as base would step time back a whole period (up to a second). */
		now = base + (p1 ? period - 1u : 0u);
	} else {
		if (p1) {
			base += period; /* wrapped and reloaded, not counted yet */
		}
		now = base + (period - 1u - val);
	}
	if (now < last_cycles) {
		now = last_cycles;
	}
	last_cycles = now;
	return now;
}

static void start_period(uint32_t cycles)
{
	SYST_CSR = 0;
	period = cycles;
	SYST_RVR = cycles - 1u;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | (BOARD_SYSTICK_CLKSOURCE ? SYST_CSR_CLKSOURCE : 0u);
}

static uint32_t clamp_period(uint64_t cycles)
{
	uint64_t cap = (uint64_t)MAX_SLEEP_US * CYCLES_PER_US;
	if (cap > SYST_MAX_RELOAD + 1u) {
		cap = SYST_MAX_RELOAD + 1u;
	}
	if (cycles > cap) {
		return (uint32_t)cap;
	}
	return cycles < MIN_PERIOD_CYCLES ? MIN_PERIOD_CYCLES : (uint32_t)cycles;
}

void systick_init(void)
{
	base_cycles = 0;
	last_cycles = 0;
	start_period(clamp_period(1000u * CYCLES_PER_US)); /* a first wake-up soon */
}

uint64_t systick_now_us(void)
{
	uint32_t mask = irq_save();
	uint64_t now = now_cycles_locked();
	irq_restore(mask);
	return now / CYCLES_PER_US;
}

/* Makes the next wrap happen at deadline_us, or within MAX_SLEEP_US. */
void systick_arm(uint64_t deadline_us)
{
	uint32_t mask = irq_save();
	uint64_t now = now_cycles_locked();
	uint64_t want = deadline_us * CYCLES_PER_US;
	uint32_t delta = clamp_period(want > now ? want - now : 0);
	/* Restart unless the running period already ends exactly right: a
	 * period left short by an earlier deadline would otherwise keep
	 * waking an idle board. A restart loses at most a cycle. */
	if (wrap_pending() || delta != period || SYST_CVR > delta) {
		/* Stop first, then look for a wrap once more: QEMU may flag the
		 * old period's end between the read above and the stop (its
		 * timer runs on another thread, later on a loaded host). Left
		 * pending, that wrap would add the new period to the count at
		 * once: time a whole period ahead. Taken here, it ends the old
		 * period, which now may not have counted yet. */
		SYST_CSR = 0;
		if (wrap_pending()) {
			SCB_ICSR = ICSR_PENDSTCLR;
			uint64_t end = base_cycles + period;
			if (end > now) {
				now = end;
				last_cycles = now;
			}
		}
		base_cycles = now;
		start_period(delta);
	}
	irq_restore(mask);
}
