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
	/* One line an app logged (at most WASMBED_MAX_LOG bytes). */
	void (*log)(void *ctx, const char *line, size_t len);
	void *log_ctx;
};

struct app {
	struct app_buffers buf;
	struct app_host host;
	enum app_state state;
	char detail[96];
	uint64_t wake_us; /* when APP_SLEEPING ends */
	bool starting;    /* the module's start function runs before run() */
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

/*
 * Runs one slice of the app when it is due at now_us. Returns when it wants
 * to run again: now_us while it is busy, its wake time while it sleeps,
 * UINT64_MAX when it has ended.
 */
uint64_t app_poll(struct app *a, uint64_t now_us);

/* Whether the firmware binds the ABI's host function name (and knows it). */
bool app_binds(const char *name);

#endif
