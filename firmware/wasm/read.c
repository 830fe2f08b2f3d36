/*
 * The loader's reader (read.h): LEB128 with the WebAssembly 1.0 limits,
 * names in UTF-8, never a byte past the cursor's end.
 */
#include "read.h"

const uint8_t *wasm_take(struct wasm_cursor *c, size_t n)
{
	if (c->err != WASM_OK || (size_t)(c->end - c->p) < n) {
		wasm_cursor_fail(c, c->p, WASM_ERR_UNEXPECTED_END, "unexpected end");
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

uint8_t wasm_u8(struct wasm_cursor *c)
{
	const uint8_t *p = wasm_take(c, 1);
	return p != NULL ? *p : 0;
}

uint64_t wasm_fixed(struct wasm_cursor *c, size_t n)
{
	const uint8_t *p = wasm_take(c, n);
	uint64_t v = 0;
	for (size_t i = n; p != NULL && i > 0; i--) {
		v = (v << 8) | p[i - 1];
	}
	return v;
}

uint32_t wasm_uleb(struct wasm_cursor *c, unsigned bits)
{
	const uint8_t *start = c->p;
	uint32_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = wasm_u8(c);
		if (c->err != WASM_OK) {
			return 0;
		}
		unsigned left = bits - shift; /* bits this byte may still carry */
		if (left < 7 && (b & 0x7f) >= (1u << left)) {
			wasm_cursor_fail(c, start, WASM_ERR_INT_TOO_LARGE, "integer too large");
			return 0;
		}
		v |= (uint32_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			return v;
		}
		if (left <= 7) {
			wasm_cursor_fail(c, start, WASM_ERR_INT_TOO_LONG, "integer representation too long");
			return 0;
		}
	}
}

uint32_t wasm_u32(struct wasm_cursor *c)
{
	return wasm_uleb(c, 32);
}

int64_t wasm_sleb(struct wasm_cursor *c, unsigned bits)
{
	const uint8_t *start = c->p;
	uint64_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		uint8_t b = wasm_u8(c);
		if (c->err != WASM_OK) {
			return 0;
		}
		unsigned left = bits - shift;
		if (left < 7) {
			/* The sign bit and the unused bits above it must agree. */
			uint8_t mask = (uint8_t)((0x7fu << (left - 1)) & 0x7fu);
			if ((b & mask) != 0 && (b & mask) != mask) {
				wasm_cursor_fail(c, start, WASM_ERR_INT_TOO_LARGE, "integer too large");
				return 0;
			}
		}
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			if (shift + 7 < 64 && (b & 0x40) != 0) {
				v |= ~(uint64_t)0 << (shift + 7);
			}
			/* Two's complement bits to int64_t without implementation-defined conversion. */
			return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
		}
		if (left <= 7) {
			wasm_cursor_fail(c, start, WASM_ERR_INT_TOO_LONG, "integer representation too long");
			return 0;
		}
	}
}

uint32_t wasm_len(struct wasm_cursor *c)
{
	const uint8_t *start = c->p;
	uint32_t n = wasm_u32(c);
	if (c->err == WASM_OK && n > (size_t)(c->end - c->p)) {
		wasm_cursor_fail(c, start, WASM_ERR_LENGTH, "length out of bounds");
		return 0;
	}
	return n;
}

struct wasm_cursor wasm_sub(struct wasm_cursor *c, size_t n)
{
	const uint8_t *p = wasm_take(c, n);
	struct wasm_cursor sub = wasm_cursor_init(p != NULL ? p : c->end, p != NULL ? n : 0);
	if (p == NULL) {
		sub.err = c->err;
		sub.fail_at = c->fail_at;
		sub.reason = c->reason;
	}
	return sub;
}

size_t wasm_utf8_valid_prefix(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t b = p[i];
		size_t len;
		uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			len = 2;
		} else if (b >= 0xe0 && b <= 0xef) {
			len = 3;
			lo = b == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
			hi = b == 0xed ? 0x9f : 0xbf; /* no surrogates */
		} else if (b >= 0xf0 && b <= 0xf4) {
			len = 4;
			lo = b == 0xf0 ? 0x90 : 0x80; /* no overlong forms */
			hi = b == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
		} else {
			return i;
		}
		if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) {
			return i;
		}
		for (size_t k = 2; k < len; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xbf) {
				return i;
			}
		}
		i += len;
	}
	return n;
}

const uint8_t *wasm_name(struct wasm_cursor *c, uint32_t *len)
{
	*len = wasm_len(c);
	const uint8_t *p = wasm_take(c, *len);
	if (p != NULL && wasm_utf8_valid_prefix(p, *len) != *len) {
		wasm_cursor_fail(c, p + wasm_utf8_valid_prefix(p, *len), WASM_ERR_UTF8,
				 "invalid UTF-8 encoding");
		return NULL;
	}
	return p;
}
