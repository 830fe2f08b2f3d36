/*
 * cbor: the subset of CBOR (RFC 8949) that the device protocol uses
 * (firmware/core/proto.h): unsigned integers up to 64 bits, byte and text
 * strings, arrays and bools, all definite-length. The reader can also check
 * and skip any well-formed item (maps, negative integers, floats and simple
 * values included), so unknown trailing fields can be ignored. No malloc.
 *
 * Reading goes through a struct cursor (cursor.h): no input makes it read
 * past the end, and a failed read marks the cursor bad.
 */
#ifndef CBOR_H
#define CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

enum cbor_major {
	CBOR_UINT = 0,
	CBOR_NINT = 1,
	CBOR_BSTR = 2,
	CBOR_TSTR = 3,
	CBOR_ARRAY = 4,
	CBOR_MAP = 5,
	CBOR_TAG = 6,
	CBOR_SIMPLE = 7, /* simple values and floats */
};

#define CBOR_FALSE 0xf4u
#define CBOR_TRUE 0xf5u

/* Limits of cbor_skip, the same as Go's lab/proto decoder: arrays and maps
 * nest at most CBOR_MAX_DEPTH deep (a top-level array is depth 1), and hold
 * at most CBOR_MAX_ITEMS items or pairs. */
#define CBOR_MAX_DEPTH 16u
#define CBOR_MAX_ITEMS 1024u

/* Reads one head: its major type and argument (the value of an integer, the
 * length of a string, the count of an array, the bits of a float). Marks c
 * bad and returns false if the head is truncated, uses a reserved
 * additional info (28..30), an indefinite length or break (31), or is a
 * two-byte simple value below 32. Integers need not be in shortest form. */
bool cbor_head(struct cursor *c, uint8_t *major, uint64_t *arg);

/* Skips one well-formed data item, at depth levels of nesting already
 * (0 at top level). Tags are refused. Marks c bad and returns false if the
 * item is not well-formed or exceeds the limits above. Text strings are not
 * checked for UTF-8. */
bool cbor_skip(struct cursor *c, unsigned depth);

/* True if p[0..len) is valid UTF-8 (no overlong forms, no surrogates, no
 * code point above U+10FFFF), as Go's utf8.Valid. */
bool cbor_utf8_valid(const uint8_t *p, size_t len);

/* A writer into a caller buffer; a write that does not fit marks it bad. */
struct cbor_writer {
	uint8_t *p;
	uint8_t *end;
	bool bad;
};

static inline struct cbor_writer cbor_writer_init(uint8_t *p, size_t cap)
{
	struct cbor_writer w = {p, p + cap, false};
	return w;
}

/* Writes a head in its shortest form. */
void cbor_put_head(struct cbor_writer *w, uint8_t major, uint64_t arg);
/* Writes a byte (CBOR_BSTR) or text (CBOR_TSTR) string. */
void cbor_put_string(struct cbor_writer *w, uint8_t major, const uint8_t *p, size_t len);
void cbor_put_bool(struct cbor_writer *w, bool v);

#endif /* CBOR_H */
