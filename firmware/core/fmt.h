/*
 * Bounded text formatting into a caller's buffer, without printf: the
 * firmware prints a handful of integers and strings, and the smallest
 * board has 128 KiB of flash. Output that does not fit is cut, never
 * written past the end.
 */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <stdint.h>

struct fmt {
	char *buf;
	size_t cap;
	size_t len;
};

static inline struct fmt fmt_init(char *buf, size_t cap)
{
	struct fmt f = {buf, cap, 0};
	return f;
}

static inline size_t fmt_len(const struct fmt *f)
{
	return f->len;
}

void fmt_str(struct fmt *f, const char *s);
void fmt_u64(struct fmt *f, uint64_t v);
void fmt_hex32(struct fmt *f, uint32_t v);
void fmt_hexbytes(struct fmt *f, const uint8_t *p, size_t n);
/* n bytes of text that need not be terminated; other than printable ASCII
 * shows as '?'. */
void fmt_mem(struct fmt *f, const char *p, size_t n);
/* Terminates the text (cutting its last byte when full); returns buf. */
char *fmt_end(struct fmt *f);

#endif
