/*
 * A WebAssembly 1.0 (MVP) module, decoded and validated for an in-place
 * interpreter.
 *
 * wasm_load decodes every section of a binary module and validates it as
 * the spec's section 3 says, in one pass over the sections (each body is
 * read twice: decoded, then typed), with no recursion. It copies no code:
 * the module keeps offsets into the caller's bytes, which must outlive it.
 * Its tables are carved from a caller's arena (no malloc): types,
 * functions, imports, exports, globals, segment descriptors, and the side
 * table that lets the interpreter run the original code bytes without ever
 * looking for a block's end at run time (Titzer, "A fast in-place
 * interpreter for WebAssembly", OOPSLA 2022).
 *
 * The side table. While validating a body, the loader gives each
 * instruction that may transfer control one entry per possible target, in
 * code order:
 *
 *   br l, br_if l      one entry: the branch
 *   br_table l* ld     a header, then one entry per label depth from 0
 *                      to the deepest of l* and ld, named or not (a
 *                      switch of 256 cases over 3 blocks costs 5 entries,
 *                      not 257); the header's target is where ld is (so
 *                      when it is n bytes past the first label, every
 *                      label is one byte and label i is the byte at i),
 *                      its side the count of entries after it, its stack 0
 *   if                 one entry: where the condition 0 goes (past the
 *                      else, or past the end when there is none)
 *   else               one entry: where the then-arm goes on to (past
 *                      the end)
 *
 * The interpreter keeps, beside its pc, an index stp into the function's
 * entries (counted from wasm_func.side, so side[f->side + stp]) pointing
 * at the first entry of the next instruction that has any; a call starts
 * at 0. A branch taken through entry e moves the top wasm_branch_keep(e)
 * values (0 or 1) down over the wasm_branch_drop(e) values beneath them,
 * then sets pc to bytes + e->target and stp to e->side. One not taken
 * (br_if of 0, if of non-zero) does stp += 1. br_table reads label
 * min(index, n) of its n + 1 and takes the entry of its depth. Targets: a block's or if's branch lands just
 * past its end; a loop's at its first instruction; a branch to the
 * function's own label lands on the body's final end, which returns.
 * block, loop, end and return have no entry: the interpreter skips the
 * one-byte block type and falls through, and return uses its frame.
 *
 * Counts: the value stack is counted in values, whatever their type, so an
 * interpreter with one slot per value (8 bytes) needs nothing else. A
 * function's frame is its params, then nlocals zeroed locals, then at most
 * max_stack operand values.
 *
 * Errors: decoding errors ("malformed", the spec tests' assert_malformed)
 * and validation errors ("invalid", assert_invalid) are told apart by
 * wasm_err_kind. As in the spec, a module is decoded entirely before it is
 * judged: if it is both, it is malformed. Implementation limits and arena
 * exhaustion stop the load at once.
 */
#ifndef WASM_MODULE_H
#define WASM_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types, as encoded. */
enum wasm_valtype {
	WASM_I32 = 0x7f,
	WASM_I64 = 0x7e,
	WASM_F32 = 0x7d,
	WASM_F64 = 0x7c,
};

/* Import and export kinds, as encoded. */
enum wasm_extern {
	WASM_EXTERN_FUNC = 0,
	WASM_EXTERN_TABLE = 1,
	WASM_EXTERN_MEMORY = 2,
	WASM_EXTERN_GLOBAL = 3,
	WASM_EXTERN_ANY = 0xff, /* wasm_find_export: whatever the kind */
};

enum wasm_section {
	WASM_SEC_CUSTOM = 0,
	WASM_SEC_TYPE = 1,
	WASM_SEC_IMPORT = 2,
	WASM_SEC_FUNCTION = 3,
	WASM_SEC_TABLE = 4,
	WASM_SEC_MEMORY = 5,
	WASM_SEC_GLOBAL = 6,
	WASM_SEC_EXPORT = 7,
	WASM_SEC_START = 8,
	WASM_SEC_ELEMENT = 9,
	WASM_SEC_CODE = 10,
	WASM_SEC_DATA = 11,
	WASM_SEC_NONE = 0xff, /* the header, or checks made once all is read */
};

enum wasm_err {
	WASM_OK = 0,

	/* Malformed: the bytes do not decode as a module. */
	WASM_ERR_UNEXPECTED_END,
	WASM_ERR_MAGIC,
	WASM_ERR_VERSION,
	WASM_ERR_INT_TOO_LONG,      /* LEB128 longer than its type allows */
	WASM_ERR_INT_TOO_LARGE,     /* LEB128 unused bits not zero (or sign) */
	WASM_ERR_LENGTH,            /* a length prefix beyond the bytes left */
	WASM_ERR_SECTION_ID,        /* unknown section id */
	WASM_ERR_SECTION_ORDER,     /* section out of order or repeated */
	WASM_ERR_SECTION_SIZE,      /* a section or body not consumed exactly */
	WASM_ERR_UTF8,
	WASM_ERR_VALTYPE,
	WASM_ERR_MUTABILITY,
	WASM_ERR_ZERO_FLAG,         /* reserved byte of call_indirect, memory.size/grow */
	WASM_ERR_FUNC_CODE_COUNT,   /* function and code sections disagree */
	WASM_ERR_TOO_MANY_LOCALS,   /* more than 2^32 - 1 locals declared */
	WASM_ERR_OPCODE,            /* not an MVP instruction, or else/end misplaced */
	WASM_ERR_MALFORMED,         /* another encoding error (form, kind bytes) */

	/* Invalid: decodes, but fails validation. */
	WASM_ERR_TYPE_MISMATCH,
	WASM_ERR_UNKNOWN_TYPE,
	WASM_ERR_UNKNOWN_FUNC,
	WASM_ERR_UNKNOWN_TABLE,
	WASM_ERR_UNKNOWN_MEMORY,
	WASM_ERR_UNKNOWN_GLOBAL,
	WASM_ERR_UNKNOWN_LOCAL,
	WASM_ERR_UNKNOWN_LABEL,
	WASM_ERR_ALIGNMENT,
	WASM_ERR_CONST_EXPR,
	WASM_ERR_DUPLICATE_EXPORT,
	WASM_ERR_IMMUTABLE_GLOBAL,
	WASM_ERR_RESULT_ARITY,
	WASM_ERR_LIMITS,            /* minimum above maximum */
	WASM_ERR_MEMORY_SIZE,       /* more than 65536 pages */
	WASM_ERR_MULTIPLE_TABLES,
	WASM_ERR_MULTIPLE_MEMORIES,
	WASM_ERR_START,             /* start function not [] -> [] */

	/* Valid, maybe, but beyond this loader. */
	WASM_ERR_LIMIT,             /* an implementation limit (WASM_MAX_*) */
	WASM_ERR_NO_MEMORY,         /* the arena is too small */
};

enum wasm_err_kind {
	WASM_KIND_OK,
	WASM_KIND_MALFORMED,
	WASM_KIND_INVALID,
	WASM_KIND_RESOURCE,
};

enum wasm_err_kind wasm_err_kind(enum wasm_err err);

/* The spec's wording for err ("type mismatch"), static. */
const char *wasm_err_text(enum wasm_err err);

struct wasm_error {
	enum wasm_err code;
	uint8_t section;    /* enum wasm_section being read */
	uint32_t offset;    /* byte offset in the module */
	const char *reason; /* static, more precise than wasm_err_text */
};

/*
 * Implementation limits: indices are 16-bit in the tables below. Above one,
 * wasm_load fails with WASM_ERR_LIMIT.
 */
#define WASM_MAX_INDEX 0xfffeu    /* types, imports, functions, globals */
#define WASM_MAX_LOCALS 0xffffu   /* params and locals of one function */
#define WASM_MAX_STACK 0x7fffu    /* operand values of one function */
#define WASM_MAX_BRANCHES 0xffffu /* side-table entries of one function */
#define WASM_MAX_NAME 0xffffu     /* bytes in an import or export name */
#ifndef WASM_MAX_DEPTH
#define WASM_MAX_DEPTH 1024u      /* nested blocks in one function, itself included */
#endif

#define WASM_MAX_PAGES 65536u
#define WASM_PAGE_SIZE 65536u
#define WASM_NONE 0xffffu          /* no import, no start function */

/* A function type. Its params are bytes of the module (enum wasm_valtype). */
struct wasm_functype {
	uint32_t params;   /* offset of nparams value type bytes */
	uint16_t nparams;
	uint16_t canon;    /* index of the first type equal to this one */
	uint8_t nresults;  /* 0 or 1 */
	uint8_t result;    /* enum wasm_valtype when nresults is 1 */
	uint8_t pad[2];
};

/*
 * An entry of the function index space: imports first, then the bodies of
 * the code section. For an import, locals, code, end and side are 0.
 */
struct wasm_func {
	uint32_t locals;    /* offset of the body's local declarations */
	uint32_t code;      /* offset of its first instruction */
	uint32_t end;       /* offset of its final end opcode */
	uint32_t side;      /* index in wasm_module.side of its first entry */
	uint16_t type;
	uint16_t import;    /* index in wasm_module.imports, or WASM_NONE */
	uint16_t nlocals;   /* declared locals, params not counted */
	uint16_t max_stack; /* operand values the body needs at most */
};

/*
 * An import. Its index in the space of its kind is its rank among the
 * imports of that kind; wasm_func.import and wasm_global.import point back.
 */
struct wasm_import {
	uint32_t module;    /* offset of the module name (UTF-8, not terminated) */
	uint32_t name;      /* offset of the field name */
	uint16_t module_len;
	uint16_t name_len;
	uint8_t kind;       /* enum wasm_extern */
	uint8_t is_mutable; /* global */
	uint16_t type;      /* function: type index; global: enum wasm_valtype */
};

struct wasm_export {
	uint32_t name;      /* offset of the name (UTF-8, not terminated) */
	uint32_t index;     /* in the space of its kind */
	uint16_t name_len;
	uint8_t kind;       /* enum wasm_extern */
	uint8_t pad;
};

enum wasm_init {
	WASM_INIT_CONST,  /* value holds the bits */
	WASM_INIT_GLOBAL, /* value holds the index of an imported global */
	WASM_INIT_IMPORT, /* the global is imported */
};

struct wasm_global {
	uint64_t value;     /* i32 and f32 bits in the low half */
	uint8_t type;       /* enum wasm_valtype */
	uint8_t is_mutable;
	uint8_t init;       /* enum wasm_init */
	uint8_t pad;
	uint16_t import;    /* index in wasm_module.imports, or WASM_NONE */
	uint8_t pad2[2];
};

/* An element or data segment: its offset, and where its contents are. */
struct wasm_segment {
	uint32_t offset;    /* the i32 offset, or the global holding it */
	uint32_t init;      /* data: offset of the bytes; element: of the first function index (LEB128) */
	uint32_t len;       /* data: bytes; element: function indices */
	uint8_t offset_global; /* offset names an imported global */
	uint8_t pad[3];
};

/* The table (in elements) or the memory (in pages). */
struct wasm_limits {
	uint32_t min;
	uint32_t max;       /* when has_max */
	uint8_t present;
	uint8_t has_max;
	uint16_t import;    /* index in wasm_module.imports, or WASM_NONE */
};

#define WASM_BRANCH_KEEP 0x8000u

/* A side-table entry (see above). */
struct wasm_branch {
	uint32_t target; /* module offset where execution goes on */
	uint16_t side;   /* stp there, counted from the function's first entry */
	uint16_t stack;  /* WASM_BRANCH_KEEP if one value is carried, | values dropped */
};

static inline unsigned wasm_branch_keep(const struct wasm_branch *b)
{
	return (b->stack & WASM_BRANCH_KEEP) != 0 ? 1u : 0u;
}

static inline unsigned wasm_branch_drop(const struct wasm_branch *b)
{
	return b->stack & (WASM_BRANCH_KEEP - 1u);
}

_Static_assert(sizeof(struct wasm_functype) == 12, "functype size");
_Static_assert(sizeof(struct wasm_func) == 24, "func size");
_Static_assert(sizeof(struct wasm_import) == 16, "import size");
_Static_assert(sizeof(struct wasm_export) == 12, "export size");
_Static_assert(sizeof(struct wasm_global) == 16, "global size");
_Static_assert(sizeof(struct wasm_segment) == 16, "segment size");
_Static_assert(sizeof(struct wasm_limits) == 12, "limits size");
_Static_assert(sizeof(struct wasm_branch) == 8, "side-table entry size");
_Static_assert(WASM_MAX_STACK < WASM_BRANCH_KEEP, "a drop count fits beside the keep bit");

struct wasm_module {
	const uint8_t *bytes; /* the caller's, which must outlive the module */
	uint32_t size;

	const struct wasm_functype *types;
	const struct wasm_import *imports;
	const struct wasm_func *funcs;     /* imports first */
	const struct wasm_global *globals; /* imports first */
	const struct wasm_export *exports; /* sorted by name (bytes, then length) */
	const struct wasm_segment *elems;
	const struct wasm_segment *datas;
	const struct wasm_branch *side;    /* every body's entries, in code order */

	uint32_t ntypes;
	uint32_t nimports;
	uint32_t nfuncs;
	uint32_t nfunc_imports;
	uint32_t nglobals;
	uint32_t nglobal_imports;
	uint32_t nexports;
	uint32_t nelems;
	uint32_t ndatas;
	uint32_t nside;

	struct wasm_limits table;  /* funcref */
	struct wasm_limits memory; /* in pages */
	uint32_t start;            /* function index, or WASM_NONE */
	uint32_t memory_need;      /* custom section "wasmbed.memory": bytes, or 0 */

	size_t arena_used; /* arena bytes the module's tables keep */
	size_t arena_peak; /* arena bytes loading needed (tables and validation) */
};

/*
 * Decodes and validates bytes[0..len) into m, carving its tables from
 * arena[0..arena_size) (any alignment; the first bytes may be skipped to
 * align). On success returns WASM_OK; m->arena_peak is the smallest arena
 * that loads this module. On failure returns the error, also stored in
 * *err (which may be NULL), and zeroes m.
 */
enum wasm_err wasm_load(struct wasm_module *m, const uint8_t *bytes, size_t len, void *arena,
			size_t arena_size, struct wasm_error *err);

/* "i32", "i64", "f32", "f64", or "nothing" for another byte. */
const char *wasm_valtype_name(uint8_t type);

/* Whether the name at bytes[off..off+len) of m (an import's or export's)
 * is the C string s. */
bool wasm_name_is(const struct wasm_module *m, uint32_t off, uint32_t len, const char *s);

/* The export of that kind (or WASM_EXTERN_ANY) and name, or NULL. */
const struct wasm_export *wasm_find_export(const struct wasm_module *m, enum wasm_extern kind,
					   const char *name, size_t len);

/*
 * Decodes an unsigned LEB128 at *p and advances *p: for code and element
 * segments of a loaded module only, whose every integer was checked.
 */
static inline uint32_t wasm_decode_u32(const uint8_t **p)
{
	uint32_t v = 0;
	unsigned shift = 0;
	uint8_t b;
	do {
		b = *(*p)++;
		v |= (uint32_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) != 0 && shift < 35);
	return v;
}

#endif
