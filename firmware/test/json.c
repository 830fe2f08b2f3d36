/* Small strict JSON reader for the host tests (see json.h). */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *name; /* file name for messages, or NULL */
	const char *start, *p, *end;
	const char *line_start;
	int line;
	int depth;
	char *err;
	size_t err_size;
	bool failed;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void fail(struct parser *ps, const char *fmt, ...)
{
	if (ps->failed) {
		return; /* keep the first, innermost error */
	}
	ps->failed = true;
	if (ps->err == NULL || ps->err_size == 0) {
		return;
	}
	int n = snprintf(ps->err, ps->err_size, "%s%s%d:%d: ", ps->name ? ps->name : "", ps->name ? ":" : "",
			 ps->line, (int)(ps->p - ps->line_start) + 1);
	if (n < 0 || (size_t)n >= ps->err_size) {
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->err_size - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Describes the character at p for messages. */
static const char *describe(const struct parser *ps, char buf[16])
{
	if (ps->p >= ps->end) {
		return "end of input";
	}
	unsigned char c = (unsigned char)*ps->p;
	if (c >= 0x20 && c < 0x7f) {
		snprintf(buf, 16, "'%c'", c);
	} else {
		snprintf(buf, 16, "byte 0x%02x", c);
	}
	return buf;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

static struct json *new_node(struct parser *ps, enum json_type type)
{
	struct json *v = calloc(1, sizeof *v);
	if (v == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	v->type = type;
	v->line = ps->line;
	return v;
}

void json_free(struct json *v)
{
	while (v != NULL) {
		struct json *next = v->next;
		json_free(v->child); /* depth is bounded by JSON_MAX_DEPTH */
		free((void *)v->key);
		free((void *)v->str);
		free(v);
		v = next;
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;
	if (c < 0x80) {
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlong forms */
		hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf) {
			return 0;
		}
	}
	return len;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

/* Reads the four hex digits of a \u escape at ps->p; -1 on error. */
static long read_u4(struct parser *ps)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int d = ps->p < ps->end ? hex_digit(*ps->p) : -1;
		if (d < 0) {
			fail(ps, "bad \\u escape");
			return -1;
		}
		v = v << 4 | d;
		ps->p++;
	}
	return v;
}

static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parses a string at ps->p (on the opening quote) into a malloc'd,
 * NUL-terminated buffer; returns NULL on error. */
static char *parse_string(struct parser *ps, size_t *out_len)
{
	const char *q = ++ps->p; /* past the quote */
	/* Find the closing quote first: the decoded text is never longer. */
	while (q < ps->end && *q != '"') {
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	}
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	char *buf = malloc((size_t)(q - ps->p) + 1);
	if (buf == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	size_t n = 0;
	while (ps->p < q) {
		unsigned char c = (unsigned char)*ps->p;
		if (c < 0x20) {
			fail(ps, "raw control character 0x%02x in string", c);
			goto bad;
		}
		if (c >= 0x80) {
			size_t len = utf8_seq((const unsigned char *)ps->p, (size_t)(q - ps->p));
			if (len == 0) {
				fail(ps, "invalid UTF-8 in string");
				goto bad;
			}
			memcpy(buf + n, ps->p, len);
			n += len;
			ps->p += len;
			continue;
		}
		ps->p++;
		if (c != '\\') {
			buf[n++] = (char)c;
			continue;
		}
		char e = *ps->p++; /* q follows, so an escape char is there */
		switch (e) {
		case '"': buf[n++] = '"'; break;
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': {
			long cp = read_u4(ps);
			if (cp < 0) {
				goto bad;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail(ps, "lone low surrogate \\u%04lx", cp);
				goto bad;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (q - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
					fail(ps, "high surrogate \\u%04lx without a low one", cp);
					goto bad;
				}
				ps->p += 2;
				long lo = read_u4(ps);
				if (lo < 0) {
					goto bad;
				}
				if (lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "high surrogate \\u%04lx without a low one", cp);
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			n += put_utf8(buf + n, (unsigned long)cp);
			break;
		}
		default:
			ps->p--;
			fail(ps, "bad escape '\\%c'", e >= 0x20 && e < 0x7f ? e : '?');
			goto bad;
		}
	}
	ps->p++; /* closing quote */
	buf[n] = '\0';
	*out_len = n;
	return buf;
bad:
	free(buf);
	return NULL;
}

static bool is_digit(const struct parser *ps, const char *p)
{
	return p < ps->end && *p >= '0' && *p <= '9';
}

static struct json *parse_number(struct parser *ps)
{
	const char *p = ps->p;
	if (p < ps->end && *p == '-') {
		p++;
	}
	if (!is_digit(ps, p)) {
		fail(ps, "bad number");
		return NULL;
	}
	if (*p == '0' && is_digit(ps, p + 1)) {
		fail(ps, "leading zero in number");
		return NULL;
	}
	while (is_digit(ps, p)) {
		p++;
	}
	if (p < ps->end && *p == '.') {
		if (!is_digit(ps, ++p)) {
			ps->p = p;
			fail(ps, "digit expected after '.'");
			return NULL;
		}
		while (is_digit(ps, p)) {
			p++;
		}
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-')) {
			p++;
		}
		if (!is_digit(ps, p)) {
			ps->p = p;
			fail(ps, "digit expected in exponent");
			return NULL;
		}
		while (is_digit(ps, p)) {
			p++;
		}
	}
	struct json *v = new_node(ps, JSON_NUMBER);
	char *text = v ? malloc((size_t)(p - ps->p) + 1) : NULL;
	if (text == NULL) {
		fail(ps, "out of memory");
		free(v);
		return NULL;
	}
	v->len = (size_t)(p - ps->p);
	memcpy(text, ps->p, v->len);
	text[v->len] = '\0';
	v->str = text;
	v->number = strtod(text, NULL);
	if (isinf(v->number)) {
		fail(ps, "number out of range");
		json_free(v);
		return NULL;
	}
	ps->p = p;
	return v;
}

static struct json *parse_value(struct parser *ps);

/* Parses an array or object at ps->p (on its opening bracket). */
static struct json *parse_container(struct parser *ps, enum json_type type)
{
	const char close = type == JSON_ARRAY ? ']' : '}';
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
		return NULL;
	}
	struct json *v = new_node(ps, type);
	if (v == NULL) {
		return NULL;
	}
	struct json **tail = &v->child;
	char buf[16];
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		size_t key_len = 0;
		if (type == JSON_OBJECT) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "member name (string) expected, got %s", describe(ps, buf));
				goto bad;
			}
			const char *at = ps->p;
			key = parse_string(ps, &key_len);
			if (key == NULL) {
				goto bad;
			}
			for (const struct json *m = v->child; m != NULL; m = m->next) {
				if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
					ps->p = at;
					fail(ps, "duplicate key \"%s\"", key);
					free(key);
					goto bad;
				}
			}
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				fail(ps, "':' expected, got %s", describe(ps, buf));
				free(key);
				goto bad;
			}
			ps->p++;
		}
		struct json *item = parse_value(ps);
		if (item == NULL) {
			free(key);
			goto bad;
		}
		item->key = key;
		item->key_len = key_len;
		*tail = item;
		tail = &item->next;
		v->len++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		fail(ps, "',' or '%c' expected, got %s", close, describe(ps, buf));
		goto bad;
	}
	ps->depth--;
	return v;
bad:
	json_free(v);
	return NULL;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0) {
		return false;
	}
	ps->p += n;
	return true;
}

static struct json *parse_value(struct parser *ps)
{
	char buf[16];
	struct json *v;
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "value expected, got end of input");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, JSON_OBJECT);
	case '[':
		return parse_container(ps, JSON_ARRAY);
	case '"': {
		int line = ps->line;
		size_t len;
		char *s = parse_string(ps, &len);
		if (s == NULL) {
			return NULL;
		}
		v = new_node(ps, JSON_STRING);
		if (v == NULL) {
			free(s);
			return NULL;
		}
		v->str = s;
		v->len = len;
		v->line = line;
		return v;
	}
	case 't':
	case 'f':
	case 'n':
		if (literal(ps, "true") || literal(ps, "false")) {
			bool value = ps->p[-4] == 't'; /* "true" or "alse" */
			v = new_node(ps, JSON_BOOL);
			if (v != NULL) {
				v->boolean = value;
			}
			return v;
		}
		if (literal(ps, "null")) {
			return new_node(ps, JSON_NULL);
		}
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
			return parse_number(ps);
		}
		break;
	}
	fail(ps, "value expected, got %s", describe(ps, buf));
	return NULL;
}

static struct json *parse_named(const char *name, const char *text, size_t len, char *err, size_t err_size)
{
	struct parser ps = {
		.name = name,
		.start = text,
		.p = text,
		.end = text + len,
		.line_start = text,
		.line = 1,
		.err = err,
		.err_size = err_size,
	};
	if (err != NULL && err_size > 0) {
		err[0] = '\0';
	}
	struct json *root = parse_value(&ps);
	if (root == NULL) {
		return NULL;
	}
	skip_ws(&ps);
	if (ps.p < ps.end) {
		char buf[16];
		fail(&ps, "end of input expected after the value, got %s", describe(&ps, buf));
		json_free(root);
		return NULL;
	}
	return root;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t err_size)
{
	return parse_named(NULL, text, len, err, err_size);
}

struct json *json_load(const char *path, char *err, size_t err_size)
{
	char dummy[1];
	if (err == NULL || err_size == 0) {
		err = dummy, err_size = sizeof dummy;
	}
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			char *t = realloc(text, cap);
			if (t == NULL) {
				snprintf(err, err_size, "%s: out of memory", path);
				free(text);
				fclose(f);
				return NULL;
			}
			text = t;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			break;
		}
	}
	bool read_error = ferror(f) != 0;
	fclose(f);
	if (read_error) {
		snprintf(err, err_size, "%s: read error", path);
		free(text);
		return NULL;
	}
	struct json *root = parse_named(path, text, len, err, err_size);
	free(text);
	return root;
}

const char *json_type_name(enum json_type type)
{
	switch (type) {
	case JSON_NULL: return "null";
	case JSON_BOOL: return "bool";
	case JSON_NUMBER: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	case JSON_OBJECT: return "object";
	}
	return "?";
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (obj == NULL || obj->type != JSON_OBJECT) {
		return NULL;
	}
	size_t n = strlen(key);
	for (const struct json *m = obj->child; m != NULL; m = m->next) {
		if (m->key_len == n && memcmp(m->key, key, n) == 0) {
			return m;
		}
	}
	return NULL;
}

const struct json *json_first(const struct json *v)
{
	if (v == NULL || (v->type != JSON_ARRAY && v->type != JSON_OBJECT)) {
		return NULL;
	}
	return v->child;
}

const char *json_get_string(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);
	return v != NULL && v->type == JSON_STRING ? v->str : NULL;
}

bool json_int(const struct json *v, long long *out)
{
	if (v == NULL || v->type != JSON_NUMBER || strpbrk(v->str, ".eE") != NULL) {
		return false;
	}
	errno = 0;
	char *end;
	long long n = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0') {
		return false;
	}
	*out = n;
	return true;
}

bool json_get_int(const struct json *obj, const char *key, long long *out)
{
	return json_int(json_get(obj, key), out);
}

bool hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t cap, size_t *len)
{
	if (hex_len % 2 != 0 || hex_len / 2 > cap) {
		return false;
	}
	for (size_t i = 0; i < hex_len; i++) {
		if (hex_digit(hex[i]) < 0) {
			return false;
		}
	}
	for (size_t i = 0; i < hex_len / 2; i++) {
		out[i] = (uint8_t)(hex_digit(hex[2 * i]) << 4 | hex_digit(hex[2 * i + 1]));
	}
	*len = hex_len / 2;
	return true;
}

uint8_t *json_get_hex(const struct json *obj, const char *key, size_t *len)
{
	const struct json *v = json_get(obj, key);
	if (v == NULL || v->type != JSON_STRING) {
		return NULL;
	}
	size_t cap = v->len / 2;
	uint8_t *buf = malloc(cap > 0 ? cap : 1);
	if (buf == NULL) {
		return NULL;
	}
	if (!hex_decode(v->str, v->len, buf, cap, len)) {
		free(buf);
		return NULL;
	}
	return buf;
}
