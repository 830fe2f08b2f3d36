/*
 * The spec suite's "spectest" module for a test image: its print
 * functions (which print nothing), globals, table and memory, as wasmrun
 * gives them.
 */
#ifndef SPECTEST_H
#define SPECTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime.h"

struct spectest {
	uint64_t g_i32, g_i64, g_f32, g_f64;
	wasm_ref table_elems[10];
	struct wasm_table table;  /* 10 elements, at most 20 */
	struct wasm_memory memory; /* 1 page, at most 2 */
};

/*
 * Sets every value as the suite expects, with an empty table and the
 * memory mapped, zeroed, on memory[0..cap) (cap >= one page).
 */
void spectest_reset(struct spectest *s, uint8_t *memory, uint32_t cap);

/* A wasm_resolve_fn for imports of "spectest"; ctx is the struct spectest. */
bool spectest_resolve(void *ctx, const struct wasm_module *m, const struct wasm_import *imp,
		      struct wasm_externval *out);

#endif
