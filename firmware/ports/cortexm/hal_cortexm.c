/*
 * The HAL for every Cortex-M board: console and link on the board's two
 * UARTs (whose driver the port supplies), time and sleep on SysTick.
 */
#include <stdbool.h>
#include <string.h>

#include "cortexm.h"
#include "board.h"

#include "hal.h"
#include "uart.h"

#if BOARD_RAM_SIZE < 0x4000u
#define LINK_RX_SIZE 512u /* small boards: one link frame */
#define LINK_TX_SIZE 512u
#define CONSOLE_TX_SIZE 128u
#else
#define LINK_RX_SIZE 4096u
#define LINK_TX_SIZE 4096u
#define CONSOLE_TX_SIZE 1024u
#endif
#define CONSOLE_RX_SIZE 64u

static struct uart console, link;
static uint32_t sleeps;
static uint8_t console_rx_buf[CONSOLE_RX_SIZE], console_tx_buf[CONSOLE_TX_SIZE];
static uint8_t link_rx_buf[LINK_RX_SIZE], link_tx_buf[LINK_TX_SIZE];

extern const uint8_t __build_id_start[], __build_id_end[];
extern const uint8_t __provision_start[], __provision_size[];

void hal_init(void)
{
	ring_init(&console.rx, console_rx_buf, sizeof console_rx_buf);
	ring_init(&console.tx, console_tx_buf, sizeof console_tx_buf);
	ring_init(&link.rx, link_rx_buf, sizeof link_rx_buf);
	ring_init(&link.tx, link_tx_buf, sizeof link_tx_buf);
	uart_init(&console, BOARD_CONSOLE_BASE, BOARD_CONSOLE_IRQ_RX, BOARD_CONSOLE_IRQ_TX);
	uart_init(&link, BOARD_LINK_BASE, BOARD_LINK_IRQ_RX, BOARD_LINK_IRQ_TX);
	/* After the UARTs: starting the timer wakes QEMU's main loop, which
	 * then sees the receivers enabled (see rx_burst_deadline). */
	systick_init();
	irq_enable();
}

uint64_t hal_now_us(void)
{
	return systick_now_us();
}

/*
 * QEMU's CMSDK UART model takes the next received byte only when QEMU's main
 * loop runs again, and reading DATA does not wake that loop: an idle guest
 * would get one byte per timer wake-up. While bytes are flowing, a short
 * SysTick period (an earlier timer deadline wakes the main loop) keeps them
 * coming; an idle board is unaffected.
 */
#if defined(BOARD_PORT_CMSDK)
#define RX_BURST_US 20u
#else
#define RX_BURST_US 0u
#endif

static uint32_t rx_seen;
static bool burst_armed; /* the timer runs at RX_BURST_US for bytes in flight */

/* While busy, how often the timer wakes QEMU's main loop once bytes stop. */
#define BUSY_TICK_US 10000u

/* Whether bytes arrived since the last call. */
static bool rx_moved(void)
{
	uint32_t count = console.rx_count + link.rx_count;
	bool moved = RX_BURST_US != 0 && count != rx_seen;
	rx_seen = count;
	return moved;
}

void hal_idle_until(uint64_t deadline_us)
{
	uint64_t now = systick_now_us();
	if (deadline_us <= now) {
		/* Busy (an app runs): no sleep, and the timer is left alone, for
		 * a loop that touches it on every pass keeps QEMU's main loop
		 * from the device models (heartbeats then starve). Only a byte
		 * that arrived asks for the next soon. */
		if (rx_moved()) {
			systick_arm(now + RX_BURST_US);
			burst_armed = true;
		} else if (burst_armed) {
			systick_arm(now + BUSY_TICK_US);
			burst_armed = false;
		}
		return;
	}
	if (rx_moved() && now + RX_BURST_US < deadline_us) {
		deadline_us = now + RX_BURST_US;
	}
	burst_armed = false;
	systick_arm(deadline_us);
	/* Mask first, so that a byte arriving between the check and WFI still
	 * wakes us: WFI returns on a pending interrupt even while masked. */
	uint32_t mask = irq_save();
	if (ring_used(&console.rx) == 0 && ring_used(&link.rx) == 0 && systick_now_us() < deadline_us) {
		wait_for_interrupt();
		sleeps++;
	}
	irq_restore(mask);
}

void hal_console_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		while (!ring_put(&console.tx, p[i])) {
			uart_kick(&console);
		}
	}
	uart_kick(&console);
}

void hal_console_write_polled(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i < len; i++) {
		uart_put_polled(&console, p[i]);
	}
}

size_t hal_console_read(uint8_t *buf, size_t cap)
{
	return ring_read(&console.rx, buf, cap);
}

size_t hal_link_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n = 0;
	while (n < len && ring_put(&link.tx, p[n])) {
		n++;
	}
	uart_kick(&link);
	return n;
}

size_t hal_link_read(uint8_t *buf, size_t cap)
{
	return ring_read(&link.rx, buf, cap);
}

void hal_counters(struct hal_counters *out)
{
	out->console_rx_dropped = console.rx_dropped;
	out->link_rx_dropped = link.rx_dropped;
	out->sleeps = sleeps;
}

const uint8_t *hal_build_id(size_t *len)
{
	/* The note is namesz(4) descsz(4) type(4) "GNU\0" then the id. */
	size_t note = (size_t)(__build_id_end - __build_id_start);
	if (note < 16) {
		*len = 0;
		return __build_id_start;
	}
	*len = note - 16;
	return __build_id_start + 16;
}

const uint8_t *hal_provision(size_t *len)
{
	*len = (size_t)(uintptr_t)__provision_size;
	return __provision_start;
}

_Noreturn void hal_reset(void)
{
	__asm__ volatile("dsb" ::: "memory");
	SCB_AIRCR = AIRCR_VECTKEY | AIRCR_SYSRESETREQ;
	for (;;) {
		wait_for_interrupt();
	}
}

_Noreturn void hal_trigger_fault(void)
{
	__asm__ volatile("udf #0");
	for (;;) {
	}
}

/* LEDs and buttons are bits of memory-mapped registers (the devicetree's
 * wasmbed,register-leds and -buttons): the emulated hardware holds them. */
struct board_bit {
	uint32_t reg;
	uint32_t bit;
	const char *label;
};

#if BOARD_LED_COUNT > 0
static const struct board_bit leds[] = BOARD_LEDS;
#endif
#if BOARD_BUTTON_COUNT > 0
static const struct board_bit buttons[] = BOARD_BUTTONS;
#endif

static inline int read_bit(const struct board_bit *b)
{
	return (int)((*(volatile uint32_t *)b->reg >> b->bit) & 1u);
}

int hal_led_set(unsigned led, int on)
{
#if BOARD_LED_COUNT > 0
	if (led < BOARD_LED_COUNT) {
		volatile uint32_t *reg = (volatile uint32_t *)leds[led].reg;
		uint32_t mask = 1u << leds[led].bit;
		*reg = on ? (*reg | mask) : (*reg & ~mask);
		return read_bit(&leds[led]);
	}
	return HAL_NO_DEVICE;
#else
	(void)led;
	(void)on;
	return HAL_NOT_AVAILABLE;
#endif
}

int hal_led_get(unsigned led)
{
#if BOARD_LED_COUNT > 0
	if (led < BOARD_LED_COUNT) {
		return read_bit(&leds[led]);
	}
	return HAL_NO_DEVICE;
#else
	(void)led;
	return HAL_NOT_AVAILABLE;
#endif
}

int hal_button_get(unsigned button)
{
#if BOARD_BUTTON_COUNT > 0
	if (button < BOARD_BUTTON_COUNT) {
		return read_bit(&buttons[button]);
	}
	return HAL_NO_DEVICE;
#else
	(void)button;
	return HAL_NOT_AVAILABLE;
#endif
}
