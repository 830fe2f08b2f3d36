/*
 * A read cursor with an end pointer: every parser in the TLS engine reads
 * through one, so no input can make it read past the end. A failed read
 * marks the cursor bad and returns zeros; callers check cur_ok once.
 */
#ifndef CURSOR_H
#define CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *p;
	const uint8_t *end;
	bool bad;
};

static inline struct cursor cur_init(const uint8_t *p, size_t len)
{
	struct cursor c = {p, p + len, false};
	return c;
}

static inline size_t cur_left(const struct cursor *c)
{
	return c->bad ? 0 : (size_t)(c->end - c->p);
}

static inline bool cur_ok(const struct cursor *c)
{
	return !c->bad;
}

/* Done and consumed exactly. */
static inline bool cur_done(const struct cursor *c)
{
	return !c->bad && c->p == c->end;
}

/* Returns a pointer to the next n bytes and skips them, or NULL. */
static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	return p;
}

static inline uint32_t cur_uint(struct cursor *c, size_t bytes)
{
	const uint8_t *p = cur_take(c, bytes);
	uint32_t v = 0;
	for (size_t i = 0; p != NULL && i < bytes; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

static inline uint8_t cur_u8(struct cursor *c) { return (uint8_t)cur_uint(c, 1); }
static inline uint16_t cur_u16(struct cursor *c) { return (uint16_t)cur_uint(c, 2); }
static inline uint32_t cur_u24(struct cursor *c) { return cur_uint(c, 3); }

/* A sub-cursor over a vector with a length prefix of lenbytes bytes. */
static inline struct cursor cur_vec(struct cursor *c, size_t lenbytes)
{
	size_t n = cur_uint(c, lenbytes);
	const uint8_t *p = cur_take(c, n);
	struct cursor sub = {p, p != NULL ? p + n : NULL, p == NULL};
	return sub;
}

#endif
