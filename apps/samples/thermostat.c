/* thermostat: reads the temperature (sensor 0, a TMP105 on I2C) every
 * second and turns LED 0 (the cooler) on above 25.0 °C, off below 24.0 °C
 * (a degree of hysteresis), publishing each reading on "temperature". */
#include "wasmbed.h"

#define ON_ABOVE 25000  /* millidegrees */
#define OFF_BELOW 24000

static uint32_t decimal(char *out, int32_t v)
{
	char tmp[12];
	uint32_t n = 0, len = 0;
	uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0) {
		out[len++] = '-';
	}
	while (n > 0) {
		out[len++] = tmp[--n];
	}
	return len;
}

void run(void)
{
	uint32_t cooling = 0;
	for (;;) {
		int32_t mdeg;
		int32_t r = wasmbed_sensor_read(0, &mdeg);
		if (WASMBED_IS_ERROR(r)) {
			wasmbed_log_str("thermostat: no temperature sensor on this board");
			return;
		}
		if (!cooling && mdeg > ON_ABOVE) {
			cooling = 1;
		} else if (cooling && mdeg < OFF_BELOW) {
			cooling = 0;
		}
		wasmbed_led_set(0, cooling);
		char text[16];
		uint32_t len = decimal(text, mdeg);
		wasmbed_publish("temperature", 11, text, len);
		wasmbed_sleep_ms(1000);
	}
}
