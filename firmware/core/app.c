/*
 * The app runtime (app.h) and the host functions it binds: every function
 * of the ABI. Where a board's emulator has no model of a peripheral, the
 * function answers WASMBED_ENOTAVAIL rather than anything that is not true.
 */
#include <string.h>

#include "abi.h"
#include "app.h"
#include "fmt.h"
#include "hal.h"
#include "proto.h"

const char *app_state_name(enum app_state state)
{
	static const char *const names[] = {"None", "Deploying", "Running", "Sleeping", "Stopped", "Trapped", "Failed"};
	return (unsigned)state < sizeof names / sizeof names[0] ? names[state] : "?";
}

static struct app *app_of(void *ctx)
{
	return ctx;
}

/* ---- Host functions ---- */

/* Hands an event to the host; when its queue is then short of room, the
 * app waits (app_poll) before it can emit another. */
static bool emit(struct wasm_thread *t, struct app *a, unsigned kind, const uint8_t *topic, size_t topic_len,
		 const uint8_t *data, size_t len)
{
	bool queued = a->host.emit != NULL && a->host.emit(a->host.ctx, kind, topic, topic_len, data, len);
	if (a->host.room != NULL && !a->host.room(a->host.ctx)) {
		a->waiting = true;
		wasm_thread_yield(t);
	}
	return queued;
}

static enum wasm_trap host_log(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	uint32_t len = (uint32_t)args[1];
	const uint8_t *msg = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[0], len);
	if (msg == NULL) {
		return WASM_TRAP_MEMORY;
	}
	emit(t, a, PROTO_EVENT_LOG, NULL, 0, msg, len < WASMBED_MAX_LOG ? len : WASMBED_MAX_LOG);
	args[0] = WASMBED_OK;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_publish(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	struct wasm_memory *mem = wasm_thread_memory(t);
	uint32_t topic_len = (uint32_t)args[1], len = (uint32_t)args[3];
	const uint8_t *topic = wasm_memory_at(mem, (uint32_t)args[0], topic_len);
	const uint8_t *data = wasm_memory_at(mem, (uint32_t)args[2], len);
	if (topic == NULL || data == NULL) {
		return WASM_TRAP_MEMORY;
	}
	if (topic_len == 0 || topic_len > WASMBED_MAX_TOPIC || len > WASMBED_MAX_PUBLISH) {
		args[0] = (uint32_t)(topic_len == 0 ? WASMBED_EINVAL : WASMBED_ETOOBIG);
		return WASM_TRAP_NONE;
	}
	args[0] = emit(t, a, PROTO_EVENT_PUBLISH, topic, topic_len, data, len) ? WASMBED_OK : (uint32_t)WASMBED_EBUSY;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_time_ms(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = hal_now_us() / 1000u;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_sleep_ms(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	a->wake_us = hal_now_us() + (uint64_t)(uint32_t)args[0] * 1000u;
	a->state = APP_SLEEPING;
	args[0] = WASMBED_OK;
	wasm_thread_yield(t);
	return WASM_TRAP_NONE;
}

/* A HAL answer as the ABI's: a state, or an error code. */
static uint32_t hal_answer(int r)
{
	if (r == HAL_NOT_AVAILABLE) {
		return (uint32_t)WASMBED_ENOTAVAIL;
	}
	if (r == HAL_NACK) {
		return (uint32_t)WASMBED_EIO;
	}
	if (r < 0) {
		return (uint32_t)WASMBED_ENODEV;
	}
	return (uint32_t)r;
}

static enum wasm_trap host_led_set(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	int r = hal_led_set((uint32_t)args[0], (uint32_t)args[1] != 0);
	args[0] = r < 0 ? hal_answer(r) : WASMBED_OK;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_led_get(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = hal_answer(hal_led_get((uint32_t)args[0]));
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_button_read(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = hal_answer(hal_button_get((uint32_t)args[0]));
	return WASM_TRAP_NONE;
}

/* i2c_write and i2c_read: the same checks, one direction each. */
static enum wasm_trap host_i2c(struct wasm_thread *t, uint64_t *args, bool write)
{
	uint32_t bus = (uint32_t)args[0], addr = (uint32_t)args[1], len = (uint32_t)args[3];
	uint8_t *buf = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[2], len);
	if (buf == NULL) {
		return WASM_TRAP_MEMORY;
	}
	if (len > WASMBED_MAX_I2C || addr > 0x7fu) {
		args[0] = (uint32_t)(len > WASMBED_MAX_I2C ? WASMBED_ETOOBIG : WASMBED_EINVAL);
		return WASM_TRAP_NONE;
	}
	int r = write ? hal_i2c_transfer(bus, addr, buf, len, NULL, 0) : hal_i2c_transfer(bus, addr, NULL, 0, buf, len);
	args[0] = r < 0 ? hal_answer(r) : len;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_i2c_write(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	return host_i2c(t, args, true);
}

static enum wasm_trap host_i2c_read(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	return host_i2c(t, args, false);
}

static enum wasm_trap host_spi_transfer(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	struct wasm_memory *mem = wasm_thread_memory(t);
	uint32_t len = (uint32_t)args[3];
	const uint8_t *tx = wasm_memory_at(mem, (uint32_t)args[1], len);
	uint8_t *rx = wasm_memory_at(mem, (uint32_t)args[2], len);
	if (tx == NULL || rx == NULL) {
		return WASM_TRAP_MEMORY;
	}
	if (len > WASMBED_MAX_SPI) {
		args[0] = (uint32_t)WASMBED_ETOOBIG;
		return WASM_TRAP_NONE;
	}
	int r = hal_spi_transfer((uint32_t)args[0], tx, rx, len);
	args[0] = r < 0 ? hal_answer(r) : len;
	return WASM_TRAP_NONE;
}

/* No board's QEMU model implements GPIO (QEMU-NOTES): the ABI's answer is
 * "not available", for every pin. */
static enum wasm_trap host_gpio(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = (uint32_t)WASMBED_ENOTAVAIL;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_sensor_read(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	uint8_t *out = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[1], 4);
	if (out == NULL) {
		return WASM_TRAP_MEMORY;
	}
	int32_t value;
	int r = hal_sensor_read((uint32_t)args[0], &value);
	if (r == 0) {
		uint32_t v = (uint32_t)value; /* little-endian, as the app's memory is */
		out[0] = (uint8_t)v;
		out[1] = (uint8_t)(v >> 8);
		out[2] = (uint8_t)(v >> 16);
		out[3] = (uint8_t)(v >> 24);
	}
	args[0] = r < 0 ? hal_answer(r) : WASMBED_OK;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_receive(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	uint32_t cap = (uint32_t)args[1];
	uint8_t *buf = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[0], cap);
	if (buf == NULL) {
		return WASM_TRAP_MEMORY;
	}
	args[0] = (uint32_t)(a->host.receive != NULL ? a->host.receive(a->host.ctx, buf, cap) : WASMBED_EEMPTY);
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_random(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	uint32_t len = (uint32_t)args[1];
	uint8_t *buf = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[0], len);
	if (buf == NULL) {
		return WASM_TRAP_MEMORY;
	}
	if (len > WASMBED_MAX_RANDOM) {
		args[0] = (uint32_t)WASMBED_ETOOBIG;
		return WASM_TRAP_NONE;
	}
	rng_fill(a->host.rng, buf, len);
	args[0] = len;
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_device_id(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	struct app *a = app_of(ctx);
	uint32_t cap = (uint32_t)args[1];
	uint8_t *buf = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[0], cap);
	if (buf == NULL) {
		return WASM_TRAP_MEMORY;
	}
	if (a->host.device_name_len > cap) {
		args[0] = (uint32_t)WASMBED_ETOOBIG;
		return WASM_TRAP_NONE;
	}
	memcpy(buf, a->host.device_name, a->host.device_name_len);
	args[0] = (uint32_t)a->host.device_name_len;
	return WASM_TRAP_NONE;
}

/* The bound part of the ABI, by name: the signatures come from abi.h. */
static const struct {
	const char *name;
	wasm_host_fn fn;
} host_funcs[] = {
	{"log", host_log},
	{"time_ms", host_time_ms},
	{"sleep_ms", host_sleep_ms},
	{"led_set", host_led_set},
	{"led_get", host_led_get},
	{"button_read", host_button_read},
	{"random", host_random},
	{"device_id", host_device_id},
	{"publish", host_publish},
	{"i2c_write", host_i2c_write},
	{"i2c_read", host_i2c_read},
	{"sensor_read", host_sensor_read},
	{"receive", host_receive},
	{"spi_transfer", host_spi_transfer},
	{"gpio_write", host_gpio},
	{"gpio_read", host_gpio},
};

static const struct {
	const char *name;
	const char *sig;
} abi[] = {
#define ABI_ENTRY(name, sig) {#name, sig},
	WASMBED_ABI(ABI_ENTRY)
#undef ABI_ENTRY
};

static const char *abi_signature(const char *name)
{
	for (size_t i = 0; i < sizeof abi / sizeof abi[0]; i++) {
		if (strcmp(abi[i].name, name) == 0) {
			return abi[i].sig;
		}
	}
	return NULL; /* a bug: app_test checks every bound name is in the ABI */
}

bool app_binds(const char *name)
{
	for (size_t i = 0; i < sizeof host_funcs / sizeof host_funcs[0]; i++) {
		if (strcmp(host_funcs[i].name, name) == 0) {
			return abi_signature(name) != NULL;
		}
	}
	return false;
}

static bool resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp, struct wasm_externval *out)
{
	if (!wasm_name_is(m, imp->module, imp->module_len, WASMBED_ABI_MODULE)) {
		return false;
	}
	for (size_t i = 0; i < sizeof host_funcs / sizeof host_funcs[0]; i++) {
		if (wasm_name_is(m, imp->name, imp->name_len, host_funcs[i].name)) {
			out->kind = WASM_EXTERN_FUNC;
			out->as.func.fn = host_funcs[i].fn;
			out->as.func.ctx = ctx;
			out->as.func.sig = abi_signature(host_funcs[i].name);
			return true;
		}
	}
	return false;
}

/* ---- Lifecycle ---- */

void app_init(struct app *a, const struct app_buffers *buf, const struct app_host *host)
{
	memset(a, 0, sizeof *a);
	a->buf = *buf;
	a->host = *host;
	a->state = APP_NONE;
}

static bool fail(struct app *a, const char *what, const char *why)
{
	struct fmt f = fmt_init(a->detail, sizeof a->detail);
	fmt_str(&f, what);
	fmt_str(&f, ": ");
	fmt_str(&f, why);
	fmt_end(&f);
	a->state = APP_FAILED;
	return false;
}

/* The name of import i, for "unknown import log" and the like. */
static void import_failure(struct app *a, const struct wasm_link_error *err)
{
	struct fmt f = fmt_init(a->detail, sizeof a->detail);
	fmt_str(&f, wasm_link_err_text(err->code));
	if (err->code == WASM_LINK_UNKNOWN_IMPORT || err->code == WASM_LINK_INCOMPATIBLE) {
		const struct wasm_import *imp = &a->module.imports[err->import];
		fmt_str(&f, " ");
		fmt_mem(&f, (const char *)a->module.bytes + imp->module, imp->module_len);
		fmt_str(&f, ".");
		fmt_mem(&f, (const char *)a->module.bytes + imp->name, imp->name_len);
	}
	fmt_str(&f, ": ");
	fmt_str(&f, err->reason);
	fmt_end(&f);
	a->state = APP_FAILED;
}

bool app_start(struct app *a, size_t len)
{
	struct wasm_error err;
	if (wasm_load(&a->module, a->buf.module, len, a->buf.arena, a->buf.arena_cap, &err) != WASM_OK) {
		struct fmt f = fmt_init(a->detail, sizeof a->detail);
		fmt_str(&f, wasm_err_kind(err.code) == WASM_KIND_INVALID ? "invalid module at " : "malformed module at ");
		fmt_hex32(&f, err.offset);
		fmt_str(&f, ": ");
		fmt_str(&f, err.reason);
		fmt_end(&f);
		a->state = APP_FAILED;
		return false;
	}
	size_t used = (a->module.arena_used + 7u) & ~(size_t)7u;
	a->slot = NULL;
	a->store = (struct wasm_store){&a->slot, 1, 0};
	struct wasm_instance_config cfg = {
		.resolve = resolve,
		.resolve_ctx = a,
		.memory = a->buf.memory,
		.memory_cap = a->buf.memory_cap,
		.arena = a->buf.arena + used,
		.arena_size = a->buf.arena_cap - used,
	};
	struct wasm_link_error lerr;
	if (wasm_instantiate(&a->inst, &a->store, &a->module, &cfg, &lerr) != WASM_LINK_OK) {
		import_failure(a, &lerr);
		return false;
	}
	const struct wasm_export *run = wasm_find_export(&a->module, WASM_EXTERN_FUNC, WASMBED_ABI_ENTRY,
							 sizeof WASMBED_ABI_ENTRY - 1);
	if (run == NULL) {
		return fail(a, "no entry point", "the app exports no function run");
	}
	a->run = run->index;
	wasm_thread_init(&a->thread, &a->store, a->buf.stack, a->buf.stack_slots, a->buf.frames, a->buf.frames_cap);
	a->starting = a->module.start != WASM_NONE;
	uint32_t first = a->starting ? a->module.start : a->run;
	if (!wasm_thread_call(&a->thread, &a->inst, first, NULL, 0)) {
		return fail(a, "no entry point", "run and start must take nothing and return nothing");
	}
	a->state = APP_RUNNING;
	return true;
}

void app_reset(struct app *a, enum app_state state)
{
	a->state = state;
	a->detail[0] = '\0';
	a->waiting = false;
	a->starting = false;
}

void app_stop(struct app *a)
{
	if (a->state == APP_RUNNING || a->state == APP_SLEEPING) {
		a->state = APP_STOPPED;
		a->detail[0] = '\0';
	}
}

static void trapped(struct app *a)
{
	const struct wasm_thread *t = &a->thread;
	struct fmt f = fmt_init(a->detail, sizeof a->detail);
	fmt_str(&f, t->trap_reason != NULL ? t->trap_reason : wasm_trap_message(t->trap));
	fmt_str(&f, " (function ");
	fmt_u64(&f, t->trap_func);
	fmt_str(&f, ", offset ");
	fmt_hex32(&f, t->trap_offset);
	fmt_str(&f, ")");
	fmt_end(&f);
	a->state = APP_TRAPPED;
}

uint64_t app_poll(struct app *a, uint64_t now_us)
{
	if (a->state == APP_SLEEPING) {
		if (now_us < a->wake_us) {
			return a->wake_us;
		}
		a->state = APP_RUNNING;
	}
	if (a->state != APP_RUNNING) {
		return UINT64_MAX;
	}
	if (a->waiting) {
		if (a->host.room != NULL && !a->host.room(a->host.ctx)) {
			return now_us + APP_ROOM_POLL_US;
		}
		a->waiting = false;
	}
	switch (wasm_thread_run(&a->thread, APP_SLICE)) {
	case WASM_STATUS_READY:
		return now_us;
	case WASM_STATUS_YIELDED:
		return a->state == APP_SLEEPING ? a->wake_us : now_us;
	case WASM_STATUS_TRAPPED:
		trapped(a);
		return UINT64_MAX;
	case WASM_STATUS_IDLE:
		break;
	}
	/* The start function has returned: run() is next. Else run() has. */
	if (a->starting) {
		a->starting = false;
		if (wasm_thread_call(&a->thread, &a->inst, a->run, NULL, 0)) {
			return now_us;
		}
	}
	a->state = APP_STOPPED;
	return UINT64_MAX;
}
