/*
 * Running WebAssembly: instances of loaded modules, linked to each other and
 * to host functions, and threads that run their functions in bounded,
 * resumable slices.
 *
 * Store. Instances live in a store, which numbers them. A function
 * reference (a table element, a function import resolved to another
 * instance) is a wasm_ref: the instance's number and the function's index.
 * The firmware has one instance in a store of one; the spec runner links
 * many.
 *
 * Instance. wasm_instantiate resolves every import through the embedder's
 * resolver, checks its type ("incompatible import type" as the spec says),
 * carves globals, the table and the import bindings from an arena, maps
 * linear memory onto a buffer the embedder gives, checks that every
 * element and data segment fits (WebAssembly 1.0: all are checked before
 * any is written), then writes them. It does not run the start function:
 * the embedder runs it on a thread like any other call, so a start
 * function that loops forever is bounded too.
 *
 * Memory limits. The memory is the embedder's buffer of cap bytes. The
 * module's initial pages must fit in it, or instantiation fails with
 * WASM_LINK_MEMORY. Reduced-memory mode, for boards that cannot hold a
 * 64 KiB page: when the module carries a custom section "wasmbed.memory"
 * (a u32 LEB128: the bytes it needs), only that many bytes are mapped;
 * memory.size still answers the declared pages, any access at or beyond
 * the mapped bytes traps as out of bounds, and memory.grow fails (-1).
 *
 * Thread. A thread owns a value stack (8-byte slots) and a call stack of
 * frames, both the embedder's and bounded. wasm_thread_call pushes a call;
 * wasm_thread_run runs until the call returns, traps, spends its slice of
 * fuel, or a host function asks to yield, and can be called again to go on
 * exactly where it stopped. Fuel is charged one unit per call and per
 * taken backward branch (a loop's back edge). The interpreter never
 * recurses in C: a wasm call, wherever its callee lives, is a frame.
 *
 * Traps stop the thread with the trap's kind, the function index and the
 * module offset of the instruction that trapped (for WASM_TRAP_FUEL, of
 * where the loop would have gone on). Exhausting either stack is
 * WASM_TRAP_STACK, never a C stack overflow.
 */
#ifndef WASM_RUNTIME_H
#define WASM_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"
#include "numeric.h"

/* A function: instance number << 16 | function index. */
typedef uint32_t wasm_ref;
#define WASM_REF_NULL 0xffffffffu

static inline wasm_ref wasm_make_ref(uint32_t inst, uint32_t func)
{
	return inst << 16 | func;
}

struct wasm_thread;

/*
 * A host function. args holds its parameters (one slot each, as on the
 * value stack); it writes its result, if any, to args[0]. It returns
 * WASM_TRAP_NONE, or a trap (WASM_TRAP_HOST when it failed, with a reason
 * in wasm_thread_fail). It may call wasm_thread_yield.
 */
typedef enum wasm_trap (*wasm_host_fn)(struct wasm_thread *t, uint64_t *args, void *ctx);

struct wasm_memory {
	uint8_t *data;
	uint32_t size;  /* bytes mapped: every access must end within */
	uint32_t pages; /* what memory.size answers */
	uint32_t max;   /* the declared maximum in pages, or WASM_MAX_PAGES */
	uint32_t cap;   /* bytes of data: memory.grow fails beyond */
};

struct wasm_table {
	wasm_ref *elems;
	uint32_t size;
	uint32_t max;   /* the declared maximum, or UINT32_MAX */
};

/* memory.grow: the old size in pages, or -1 (0xffffffff) when it cannot. */
uint32_t wasm_memory_grow(struct wasm_memory *mem, uint32_t delta);

/* What an import resolves to, and what an export is. */
struct wasm_externval {
	uint8_t kind; /* enum wasm_extern */
	union {
		struct {
			wasm_host_fn fn; /* NULL: ref names a wasm function */
			void *ctx;
			const char *sig; /* host: "ii:i", params then ':' then result (i I f F) */
			wasm_ref ref;
		} func;
		struct wasm_memory *memory;
		struct wasm_table *table;
		struct {
			uint64_t *cell;
			uint8_t type;
			uint8_t is_mutable;
		} global;
	} as;
};

/* An imported function, bound. */
struct wasm_binding {
	wasm_host_fn fn; /* NULL: ref */
	union {
		void *ctx;
		wasm_ref ref;
	} to;
};

struct wasm_store {
	struct wasm_instance **instances; /* the embedder's, cap entries */
	uint32_t cap;
	uint32_t count;
};

struct wasm_instance {
	const struct wasm_module *m;
	struct wasm_store *store;
	uint32_t id;                  /* its number in the store */
	struct wasm_memory *memory;   /* own or imported; NULL if none */
	struct wasm_table *table;     /* own or imported; NULL if none */
	uint64_t **globals;           /* one cell per global, imported ones elsewhere */
	struct wasm_binding *imports; /* one per imported function */
	struct wasm_memory own_memory;
	struct wasm_table own_table;
	size_t arena_used;            /* bytes of the config's arena it keeps */
};

/* Why instantiation failed. */
enum wasm_link_err {
	WASM_LINK_OK = 0,
	WASM_LINK_UNKNOWN_IMPORT,   /* the resolver knows no such import */
	WASM_LINK_INCOMPATIBLE,     /* it exists with another type or limits */
	WASM_LINK_ELEM_FIT,         /* an element segment beyond the table */
	WASM_LINK_DATA_FIT,         /* a data segment beyond the memory */
	WASM_LINK_MEMORY,           /* the memory does not fit the buffer given */
	WASM_LINK_NO_MEMORY,        /* the arena is too small */
	WASM_LINK_STORE_FULL,
};

/* The spec's wording ("unknown import", "elements segment does not fit"). */
const char *wasm_link_err_text(enum wasm_link_err err);

struct wasm_link_error {
	enum wasm_link_err code;
	uint32_t import;    /* the import concerned, when there is one */
	const char *reason; /* static, more precise */
};

/* Returns false if there is no such import. */
typedef bool (*wasm_resolve_fn)(void *ctx, const struct wasm_module *m, const struct wasm_import *imp,
				struct wasm_externval *out);

struct wasm_instance_config {
	wasm_resolve_fn resolve; /* may be NULL when the module imports nothing */
	void *resolve_ctx;
	uint8_t *memory;         /* the linear memory's buffer, when the module defines one */
	uint32_t memory_cap;     /* its bytes (the board's limit) */
	void *arena;             /* globals, table and bindings */
	size_t arena_size;
};

/*
 * Links and initializes inst (which the caller keeps, with the module and
 * its bytes, as long as the store does) and adds it to the store. On
 * failure nothing was written anywhere and inst is not in the store.
 */
enum wasm_link_err wasm_instantiate(struct wasm_instance *inst, struct wasm_store *store,
				    const struct wasm_module *m, const struct wasm_instance_config *cfg,
				    struct wasm_link_error *err);

/* The export of inst named name[0..len), or false. */
bool wasm_instance_export(const struct wasm_instance *inst, const char *name, size_t len,
			  struct wasm_externval *out);

/* addr[0..len) of inst's memory, or NULL when it is not all mapped. */
uint8_t *wasm_memory_at(const struct wasm_memory *mem, uint32_t addr, uint32_t len);

enum wasm_status {
	WASM_STATUS_IDLE,      /* nothing to run: results, if any, in stack[0] */
	WASM_STATUS_READY,     /* a call is under way: run goes on with it */
	WASM_STATUS_YIELDED,   /* a host function yielded: run goes on */
	WASM_STATUS_TRAPPED,
};

/* A call's return: where its caller goes on. */
struct wasm_frame {
	uint32_t pc;   /* module offset */
	uint32_t stp;  /* side-table index within the caller's function */
	uint32_t fp;   /* the caller's first local, in slots */
	uint16_t func;
	uint16_t inst;
};

struct wasm_thread {
	struct wasm_store *store;
	uint64_t *stack;           /* the embedder's */
	uint32_t stack_cap;        /* slots */
	struct wasm_frame *frames; /* the embedder's */
	uint32_t frames_cap;

	/* Where execution stands when it is not running. */
	enum wasm_status status;
	uint32_t depth;  /* frames in use; frame 0 is the embedder's call */
	uint32_t sp;     /* slots in use */
	uint32_t fp;
	uint32_t pc;
	uint32_t stp;
	uint16_t func;
	uint16_t inst;
	uint8_t nresults;  /* of the embedder's call */
	bool entry;        /* the embedder's call is still to be made */
	bool yield;

	uint64_t fuel_used;  /* over every slice */
	uint64_t fuel_limit; /* 0: none; beyond it, WASM_TRAP_FUEL */

	/* The last trap. */
	enum wasm_trap trap;
	uint32_t trap_func;
	uint32_t trap_offset;
	const char *trap_reason; /* a host function's, static, or NULL */
};

void wasm_thread_init(struct wasm_thread *t, struct wasm_store *store, uint64_t *stack, uint32_t stack_cap,
		      struct wasm_frame *frames, uint32_t frames_cap);

/*
 * Starts a call of function func of inst with nargs arguments (their bits,
 * as in a slot); the thread must be idle or trapped. Returns false (with
 * the thread unchanged) if the arguments do not match the function's type.
 */
bool wasm_thread_call(struct wasm_thread *t, struct wasm_instance *inst, uint32_t func, const uint64_t *args,
		      uint32_t nargs);

/*
 * Runs the call for at most fuel units (0: no slice limit). Returns the
 * thread's status: IDLE when the call returned (its result in stack[0]),
 * READY when the slice's fuel ran out, YIELDED, or TRAPPED.
 */
enum wasm_status wasm_thread_run(struct wasm_thread *t, uint32_t fuel);

/* For host functions: return after this call, with its result. */
static inline void wasm_thread_yield(struct wasm_thread *t)
{
	t->yield = true;
}

/* For host functions: trap with WASM_TRAP_HOST and this static reason. */
static inline enum wasm_trap wasm_thread_fail(struct wasm_thread *t, const char *reason)
{
	t->trap_reason = reason;
	return WASM_TRAP_HOST;
}

/* The memory of the instance running t's current call (for host functions). */
struct wasm_memory *wasm_thread_memory(const struct wasm_thread *t);

/* Whether two function types, maybe of different modules, are the same. */
bool wasm_functype_equal(const struct wasm_module *a, uint32_t ta, const struct wasm_module *b, uint32_t tb);

#endif
