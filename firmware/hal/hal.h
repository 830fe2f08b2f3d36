/*
 * The hardware abstraction layer: everything the portable core needs from a
 * board. Each port (ports/cmsdk, ports/stm32, ports/native) implements these
 * functions once; the core never touches a register.
 *
 * Threading model: the core runs in one main loop. Ports may fill receive
 * buffers from interrupt handlers (or signal handlers on native), never call
 * back into the core.
 */
#ifndef HAL_H
#define HAL_H

#include <stddef.h>
#include <stdint.h>

/* Brings up clocks, UARTs, the timer and interrupts. Called once by fw_main. */
void hal_init(void);

/* Microseconds since boot, monotonic. */
uint64_t hal_now_us(void);

/*
 * Sleeps until deadline_us or until a byte arrives on the console or the
 * link, whichever comes first. Tickless: no periodic interrupt is needed
 * while sleeping; ports may cap a sleep (the cortex-m port at one second,
 * or less where a 24-bit SysTick count runs out sooner).
 */
void hal_idle_until(uint64_t deadline_us);

/* Console (serial0): writes block until queued; reads never block. */
void hal_console_write(const void *buf, size_t len);
size_t hal_console_read(uint8_t *buf, size_t cap);

/*
 * Console output that works with interrupts disabled, for fault handlers.
 * It bypasses the transmit queue.
 */
void hal_console_write_polled(const void *buf, size_t len);

/* Link (serial1): never block; writes return how many bytes were queued. */
size_t hal_link_write(const void *buf, size_t len);
size_t hal_link_read(uint8_t *buf, size_t cap);

/* Since boot: bytes dropped because a receive queue was full, and how
 * often hal_idle_until slept (idle cost is the wake-up rate). */
struct hal_counters {
	uint32_t console_rx_dropped;
	uint32_t link_rx_dropped;
	uint32_t sleeps;
};
void hal_counters(struct hal_counters *out);

/* The deepest the main stack has been since boot, in bytes (0 where the
 * port cannot tell). */
size_t hal_stack_peak(void);

/* RAM neither static data nor the stack's high-water mark has claimed. */
size_t hal_ram_free(void);

/* Fills up to cap bytes from the platform's own random source and returns
 * how many; 0 where there is none (an MCU: the provisioned seed is all). */
size_t hal_entropy(uint8_t *out, size_t cap);

/*
 * The board's LEDs and buttons, numbered as its devicetree lists them
 * (BOARD_LEDS, BOARD_BUTTONS). Each returns the state (0 or 1),
 * HAL_NO_DEVICE for an index beyond them, or HAL_NOT_AVAILABLE when the
 * board has none at all.
 */
#define HAL_NO_DEVICE (-1)
#define HAL_NOT_AVAILABLE (-2)
int hal_led_set(unsigned led, int on);
int hal_led_get(unsigned led);
int hal_button_get(unsigned button);

/*
 * I2C on the board's buses (BOARD_I2C_BUSES): writes wr[0..wlen) to the
 * 7-bit address addr, then reads rd[0..rlen) after a repeated start; either
 * may be empty. Returns 0, HAL_NO_DEVICE for a bus beyond them,
 * HAL_NOT_AVAILABLE on a board without I2C, or HAL_NACK when nothing
 * acknowledges the address or a byte written.
 */
#define HAL_NACK (-3)
int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen);

/*
 * SPI on the board's buses (BOARD_SPI_BUSES): clocks tx[0..len) out while
 * reading len bytes into rx (which may be tx). Returns 0, HAL_NO_DEVICE,
 * HAL_NOT_AVAILABLE, or HAL_NACK when the controller never finishes.
 */
int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len);

/*
 * Reads sensor (BOARD_SENSORS) into *value, in its milli-unit (a TMP105:
 * millidegrees Celsius). Returns 0, or an error as hal_i2c_transfer.
 */
int hal_sensor_read(unsigned sensor, int32_t *value);

/* The GNU build id of the running image (20 bytes with sha1). */
const uint8_t *hal_build_id(size_t *len);

/* The provisioning area the lab filled before boot. */
const uint8_t *hal_provision(size_t *len);

/* Restarts the board as a power-on reset would. */
_Noreturn void hal_reset(void);

/* Provokes a fault, so the fault path can be tested end to end. */
_Noreturn void hal_trigger_fault(void);

#endif
