/*
 * Arm CMSDK APB UART (MPS2 boards). Separate RX and TX interrupt lines.
 * The TX interrupt fires when the one-byte transmit buffer empties, so the
 * driver writes directly while it has room and lets the interrupt continue.
 */
#include "cortexm.h"
#include "board.h"
#include "uart.h"

#define UART_DATA(u)      REG32((u)->base + 0x00u)
#define UART_STATE(u)     REG32((u)->base + 0x04u)
#define UART_CTRL(u)      REG32((u)->base + 0x08u)
#define UART_INTSTATUS(u) REG32((u)->base + 0x0cu)
#define UART_BAUDDIV(u)   REG32((u)->base + 0x10u)

#define STATE_TXFULL (1u << 0)
#define STATE_RXFULL (1u << 1)
#define CTRL_TXEN    (1u << 0)
#define CTRL_RXEN    (1u << 1)
#define CTRL_TXIE    (1u << 2)
#define CTRL_RXIE    (1u << 3)
#define INT_TX       (1u << 0)
#define INT_RX       (1u << 1)

#define BAUD 115200u

static void uart_rx_isr(void *arg)
{
	struct uart *u = arg;
	UART_INTSTATUS(u) = INT_RX;
	while (UART_STATE(u) & STATE_RXFULL) {
		if (!ring_put(&u->rx, (uint8_t)UART_DATA(u))) {
			u->rx_dropped++;
		}
		u->rx_count++;
	}
}

static void uart_tx_isr(void *arg)
{
	struct uart *u = arg;
	UART_INTSTATUS(u) = INT_TX;
	uart_kick(u);
}

void uart_init(struct uart *u, uintptr_t base, uint32_t irq_rx, uint32_t irq_tx)
{
	u->base = base;
	u->irq_rx = irq_rx;
	u->irq_tx = irq_tx;
	UART_BAUDDIV(u) = BOARD_CPU_CLOCK_HZ / BAUD;
	UART_CTRL(u) = CTRL_TXEN | CTRL_RXEN | CTRL_RXIE;
	irq_attach(irq_rx, uart_rx_isr, u);
	irq_attach(irq_tx, uart_tx_isr, u);
}

void uart_kick(struct uart *u)
{
	uint32_t mask = irq_save();
	int b;
	while (!(UART_STATE(u) & STATE_TXFULL) && (b = ring_get(&u->tx)) >= 0) {
		UART_DATA(u) = (uint32_t)b;
	}
	if (ring_used(&u->tx) > 0) {
		UART_CTRL(u) |= CTRL_TXIE;
	} else {
		UART_CTRL(u) &= ~CTRL_TXIE;
	}
	irq_restore(mask);
}

void uart_put_polled(struct uart *u, uint8_t b)
{
	while (UART_STATE(u) & STATE_TXFULL) {
	}
	UART_DATA(u) = b;
}
