/*
 * SPI for hal.h, on the controllers the devicetree lists (BOARD_SPI_BUSES):
 * ARM's PL022 on the MPS2 boards, the STM32 SPI on the F4. Each transfer
 * sets the controller up as master, 8-bit frames, mode 0, and clocks one
 * byte in for each byte out. QEMU transfers a byte when it is written, so
 * the waits below end at once; they are bounded all the same.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal.h"

#define BOARD_SPI_PL022 0
#define BOARD_SPI_STM32 1

#if BOARD_SPI_COUNT > 0

struct spi_bus {
	uint32_t base;
	uint8_t kind;
	const char *label;
};

static const struct spi_bus buses[] = BOARD_SPI_BUSES;

static volatile uint32_t *reg(uint32_t base, uint32_t off)
{
	return (volatile uint32_t *)(base + off);
}

/* Polls until reg & mask; false after SPIN_MAX reads. */
#define SPIN_MAX 100000u
static int wait_set(volatile uint32_t *r, uint32_t mask)
{
	for (uint32_t i = 0; i < SPIN_MAX; i++) {
		if ((*r & mask) != 0) {
			return 1;
		}
	}
	return 0;
}

/* PL022: CR0 DSS = 7 (8 bits), CR1 SSE, SR TNF and RNE, DR. */
static int pl022_byte(uint32_t base, uint8_t out, uint8_t *in)
{
	if (!wait_set(reg(base, 0x0c), 1u << 1)) {
		return 0;
	}
	*reg(base, 0x08) = out;
	if (!wait_set(reg(base, 0x0c), 1u << 2)) {
		return 0;
	}
	*in = (uint8_t)*reg(base, 0x08);
	return 1;
}

static void pl022_setup(uint32_t base)
{
	*reg(base, 0x04) = 0;         /* CR1: disabled while set up */
	*reg(base, 0x00) = 7u;        /* CR0: 8-bit Motorola frames, mode 0 */
	*reg(base, 0x10) = 2u;        /* CPSR: the smallest prescaler */
	*reg(base, 0x04) = 1u << 1;   /* CR1: SSE, master */
}

/* STM32: CR1 MSTR|SSI|SSM|SPE, SR TXE and RXNE, DR at 0x0c. */
static int stm32_byte(uint32_t base, uint8_t out, uint8_t *in)
{
	if (!wait_set(reg(base, 0x08), 1u << 1)) {
		return 0;
	}
	*reg(base, 0x0c) = out;
	if (!wait_set(reg(base, 0x08), 1u << 0)) {
		return 0;
	}
	*in = (uint8_t)*reg(base, 0x0c);
	return 1;
}

static void stm32_setup(uint32_t base)
{
	*reg(base, 0x00) = (1u << 2) | (1u << 8) | (1u << 9) | (1u << 6);
}

int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len)
{
	if (bus >= BOARD_SPI_COUNT) {
		return HAL_NO_DEVICE;
	}
	const struct spi_bus *b = &buses[bus];
	int pl022 = b->kind == BOARD_SPI_PL022;
	if (pl022) {
		pl022_setup(b->base);
	} else {
		stm32_setup(b->base);
	}
	for (size_t i = 0; i < len; i++) {
		int ok = pl022 ? pl022_byte(b->base, tx[i], &rx[i]) : stm32_byte(b->base, tx[i], &rx[i]);
		if (!ok) {
			return HAL_NACK; /* the controller never finished the byte */
		}
	}
	return 0;
}

#else

int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len)
{
	(void)bus;
	(void)tx;
	(void)rx;
	(void)len;
	return HAL_NOT_AVAILABLE;
}

#endif
