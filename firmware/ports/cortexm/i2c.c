/*
 * I2C and sensors for hal.h. MPS2 boards have SBCon controllers (QEMU's
 * versatile_i2c): two open-drain lines the CPU drives bit by bit. Writing
 * a bit to CONTROLS (0x00) releases a line (high), to CONTROLC (0x04)
 * pulls it low; reading 0x00 gives SCL in bit 0 and SDA as the bus holds
 * it in bit 1. QEMU's model needs no delays between the steps.
 *
 * The sensors are TMP105s (BOARD_SENSORS): temperature register 0, 16 bits,
 * two's complement, 1/256 °C per unit; set to 12-bit resolution (config
 * register 1, R1:R0 = 11) before each read.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal.h"

#if BOARD_I2C_COUNT > 0

#define SB_CONTROLS 0x00u /* write: set; read: state */
#define SB_CONTROLC 0x04u /* write: clear */
#define SCL 1u
#define SDA 2u

struct i2c_bus {
	uint32_t base;
	const char *label;
};

static const struct i2c_bus buses[] = BOARD_I2C_BUSES;

static void line(uint32_t base, uint32_t bit, bool high)
{
	*(volatile uint32_t *)(base + (high ? SB_CONTROLS : SB_CONTROLC)) = bit;
}

static bool sda(uint32_t base)
{
	return (*(volatile uint32_t *)(base + SB_CONTROLS) & SDA) != 0;
}

static void start(uint32_t base)
{
	line(base, SDA, true);
	line(base, SCL, true);
	line(base, SDA, false);
	line(base, SCL, false);
}

static void stop(uint32_t base)
{
	line(base, SDA, false);
	line(base, SCL, true);
	line(base, SDA, true);
}

/* Clocks one bit out (bit true releases SDA) and returns SDA as read. */
static bool clock_bit(uint32_t base, bool bit)
{
	line(base, SDA, bit);
	line(base, SCL, true);
	bool in = sda(base);
	line(base, SCL, false);
	return in;
}

/* Sends a byte; returns whether it was acknowledged. */
static bool put_byte(uint32_t base, uint8_t b)
{
	for (int i = 7; i >= 0; i--) {
		clock_bit(base, (b >> i) & 1u);
	}
	return !clock_bit(base, true);
}

static uint8_t get_byte(uint32_t base, bool ack)
{
	uint8_t b = 0;
	for (int i = 0; i < 8; i++) {
		b = (uint8_t)(b << 1 | clock_bit(base, true));
	}
	clock_bit(base, !ack);
	return b;
}

int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen)
{
	if (bus >= BOARD_I2C_COUNT || addr > 0x7fu) {
		return HAL_NO_DEVICE;
	}
	uint32_t base = buses[bus].base;
	int r = 0;
	if (wlen > 0 || rlen == 0) {
		start(base);
		bool ok = put_byte(base, (uint8_t)(addr << 1));
		for (size_t i = 0; ok && i < wlen; i++) {
			ok = put_byte(base, wr[i]);
		}
		r = ok ? 0 : HAL_NACK;
	}
	if (r == 0 && rlen > 0) {
		start(base); /* a repeated start after a write */
		if (put_byte(base, (uint8_t)(addr << 1 | 1u))) {
			for (size_t i = 0; i < rlen; i++) {
				rd[i] = get_byte(base, i + 1 < rlen);
			}
		} else {
			r = HAL_NACK;
		}
	}
	stop(base);
	return r;
}

#else

int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen)
{
	(void)bus;
	(void)addr;
	(void)wr;
	(void)wlen;
	(void)rd;
	(void)rlen;
	return HAL_NOT_AVAILABLE;
}

#endif

#if BOARD_SENSOR_COUNT > 0

struct sensor {
	uint8_t bus, addr;
	const char *label;
};

static const struct sensor sensors[] = BOARD_SENSORS;

int hal_sensor_read(unsigned sensor, int32_t *value)
{
	if (sensor >= BOARD_SENSOR_COUNT) {
		return HAL_NO_DEVICE;
	}
	const struct sensor *s = &sensors[sensor];
	static const uint8_t config[] = {0x01, 0x60}; /* 12-bit resolution */
	static const uint8_t temperature = 0x00;
	uint8_t raw[2];
	int r = hal_i2c_transfer(s->bus, s->addr, config, sizeof config, NULL, 0);
	if (r == 0) {
		r = hal_i2c_transfer(s->bus, s->addr, &temperature, 1, raw, sizeof raw);
	}
	if (r == 0) {
		int32_t units = (int16_t)((uint16_t)raw[0] << 8 | raw[1]);
		*value = units * 1000 / 256;
	}
	return r;
}

#else

int hal_sensor_read(unsigned sensor, int32_t *value)
{
	(void)sensor;
	(void)value;
	return HAL_NOT_AVAILABLE;
}

#endif
