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
	struct app_host host = {&b->rng, "board-7", 7, emit, room, NULL};
	app_init(&b->app, &buf, &host);
	return b;
}

static const char *samples;

/* Copies sample name into the board's module buffer; returns its length. */
static size_t load(struct board *b, const char *name)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.wasm", samples, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "app_test: cannot open %s (make -C apps samples)\n", path);
		exit(2);
	}
	size_t n = fread(b->module, 1, sizeof b->module, f);
	fclose(f);
	return n;
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

static void test_refusals(void)
{
	struct board *b = board_new(65536);
	/* thermostat reads a sensor: not bound yet. */
	CHECK(!app_start(&b->app, load(b, "thermostat")));
	CHECK_EQ(b->app.state, APP_FAILED);
	CHECK(strncmp(b->app.detail, "unknown import wasmbed.sensor_read", 34) == 0);
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

/* Every function the firmware binds is in the ABI with that signature:
 * abi.h, generated from apps/abi.go, is where the signatures come from. */
static void test_bindings(void)
{
	static const char *const bound[] = {"log", "time_ms", "sleep_ms", "led_set", "led_get", "button_read",
					    "random", "device_id", "publish"};
	for (size_t i = 0; i < sizeof bound / sizeof bound[0]; i++) {
		CHECK(app_binds(bound[i]));
	}
	CHECK(!app_binds("receive"));
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
	test_refusals();
	test_bindings();
	return check_report("app");
}
