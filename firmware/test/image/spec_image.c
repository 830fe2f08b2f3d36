/*
 * The spec test image: runs the commands specgen generated (spec_data.h)
 * with the firmware's loader and interpreter, as the firmware runs an app:
 * a static arena, a static linear memory, static value and call stacks,
 * and calls in slices of spec_slice fuel, suspended and resumed after
 * each. Failures and the count "N passed, N failed" go to the console;
 * the verdict is the exit status (image.h).
 *
 * One instance is current, as in a script. A new module replaces it, and
 * the spectest memory and table are reset with it (wasmrun keeps every
 * instance alive; specgen leaves out what needs that). Modules that must
 * fail (invalid, malformed, unlinkable, uninstantiable) load after the
 * current instance in the arena, into a second store slot, and are dropped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "fmt.h"
#include "image.h"
#include "runtime.h"
#include "spec_data.h"
#include "spectest.h"

/*
 * Buffers, sized from the board's RAM (the devicetree's): one page of
 * linear memory everywhere, so every board runs the same tables; the arena
 * holds the current module and instance and one failing module. On the
 * 192 KiB board this is about all the RAM; a module that needed a larger
 * arena would be left out there, and counted (see run_module).
 */
#define SPEC_MEMORY_PAGES 1u
#if BOARD_RAM_SIZE >= 0x100000u
#define SPEC_ARENA_SIZE (256u * 1024u)
#else
#define SPEC_ARENA_SIZE (96u * 1024u)
#endif
#define SPEC_STACK_SLOTS 2048u
#define SPEC_FRAMES 256u
#define SPEC_CALL_FUEL 10000000u /* a call's bound: a broken interpreter fails, not hangs */
#define SPEC_MAX_ARGS 32u
#define UNUSED_SLOT 0xa5a5a5a5a5a5a5a5u

static uint8_t memory[SPEC_MEMORY_PAGES * WASM_PAGE_SIZE] __attribute__((aligned(8)));
static uint8_t arena[SPEC_ARENA_SIZE] __attribute__((aligned(8)));
static uint64_t stack[SPEC_STACK_SLOTS];
static struct wasm_frame frames[SPEC_FRAMES];

enum outcome {
	LOADED,
	LOAD_FAILED,
	LINK_FAILED,
	START_TRAPPED,
	NO_ARENA, /* the arena is too small for it */
};

struct runner {
	struct wasm_store store;
	struct wasm_instance *instances[2]; /* the current instance, then a scratch one */
	struct wasm_thread thread;
	struct wasm_module module;
	struct wasm_instance inst;
	bool have;         /* a current instance */
	bool left_out;     /* the current module did not fit: its commands are skipped */
	size_t arena_used; /* by the current module and instance */
	struct wasm_module scratch_module;
	struct wasm_instance scratch_inst;
	struct spec_str script;
	uint32_t passed, failed, skipped;
	uint32_t resumed; /* slices that ran out of fuel and were resumed */
	size_t arena_peak;
	enum wasm_err load_err; /* of the last load that failed */
	struct spectest spectest;
};

static struct runner runner;

/* ---- Console ---- */

static void say(const char *s)
{
	image_write(s, strlen(s));
}

static void fmt_hex64(struct fmt *f, uint64_t v)
{
	char s[19] = "0x";
	for (int i = 0; i < 16; i++) {
		s[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xfu];
	}
	s[18] = '\0';
	fmt_str(f, s);
}

/* Appends s[0..len), at most 48 bytes, with anything unprintable as '?'. */
static void fmt_bytes(struct fmt *f, const char *s, size_t len)
{
	char out[49];
	size_t n = len < 48 ? len : 48;
	for (size_t i = 0; i < n; i++) {
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	}
	out[n] = '\0';
	fmt_str(f, out);
}


static bool is_wide(uint8_t type)
{
	return type == WASM_I64 || type == WASM_F64;
}

static void fmt_value(struct fmt *f, uint8_t type, uint64_t bits)
{
	fmt_str(f, wasm_valtype_name(type));
	if (type != 0) {
		fmt_str(f, ":");
		if (is_wide(type)) {
			fmt_hex64(f, bits);
		} else {
			fmt_hex32(f, (uint32_t)bits);
		}
	}
}

/* Starts a failure line: "FAIL script:line: ". */
static struct fmt fail_line(struct runner *r, char *buf, size_t cap, const struct spec_cmd *c)
{
	struct fmt f = fmt_init(buf, cap);
	fmt_str(&f, "FAIL ");
	fmt_bytes(&f, spec_text + r->script.off, r->script.len);
	fmt_str(&f, ":");
	fmt_u64(&f, c->line);
	fmt_str(&f, ": ");
	return f;
}

/* Writes a line, ended even when it was cut. */
static void emit(const struct fmt *f)
{
	image_write(f->buf, fmt_len(f));
	image_write("\n", 1);
}

static void fail(struct runner *r, const struct spec_cmd *c, const char *what, const char *detail)
{
	char buf[192];
	struct fmt f = fail_line(r, buf, sizeof buf, c);
	fmt_str(&f, what);
	if (detail != NULL) {
		fmt_str(&f, ": ");
		fmt_str(&f, detail);
	}
	emit(&f);
	r->failed++;
}

/* ---- Running ---- */

/* Runs the thread's call to its end in slices; a spec call is bounded. */
static enum wasm_status run_thread(struct runner *r, bool bounded)
{
	struct wasm_thread *t = &r->thread;
	t->fuel_limit = bounded ? t->fuel_used + SPEC_CALL_FUEL : 0;
	for (;;) {
		enum wasm_status s = wasm_thread_run(t, spec_slice);
		if (s != WASM_STATUS_READY && s != WASM_STATUS_YIELDED) {
			return s;
		}
		r->resumed++;
	}
}

static size_t align8(size_t n)
{
	return (n + 7u) & ~(size_t)7u;
}

/*
 * Loads module index into m at arena offset base, instantiates it as store
 * slot slot and runs its start function.
 */
static enum outcome load(struct runner *r, uint32_t index, size_t base, uint32_t slot, struct wasm_module *m,
			 struct wasm_instance *inst, const char **why)
{
	const struct spec_module *sm = &spec_modules[index];
	struct wasm_error err;
	*why = NULL;
	if (wasm_load(m, sm->bytes, sm->len, arena + base, sizeof arena - base, &err) != WASM_OK) {
		*why = err.reason;
		r->load_err = err.code;
		return err.code == WASM_ERR_NO_MEMORY ? NO_ARENA : LOAD_FAILED;
	}
	size_t used = align8(base + m->arena_used);
	if (base + m->arena_peak > r->arena_peak) {
		r->arena_peak = base + m->arena_peak;
	}
	struct wasm_instance_config cfg = {
		.resolve = spectest_resolve,
		.resolve_ctx = &r->spectest,
		.memory = memory,
		.memory_cap = sizeof memory,
		.arena = arena + used,
		.arena_size = sizeof arena - used,
	};
	struct wasm_link_error lerr;
	r->store.count = slot;
	if (wasm_instantiate(inst, &r->store, m, &cfg, &lerr) != WASM_LINK_OK) {
		*why = lerr.reason;
		return lerr.code == WASM_LINK_NO_MEMORY ? NO_ARENA : LINK_FAILED;
	}
	if (used + inst->arena_used > r->arena_peak) {
		r->arena_peak = used + inst->arena_used;
	}
	if (m->start != WASM_NONE) {
		if (!wasm_thread_call(&r->thread, inst, m->start, NULL, 0) || run_thread(r, true) != WASM_STATUS_IDLE) {
			*why = wasm_trap_message(r->thread.trap);
			return START_TRAPPED;
		}
	}
	return LOADED;
}

/* A module that must not become current: loaded after the current one. */
static enum outcome load_scratch(struct runner *r, uint32_t index, const char **why)
{
	enum outcome o = load(r, index, r->arena_used, r->have ? 1u : 0u, &r->scratch_module, &r->scratch_inst, why);
	r->store.count = r->have ? 1u : 0u;
	return o;
}

/* Says that c's module does not fit this board's arena: left out, not failed. */
static void leave_out(struct runner *r, const struct spec_cmd *c)
{
	char buf[160];
	struct fmt f = fmt_init(buf, sizeof buf);
	fmt_str(&f, "spec: ");
	fmt_bytes(&f, spec_text + r->script.off, r->script.len);
	fmt_str(&f, ":");
	fmt_u64(&f, c->line);
	fmt_str(&f, ": the module needs more than the board's ");
	fmt_u64(&f, sizeof arena);
	fmt_str(&f, " B of arena: left out with its commands");
	emit(&f);
	r->skipped++;
}

static void run_module(struct runner *r, const struct spec_cmd *c)
{
	r->have = false;
	r->left_out = false;
	r->arena_used = 0;
	spectest_reset(&r->spectest, memory, sizeof memory);
	const char *why;
	enum outcome o = load(r, c->ref, 0, 0, &r->module, &r->inst, &why);
	if (o != LOADED) {
		r->store.count = 0;
		if (o == NO_ARENA) {
			r->left_out = true;
			leave_out(r, c);
			return;
		}
		fail(r, c, "module", why);
		return;
	}
	r->have = true;
	r->arena_used = align8(align8(r->module.arena_used) + r->inst.arena_used);
	r->passed++;
}

static void run_failing_module(struct runner *r, const struct spec_cmd *c)
{
	const char *why;
	enum outcome o = load_scratch(r, c->ref, &why);
	if (o == NO_ARENA) {
		leave_out(r, c);
		return;
	}
	bool ok;
	switch (c->kind) {
	case SPEC_INVALID:
	case SPEC_MALFORMED:
		ok = o == LOAD_FAILED;
		break;
	case SPEC_UNLINKABLE:
		ok = o == LINK_FAILED;
		break;
	case SPEC_UNINSTANTIABLE:
		ok = o == LINK_FAILED || o == START_TRAPPED;
		break;
	default: /* SPEC_MODULE_TRAP */
		ok = o == START_TRAPPED;
		break;
	}
	if (ok && o == LOAD_FAILED) { /* and invalid is not malformed */
		ok = wasm_err_kind(r->load_err) == (c->kind == SPEC_INVALID ? WASM_KIND_INVALID : WASM_KIND_MALFORMED);
	}
	if (ok && c->kind == SPEC_MODULE_TRAP) {
		const struct spec_str *text = &spec_strs[c->words];
		size_t n = strlen(why);
		ok = strncmp(why, spec_text + text->off, n < text->len ? n : text->len) == 0;
	}
	if (!ok) {
		static const char *const got[] = {"it loaded", "it failed to load", "it failed to link", "its start trapped",
						  "no arena"};
		char detail[128];
		struct fmt f = fmt_init(detail, sizeof detail - 1);
		fmt_str(&f, got[o]);
		if (why != NULL) {
			fmt_str(&f, ": ");
			fmt_str(&f, why);
		}
		detail[fmt_len(&f)] = '\0';
		fail(r, c, "module verdict", detail);
		return;
	}
	r->passed++;
}

/*
 * Calls the current instance's export c->ref with c's arguments; on
 * return *next is the index in spec_words past them.
 */
static int invoke(struct runner *r, const struct spec_cmd *c, uint32_t *next, uint8_t *rtype)
{
	const struct spec_str *name = &spec_strs[c->ref];
	struct wasm_externval ext;
	if (!r->have || !wasm_instance_export(&r->inst, spec_text + name->off, name->len, &ext) ||
	    ext.kind != WASM_EXTERN_FUNC) {
		return -1;
	}
	struct wasm_instance *target = r->store.instances[ext.as.func.ref >> 16];
	uint32_t func = ext.as.func.ref & 0xffffu;
	const struct wasm_module *m = target->m;
	const struct wasm_functype *type = &m->types[m->funcs[func].type];
	if (type->nparams != c->nargs || c->nargs > SPEC_MAX_ARGS) {
		return -1;
	}
	uint64_t args[SPEC_MAX_ARGS];
	uint32_t w = c->words;
	for (uint32_t i = 0; i < c->nargs; i++) {
		args[i] = spec_words[w++];
		if (is_wide(m->bytes[type->params + i])) {
			args[i] |= (uint64_t)spec_words[w++] << 32;
		}
	}
	*next = w;
	*rtype = type->nresults != 0 ? type->result : 0;
	if (!wasm_thread_call(&r->thread, target, func, args, c->nargs)) {
		return -1;
	}
	return (int)run_thread(r, c->kind != SPEC_MEASURE);
}

static bool matches(const struct spec_cmd *c, uint8_t type, uint64_t bits, uint64_t want)
{
	if (type != c->type) {
		return false;
	}
	bool is32 = type == WASM_F32;
	uint64_t exp = is32 ? 0x7f800000u : 0x7ff0000000000000u;
	uint64_t quiet = is32 ? 0x00400000u : 0x0008000000000000u;
	uint64_t mag = bits & (is32 ? 0x7fffffffu : 0x7fffffffffffffffu);
	switch (c->expect) {
	case SPEC_NAN_CANONICAL:
		return mag == (exp | quiet);
	case SPEC_NAN_ARITHMETIC:
		return (mag & (exp | quiet)) == (exp | quiet);
	}
	uint64_t mask = is_wide(type) ? UINT64_MAX : 0xffffffffu;
	return (bits & mask) == (want & mask);
}

static uint64_t expected_bits(const struct spec_cmd *c, uint32_t w)
{
	if (c->type == 0 || c->expect != SPEC_EXACT) {
		return 0;
	}
	uint64_t v = spec_words[w];
	return is_wide(c->type) ? v | (uint64_t)spec_words[w + 1] << 32 : v;
}

static void check_result(struct runner *r, const struct spec_cmd *c, uint8_t rtype, uint64_t got, uint32_t w)
{
	uint64_t want = expected_bits(c, w);
	if (rtype == 0 && c->type == 0) {
		r->passed++;
		return;
	}
	if (rtype != 0 && matches(c, rtype, got, want)) {
		r->passed++;
		return;
	}
	char buf[192];
	struct fmt f = fail_line(r, buf, sizeof buf, c);
	fmt_bytes(&f, spec_text + spec_strs[c->ref].off, spec_strs[c->ref].len);
	fmt_str(&f, ": got ");
	fmt_value(&f, rtype, got);
	fmt_str(&f, ", want ");
	if (c->expect == SPEC_EXACT) {
		fmt_value(&f, c->type, want);
	} else {
		fmt_str(&f, wasm_valtype_name(c->type));
		fmt_str(&f, c->expect == SPEC_NAN_CANONICAL ? ":nan:canonical" : ":nan:arithmetic");
	}
	emit(&f);
	r->failed++;
}

static void run_get(struct runner *r, const struct spec_cmd *c)
{
	const struct spec_str *name = &spec_strs[c->ref];
	struct wasm_externval ext;
	if (!r->have || !wasm_instance_export(&r->inst, spec_text + name->off, name->len, &ext) ||
	    ext.kind != WASM_EXTERN_GLOBAL) {
		fail(r, c, "get", "no such global");
		return;
	}
	check_result(r, c, ext.as.global.type, *ext.as.global.cell, c->words);
}

static void run_invoke(struct runner *r, const struct spec_cmd *c)
{
	uint32_t next = 0;
	uint8_t rtype = 0;
	int s = invoke(r, c, &next, &rtype);
	if (s < 0) {
		fail(r, c, "invoke", "no such export, or the arguments do not match");
		return;
	}
	if (c->kind == SPEC_TRAP) {
		const struct spec_str *text = &spec_strs[spec_words[next]];
		const char *got = wasm_trap_message(r->thread.trap);
		size_t n = strlen(got);
		if (s != WASM_STATUS_TRAPPED || strncmp(got, spec_text + text->off, n < text->len ? n : text->len) != 0) {
			fail(r, c, "want a trap", s == WASM_STATUS_TRAPPED ? got : "none");
			return;
		}
		r->passed++;
		return;
	}
	if (s != WASM_STATUS_IDLE) {
		fail(r, c, "trap", wasm_trap_message(r->thread.trap));
		return;
	}
	if (c->kind == SPEC_ACTION) {
		r->passed++;
		return;
	}
	check_result(r, c, rtype, rtype != 0 ? stack[0] : 0, next);
}

/* ---- Measurements ---- */

static void print_cycles(struct fmt *f, uint64_t cycles)
{
	fmt_str(f, " cycles=");
	fmt_u64(f, cycles);
	fmt_str(f, " hz=");
	fmt_u64(f, image_cycles_hz());
}

static void run_measure(struct runner *r, const struct spec_cmd *c)
{
	uint32_t next;
	uint8_t rtype;
	uint64_t fuel = r->thread.fuel_used;
	uint64_t t0 = image_cycles();
	int s = invoke(r, c, &next, &rtype);
	uint64_t cycles = image_cycles() - t0;
	if (s != WASM_STATUS_IDLE) {
		fail(r, c, "measure", s < 0 ? "no such export" : wasm_trap_message(r->thread.trap));
		return;
	}
	char buf[160];
	struct fmt f = fmt_init(buf, sizeof buf);
	fmt_str(&f, "icount: kernel=");
	fmt_bytes(&f, spec_text + r->script.off, r->script.len);
	fmt_str(&f, " n=");
	fmt_u64(&f, spec_words[c->words]);
	fmt_str(&f, " result=");
	fmt_u64(&f, rtype != 0 ? (uint32_t)stack[0] : 0);
	print_cycles(&f, cycles);
	fmt_str(&f, " fuel=");
	fmt_u64(&f, r->thread.fuel_used - fuel);
	emit(&f);
	r->passed++;
}

static void run_calibrate(struct runner *r, const struct spec_cmd *c)
{
	uint32_t n = spec_words[c->words];
	uint64_t cycles = image_calibrate(n);
	char buf[96];
	struct fmt f = fmt_init(buf, sizeof buf);
	fmt_str(&f, "icount: calibrate loop=");
	fmt_u64(&f, n);
	print_cycles(&f, cycles);
	emit(&f);
	r->passed++;
}

/* ---- Main ---- */

static uint32_t unused_from_top(const uint64_t *v, uint32_t n)
{
	uint32_t used = n;
	while (used > 0 && v[used - 1] == UNUSED_SLOT) {
		used--;
	}
	return used;
}

static void report(const struct runner *r)
{
	char buf[160];
	struct fmt f = fmt_init(buf, sizeof buf);
	fmt_str(&f, "spec: arena peak ");
	fmt_u64(&f, r->arena_peak);
	fmt_str(&f, " of ");
	fmt_u64(&f, sizeof arena);
	fmt_str(&f, " B, value stack peak ");
	fmt_u64(&f, unused_from_top(stack, SPEC_STACK_SLOTS));
	fmt_str(&f, " of ");
	fmt_u64(&f, SPEC_STACK_SLOTS);
	fmt_str(&f, " slots, frames peak ");
	fmt_u64(&f, unused_from_top((const uint64_t *)frames, sizeof frames / 8u) * 8u / sizeof frames[0]);
	fmt_str(&f, " of ");
	fmt_u64(&f, SPEC_FRAMES);
	fmt_str(&f, ", C stack peak ");
	fmt_u64(&f, image_stack_peak());
	fmt_str(&f, " B, resumed ");
	fmt_u64(&f, r->resumed);
	fmt_str(&f, " times");
	emit(&f);
	if (r->skipped != 0) {
		f = fmt_init(buf, sizeof buf);
		fmt_str(&f, "spec: ");
		fmt_u64(&f, r->skipped);
		fmt_str(&f, " commands left out on this board (arena)");
		emit(&f);
	}
	f = fmt_init(buf, sizeof buf);
	fmt_u64(&f, r->passed);
	fmt_str(&f, " passed, ");
	fmt_u64(&f, r->failed);
	fmt_str(&f, " failed");
	emit(&f);
}

int spec_main(void)
{
	struct runner *r = &runner;
	say("spec: ");
	say(spec_summary);
	say("\n");
	if (spec_memory_pages != SPEC_MEMORY_PAGES) {
		say("spec: the tables were generated for another memory size\n");
		return 1;
	}
	memset(stack, 0xa5, sizeof stack);
	memset(frames, 0xa5, sizeof frames);
	r->store = (struct wasm_store){r->instances, 2, 0};
	wasm_thread_init(&r->thread, &r->store, stack, SPEC_STACK_SLOTS, frames, SPEC_FRAMES);
	for (uint32_t i = 0; i < spec_ncmds; i++) {
		const struct spec_cmd *c = &spec_cmds[i];
		switch (c->kind) {
		case SPEC_SCRIPT:
			r->script = spec_strs[c->ref];
			r->have = false;
			r->left_out = false;
			r->arena_used = 0;
			r->store.count = 0;
			break;
		case SPEC_MODULE:
			run_module(r, c);
			break;
		case SPEC_INVALID:
		case SPEC_MALFORMED:
		case SPEC_UNLINKABLE:
		case SPEC_UNINSTANTIABLE:
		case SPEC_MODULE_TRAP:
			run_failing_module(r, c);
			break;
		case SPEC_RETURN:
		case SPEC_ACTION:
		case SPEC_TRAP:
		case SPEC_GET:
			if (r->left_out) {
				r->skipped++;
			} else if (c->kind == SPEC_GET) {
				run_get(r, c);
			} else {
				run_invoke(r, c);
			}
			break;
		case SPEC_MEASURE:
			run_measure(r, c);
			break;
		case SPEC_CALIBRATE:
			run_calibrate(r, c);
			break;
		default:
			fail(r, c, "unknown command kind", NULL);
			break;
		}
	}
	report(r);
	return r->failed != 0 || r->passed == 0;
}
