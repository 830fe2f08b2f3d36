/*
 * The app a board runs: a WebAssembly module in RAM, its instance and a
 * thread that runs its exported run() in fuel slices from the main loop,
 * with the "wasmbed" host functions (apps/abi.go, firmware/gen/abi.h) over
 * the HAL. A trap or a failure stops the app, never the firmware.
 *
 * Every buffer is the caller's (main.c sizes them from the board's
 * BOARD_WASM_* limits); nothing here allocates.
 */
#ifndef APP_H
#define APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "rng.h"
#include "runtime.h"

enum app_state {
	APP_NONE,      /* no app */
	APP_DEPLOYING, /* its bytes are arriving */
	APP_RUNNING,
	APP_SLEEPING,  /* in sleep_ms */
	APP_STOPPED,   /* run() returned, or it was stopped */
	APP_TRAPPED,   /* detail says why, where */
	APP_FAILED,    /* it could not start: detail says why */
};

const char *app_state_name(enum app_state state);

/* Fuel per slice: a slice of a busy app takes well under a millisecond. */
#define APP_SLICE 2000u

struct app_buffers {
	uint8_t *module;
	size_t module_cap;
	uint8_t *memory;
	uint32_t memory_cap;
	uint8_t *arena;
	size_t arena_cap;
	uint64_t *stack;
	uint32_t stack_slots;
	struct wasm_frame *frames;
	uint32_t frames_cap;
};

/* What the host functions need from the rest of the firmware. */
struct app_host {
	struct rng *rng;
	const char *device_name;
	size_t device_name_len;
	/* What the app logs (kind PROTO_EVENT_LOG, no topic) or publishes
	 * (PROTO_EVENT_PUBLISH): data at most WASMBED_MAX_LOG or
	 * WASMBED_MAX_PUBLISH bytes, topic at most WASMBED_MAX_TOPIC. Returns
	 * false when it could not be queued (publish answers EBUSY). */
	bool (*emit)(void *ctx, unsigned kind, const uint8_t *topic, size_t topic_len, const uint8_t *data,
		     size_t len);
	/* Whether emit has room for the largest event: after an emit, the app
	 * waits until it has, so it never meets a full queue. NULL: always. */
	bool (*room)(void *ctx);
	/* Takes the oldest message for the app into buf: its length, or
	 * WASMBED_EEMPTY, or WASMBED_ETOOBIG when it is longer than cap (it is
	 * kept). NULL: never a message. */
	int32_t (*receive)(void *ctx, uint8_t *buf, size_t cap);
	void *ctx;
};

/* How often an app waiting for room in the event queue looks again. */
#define APP_ROOM_POLL_US 1000u

struct app {
	struct app_buffers buf;
	struct app_host host;
	enum app_state state;
	char detail[96];
	uint64_t wake_us; /* when APP_SLEEPING ends */
	bool starting;    /* the module's start function runs before run() */
	bool waiting;     /* for room in the event queue (host.room) */
	uint32_t run;     /* run()'s function index */
	struct wasm_module module;
	struct wasm_instance inst;
	struct wasm_instance *slot;
	struct wasm_store store;
	struct wasm_thread thread;
};

void app_init(struct app *a, const struct app_buffers *buf, const struct app_host *host);

/*
 * Starts the module in buf.module[0..len): loads and validates it, binds its
 * imports, instantiates it and calls its run() (then its start function,
 * if it has one, runs first). Returns false with the app APP_FAILED and the
 * reason in detail when it cannot.
 */
bool app_start(struct app *a, size_t len);

/* Stops the app where it is (APP_STOPPED). */
void app_stop(struct app *a);

/* Forgets the app, whatever its state, and takes the given one (APP_NONE
 * or APP_DEPLOYING): its buffers are free for the next. */
void app_reset(struct app *a, enum app_state state);

/*
 * Runs one slice of the app when it is due at now_us. Returns when it wants
 * to run again: now_us while it is busy, its wake time while it sleeps,
 * UINT64_MAX when it has ended.
 */
uint64_t app_poll(struct app *a, uint64_t now_us);

/* Whether the firmware binds the ABI's host function name (and knows it). */
bool app_binds(const char *name);

#endif
