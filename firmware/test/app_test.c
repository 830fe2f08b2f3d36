/* Host test of the app runtime (core/app.c) with the sample apps
 * (apps/build/samples, made by make -C apps samples) over a fake HAL of
 * this file: a clock the test moves, ten LEDs, two buttons. It checks the
 * lifecycle (run, sleep, stop, trap, fail), the host functions' answers
 * and that every bound function is in the ABI.
 * Usage: app_test testdata */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "app.h"
#include "check.h"
#include "hal.h"
#include "sample_file.h"

/* ---- The fake HAL ---- */

static uint64_t now_us;
static int leds[10];
static int buttons[2] = {0, 1};
static int have_leds = 1;

uint64_t hal_now_us(void)
{
	return now_us;
}

int hal_led_set(unsigned led, int on)
{
	if (!have_leds) {
		return HAL_NOT_AVAILABLE;
	}
	if (led >= 10) {
		return HAL_NO_DEVICE;
	}
	leds[led] = on != 0;
	return leds[led];
}

int hal_led_get(unsigned led)
{
	return !have_leds ? HAL_NOT_AVAILABLE : led >= 10 ? HAL_NO_DEVICE : leds[led];
}

int hal_button_get(unsigned button)
{
	return button >= 2 ? HAL_NO_DEVICE : buttons[button];
}

/* One I2C bus with a device at 0x48 that echoes what was written last. */
static uint8_t i2c_last[64];
static size_t i2c_last_len;

int hal_i2c_transfer(unsigned bus, unsigned addr, const uint8_t *wr, size_t wlen, uint8_t *rd, size_t rlen)
{
	if (bus >= 1) {
		return HAL_NO_DEVICE;
	}
	if (addr != 0x48) {
		return HAL_NACK;
	}
	if (wlen > 0) {
		memcpy(i2c_last, wr, wlen);
		i2c_last_len = wlen;
	}
	for (size_t i = 0; i < rlen; i++) {
		rd[i] = i < i2c_last_len ? i2c_last[i] : 0xff;
	}
	return 0;
}

/* One SPI bus whose device answers each byte plus one. */
int hal_spi_transfer(unsigned bus, const uint8_t *tx, uint8_t *rx, size_t len)
{
	if (bus >= 1) {
		return HAL_NO_DEVICE;
	}
	for (size_t i = 0; i < len; i++) {
		rx[i] = (uint8_t)(tx[i] + 1u);
	}
	return 0;
}

static int32_t temperature = 21000; /* sensor 0, millidegrees */

int hal_sensor_read(unsigned sensor, int32_t *value)
{
	if (sensor >= 1) {
		return HAL_NO_DEVICE;
	}
	*value = temperature;
	return 0;
}

/* ---- A board's app buffers ---- */

static char logged[512];    /* the latest log line */
static char topic[64];          /* the latest message published: its topic */
static uint8_t message[256];    /* and its bytes */
static int emitted;         /* events since the test last cleared it */
static int queue_room = 1000; /* events the fake queue takes before it is full */

static bool emit(void *ctx, unsigned kind, const uint8_t *topic_bytes, size_t topic_len, const uint8_t *data, size_t len)
{
	(void)ctx;
	if (queue_room == 0) {
		return false;
	}
	queue_room--;
	emitted++;
	if (kind == PROTO_EVENT_LOG) {
		snprintf(logged, sizeof logged, "%.*s", (int)len, (const char *)data);
	} else {
		snprintf(topic, sizeof topic, "%.*s", (int)topic_len, (const char *)topic_bytes);
		memcpy(message, data, len < sizeof message ? len : sizeof message);
	}
	return true;
}

static bool room(void *ctx)
{
	(void)ctx;
	return queue_room > 0;
}

/* One message waiting for the app, or none. */
static const char *inbox;

static int32_t take_message(void *ctx, uint8_t *buf, size_t cap)
{
	(void)ctx;
	if (inbox == NULL) {
		return WASMBED_EEMPTY;
	}
	size_t n = strlen(inbox);
	if (n > cap) {
		return WASMBED_ETOOBIG;
	}
	memcpy(buf, inbox, n);
	inbox = NULL;
	return (int32_t)n;
}

struct board {
	uint8_t module[4096];
	uint8_t memory[65536];
	uint8_t arena[4096];
	uint64_t stack[512];
	struct wasm_frame frames[64];
	struct rng rng;
	struct app app;
};

static struct board *board_new(uint32_t memory_cap)
{
	struct board *b = calloc(1, sizeof *b);
	static const uint8_t seed[32] = {1, 2, 3};
	rng_init(&b->rng, seed, 0, NULL, 0);
	struct app_buffers buf = {b->module, sizeof b->module, b->memory, memory_cap, b->arena, sizeof b->arena,
				  b->stack, 512, b->frames, 64};
	struct app_host host = {.rng = &b->rng, .device_name = "board-7", .device_name_len = 7,
				.emit = emit, .room = room, .receive = take_message};
	app_init(&b->app, &buf, &host);
	return b;
}

static const char *samples;

/* Copies sample name into the board's module buffer; returns its length. */
static size_t load(struct board *b, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.wasm", samples, name);
	return read_sample("app_test", path, b->module, sizeof b->module);
}

/* Polls until the app wants to wait; returns when it wants to run next. */
static uint64_t settle(struct board *b)
{
	uint64_t next;
	int guard = 0;
	while ((next = app_poll(&b->app, now_us)) == now_us && guard++ < 100000) {
	}
	return next;
}

static void test_hello(void)
{
	struct board *b = board_new(65536);
	CHECK(app_start(&b->app, load(b, "hello")));
	CHECK_EQ(settle(b), UINT64_MAX);
	CHECK_EQ(b->app.state, APP_STOPPED);
	CHECK(strcmp(logged, "hello from board-7") == 0);
	free(b);
}

static void test_blink(void)
{
	struct board *b = board_new(65536);
	now_us = 1000000;
	CHECK(app_start(&b->app, load(b, "blink")));
	CHECK_EQ(settle(b), 1500000u); /* LED 0 on, asleep for 500 ms */
	CHECK_EQ(b->app.state, APP_SLEEPING);
	CHECK_EQ(leds[0], 1);
	now_us = 1499999;
	CHECK_EQ(settle(b), 1500000u); /* not yet */
	CHECK_EQ(leds[0], 1);
	now_us = 1500000;
	CHECK_EQ(settle(b), 2000000u);
	CHECK_EQ(leds[0], 0);
	app_stop(&b->app);
	CHECK_EQ(b->app.state, APP_STOPPED);
	CHECK_EQ(app_poll(&b->app, 9000000), UINT64_MAX);
	CHECK_EQ(leds[0], 0);
	free(b);

	/* A board without LEDs: blink says so and stops. */
	have_leds = 0;
	b = board_new(65536);
	CHECK(app_start(&b->app, load(b, "blink")));
	CHECK_EQ(settle(b), UINT64_MAX);
	CHECK_EQ(b->app.state, APP_STOPPED);
	CHECK(strcmp(logged, "blink: this board has no LED 0") == 0);
	have_leds = 1;
	free(b);
}

static void test_trap(void)
{
	struct board *b = board_new(65536);
	CHECK(app_start(&b->app, load(b, "trap")));
	CHECK_EQ(settle(b), UINT64_MAX);
	CHECK_EQ(b->app.state, APP_TRAPPED);
	CHECK(strncmp(b->app.detail, "integer divide by zero (function ", 33) == 0);
	if (b->app.state != APP_TRAPPED) {
		fprintf(stderr, "    %s: %s\n", app_state_name(b->app.state), b->app.detail);
	}
	free(b);
}

static void test_spin(void)
{
	/* Never sleeps: each poll is one bounded slice, and it goes on. */
	struct board *b = board_new(65536);
	CHECK(app_start(&b->app, load(b, "spin")));
	for (int i = 0; i < 100; i++) {
		CHECK_EQ(app_poll(&b->app, now_us), now_us);
	}
	CHECK_EQ(b->app.state, APP_RUNNING);
	CHECK_EQ(b->app.thread.fuel_used, 100u * APP_SLICE);
	free(b);
}

static void test_counter(void)
{
	struct board *b = board_new(65536);
	now_us = 0;
	emitted = 0;
	CHECK(app_start(&b->app, load(b, "counter")));
	CHECK_EQ(settle(b), 1000000u);
	CHECK_EQ(emitted, 1);
	CHECK(strcmp(topic, "counter") == 0);
	CHECK(memcmp(message, "\0\0\0\1", 4) == 0);

	/* The queue is full after the next: the app waits for room, without
	 * running, and goes on once there is. */
	queue_room = 1;
	now_us = 1000000;
	CHECK_EQ(settle(b), now_us + APP_ROOM_POLL_US);
	CHECK_EQ(emitted, 2);
	CHECK(memcmp(message, "\0\0\0\2", 4) == 0);
	CHECK_EQ(b->app.state, APP_RUNNING);
	now_us += APP_ROOM_POLL_US;
	CHECK_EQ(app_poll(&b->app, now_us), now_us + APP_ROOM_POLL_US);
	queue_room = 1000;
	CHECK_EQ(settle(b), now_us + 1000000u);
	CHECK_EQ(b->app.state, APP_SLEEPING);
	CHECK_EQ(emitted, 2);
	free(b);
}

static void test_echo(void)
{
	struct board *b = board_new(65536);
	now_us = 0;
	emitted = 0;
	CHECK(app_start(&b->app, load(b, "echo")));
	CHECK_EQ(settle(b), 20000u); /* nothing yet: it polls */
	CHECK_EQ(emitted, 0);
	inbox = "ping";
	now_us = 20000;
	CHECK_EQ(settle(b), 40000u);
	CHECK_EQ(emitted, 1);
	CHECK(strcmp(topic, "echo") == 0 && memcmp(message, "ping", 4) == 0);
	free(b);
}

static void test_thermostat(void)
{
	struct board *b = board_new(65536);
	now_us = 0;
	temperature = 30000;
	CHECK(app_start(&b->app, load(b, "thermostat")));
	CHECK_EQ(settle(b), 1000000u);
	CHECK_EQ(leds[0], 1); /* cooling */
	CHECK(strcmp(topic, "temperature") == 0 && memcmp(message, "30000", 5) == 0);
	temperature = 24500; /* within the hysteresis: still cooling */
	now_us = 1000000;
	CHECK_EQ(settle(b), 2000000u);
	CHECK_EQ(leds[0], 1);
	temperature = -1500;
	now_us = 2000000;
	CHECK_EQ(settle(b), 3000000u);
	CHECK_EQ(leds[0], 0);
	CHECK(memcmp(message, "-1500", 5) == 0);
	free(b);
}

/* The bus host functions and their errors (testdata/wasm/run/
 * peripherals.wat). */
static void test_buses(const char *testdata)
{
	struct board *b = board_new(65536);
	char path[4096];
	snprintf(path, sizeof path, "%s/wasm/run/peripherals.wasm", testdata);
	FILE *f = fopen(path, "rb");
	if (!CHECK(f != NULL)) {
		free(b);
		return;
	}
	size_t n = fread(b->module, 1, sizeof b->module, f);
	fclose(f);
	CHECK(app_start(&b->app, n));
	CHECK_EQ(settle(b), UINT64_MAX);
	CHECK_EQ(b->app.state, APP_STOPPED);
	static const int32_t want[] = {2, 2, WASMBED_ENODEV, WASMBED_EIO, WASMBED_ETOOBIG, WASMBED_EINVAL,
				       3, WASMBED_ENODEV, WASMBED_ENOTAVAIL};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int32_t got;
		memcpy(&got, b->memory + 0x100 + 4 * i, 4);
		CHECK_EQ(got, want[i]);
	}
	CHECK(memcmp(b->memory + 0x200, "ab", 2) == 0);
	CHECK(memcmp(b->memory + 0x210, "yz{", 3) == 0);
	free(b);
}

static void test_refusals(void)
{
	struct board *b = board_new(65536);
	/* An app importing a function the ABI does not have. */
	static const uint8_t imports_gpio[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x09, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, /* (i32) -> i32, () -> () */
		0x02, 0x15, 0x01, 0x07, 'w', 'a', 's', 'm', 'b', 'e', 'd',
		0x09, 'g', 'p', 'i', 'o', '_', 'f', 'l', 'i', 'p', 0x00, 0x00,
		0x03, 0x02, 0x01, 0x01,                   /* one function of type 1 */
		0x07, 0x07, 0x01, 0x03, 'r', 'u', 'n', 0x00, 0x01, /* exported as run */
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,       /* that does nothing */
	};
	memcpy(b->module, imports_gpio, sizeof imports_gpio);
	CHECK(!app_start(&b->app, sizeof imports_gpio));
	CHECK_EQ(b->app.state, APP_FAILED);
	CHECK(strncmp(b->app.detail, "unknown import wasmbed.gpio_flip", 32) == 0);
	/* Bytes that are not a module. */
	memcpy(b->module, "not a module", 12);
	CHECK(!app_start(&b->app, 12));
	CHECK(strncmp(b->app.detail, "malformed module at 0x", 22) == 0);
	free(b);

	/* A board whose apps get 256 bytes: hello declares what it needs
	 * (reduced-memory mode). */
	b = board_new(256);
	CHECK(app_start(&b->app, load(b, "hello")));
	CHECK_EQ(b->app.inst.memory->size, 256);
	CHECK_EQ(settle(b), UINT64_MAX);
	CHECK(strcmp(logged, "hello from board-7") == 0);
	free(b);
}

static void test_bindings(void)
{
	/* Every host function of the ABI is bound (abi.h, generated from
	 * apps/abi.go, is where the names and signatures come from). */
#define ABI_NAME(name, sig) #name,
	static const char *const abi[] = {WASMBED_ABI(ABI_NAME)};
#undef ABI_NAME
	for (size_t i = 0; i < sizeof abi / sizeof abi[0]; i++) {
		if (!CHECK(app_binds(abi[i]))) {
			fprintf(stderr, "    %s is not bound\n", abi[i]);
		}
	}
	CHECK(!app_binds("fork"));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	static char dir[4096];
	snprintf(dir, sizeof dir, "%s/../apps/build/samples", argv[1]);
	samples = dir;
	test_hello();
	test_blink();
	test_trap();
	test_spin();
	test_counter();
	test_thermostat();
	test_echo();
	test_buses(argv[1]);
	test_refusals();
	test_bindings();
	return check_report("app");
}
