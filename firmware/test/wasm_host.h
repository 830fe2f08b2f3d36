/* "host": a module of host functions that proves the binding mechanism
 * (signature checks, results, yields, host traps, checked memory access),
 * shared by wasm_run_test.c and wasmrun. Static, one copy per program. */
#ifndef WASM_HOST_H
#define WASM_HOST_H

#include "runtime.h"

/* host.yield's answers so far (1, 2, 3, ...). */
static uint32_t host_yields;

static enum wasm_trap host_add(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = (uint32_t)args[0] + (uint32_t)args[1];
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_yield(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	args[0] = ++host_yields;
	wasm_thread_yield(t);
	return WASM_TRAP_NONE;
}

static enum wasm_trap host_fail(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)args;
	(void)ctx;
	return wasm_thread_fail(t, "the sensor is gone");
}

/* The sum of the bytes of memory[ptr..ptr+len). */
static enum wasm_trap host_sum(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)ctx;
	const uint8_t *p = wasm_memory_at(wasm_thread_memory(t), (uint32_t)args[0], (uint32_t)args[1]);
	if (p == NULL) {
		return WASM_TRAP_MEMORY;
	}
	uint32_t sum = 0;
	for (uint32_t i = 0; i < (uint32_t)args[1]; i++) {
		sum += p[i];
	}
	args[0] = sum;
	return WASM_TRAP_NONE;
}

/* Writable, so a test can break a signature or a name. */
static struct host_func {
	const char *name;
	const char *sig;
	wasm_host_fn fn;
} host_funcs[] = {
	{"add", "ii:i", host_add},
	{"yield", ":i", host_yield},
	{"fail", ":", host_fail},
	{"sum", "ii:i", host_sum},
};

/* A wasm_resolve_fn for the imports of "host". */
static inline bool host_resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp,
				struct wasm_externval *out)
{
	(void)ctx;
	if (!wasm_name_is(m, imp->module, imp->module_len, "host")) {
		return false;
	}
	for (size_t i = 0; i < sizeof host_funcs / sizeof host_funcs[0]; i++) {
		if (wasm_name_is(m, imp->name, imp->name_len, host_funcs[i].name)) {
			out->kind = WASM_EXTERN_FUNC;
			out->as.func.fn = host_funcs[i].fn;
			out->as.func.sig = host_funcs[i].sig;
			return true;
		}
	}
	return false;
}

#endif
