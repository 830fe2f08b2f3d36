/*
 * External interrupts all enter irq_dispatch, which finds the driver's
 * handler by IRQ number. A table of a few entries replaces a per-board
 * vector table full of named handlers.
 */
#include "cortexm.h"
#include "board.h"

#define IRQ_SLOTS 4

static struct {
	uint32_t irq;
	irq_handler fn;
	void *arg;
} slots[IRQ_SLOTS];
static uint32_t slot_count;

void irq_attach(uint32_t irq, irq_handler fn, void *arg)
{
	for (uint32_t i = 0; i < slot_count; i++) {
		if (slots[i].irq == irq && slots[i].arg == arg) {
			return;
		}
	}
	if (slot_count < IRQ_SLOTS) {
		slots[slot_count].irq = irq;
		slots[slot_count].fn = fn;
		slots[slot_count].arg = arg;
		slot_count++;
	}
	nvic_enable(irq);
}

void irq_dispatch(void)
{
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	uint32_t irq = ipsr - 16u;
	for (uint32_t i = 0; i < slot_count; i++) {
		if (slots[i].irq == irq) {
			slots[i].fn(slots[i].arg);
		}
	}
}
