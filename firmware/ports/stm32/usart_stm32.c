/*
 * STM32 USART (F1 and F4 share the register layout). One interrupt line
 * for RX and TX. Clocks are enabled through RCC for real silicon; QEMU 7.2
 * leaves RCC unimplemented, so nothing ever waits on it.
 */
#include "cortexm.h"
#include "board.h"
#include "uart.h"

#define USART_SR(u)  REG32((u)->base + 0x00u)
#define USART_DR(u)  REG32((u)->base + 0x04u)
#define USART_BRR(u) REG32((u)->base + 0x08u)
#define USART_CR1(u) REG32((u)->base + 0x0cu)

#define SR_RXNE (1u << 5)
#define SR_TXE  (1u << 7)
#define SR_ORE  (1u << 3)
#define CR1_RE     (1u << 2)
#define CR1_TE     (1u << 3)
#define CR1_RXNEIE (1u << 5)
#define CR1_TXEIE  (1u << 7)
#define CR1_UE     (1u << 13)

#define BAUD 115200u

static void enable_clocks(void)
{
#if defined(BOARD_FAMILY_STM32F1)
	REG32(0x40021018u) |= (1u << 14) | (1u << 2); /* APB2ENR: USART1, GPIOA */
	REG32(0x4002101cu) |= 1u << 17;               /* APB1ENR: USART2 */
#else
	REG32(0x40023830u) |= 1u << 0;  /* AHB1ENR: GPIOA */
	REG32(0x40023844u) |= 1u << 4;  /* APB2ENR: USART1 */
	REG32(0x40023840u) |= 1u << 17; /* APB1ENR: USART2 */
#endif
}

static void usart_isr(void *arg)
{
	struct uart *u = arg;
	uint32_t sr = USART_SR(u);
	if (sr & (SR_RXNE | SR_ORE)) {
		uint8_t b = (uint8_t)USART_DR(u); /* reading DR clears RXNE and ORE */
		if (!ring_put(&u->rx, b)) {
			u->rx_dropped++;
		}
		u->rx_count++;
	}
	if ((sr & SR_TXE) && (USART_CR1(u) & CR1_TXEIE)) {
		uart_kick(u);
	}
}

void uart_init(struct uart *u, uintptr_t base, uint32_t irq_rx, uint32_t irq_tx)
{
	static int clocks_on;
	if (!clocks_on) {
		enable_clocks();
		clocks_on = 1;
	}
	u->base = base;
	u->irq_rx = irq_rx;
	u->irq_tx = irq_tx;
	USART_BRR(u) = BOARD_CPU_CLOCK_HZ / BAUD;
	USART_CR1(u) = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
	irq_attach(irq_rx, usart_isr, u);
}

void uart_kick(struct uart *u)
{
	uint32_t mask = irq_save();
	int b;
	while ((USART_SR(u) & SR_TXE) && (b = ring_get(&u->tx)) >= 0) {
		USART_DR(u) = (uint32_t)b;
	}
	if (ring_used(&u->tx) > 0) {
		USART_CR1(u) |= CR1_TXEIE;
	} else {
		USART_CR1(u) &= ~CR1_TXEIE;
	}
	irq_restore(mask);
}

void uart_put_polled(struct uart *u, uint8_t b)
{
	while (!(USART_SR(u) & SR_TXE)) {
	}
	USART_DR(u) = b;
}
