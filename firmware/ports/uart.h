/*
 * The UART driver contract shared by the CMSDK and STM32 drivers:
 * interrupt-driven receive into a ring, transmit from a ring that the
 * driver drains as the hardware accepts bytes.
 */
#ifndef UART_H
#define UART_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

struct uart {
	uintptr_t base;
	uint32_t irq_rx, irq_tx;
	struct ring rx, tx;
	volatile uint32_t rx_dropped;
	volatile uint32_t rx_count; /* bytes received since boot */
};

/* Configures the device, enables receive interrupts and attaches its IRQs. */
void uart_init(struct uart *u, uintptr_t base, uint32_t irq_rx, uint32_t irq_tx);

/* Moves queued transmit bytes into the hardware; safe from any context. */
void uart_kick(struct uart *u);

/* Writes one byte by polling, bypassing the ring (fault handlers). */
void uart_put_polled(struct uart *u, uint8_t b);

#endif
