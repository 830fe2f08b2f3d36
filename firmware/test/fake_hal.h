/* A fake HAL for the host tests and harnesses that run the app runtime:
 * a clock the test moves (now_us), two LEDs and buttons, an I2C bus with a
 * device at 0x48, an SPI bus that echoes, and a temperature sensor. It
 * defines the HAL's functions: include it in one file of a program. */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <string.h>

#include "hal.h"

static uint64_t now_us;

uint64_t hal_now_us(void)
{
	return now_us;
}

int hal_led_set(unsigned led, int on)
{
	return led < 2 ? on != 0 : HAL_NO_DEVICE;
}

int hal_led_get(unsigned led)
{
	return led < 2 ? 0 : HAL_NO_DEVICE;
}

int hal_button_get(unsigned button)
{
	return button < 2 ? 1 : HAL_NO_DEVICE;
}

int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen)
{
	(void)wr;
	(void)wlen;
	if (rlen > 0) {
		memset(rd, 0x5a, rlen);
	}
	return bus > 0 ? HAL_NO_DEVICE : addr == 0x48 ? 0 : HAL_NACK;
}

int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len)
{
	memmove(rx, tx, len);
	return bus > 0 ? HAL_NO_DEVICE : 0;
}

int hal_sensor_read(unsigned sensor, int32_t *value)
{
	*value = 21500;
	return sensor > 0 ? HAL_NO_DEVICE : 0;
}

#endif
