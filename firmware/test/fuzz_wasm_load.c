/* libFuzzer harness for the WebAssembly loader and validator (wasm/load.c,
 * wasm/validate.c). Any input loads or fails without reading or writing
 * out of bounds; the arena is a heap block of exactly its capacity, so
 * ASan catches a write past it. A rejection has a kind, a reason and an
 * offset inside the input. An accepted module passes test/wasm_check.h
 * (offsets, indices, and a side table that agrees with a naive walk of the
 * code), loads again in an arena of exactly its reported peak, and fails
 * with WASM_ERR_NO_MEMORY in 8 bytes less.
 *
 * Built by `make -C firmware fuzz`; seeds are in testdata/fuzz/wasm_load/
 * (modules of the spec suite). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "wasm_check.h"

#define ARENA_SIZE (64u * 1024u)

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

static enum wasm_err load(struct wasm_module *m, const uint8_t *data, size_t size, size_t arena_size,
			  struct wasm_error *err)
{
	uint8_t *arena = malloc(arena_size > 0 ? arena_size : 1);
	require(arena != NULL);
	enum wasm_err e = wasm_load(m, data, size, arena, arena_size, err);
	if (e == WASM_OK) {
		require(wasm_check_module(m, arena_size) == NULL);
	}
	free(arena);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wasm_module m;
	struct wasm_error err;
	enum wasm_err e = load(&m, data, size, ARENA_SIZE, &err);
	if (e != WASM_OK) {
		require(wasm_err_kind(e) != WASM_KIND_OK && err.code == e);
		require(err.reason != NULL && err.offset <= size);
		return 0;
	}
	size_t peak = m.arena_peak, used = m.arena_used;
	require(used <= peak && peak <= ARENA_SIZE);
	struct wasm_module again;
	require(load(&again, data, size, peak, &err) == WASM_OK);
	require(again.arena_used == used && again.arena_peak == peak && again.nside == m.nside);
	if (peak >= 8) {
		require(load(&again, data, size, peak - 8, &err) == WASM_ERR_NO_MEMORY);
	}
	return 0;
}
