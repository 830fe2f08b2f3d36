/*
 * Inside the loader: the state its parts share while one module is read:
 * load.c (the header, the section loop, errors, the arena), sections.c and
 * exports.c (each section), decode.c (instructions, pass 1 of code) and
 * validate.c (pass 2 of code: types and the side table).
 *
 * Errors come in two tempos. A malformed module, an implementation limit or
 * a full arena stops the load at once (wasm_fail, which returns false for
 * the caller to return). A validation error is only noted (wasm_invalid):
 * the spec decodes the whole module before it validates any of it, so the
 * load goes on decoding, validating nothing more, and reports the invalid
 * module only if nothing later is malformed.
 *
 * The arena: tables the module keeps grow up from lo; scratch (validation
 * stacks) comes down from hi and is given back after each use. Growing
 * stacks use the free space [lo, hi) directly. peak is the most ever used
 * at once.
 */
#ifndef WASM_LOADER_H
#define WASM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"
#include "read.h"

struct wasm_loader {
	const uint8_t *bytes;
	struct wasm_module *m;

	uint8_t *arena;
	size_t cap;
	size_t lo;
	size_t hi;
	size_t peak;

	uint8_t section;        /* enum wasm_section being read */
	const uint8_t *section_at; /* where it starts (arena errors point there) */
	bool valid;             /* no validation error so far: keep validating */
	struct wasm_error invalid; /* the first validation error */
	struct wasm_error fatal;   /* the error that stopped the load */

	/* The module's tables, writable while they are built. */
	struct wasm_functype *types;
	struct wasm_import *imports;
	struct wasm_func *funcs;
	struct wasm_global *globals;
	struct wasm_export *exports;
	struct wasm_branch *side;
	bool funcs_built;
	bool globals_built;
	uint32_t ndefined_funcs; /* the function section's count */
	uint32_t ncode;          /* the code section's count */
};

/* Notes a stopping error at `at`; returns false. */
bool wasm_fail(struct wasm_loader *l, enum wasm_err code, const uint8_t *at, const char *reason);

/* wasm_fail with a failed cursor's error. */
bool wasm_fail_cursor(struct wasm_loader *l, const struct wasm_cursor *c);

/* Notes a validation error (the first one is kept) and stops validating. */
void wasm_invalid(struct wasm_loader *l, enum wasm_err code, const uint8_t *at, const char *reason);

/*
 * count * size bytes, 8-byte aligned, at the bottom of the arena (kept) or
 * the top (scratch, given back by restoring l->hi). NULL for count 0, or
 * when they do not fit: then WASM_ERR_NO_MEMORY names `what`.
 */
void *wasm_arena_keep(struct wasm_loader *l, size_t count, size_t size, const char *what);
void *wasm_arena_scratch(struct wasm_loader *l, size_t count, size_t size, const char *what);

/* Records that a stack in the free space now reaches used bytes above lo. */
void wasm_arena_note(struct wasm_loader *l, size_t used);

/*
 * A vector's count, when each entry takes min_size bytes at least: a count
 * beyond what is left cannot decode, and allocates nothing.
 */
bool wasm_read_count(struct wasm_loader *l, struct wasm_cursor *c, size_t min_size, uint32_t *count);

/*
 * Reads section id from c, the whole of its contents (sections.c); with
 * WASM_SEC_NONE, completes what the module's end needs. Returns false if
 * the load must stop.
 */
bool wasm_read_section(struct wasm_loader *l, uint8_t id, struct wasm_cursor *c);

/* The export section (exports.c). */
bool wasm_read_exports(struct wasm_loader *l, struct wasm_cursor *c);

/* One decoded instruction. */
struct wasm_instr {
	const uint8_t *at;     /* its opcode */
	const uint8_t *labels; /* br_table: the first label */
	uint64_t bits;         /* t.const: the value's bits */
	uint32_t a;            /* label, index, type index, alignment, br_table count */
	uint32_t b;            /* memory offset, br_table default label */
	uint8_t op;
	uint8_t blocktype;     /* block, loop, if: 0 or a value type */
};

/* Decodes one instruction and its immediates; false if c failed. */
bool wasm_decode_instr(struct wasm_cursor *c, struct wasm_instr *in);

/* What pass 1 found in an expression. */
struct wasm_scan {
	uint32_t branches; /* side-table entries */
	uint32_t depth;    /* deepest nesting, the expression itself counted */
};

/*
 * Pass 1 (decode.c): decodes an expression through its final end,
 * checking that blocks, ifs, elses and ends nest (at most WASM_MAX_DEPTH
 * deep) and counting its side-table entries. Returns false if the load
 * must stop.
 */
bool wasm_scan_expr(struct wasm_loader *l, struct wasm_cursor *c, struct wasm_scan *s);

/*
 * Decodes a constant expression (through its end) that must give a value of
 * type `type`, and validates it while l->valid: t.const, or global.get of
 * an imported immutable global. Stores its value and how it is initialized
 * (enum wasm_init). Returns false if the load must stop.
 */
bool wasm_const_expr(struct wasm_loader *l, struct wasm_cursor *c, uint8_t type, uint8_t *init,
		     uint64_t *value);

/*
 * Decodes the body of function funcidx (the whole of c: local declarations,
 * then code) and, while l->valid, validates it and appends its side-table
 * entries at the bottom of the arena. Returns false if the load must stop.
 */
bool wasm_code_body(struct wasm_loader *l, uint32_t funcidx, struct wasm_cursor *c);

static inline bool wasm_is_valtype(uint8_t b)
{
	return b == WASM_I32 || b == WASM_I64 || b == WASM_F32 || b == WASM_F64;
}

static inline uint32_t wasm_offset(const struct wasm_loader *l, const uint8_t *p)
{
	return (uint32_t)(p - l->bytes);
}

#endif
