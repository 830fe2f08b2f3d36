/*
 * The loader's reader: a cursor with an end pointer over the module bytes,
 * LEB128 with the WebAssembly 1.0 limits, and UTF-8 checks for names.
 *
 * Like core/cursor.h, the first failed read marks the cursor failed (the
 * error, a reason and where the failed read started) and every later read
 * returns zeros, so a caller may read several fields and check once, before
 * it uses any of them. A loop over a count read from the module must stop
 * as soon as the cursor fails. Nothing here reads past c->end. The readers
 * are in read.c (one copy in flash for every part of the loader).
 */
#ifndef WASM_READ_H
#define WASM_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

struct wasm_cursor {
	const uint8_t *p;
	const uint8_t *end;
	const uint8_t *fail_at; /* where the failed read started; NULL while none failed */
	enum wasm_err err;      /* WASM_OK while none failed */
	const char *reason;
};

static inline struct wasm_cursor wasm_cursor_init(const uint8_t *p, size_t len)
{
	struct wasm_cursor c = {p, p + len, NULL, WASM_OK, NULL};
	return c;
}

static inline bool wasm_cursor_ok(const struct wasm_cursor *c)
{
	return c->err == WASM_OK;
}

static inline size_t wasm_cursor_left(const struct wasm_cursor *c)
{
	return c->err != WASM_OK ? 0 : (size_t)(c->end - c->p);
}

/* Marks c failed at `at` unless it already failed; returns false. */
static inline bool wasm_cursor_fail(struct wasm_cursor *c, const uint8_t *at, enum wasm_err err,
				    const char *reason)
{
	if (c->err == WASM_OK) {
		c->err = err;
		c->fail_at = at;
		c->reason = reason;
		c->p = c->end;
	}
	return false;
}

/* The next n bytes (skipped), or NULL. */
const uint8_t *wasm_take(struct wasm_cursor *c, size_t n);

uint8_t wasm_u8(struct wasm_cursor *c);

/* Little-endian fixed-width value of n <= 8 bytes (float constants). */
uint64_t wasm_fixed(struct wasm_cursor *c, size_t n);

/*
 * Unsigned LEB128 of at most `bits` bits (1 to 32): at most ceil(bits/7)
 * bytes, and the unused bits of the last byte zero. The checks come in the
 * reference interpreter's order: payload bits beyond `bits` are "integer too
 * large" before a continuation bit past the last byte is "integer
 * representation too long".
 */
uint32_t wasm_uleb(struct wasm_cursor *c, unsigned bits);

uint32_t wasm_u32(struct wasm_cursor *c);

/*
 * Signed LEB128 of `bits` bits (32 or 64): at most ceil(bits/7) bytes, and
 * the unused bits of the last byte copies of the sign bit.
 */
int64_t wasm_sleb(struct wasm_cursor *c, unsigned bits);

/*
 * A length prefix that must fit in what is left: the reference's "length out
 * of bounds". Returns the length (0 after a failure).
 */
uint32_t wasm_len(struct wasm_cursor *c);

/* A cursor over the next n bytes of c (which skips them); failed if c is. */
struct wasm_cursor wasm_sub(struct wasm_cursor *c, size_t n);

/*
 * p[0..n) is well-formed UTF-8 (Unicode 3.9 D92): no overlong forms, no
 * surrogates, nothing above U+10FFFF. Returns the offset of the first bad
 * byte, or n.
 */
size_t wasm_utf8_valid_prefix(const uint8_t *p, size_t n);

/*
 * A name: a length, then that many bytes of UTF-8. Returns its bytes and
 * stores the length, or NULL.
 */
const uint8_t *wasm_name(struct wasm_cursor *c, uint32_t *len);

#endif
