/* libFuzzer harness for the interpreter (wasm/interp.c, wasm/instance.c):
 * any module the loader accepts is instantiated (every function import
 * bound to a host function of its own type; other imports refused) and
 * every exported function is called with zero arguments' bits, in fuel
 * slices whose size comes from the input, under a hard fuel limit. Nothing
 * may read or write out of bounds (ASan, UBSan) or recurse in C; a call
 * ends idle or trapped with a known trap inside the module, and the
 * thread's stack pointers stay within their bounds.
 *
 * Built by `make -C firmware fuzz`; seeds are in testdata/fuzz/wasm_run/
 * (modules of the spec suite and testdata/wasm/run). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

#define ARENA_SIZE (64u * 1024u)
#define MEM_CAP (2u * WASM_PAGE_SIZE)
#define STACK_SLOTS 512u
#define FRAMES 64u
#define FUEL_LIMIT 20000u

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

static enum wasm_trap host_any(struct wasm_thread *t, uint64_t *args, void *ctx)
{
	(void)t;
	(void)ctx;
	args[0] = 7; /* a result, if the type has one */
	return WASM_TRAP_NONE;
}

static char sigs[4][80];
static unsigned next_sig;

static char sig_char(uint8_t type)
{
	return type == WASM_I32 ? 'i' : type == WASM_I64 ? 'I' : type == WASM_F32 ? 'f' : 'F';
}

static bool resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp, struct wasm_externval *out)
{
	(void)ctx;
	const struct wasm_functype *t = &m->types[imp->type];
	if (imp->kind != WASM_EXTERN_FUNC || t->nparams > 70) {
		return false;
	}
	char *sig = sigs[next_sig++ % 4];
	unsigned n = 0;
	for (unsigned i = 0; i < t->nparams; i++) {
		sig[n++] = sig_char(m->bytes[t->params + i]);
	}
	sig[n++] = ':';
	if (t->nresults != 0) {
		sig[n++] = sig_char(t->result);
	}
	sig[n] = '\0';
	out->kind = WASM_EXTERN_FUNC;
	out->as.func.fn = host_any;
	out->as.func.sig = sig;
	return true;
}

/* Runs t's call to its end; false once the fuel limit is reached. */
static bool run_to_end(struct wasm_thread *t, uint32_t slice, const struct wasm_module *m)
{
	enum wasm_status s;
	do {
		s = wasm_thread_run(t, slice);
		require(t->sp <= STACK_SLOTS && t->depth <= FRAMES);
	} while (s == WASM_STATUS_READY || s == WASM_STATUS_YIELDED);
	require(s == WASM_STATUS_IDLE || s == WASM_STATUS_TRAPPED);
	if (s == WASM_STATUS_TRAPPED) {
		require(t->trap > WASM_TRAP_NONE && t->trap <= WASM_TRAP_FUEL);
		require(t->trap_func < m->nfuncs && t->trap_offset < m->size);
	}
	return s != WASM_STATUS_TRAPPED || t->trap != WASM_TRAP_FUEL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The last byte picks the slice size; the rest is the module. */
	if (size < 1) {
		return 0;
	}
	uint32_t slice = data[size - 1] % 16;
	size--;
	uint8_t *bytes = malloc(size > 0 ? size : 1);
	memcpy(bytes, data, size);
	uint8_t *arena = malloc(ARENA_SIZE);
	uint8_t *inst_arena = malloc(ARENA_SIZE);
	uint8_t *memory = malloc(MEM_CAP);
	uint64_t *stack = malloc(STACK_SLOTS * sizeof *stack);
	struct wasm_frame *frames = malloc(FRAMES * sizeof *frames);
	struct wasm_module m;
	struct wasm_instance inst, *slot;
	struct wasm_store store = {&slot, 1, 0};
	if (wasm_load(&m, bytes, size, arena, ARENA_SIZE, NULL) != WASM_OK) {
		goto out;
	}
	struct wasm_instance_config cfg = {resolve, NULL, memory, MEM_CAP, inst_arena, ARENA_SIZE};
	if (wasm_instantiate(&inst, &store, &m, &cfg, NULL) != WASM_LINK_OK) {
		goto out;
	}
	struct wasm_thread t;
	wasm_thread_init(&t, &store, stack, STACK_SLOTS, frames, FRAMES);
	t.fuel_limit = FUEL_LIMIT;
	if (m.start != WASM_NONE) {
		require(wasm_thread_call(&t, &inst, m.start, NULL, 0));
		if (!run_to_end(&t, slice, &m)) {
			goto out;
		}
	}
	for (uint32_t e = 0; e < m.nexports; e++) {
		const struct wasm_export *x = &m.exports[e];
		if (x->kind != WASM_EXTERN_FUNC) {
			continue;
		}
		uint64_t args[64] = {0};
		const struct wasm_functype *type = &m.types[m.funcs[x->index].type];
		if (type->nparams > 64) {
			continue;
		}
		require(wasm_thread_call(&t, &inst, x->index, args, type->nparams));
		if (!run_to_end(&t, slice, &m)) {
			break;
		}
	}
out:
	free(bytes);
	free(arena);
	free(inst_arena);
	free(memory);
	free(stack);
	free(frames);
	return 0;
}
