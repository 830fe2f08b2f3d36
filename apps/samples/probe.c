/* probe: logs what the board gives apps: the devices answering on each
 * I2C bus, what each SPI bus reads back, and whether GPIO exists. Then it
 * returns. */
#include "wasmbed.h"

static uint32_t hex(char *out, uint32_t v, uint32_t digits)
{
	static const char digit[] = "0123456789abcdef";
	for (uint32_t i = 0; i < digits; i++) {
		out[i] = digit[(v >> (4 * (digits - 1 - i))) & 0xf];
	}
	return digits;
}

static uint32_t text(char *out, const char *s)
{
	uint32_t n = 0;
	while (s[n] != '\0') {
		out[n] = s[n];
		n++;
	}
	return n;
}

void run(void)
{
	char line[96];
	uint32_t n;
	for (uint32_t bus = 0;; bus++) {
		int32_t r = wasmbed_i2c_write(bus, 0x08, line, 0);
		if (r == WASMBED_ENOTAVAIL || r == WASMBED_ENODEV) {
			if (bus == 0) {
				wasmbed_log_str("probe: i2c not available on this board");
			}
			break;
		}
		n = text(line, "probe: i2c");
		n += hex(line + n, bus, 1);
		n += text(line + n, ":");
		for (uint32_t addr = 0x08; addr < 0x78; addr++) {
			if (wasmbed_i2c_write(bus, addr, line, 0) == 0 && n + 5 < sizeof line) {
				n += text(line + n, " 0x");
				n += hex(line + n, addr, 2);
			}
		}
		wasmbed_log(line, n);
	}
	for (uint32_t bus = 0;; bus++) {
		uint8_t out[2] = {0xa5, 0x5a}, in[2];
		int32_t r = wasmbed_spi_transfer(bus, out, in, 2);
		if (WASMBED_IS_ERROR(r)) {
			if (bus == 0) {
				wasmbed_log_str("probe: spi not available on this board");
			}
			break;
		}
		n = text(line, "probe: spi");
		n += hex(line + n, bus, 1);
		n += text(line + n, ": sent a55a, read ");
		n += hex(line + n, (uint32_t)in[0] << 8 | in[1], 4);
		wasmbed_log(line, n);
	}
	if (wasmbed_gpio_read(0) == WASMBED_ENOTAVAIL) {
		wasmbed_log_str("probe: gpio not available on this board");
	}
}
