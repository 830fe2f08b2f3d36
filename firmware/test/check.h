/* Minimal host-test checks: count passes and failures, report each failure
 * with its location, and keep going. A test's main ends with
 * return check_report("name"); which prints "name: N passed, M failed" and
 * gives the exit status. */
#ifndef CHECK_H
#define CHECK_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static unsigned check_passed;
static unsigned check_failed;

/* Records one check; returns ok so callers can skip dependent checks. */
static inline int check_record(int ok, const char *expr, const char *file, int line)
{
	if (ok) {
		check_passed++;
	} else {
		check_failed++;
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
	}
	return ok;
}

static inline int check_record_eq(unsigned long long a, unsigned long long b, const char *expr,
				  const char *file, int line)
{
	if (!check_record(a == b, expr, file, line)) {
		fprintf(stderr, "    got %llu (0x%llx), want %llu (0x%llx)\n", a, a, b, b);
	}
	return a == b;
}

#define CHECK(cond) check_record((cond) != 0, #cond, __FILE__, __LINE__)

#define CHECK_EQ(got, want) \
	check_record_eq((unsigned long long)(got), (unsigned long long)(want), #got " == " #want, \
			__FILE__, __LINE__)

/* Prints len bytes of p in hex, for failure messages. */
static inline void check_print_hex(const char *label, const void *p, size_t len)
{
	fprintf(stderr, "    %s ", label);
	for (size_t i = 0; i < len; i++) {
		fprintf(stderr, "%02x", ((const unsigned char *)p)[i]);
	}
	fprintf(stderr, "\n");
}

static inline int check_record_mem(const void *got, const void *want, size_t len, const char *expr,
				   const char *file, int line)
{
	int ok = len == 0 || memcmp(got, want, len) == 0;
	if (!check_record(ok, expr, file, line)) {
		check_print_hex("got ", got, len);
		check_print_hex("want", want, len);
	}
	return ok;
}

/* Checks that len bytes at got equal those at want; prints both if not. */
#define CHECK_MEM(got, want, len) \
	check_record_mem((got), (want), (len), "memcmp(" #got ", " #want ", " #len ") == 0", __FILE__, __LINE__)

static inline int check_report(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}

#endif /* CHECK_H */
