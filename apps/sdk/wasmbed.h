/* wasmbed.h: the host functions a WebAssembly app imports from "wasmbed".
 * Generated from apps/abi.go by `make gen`: do not edit.
 *
 * Build with clang --target=wasm32 -mcpu=mvp (apps/Makefile). An app
 * exports void run(void): the board calls it once; returning stops the app.
 * Every function returns a negative WASMBED_E* code when it fails; a
 * pointer range outside the app's memory traps. See docs/abi.md. */
#ifndef WASMBED_H
#define WASMBED_H

#include <stdint.h>

#define WASMBED_OK           (0) /* success */
#define WASMBED_EINVAL       (-1) /* an argument is out of its range */
#define WASMBED_ENOTAVAIL    (-2) /* not available on this board: QEMU has no model of that peripheral (see the board's capabilities) */
#define WASMBED_ENODEV       (-3) /* no such LED, button, pin, bus, sensor or device address */
#define WASMBED_EIO          (-4) /* the device did not answer (an I2C address nobody acknowledges) */
#define WASMBED_ETOOBIG      (-5) /* more bytes than the call takes */
#define WASMBED_EEMPTY       (-6) /* no message is waiting */
#define WASMBED_EBUSY        (-7) /* the outbox to the gateway is full: sleep, then try again */
#define WASMBED_IS_ERROR(r) ((r) < 0)

#define WASMBED_MAX_LOG      256
#define WASMBED_MAX_TOPIC    32
#define WASMBED_MAX_PUBLISH  256
#define WASMBED_MAX_I2C      64
#define WASMBED_MAX_SPI      256
#define WASMBED_MAX_RANDOM   256

/* Reduced-memory mode: a board under one 64 KiB page maps only the bytes
 * an app declares in a custom section "wasmbed.memory" (C cannot write
 * one: apps/Makefile adds it, from MEMORY_<app> := bytes). */

/* The app's entry point, which it defines: the board calls it once. */
__attribute__((export_name("run"))) void run(void);

#define WASMBED_IMPORT(name) __attribute__((import_module("wasmbed"), import_name(#name)))

/* Writes msg[0..len) as one line to the board's console and, while the
 * board has a session with the gateway, the lab's event stream (lines
 * logged without one are on the console only). Returns 0. At most 256
 * bytes: longer lines are cut there. */
WASMBED_IMPORT(log) int32_t wasmbed_log(const char *msg, uint32_t len);

/* Milliseconds since the board booted (monotonic). */
WASMBED_IMPORT(time_ms) uint64_t wasmbed_time_ms(void);

/* Suspends the app for ms milliseconds (0: yields once) while the firmware
 * goes on serving the link and heartbeats. Returns 0. */
WASMBED_IMPORT(sleep_ms) int32_t wasmbed_sleep_ms(uint32_t ms);

/* Turns LED led (0-based, the board's `leds:N` capability) on (on != 0) or
 * off, in the emulated LED register. Returns 0. */
WASMBED_IMPORT(led_set) int32_t wasmbed_led_set(uint32_t led, uint32_t on);

/* Reads LED led back from the emulated register: 1 on, 0 off. */
WASMBED_IMPORT(led_get) int32_t wasmbed_led_get(uint32_t led);

/* Drives GPIO pin high (value != 0) or low. Returns 0. No board's QEMU
 * model implements its GPIO block: every board answers WASMBED_ENOTAVAIL. */
WASMBED_IMPORT(gpio_write) int32_t wasmbed_gpio_write(uint32_t pin, uint32_t value);

/* Reads GPIO pin: 1 high, 0 low. Every board answers WASMBED_ENOTAVAIL
 * (see gpio_write). */
WASMBED_IMPORT(gpio_read) int32_t wasmbed_gpio_read(uint32_t pin);

/* Reads button button (0-based, the `buttons:N` capability): 1 pressed, 0
 * released. */
WASMBED_IMPORT(button_read) int32_t wasmbed_button_read(uint32_t button);

/* Writes data[0..len) to the 7-bit address addr on I2C bus bus (the
 * `i2c:N` capability). Returns len. At most 64 bytes. */
WASMBED_IMPORT(i2c_write) int32_t wasmbed_i2c_write(uint32_t bus, uint32_t addr, const void *data, uint32_t len);

/* Reads len bytes from address addr on bus bus into buf. Returns len. At
 * most 64 bytes. */
WASMBED_IMPORT(i2c_read) int32_t wasmbed_i2c_read(uint32_t bus, uint32_t addr, void *buf, uint32_t len);

/* Clocks tx[0..len) out on SPI bus bus (the `spi:N` capability; master,
 * mode 0, 8-bit) while reading len bytes into rx, which may be tx. Returns
 * len. At most 256 bytes. Nothing is attached to the emulated buses: the
 * bytes read are what the controller gives back, 0. */
WASMBED_IMPORT(spi_transfer) int32_t wasmbed_spi_transfer(uint32_t bus, const void *tx, void *rx, uint32_t len);

/* Reads sensor sensor into *value, in its milli-unit: sensor 0 is the
 * temperature in millidegrees Celsius (a TMP105 on an I2C bus, whose
 * temperature the lab sets). Returns 0. */
WASMBED_IMPORT(sensor_read) int32_t wasmbed_sensor_read(uint32_t sensor, int32_t *value);

/* Fills buf[0..len) with random bytes from the firmware's generator.
 * Returns len. At most 256 bytes. */
WASMBED_IMPORT(random) int32_t wasmbed_random(void *buf, uint32_t len);

/* Copies the device's name (as enrolled; not NUL-terminated) into buf.
 * Returns its length. */
WASMBED_IMPORT(device_id) int32_t wasmbed_device_id(char *buf, uint32_t cap);

/* Sends data[0..len) to the gateway under topic (1 to 32 bytes; data at
 * most 256); it reaches the lab's event stream and HTTP API, in order.
 * Returns 0. Messages wait on the board, across sessions, until sent;
 * while that queue is full the app waits (as in sleep_ms), so none is
 * dropped while the board runs. WASMBED_EBUSY is kept for boards whose
 * queue cannot wait. */
WASMBED_IMPORT(publish) int32_t wasmbed_publish(const char *topic, uint32_t topic_len, const void *data, uint32_t len);

/* Takes the oldest message the gateway sent the app (POST
 * /v1/devices/{ref}/message; at most 256 bytes) into buf. Returns its
 * length. A message longer than cap stays, for a larger buf. The board
 * keeps two such messages; the gateway hears of one that finds no room. */
WASMBED_IMPORT(receive) int32_t wasmbed_receive(void *buf, uint32_t cap);

/* Logs a NUL-terminated string. */
static inline int32_t wasmbed_log_str(const char *s)
{
	uint32_t n = 0;
	while (s[n] != 0) {
		n++;
	}
	return wasmbed_log(s, n);
}

#endif
