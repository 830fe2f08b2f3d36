#include "fmt.h"

static void put(struct fmt *f, char c)
{
	if (f->len < f->cap) {
		f->buf[f->len++] = c;
	}
}

void fmt_str(struct fmt *f, const char *s)
{
	while (*s) {
		put(f, *s++);
	}
}

void fmt_u64(struct fmt *f, uint64_t v)
{
	char digits[20];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v > 0);
	while (n > 0) {
		put(f, digits[--n]);
	}
}

static const char hex[] = "0123456789abcdef";

void fmt_hex32(struct fmt *f, uint32_t v)
{
	put(f, '0');
	put(f, 'x');
	for (int shift = 28; shift >= 0; shift -= 4) {
		put(f, hex[(v >> shift) & 0xfu]);
	}
}

void fmt_hexbytes(struct fmt *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put(f, hex[p[i] >> 4]);
		put(f, hex[p[i] & 0xfu]);
	}
}

void fmt_mem(struct fmt *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put(f, p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?');
	}
}

char *fmt_end(struct fmt *f)
{
	if (f->cap > 0) {
		f->buf[f->len < f->cap ? f->len : f->cap - 1] = '\0';
	}
	return f->buf;
}
