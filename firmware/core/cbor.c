#include "cbor.h"

bool cbor_head(struct cursor *c, uint8_t *major, uint64_t *arg)
{
	uint8_t ib = cur_u8(c);
	uint8_t ai = ib & 0x1fu;
	uint64_t v = ai;
	*major = ib >> 5;
	if (ai >= 24u) {
		if (ai > 27u) {
			c->bad = true;
		}
		size_t n = (size_t)1 << (ai - 24u); /* 1, 2, 4 or 8 bytes */
		const uint8_t *p = cur_take(c, ai > 27u ? 0 : n);
		v = 0;
		for (size_t i = 0; p != NULL && i < n; i++) {
			v = (v << 8) | p[i];
		}
		if (*major == CBOR_SIMPLE && ai == 24u && v < 32u) {
			c->bad = true;
		}
	}
	*arg = v;
	return cur_ok(c);
}

bool cbor_skip(struct cursor *c, unsigned depth)
{
	uint8_t major;
	uint64_t arg;
	if (!cbor_head(c, &major, &arg)) {
		return false;
	}
	switch (major) {
	case CBOR_BSTR:
	case CBOR_TSTR:
		if (arg > cur_left(c)) {
			c->bad = true;
			return false;
		}
		cur_take(c, (size_t)arg);
		break;
	case CBOR_ARRAY:
	case CBOR_MAP:
		if (depth + 1u > CBOR_MAX_DEPTH || arg > CBOR_MAX_ITEMS) {
			c->bad = true;
			return false;
		}
		for (uint64_t i = 0; i < (major == CBOR_MAP ? 2u * arg : arg); i++) {
			if (!cbor_skip(c, depth + 1u)) {
				return false;
			}
		}
		break;
	case CBOR_TAG:
		c->bad = true;
		return false;
	default: /* integers, simple values and floats: the head is all */
		break;
	}
	return cur_ok(c);
}

bool cbor_utf8_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t b = p[i];
		size_t n;
		uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
		if (b < 0x80u) {
			i++;
			continue;
		} else if (b >= 0xc2u && b <= 0xdfu) {
			n = 1;
		} else if (b >= 0xe0u && b <= 0xefu) {
			n = 2;
			if (b == 0xe0u) {
				lo = 0xa0; /* overlong */
			} else if (b == 0xedu) {
				hi = 0x9f; /* surrogates */
			}
		} else if (b >= 0xf0u && b <= 0xf4u) {
			n = 3;
			if (b == 0xf0u) {
				lo = 0x90; /* overlong */
			} else if (b == 0xf4u) {
				hi = 0x8f; /* above U+10FFFF */
			}
		} else {
			return false;
		}
		if (len - i - 1u < n || p[i + 1u] < lo || p[i + 1u] > hi) {
			return false;
		}
		for (size_t k = 2; k <= n; k++) {
			if ((p[i + k] & 0xc0u) != 0x80u) {
				return false;
			}
		}
		i += n + 1u;
	}
	return true;
}

static void put(struct cbor_writer *w, const uint8_t *p, size_t len)
{
	if (w->bad || (size_t)(w->end - w->p) < len) {
		w->bad = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		*w->p++ = p[i];
	}
}

void cbor_put_head(struct cbor_writer *w, uint8_t major, uint64_t arg)
{
	uint8_t b[9];
	size_t n;
	if (arg < 24u) {
		b[0] = (uint8_t)(major << 5 | arg);
		n = 0;
	} else if (arg <= 0xffu) {
		b[0] = (uint8_t)(major << 5 | 24u);
		n = 1;
	} else if (arg <= 0xffffu) {
		b[0] = (uint8_t)(major << 5 | 25u);
		n = 2;
	} else if (arg <= 0xffffffffu) {
		b[0] = (uint8_t)(major << 5 | 26u);
		n = 4;
	} else {
		b[0] = (uint8_t)(major << 5 | 27u);
		n = 8;
	}
	for (size_t i = 0; i < n; i++) {
		b[1 + i] = (uint8_t)(arg >> (8u * (n - 1u - i)));
	}
	put(w, b, 1 + n);
}

void cbor_put_string(struct cbor_writer *w, uint8_t major, const uint8_t *p, size_t len)
{
	cbor_put_head(w, major, len);
	if (len > 0) {
		put(w, p, len);
	}
}

void cbor_put_bool(struct cbor_writer *w, bool v)
{
	uint8_t b = v ? CBOR_TRUE : CBOR_FALSE;
	put(w, &b, 1);
}
