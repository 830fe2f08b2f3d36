/* Host test of the runtime (wasm/instance.c, wasm/interp.c) beyond what
 * the spec suite covers: host bindings and their signature checks, fuel
 * slices and the hard limit, yields, where traps point, both stacks'
 * bounds, and reduced-memory mode. The module is
 * testdata/wasm/run/runtime.wat (built beside it as runtime.wasm).
 * Usage: wasm_run_test testdata */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime.h"
#include "wasm_host.h"

#define ARENA_SIZE 8192
#define MEM_CAP (2 * WASM_PAGE_SIZE)

/* Function indices in runtime.wat. */
enum { F_ADD = 4, F_SPIN, F_YIELDS, F_TRAP, F_DOWN, F_LOAD8, F_STORE8, F_GROW, F_SIZE, F_SUM, F_FAIL, F_COUNT };

struct rig {
	uint8_t *bytes;
	size_t len;
	uint8_t arena[ARENA_SIZE];
	uint8_t inst_arena[ARENA_SIZE];
	uint8_t *memory;
	struct wasm_module m;
	struct wasm_instance inst;
	struct wasm_instance *slots[1];
	struct wasm_store store;
	uint64_t stack[256];
	struct wasm_frame frames[16];
	struct wasm_thread t;
};

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "wasm_run_test: cannot open %s (make builds it from the .wat)\n", path);
		exit(2);
	}
	uint8_t *buf = malloc(1 << 16);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

/* Loads and instantiates; returns the link result (the load must work). */
static enum wasm_link_err setup(struct rig *r, const uint8_t *bytes, size_t len, uint32_t mem_cap)
{
	memset(r, 0, sizeof *r);
	r->bytes = malloc(len);
	memcpy(r->bytes, bytes, len);
	r->len = len;
	r->memory = malloc(mem_cap > 0 ? mem_cap : 1);
	struct wasm_error err;
	if (!CHECK(wasm_load(&r->m, r->bytes, len, r->arena, sizeof r->arena, &err) == WASM_OK)) {
		fprintf(stderr, "    load: %s\n", err.reason);
		return WASM_LINK_NO_MEMORY;
	}
	r->store = (struct wasm_store){r->slots, 1, 0};
	struct wasm_instance_config cfg = {host_resolve, NULL, r->memory, mem_cap, r->inst_arena, sizeof r->inst_arena};
	enum wasm_link_err e = wasm_instantiate(&r->inst, &r->store, &r->m, &cfg, NULL);
	wasm_thread_init(&r->t, &r->store, r->stack, 256, r->frames, 16);
	return e;
}

static void teardown(struct rig *r)
{
	free(r->bytes);
	free(r->memory);
}

/* Calls func and runs it to the end, unsliced. */
static enum wasm_status call(struct rig *r, uint32_t func, const uint64_t *args, uint32_t nargs)
{
	if (!CHECK(wasm_thread_call(&r->t, &r->inst, func, args, nargs))) {
		return WASM_STATUS_TRAPPED;
	}
	enum wasm_status s;
	do {
		s = wasm_thread_run(&r->t, 0);
	} while (s == WASM_STATUS_YIELDED);
	return s;
}

static void test_binding(const uint8_t *bytes, size_t len)
{
	struct rig *r = malloc(sizeof *r);
	CHECK_EQ(setup(r, bytes, len, MEM_CAP), WASM_LINK_OK);
	uint64_t args[] = {40, 2};
	CHECK_EQ(call(r, F_ADD, args, 2), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 42);
	/* Arguments must match the type. */
	CHECK(!wasm_thread_call(&r->t, &r->inst, F_ADD, args, 1));
	teardown(r);

	/* A host function of another signature is refused, naming the import. */
	host_funcs[0].sig = "iI:i";
	struct wasm_link_error err;
	memset(r, 0, sizeof *r);
	struct wasm_module m;
	uint8_t *copy = malloc(len);
	memcpy(copy, bytes, len);
	CHECK(wasm_load(&m, copy, len, r->arena, sizeof r->arena, NULL) == WASM_OK);
	struct wasm_instance *slot;
	struct wasm_store store = {&slot, 1, 0};
	uint8_t *mem = malloc(MEM_CAP);
	struct wasm_instance_config cfg = {host_resolve, NULL, mem, MEM_CAP, r->inst_arena, sizeof r->inst_arena};
	CHECK_EQ(wasm_instantiate(&r->inst, &store, &m, &cfg, &err), WASM_LINK_INCOMPATIBLE);
	CHECK_EQ(err.import, 0);
	CHECK_EQ(store.count, 0);
	host_funcs[0].sig = "ii:i";
	/* An unknown name. */
	host_funcs[3].name = "summ";
	CHECK_EQ(wasm_instantiate(&r->inst, &store, &m, &cfg, &err), WASM_LINK_UNKNOWN_IMPORT);
	CHECK_EQ(err.import, 3);
	host_funcs[3].name = "sum";
	/* Nothing at all to resolve with. */
	cfg.resolve = NULL;
	CHECK_EQ(wasm_instantiate(&r->inst, &store, &m, &cfg, &err), WASM_LINK_UNKNOWN_IMPORT);
	free(mem);
	free(copy);
	free(r);
}

static void test_fuel(const uint8_t *bytes, size_t len)
{
	struct rig *r = malloc(sizeof *r);
	CHECK_EQ(setup(r, bytes, len, MEM_CAP), WASM_LINK_OK);
	/* spin never ends: each slice of 100 suspends, and resumes. */
	CHECK(wasm_thread_call(&r->t, &r->inst, F_SPIN, NULL, 0));
	for (int i = 1; i <= 5; i++) {
		CHECK_EQ(wasm_thread_run(&r->t, 100), WASM_STATUS_READY);
		CHECK_EQ(r->t.fuel_used, 100u * (uint64_t)i);
	}
	/* A new call is refused while one is under way. */
	CHECK(!wasm_thread_call(&r->t, &r->inst, F_SIZE, NULL, 0));
	/* The hard limit traps, pointing at the loop. */
	r->t.fuel_limit = 1000;
	CHECK_EQ(wasm_thread_run(&r->t, 100), WASM_STATUS_READY);
	enum wasm_status s;
	do {
		s = wasm_thread_run(&r->t, 100);
	} while (s == WASM_STATUS_READY);
	CHECK_EQ(s, WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_FUEL);
	CHECK_EQ(r->t.trap_func, F_SPIN);
	CHECK_EQ(r->t.fuel_used, 1000);
	CHECK(r->t.trap_offset >= r->m.funcs[F_SPIN].code && r->t.trap_offset < r->m.funcs[F_SPIN].end);

	/* count(n): one call and n back edges, whatever the slicing. */
	r->t.fuel_limit = 0;
	for (uint32_t slice = 1; slice <= 7; slice += 3) {
		uint64_t n = 50, before = r->t.fuel_used;
		CHECK(wasm_thread_call(&r->t, &r->inst, F_COUNT, &n, 1));
		unsigned slices = 0;
		while ((s = wasm_thread_run(&r->t, slice)) == WASM_STATUS_READY) {
			slices++;
		}
		CHECK_EQ(s, WASM_STATUS_IDLE);
		CHECK_EQ(r->stack[0], 50);
		CHECK_EQ(r->t.fuel_used - before, 50); /* the call and 49 back edges */
		CHECK(slices >= 50 / slice - 1);
	}
	teardown(r);
	free(r);
}

static void test_yield(const uint8_t *bytes, size_t len)
{
	struct rig *r = malloc(sizeof *r);
	CHECK_EQ(setup(r, bytes, len, MEM_CAP), WASM_LINK_OK);
	host_yields = 0;
	uint64_t n = 3;
	CHECK(wasm_thread_call(&r->t, &r->inst, F_YIELDS, &n, 1));
	for (uint32_t i = 1; i <= 3; i++) {
		CHECK_EQ(wasm_thread_run(&r->t, 0), WASM_STATUS_YIELDED);
		CHECK_EQ(host_yields, i);
	}
	CHECK_EQ(wasm_thread_run(&r->t, 0), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 1 + 2 + 3);
	teardown(r);
	free(r);
}

static void test_traps(const uint8_t *bytes, size_t len)
{
	struct rig *r = malloc(sizeof *r);
	CHECK_EQ(setup(r, bytes, len, MEM_CAP), WASM_LINK_OK);
	/* unreachable: the third instruction of function 7. */
	CHECK_EQ(call(r, F_TRAP, NULL, 0), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_UNREACHABLE);
	CHECK_EQ(r->t.trap_func, F_TRAP);
	CHECK_EQ(r->t.trap_offset, r->m.funcs[F_TRAP].code + 2);
	CHECK_EQ(r->bytes[r->t.trap_offset], 0x00);
	/* The thread is usable again at once. */
	uint64_t args[] = {1, 2};
	CHECK_EQ(call(r, F_ADD, args, 2), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 3);

	/* Endless recursion runs out of frames (16), not C stack. */
	uint64_t zero = 0;
	CHECK_EQ(call(r, F_DOWN, &zero, 1), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_STACK);
	CHECK_EQ(r->t.trap_func, F_DOWN);
	/* ... and out of value slots when those are fewer. */
	wasm_thread_init(&r->t, &r->store, r->stack, 10, r->frames, 16);
	CHECK_EQ(call(r, F_DOWN, &zero, 1), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_STACK);
	wasm_thread_init(&r->t, &r->store, r->stack, 256, r->frames, 16);

	/* A host function's failure, with its reason. */
	CHECK_EQ(call(r, F_FAIL, NULL, 0), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_HOST);
	CHECK(r->t.trap_reason != NULL && strcmp(r->t.trap_reason, "the sensor is gone") == 0);
	CHECK_EQ(r->t.trap_func, F_FAIL);

	/* Host memory access is bounds-checked too. */
	uint64_t in[] = {0, 4};
	CHECK_EQ(call(r, F_SUM, in, 2), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 1 + 2 + 3 + 4);
	uint64_t out[] = {WASM_PAGE_SIZE - 2, 4};
	CHECK_EQ(call(r, F_SUM, out, 2), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_MEMORY);
	uint64_t wrap[] = {0xffffffffu, 2};
	CHECK_EQ(call(r, F_SUM, wrap, 2), WASM_STATUS_TRAPPED);
	teardown(r);
	free(r);
}

/* The module with a "wasmbed.memory" custom section asking for need bytes. */
static uint8_t *with_need(const uint8_t *bytes, size_t len, uint32_t need, size_t *out_len)
{
	static const char name[] = "wasmbed.memory";
	uint8_t leb[5];
	size_t k = 0;
	do {
		leb[k] = (uint8_t)(need & 0x7f);
		need >>= 7;
		leb[k] |= need != 0 ? 0x80 : 0;
		k++;
	} while (need != 0);
	size_t body = 1 + (sizeof name - 1) + k;
	uint8_t *out = malloc(len + 2 + body);
	memcpy(out, bytes, len);
	size_t n = len;
	out[n++] = 0; /* custom section */
	out[n++] = (uint8_t)body;
	out[n++] = sizeof name - 1;
	memcpy(out + n, name, sizeof name - 1);
	n += sizeof name - 1;
	memcpy(out + n, leb, k);
	*out_len = n + k;
	return out;
}

static void test_reduced_memory(const uint8_t *bytes, size_t len)
{
	struct rig *r = malloc(sizeof *r);
	/* The full page does not fit 512 bytes. */
	CHECK_EQ(setup(r, bytes, len, 512), WASM_LINK_MEMORY);
	teardown(r);

	size_t n;
	uint8_t *reduced = with_need(bytes, len, 256, &n);
	CHECK_EQ(setup(r, reduced, n, 512), WASM_LINK_OK);
	CHECK_EQ(r->m.memory_need, 256);
	CHECK_EQ(r->inst.memory->size, 256);
	uint64_t a255[] = {255, 7};
	CHECK_EQ(call(r, F_STORE8, a255, 2), WASM_STATUS_IDLE);
	CHECK_EQ(call(r, F_LOAD8, a255, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 7);
	uint64_t a256 = 256;
	CHECK_EQ(call(r, F_LOAD8, &a256, 1), WASM_STATUS_TRAPPED);
	CHECK_EQ(r->t.trap, WASM_TRAP_MEMORY);
	CHECK_EQ(r->t.trap_func, F_LOAD8);
	CHECK_EQ(call(r, F_SIZE, NULL, 0), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 1); /* the declared page */
	uint64_t one = 1, none = 0;
	CHECK_EQ(call(r, F_GROW, &one, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 0xffffffffu);
	CHECK_EQ(call(r, F_GROW, &none, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 1);
	teardown(r);
	free(reduced);

	/* A data segment beyond the mapped bytes cannot instantiate. */
	reduced = with_need(bytes, len, 2, &n);
	CHECK_EQ(setup(r, reduced, n, 512), WASM_LINK_DATA_FIT);
	teardown(r);
	free(reduced);

	/* Where the full page fits, the memory grows within the cap. */
	CHECK_EQ(setup(r, bytes, len, MEM_CAP), WASM_LINK_OK);
	CHECK_EQ(call(r, F_GROW, &one, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 1);
	CHECK_EQ(call(r, F_GROW, &one, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 0xffffffffu);
	uint64_t last = 2 * WASM_PAGE_SIZE - 1;
	CHECK_EQ(call(r, F_LOAD8, &last, 1), WASM_STATUS_IDLE);
	CHECK_EQ(r->stack[0], 0); /* grown memory is zeroed */
	teardown(r);
	free(r);
}

/* A module with nothing to carve instantiates without any arena. */
static void test_no_arena(void)
{
	static const uint8_t bytes[] = {
		0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, /* header */
		0x01, 0x04, 0x01, 0x60, 0x00, 0x00,             /* type [] -> [] */
		0x03, 0x02, 0x01, 0x00,                         /* one function */
		0x04, 0x04, 0x01, 0x70, 0x00, 0x00,             /* a table of 0 elements */
		0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b,             /* its body: end */
	};
	uint8_t arena[256];
	struct wasm_module m;
	CHECK_EQ(wasm_load(&m, bytes, sizeof bytes, arena, sizeof arena, NULL), WASM_OK);
	struct wasm_instance inst, *slot;
	struct wasm_store store = {&slot, 1, 0};
	struct wasm_instance_config cfg = {0};
	CHECK_EQ(wasm_instantiate(&inst, &store, &m, &cfg, NULL), WASM_LINK_OK);
	CHECK_EQ(inst.arena_used, 0);
	uint64_t stack[4];
	struct wasm_frame frames[2];
	struct wasm_thread t;
	wasm_thread_init(&t, &store, stack, 4, frames, 2);
	CHECK(wasm_thread_call(&t, &inst, 0, NULL, 0));
	CHECK_EQ(wasm_thread_run(&t, 0), WASM_STATUS_IDLE);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/wasm/run/runtime.wasm", argv[1]);
	size_t len;
	uint8_t *bytes = read_all(path, &len);
	test_binding(bytes, len);
	test_fuel(bytes, len);
	test_yield(bytes, len);
	test_traps(bytes, len);
	test_reduced_memory(bytes, len);
	test_no_arena();
	free(bytes);
	return check_report("wasm_run");
}
