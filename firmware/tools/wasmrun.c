/*
 * wasmrun: the firmware's WebAssembly loader and interpreter on the host.
 *
 *   wasmrun [--slice N] SCRIPT.json...
 *       Runs wabt's wast2json scripts (the spec suite): module, register,
 *       action, assert_return (NaN patterns included), assert_trap,
 *       assert_exhaustion, assert_invalid, assert_malformed,
 *       assert_unlinkable and assert_uninstantiable. Modules in the text
 *       format are skipped and counted: we read only the binary format.
 *       The last line is "N passed, N failed". --slice runs every call in
 *       slices of N fuel, resuming after each, to prove that suspension
 *       changes nothing.
 *
 *   wasmrun FILE.wasm [--slice N] [--fuel N] --invoke NAME [ARG...]
 *       Runs one export. Arguments are decimal or 0x hex integers (floats
 *       as decimals); results print one per line as TYPE:BITS (bits in
 *       decimal, as wast2json writes them) and how long the call took goes
 *       to stderr. A trap prints "trap: MESSAGE (function F, offset 0xO)"
 *       and exits 2.
 *
 *   wasmrun FILE.wasm [--slice N] --batch
 *       One instance, then one call per line of stdin (see batch()), for
 *       differential tests against another engine.
 *
 * Imports: the spec suite's "spectest" module (test/image/spectest.c),
 * modules registered by the script, and "host", a test module of host
 * functions (test/wasm_host.h) that proves binding, signature checks,
 * yields and host traps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "json.h"
#include "runtime.h"
#include "spectest.h"
#include "wasm_host.h"

#define ARENA_SIZE (1u << 20)
#define MEMORY_CAP (1024u * WASM_PAGE_SIZE) /* 64 MiB, reserved lazily */
#define MAX_INSTANCES 1024
#define STACK_SLOTS (1u << 17)
#define FRAMES 4096

/* ---- Instances ---- */

struct loaded {
	uint8_t *bytes;
	uint8_t *arena;
	uint8_t *memory;
	struct wasm_module m;
	struct wasm_instance inst;
	size_t instance_bytes; /* arena the instance took */
	char *name; /* "$M", or NULL */
};

struct registered {
	char *as;
	struct wasm_instance *inst;
};

struct runner {
	struct wasm_store store;
	struct wasm_instance *instances[MAX_INSTANCES];
	struct loaded *loaded[MAX_INSTANCES];
	uint32_t nloaded;
	struct registered reg[64];
	uint32_t nreg;
	struct wasm_instance *current;
	struct wasm_thread thread;
	uint64_t *stack;
	struct wasm_frame *frames;
	uint32_t slice;
	bool script;     /* running a script, not --invoke */
	struct spectest spectest;
	uint8_t *spectest_memory;
};

static uint8_t *reserve_memory(void)
{
	void *p = mmap(NULL, MEMORY_CAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- Imports ---- */

/* "host" (test/wasm_host.h), "spectest" (test/image/spectest.c), then the
 * modules the script registered. */
static bool resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp, struct wasm_externval *out)
{
	struct runner *r = ctx;
	if (host_resolve(NULL, m, imp, out) || spectest_resolve(&r->spectest, m, imp, out)) {
		return true;
	}
	for (uint32_t i = 0; i < r->nreg; i++) {
		if (wasm_name_is(m, imp->module, imp->module_len, r->reg[i].as)) {
			return wasm_instance_export(r->reg[i].inst, (const char *)m->bytes + imp->name, imp->name_len, out);
		}
	}
	return false;
}

static void runner_init(struct runner *r, uint32_t slice)
{
	memset(r, 0, sizeof *r);
	r->store = (struct wasm_store){r->instances, MAX_INSTANCES, 0};
	r->stack = malloc(STACK_SLOTS * sizeof *r->stack);
	r->frames = malloc(FRAMES * sizeof *r->frames);
	memset(r->stack, 0xa5, STACK_SLOTS * sizeof *r->stack);
	memset(r->frames, 0xa5, FRAMES * sizeof *r->frames);
	wasm_thread_init(&r->thread, &r->store, r->stack, STACK_SLOTS, r->frames, FRAMES);
	r->slice = slice;
	r->spectest_memory = reserve_memory();
	spectest_reset(&r->spectest, r->spectest_memory, MEMORY_CAP);
}

static void runner_free(struct runner *r)
{
	for (uint32_t i = 0; i < r->nloaded; i++) {
		struct loaded *l = r->loaded[i];
		if (l->memory != NULL) {
			munmap(l->memory, MEMORY_CAP);
		}
		free(l->bytes);
		free(l->arena);
		free(l->name);
		free(l);
	}
	for (uint32_t i = 0; i < r->nreg; i++) {
		free(r->reg[i].as);
	}
	munmap(r->spectest_memory, MEMORY_CAP);
	free(r->stack);
	free(r->frames);
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return NULL;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	for (;;) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap) {
			break;
		}
		cap *= 2;
		buf = realloc(buf, cap);
	}
	fclose(f);
	*len = n;
	return buf;
}

enum outcome {
	LOADED,
	LOAD_FAILED,  /* err holds why */
	LINK_FAILED,  /* link holds why */
	START_TRAPPED,
	NO_FILE,
};

struct attempt {
	struct wasm_error err;
	struct wasm_link_error link;
	struct loaded *l;
};

/* A script's calls are bounded, so a broken interpreter fails, not hangs. */
#define SCRIPT_FUEL 100000000u

static enum wasm_status run_thread(struct runner *r)
{
	enum wasm_status s;
	if (r->script) {
		r->thread.fuel_limit = r->thread.fuel_used + SCRIPT_FUEL;
	}
	do {
		s = wasm_thread_run(&r->thread, r->slice);
	} while (s == WASM_STATUS_READY || s == WASM_STATUS_YIELDED);
	return s;
}

/* Loads, instantiates and starts path; the instance becomes current. */
static enum outcome load_module(struct runner *r, const char *path, struct attempt *a)
{
	memset(a, 0, sizeof *a);
	struct loaded *l = calloc(1, sizeof *l);
	size_t len;
	l->bytes = read_file(path, &len);
	if (l->bytes == NULL) {
		free(l);
		return NO_FILE;
	}
	l->arena = malloc(ARENA_SIZE);
	if (wasm_load(&l->m, l->bytes, len, l->arena, ARENA_SIZE, &a->err) != WASM_OK) {
		free(l->bytes);
		free(l->arena);
		free(l);
		return LOAD_FAILED;
	}
	bool own_memory = l->m.memory.present && l->m.memory.import == WASM_NONE;
	l->memory = own_memory ? reserve_memory() : NULL;
	/* The module's tables stay at the arena's start; the instance's go after. */
	size_t used = (l->m.arena_used + 7u) & ~(size_t)7u;
	struct wasm_instance_config cfg = {
		.resolve = resolve,
		.resolve_ctx = r,
		.memory = l->memory,
		.memory_cap = own_memory ? MEMORY_CAP : 0,
		.arena = l->arena + used,
		.arena_size = ARENA_SIZE - used,
	};
	if (wasm_instantiate(&l->inst, &r->store, &l->m, &cfg, &a->link) != WASM_LINK_OK) {
		if (l->memory != NULL) {
			munmap(l->memory, MEMORY_CAP);
		}
		free(l->bytes);
		free(l->arena);
		free(l);
		return LINK_FAILED;
	}
	l->instance_bytes = sizeof l->inst + l->inst.arena_used;
	r->loaded[r->nloaded++] = l;
	r->current = &l->inst;
	a->l = l;
	if (l->m.start != WASM_NONE) {
		if (!wasm_thread_call(&r->thread, &l->inst, l->m.start, NULL, 0)) {
			return START_TRAPPED;
		}
		if (run_thread(r) == WASM_STATUS_TRAPPED) {
			return START_TRAPPED;
		}
	}
	return LOADED;
}

/* ---- Script commands ---- */

struct counts {
	unsigned passed, failed, skipped;
};

static const char *script_path; /* for messages */

static void fail(struct counts *c, const struct json *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct counts *c, const struct json *cmd, const char *fmt, ...)
{
	long long line = 0;
	json_get_int(cmd, "line", &line);
	printf("%s:%lld: %s: ", script_path, line, json_get_string(cmd, "type"));
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	c->failed++;
}

static uint8_t type_of(const char *name)
{
	if (strcmp(name, "i32") == 0) {
		return WASM_I32;
	}
	if (strcmp(name, "i64") == 0) {
		return WASM_I64;
	}
	if (strcmp(name, "f32") == 0) {
		return WASM_F32;
	}
	if (strcmp(name, "f64") == 0) {
		return WASM_F64;
	}
	return 0;
}


static struct wasm_instance *find_module(struct runner *r, const struct json *action)
{
	const char *name = json_get_string(action, "module");
	if (name == NULL) {
		return r->current;
	}
	for (uint32_t i = r->nloaded; i-- > 0;) {
		if (r->loaded[i]->name != NULL && strcmp(r->loaded[i]->name, name) == 0) {
			return &r->loaded[i]->inst;
		}
	}
	return NULL;
}

/* Runs an action; its results (bits, and the export's result type) go to
 * out. Returns the thread's status, or -1 if the action is unusable. */
static int perform(struct runner *r, const struct json *action, uint64_t *out, uint8_t *out_type, unsigned *nout)
{
	*nout = 0;
	struct wasm_instance *inst = find_module(r, action);
	const char *field = json_get_string(action, "field");
	const char *kind = json_get_string(action, "type");
	if (inst == NULL || field == NULL || kind == NULL) {
		return -1;
	}
	struct wasm_externval ext;
	const struct json *fieldv = json_get(action, "field");
	if (!wasm_instance_export(inst, field, fieldv->len, &ext)) {
		return -1;
	}
	if (strcmp(kind, "get") == 0) {
		if (ext.kind != WASM_EXTERN_GLOBAL) {
			return -1;
		}
		out[0] = *ext.as.global.cell;
		out_type[0] = ext.as.global.type;
		*nout = 1;
		return WASM_STATUS_IDLE;
	}
	if (ext.kind != WASM_EXTERN_FUNC) {
		return -1;
	}
	uint64_t args[64];
	uint32_t nargs = 0;
	JSON_FOR_EACH(arg, json_get(action, "args")) {
		long long v;
		const struct json *value = json_get(arg, "value");
		if (nargs == 64 || value == NULL) {
			return -1;
		}
		char *end;
		errno = 0;
		unsigned long long bits = strtoull(value->str, &end, 10);
		(void)v;
		if (errno != 0 || *end != '\0') {
			return -1;
		}
		args[nargs++] = bits;
	}
	struct wasm_instance *target = r->store.instances[ext.as.func.ref >> 16];
	uint32_t func = ext.as.func.ref & 0xffffu;
	if (!wasm_thread_call(&r->thread, target, func, args, nargs)) {
		return -1;
	}
	enum wasm_status s = run_thread(r);
	if (s == WASM_STATUS_IDLE && r->thread.nresults != 0) {
		const struct wasm_module *m = target->m;
		out[0] = r->stack[0];
		out_type[0] = m->types[m->funcs[func].type].result;
		*nout = 1;
	}
	return (int)s;
}

/* Whether bits of type match an expected value (NaN patterns included). */
static bool matches(const struct json *want, uint8_t type, uint64_t bits)
{
	const char *value = json_get_string(want, "value");
	const char *wtype = json_get_string(want, "type");
	if (value == NULL || wtype == NULL || type_of(wtype) != type) {
		return false;
	}
	bool is32 = type == WASM_F32;
	uint64_t exp = is32 ? 0x7f800000u : 0x7ff0000000000000u;
	uint64_t quiet = is32 ? 0x00400000u : 0x0008000000000000u;
	uint64_t mag = bits & (is32 ? 0x7fffffffu : 0x7fffffffffffffffu);
	if (strcmp(value, "nan:canonical") == 0) {
		return (type == WASM_F32 || type == WASM_F64) && mag == (exp | quiet);
	}
	if (strcmp(value, "nan:arithmetic") == 0) {
		return (type == WASM_F32 || type == WASM_F64) && (mag & (exp | quiet)) == (exp | quiet);
	}
	char *end;
	unsigned long long v = strtoull(value, &end, 10);
	if (*end != '\0') {
		return false;
	}
	uint64_t mask = type == WASM_I32 || type == WASM_F32 ? 0xffffffffu : UINT64_MAX;
	return (bits & mask) == (v & mask);
}

static const char *trap_text(const struct runner *r)
{
	return wasm_trap_message(r->thread.trap);
}

/* Spec texts are matched as in the reference interpreter: by prefix. */
static bool text_matches(const char *got, const char *want)
{
	size_t g = strlen(got), w = strlen(want);
	return strncmp(got, want, g < w ? g : w) == 0;
}

static void run_command(struct runner *r, const struct json *cmd, const char *dir, struct counts *c)
{
	const char *type = json_get_string(cmd, "type");
	const char *filename = json_get_string(cmd, "filename");
	const char *module_type = json_get_string(cmd, "module_type");
	char path[8192];
	if (filename != NULL) {
		snprintf(path, sizeof path, "%s/%s", dir, filename);
	}
	if (module_type != NULL && strcmp(module_type, "text") == 0) {
		c->skipped++; /* the text format: we only read binaries */
		return;
	}
	struct attempt a;
	if (strcmp(type, "module") == 0) {
		enum outcome o = load_module(r, path, &a);
		if (o != LOADED) {
			fail(c, cmd, "%s: %s", filename,
			     o == LOAD_FAILED ? a.err.reason
			     : o == LINK_FAILED ? wasm_link_err_text(a.link.code)
			     : o == START_TRAPPED ? trap_text(r) : "cannot read");
			return;
		}
		const char *name = json_get_string(cmd, "name");
		a.l->name = name != NULL ? strdup(name) : NULL;
		c->passed++;
	} else if (strcmp(type, "register") == 0) {
		struct wasm_instance *inst = find_module(r, cmd);
		const char *as = json_get_string(cmd, "as");
		if (inst == NULL || as == NULL || r->nreg == 64) {
			fail(c, cmd, "no such module");
			return;
		}
		r->reg[r->nreg++] = (struct registered){strdup(as), inst};
		c->passed++;
	} else if (strcmp(type, "assert_return") == 0 || strcmp(type, "action") == 0) {
		uint64_t out[1];
		uint8_t out_type[1];
		unsigned nout;
		int s = perform(r, json_get(cmd, "action"), out, out_type, &nout);
		if (s != WASM_STATUS_IDLE) {
			fail(c, cmd, "%s", s < 0 ? "unusable action" : trap_text(r));
			return;
		}
		const struct json *expected = json_get(cmd, "expected");
		unsigned nwant = expected != NULL ? (unsigned)expected->len : 0;
		if (strcmp(type, "assert_return") == 0 &&
		    (nwant != nout || (nout == 1 && !matches(json_first(expected), out_type[0], out[0])))) {
			fail(c, cmd, "got %s:%" PRIu64 ", want %s:%s", nout ? wasm_valtype_name(out_type[0]) : "nothing",
			     nout ? out[0] : 0, nwant ? json_get_string(json_first(expected), "type") : "nothing",
			     nwant ? json_get_string(json_first(expected), "value") : "");
			return;
		}
		c->passed++;
	} else if (strcmp(type, "assert_trap") == 0 || strcmp(type, "assert_exhaustion") == 0) {
		const char *text = json_get_string(cmd, "text");
		int s;
		if (json_get(cmd, "action") != NULL) {
			uint64_t out[1];
			uint8_t out_type[1];
			unsigned nout;
			s = perform(r, json_get(cmd, "action"), out, out_type, &nout);
		} else {
			s = load_module(r, path, &a) == START_TRAPPED ? WASM_STATUS_TRAPPED : WASM_STATUS_IDLE;
		}
		if (s != WASM_STATUS_TRAPPED || !text_matches(trap_text(r), text)) {
			fail(c, cmd, "want trap \"%s\", got %s", text, s == WASM_STATUS_TRAPPED ? trap_text(r) : "no trap");
			return;
		}
		c->passed++;
	} else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0) {
		enum wasm_err_kind want = type[7] == 'i' ? WASM_KIND_INVALID : WASM_KIND_MALFORMED;
		enum outcome o = load_module(r, path, &a);
		if (o != LOAD_FAILED || wasm_err_kind(a.err.code) != want) {
			fail(c, cmd, "%s: want %s, got %s", filename, want == WASM_KIND_INVALID ? "invalid" : "malformed",
			     o == LOAD_FAILED ? a.err.reason : "a module");
			return;
		}
		c->passed++;
	} else if (strcmp(type, "assert_unlinkable") == 0 || strcmp(type, "assert_uninstantiable") == 0) {
		enum outcome o = load_module(r, path, &a);
		bool ok = type[9] == 'l' ? o == LINK_FAILED : (o == LINK_FAILED || o == START_TRAPPED);
		if (!ok) {
			fail(c, cmd, "%s: want \"%s\", got %s", filename, json_get_string(cmd, "text"),
			     o == LOADED ? "an instance" : o == LOAD_FAILED ? a.err.reason : trap_text(r));
			return;
		}
		c->passed++;
	} else {
		fail(c, cmd, "unknown command");
	}
}

static int run_script(const char *path, uint32_t slice, struct counts *c)
{
	char err[256];
	struct json *root = json_load(path, err, sizeof err);
	if (root == NULL) {
		fprintf(stderr, "wasmrun: %s\n", err);
		c->failed++;
		return 1;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
	} else {
		strcpy(dir, ".");
	}
	struct runner *r = malloc(sizeof *r);
	runner_init(r, slice);
	r->script = true;
	script_path = path;
	JSON_FOR_EACH(cmd, json_get(root, "commands")) {
		run_command(r, cmd, dir, c);
	}
	runner_free(r);
	free(r);
	json_free(root);
	return 0;
}

/* ---- --invoke ---- */

static bool parse_arg(const char *s, uint8_t type, uint64_t *out)
{
	char *end;
	errno = 0;
	if (type == WASM_F32 || type == WASM_F64) {
		double d = strtod(s, &end);
		if (type == WASM_F32) {
			*out = wasm_f32_bits((float)d);
		} else {
			*out = wasm_f64_bits(d);
		}
	} else if (s[0] == '-') {
		*out = (uint64_t)strtoll(s, &end, 0);
	} else {
		*out = strtoull(s, &end, 0);
	}
	return errno == 0 && end != s && *end == '\0';
}

/* Prints a finished call's outcome: TYPE:BITS, "ok", or the trap. */
static void print_outcome(const struct runner *r, enum wasm_status s, const struct wasm_functype *type)
{
	if (s == WASM_STATUS_TRAPPED) {
		printf("trap: %s (function %" PRIu32 ", offset 0x%" PRIx32 ")\n",
		       r->thread.trap_reason != NULL ? r->thread.trap_reason : trap_text(r), r->thread.trap_func,
		       r->thread.trap_offset);
	} else if (type->nresults != 0) {
		printf("%s:%" PRIu64 "\n", wasm_valtype_name(type->result), r->stack[0]);
	} else {
		printf("ok\n");
	}
}

/* The exported function name[0..len) of inst: its instance, index and type. */
static bool find_func(struct runner *r, struct wasm_instance *inst, const char *name, size_t len,
		      struct wasm_instance **target, uint32_t *func, const struct wasm_functype **type)
{
	struct wasm_externval ext;
	if (!wasm_instance_export(inst, name, len, &ext) || ext.kind != WASM_EXTERN_FUNC) {
		return false;
	}
	*target = r->store.instances[ext.as.func.ref >> 16];
	*func = ext.as.func.ref & 0xffffu;
	*type = &(*target)->m->types[(*target)->m->funcs[*func].type];
	return true;
}

/* Loads file for --invoke and --batch; false (with the reason printed) if it fails. */
static bool load_for_call(struct runner *r, const char *file, struct attempt *a)
{
	enum outcome o = load_module(r, file, a);
	switch (o) {
	case LOADED:
		return true;
	case NO_FILE:
		fprintf(stderr, "wasmrun: %s: %s\n", file, strerror(errno));
		break;
	case LOAD_FAILED:
		fprintf(stderr, "wasmrun: %s: %s at offset 0x%" PRIx32 ": %s\n", file, wasm_err_text(a->err.code),
			a->err.offset, a->err.reason);
		break;
	case LINK_FAILED:
		fprintf(stderr, "wasmrun: %s: %s: %s\n", file, wasm_link_err_text(a->link.code), a->link.reason);
		break;
	case START_TRAPPED:
		printf("trap: %s (function %" PRIu32 ", offset 0x%" PRIx32 ")\n", trap_text(r), r->thread.trap_func,
		       r->thread.trap_offset);
		break;
	}
	return false;
}

/* High-water marks: the stacks start filled with a pattern. */
#define UNUSED_SLOT 0xa5a5a5a5a5a5a5a5u

static uint32_t slots_used(const uint64_t *v, uint32_t n)
{
	while (n > 0 && v[n - 1] == UNUSED_SLOT) {
		n--;
	}
	return n;
}

/* What the module costs in RAM besides its bytes and its linear memory. */
static void print_memory(const struct runner *r, const struct loaded *l)
{
	uint32_t frames = slots_used((const uint64_t *)r->frames, FRAMES * sizeof *r->frames / 8) * 8 /
			  sizeof *r->frames;
	fprintf(stderr,
		"memory: module %" PRIu32 " B, tables %zu B (load peak %zu B), instance %zu B, "
		"stack peak %" PRIu32 " slots, %" PRIu32 " frames\n",
		l->m.size, l->m.arena_used, l->m.arena_peak, l->instance_bytes, slots_used(r->stack, STACK_SLOTS),
		frames + 1);
}

static int invoke(const char *file, const char *name, char **argv, int argc, uint32_t slice, uint64_t fuel)
{
	struct runner *r = malloc(sizeof *r);
	runner_init(r, slice);
	r->thread.fuel_limit = fuel;
	struct attempt a;
	struct wasm_instance *target;
	uint32_t func;
	const struct wasm_functype *type;
	int rc = 1;
	if (!load_for_call(r, file, &a)) {
		rc = r->thread.status == WASM_STATUS_TRAPPED ? 2 : 1;
	} else if (!find_func(r, &a.l->inst, name, strlen(name), &target, &func, &type)) {
		fprintf(stderr, "wasmrun: %s: no exported function \"%s\"\n", file, name);
	} else {
		const uint8_t *params = target->m->bytes + type->params;
		uint64_t args[64];
		bool ok = (uint32_t)argc == type->nparams && argc <= 64;
		for (int i = 0; ok && i < argc; i++) {
			ok = parse_arg(argv[i], params[i], &args[i]);
		}
		if (!ok) {
			fprintf(stderr, "wasmrun: %s takes %u arguments:", name, type->nparams);
			for (uint32_t i = 0; i < type->nparams; i++) {
				fprintf(stderr, " %s", wasm_valtype_name(params[i]));
			}
			fprintf(stderr, "\n");
		} else {
			struct timespec t0, t1;
			wasm_thread_call(&r->thread, target, func, args, (uint32_t)argc);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			enum wasm_status s = run_thread(r);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			print_outcome(r, s, type);
			rc = s == WASM_STATUS_TRAPPED ? 2 : 0;
			fprintf(stderr, "time: %.3f ms, fuel %" PRIu64 ", yields %" PRIu64 "\n", ms,
				r->thread.fuel_used, (uint64_t)host_yields);
			print_memory(r, a.l);
		}
	}
	runner_free(r);
	free(r);
	return rc;
}

/*
 * --batch: one instance, then one call per input line "HEXNAME BITS...",
 * the export's name in hex (names may hold anything) and each argument's
 * bits in decimal; one outcome line per call (print_outcome, or "error:").
 * For differential tests, which keep one instance across calls.
 */
static int batch(const char *file, uint32_t slice)
{
	struct runner *r = malloc(sizeof *r);
	runner_init(r, slice);
	r->script = true;
	struct attempt a;
	int rc = 0;
	if (!load_for_call(r, file, &a)) {
		rc = 1;
	} else {
		printf("instantiated\n");
		fflush(stdout); /* a driver may wait for it before sending calls */
		char line[8192];
		while (fgets(line, sizeof line, stdin) != NULL) {
			char *save = NULL, *hex = strtok_r(line, " \n", &save);
			uint8_t name[4096];
			size_t len = 0;
			uint64_t args[64];
			uint32_t nargs = 0;
			bool ok = hex != NULL && (hex[0] == '-' || hex_decode(hex, strlen(hex), name, sizeof name, &len));
			if (hex != NULL && hex[0] == '-') {
				len = 0; /* "-": the empty name */
			}
			for (char *tok; ok && (tok = strtok_r(NULL, " \n", &save)) != NULL;) {
				char *end;
				errno = 0;
				args[nargs] = strtoull(tok, &end, 10);
				ok = nargs < 64 && errno == 0 && *end == '\0';
				nargs++;
			}
			struct wasm_instance *target;
			uint32_t func;
			const struct wasm_functype *type;
			if (!ok || !find_func(r, &a.l->inst, (const char *)name, len, &target, &func, &type) ||
			    !wasm_thread_call(&r->thread, target, func, args, nargs)) {
				printf("error: no such export, or bad arguments\n");
			} else {
				print_outcome(r, run_thread(r), type);
			}
			fflush(stdout);
		}
	}
	runner_free(r);
	free(r);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: wasmrun [--slice N] SCRIPT.json...\n"
			"       wasmrun FILE.wasm [--slice N] [--fuel N] --invoke NAME [ARG...]\n"
			"       wasmrun FILE.wasm [--slice N] --batch < CALLS\n");
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t slice = 0;
	uint64_t fuel = 0;
	const char *wasm = NULL, *name = NULL;
	bool batched = false;
	const char *scripts[4096];
	int nscripts = 0, i = 1;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--slice") == 0 && i + 1 < argc) {
			slice = (uint32_t)strtoul(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--fuel") == 0 && i + 1 < argc) {
			fuel = strtoull(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) {
			name = argv[++i];
			i++;
			break;
		} else if (strcmp(argv[i], "--batch") == 0) {
			batched = true;
		} else if (argv[i][0] == '-') {
			return usage();
		} else if (strstr(argv[i], ".wasm") != NULL) {
			wasm = argv[i];
		} else if (nscripts < 4096) {
			scripts[nscripts++] = argv[i];
		}
	}
	if (name != NULL) {
		if (wasm == NULL || nscripts != 0) {
			return usage();
		}
		return invoke(wasm, name, argv + i, argc - i, slice, fuel);
	}
	if (batched) {
		return wasm == NULL || nscripts != 0 ? usage() : batch(wasm, slice);
	}
	if (nscripts == 0 || wasm != NULL) {
		return usage();
	}
	struct counts c = {0};
	for (int k = 0; k < nscripts; k++) {
		run_script(scripts[k], slice, &c);
	}
	if (c.skipped != 0) {
		printf("%u text-format modules skipped: wasmrun reads only the binary format\n", c.skipped);
	}
	printf("%u passed, %u failed\n", c.passed, c.failed);
	return c.failed != 0;
}
