/* The sample apps the host tests run (apps/build/samples, which
 * `make -C apps samples` builds). Header-only: the app tests link no test
 * helpers. */
#ifndef SAMPLE_FILE_H
#define SAMPLE_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Reads the sample at path into buf and returns its length; a missing file
 * ends the test run (exit 2) with the file and the command that builds it,
 * naming test, the program. */
static inline size_t read_sample(const char *test, const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot open %s (make -C apps samples)\n", test, path);
		exit(2);
	}
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

#endif
