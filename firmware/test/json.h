/* A small strict JSON (RFC 8259) reader for the host tests: parses a whole
 * document into a tree, then lookups by key and iteration over arrays and
 * objects. Used for the Wycheproof vectors and for wabt's wast2json output.
 *
 * Strict: no comments, no trailing commas, no leading zeros, no raw control
 * characters or invalid UTF-8 in strings, no lone surrogates in \u escapes,
 * no duplicate keys in an object, nothing after the top-level value, and at
 * most JSON_MAX_DEPTH nested arrays/objects. Host-only (uses malloc). */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 256

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	/* Member name when the parent is an object, else NULL. Decoded and
	 * NUL-terminated; key_len counts bytes (a name may hold \u0000). */
	const char *key;
	size_t key_len;
	/* STRING: the decoded value, NUL-terminated, len bytes.
	 * NUMBER: the number's source text, NUL-terminated, len bytes. */
	const char *str;
	/* STRING/NUMBER: bytes in str. ARRAY/OBJECT: number of children. */
	size_t len;
	double number; /* NUMBER */
	bool boolean;  /* BOOL */
	struct json *child; /* ARRAY/OBJECT: first element or member */
	struct json *next;  /* next sibling in the parent */
	int line;           /* 1-based source line where the value starts */
};

/* Parses text[0..len) (need not be NUL-terminated). Returns the root, to be
 * released with json_free, or NULL with a message in err (err may be NULL). */
struct json *json_parse(const char *text, size_t len, char *err, size_t err_size);

/* Reads and parses the file at path; errors name the file. */
struct json *json_load(const char *path, char *err, size_t err_size);

void json_free(struct json *v);

const char *json_type_name(enum json_type type);

/* The member key of obj, or NULL if obj is NULL, not an object or lacks it. */
const struct json *json_get(const struct json *obj, const char *key);

/* The first element or member of an array or object; NULL if v is NULL,
 * empty or not a container. Continue with ->next. */
const struct json *json_first(const struct json *v);

#define JSON_FOR_EACH(it, container) \
	for (const struct json *it = json_first(container); it != NULL; it = it->next)

/* The string member key of obj, or NULL if missing or not a string. */
const char *json_get_string(const struct json *obj, const char *key);

/* Stores the number v in *out if it is an integer (no fraction or
 * exponent in its text) that fits a long long; else returns false. */
bool json_int(const struct json *v, long long *out);
/* json_int on the member key of obj. */
bool json_get_int(const struct json *obj, const char *key, long long *out);

/* Decodes hex (upper or lower case) of hex_len characters into out.
 * Returns false, writing nothing, if hex_len is odd, a character is not a
 * hex digit, or the bytes do not fit in cap; else stores the count in *len. */
bool hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *len);

/* The hex string member key of obj decoded into a malloc'd buffer of exactly
 * *len bytes (one byte is allocated for an empty string, so the result is
 * never NULL on success). NULL if missing, not a string or not valid hex. */
uint8_t *json_get_hex(const struct json *obj, const char *key, size_t *len);

#endif
