/*
 * The test image as a Linux process (image.h): the console is stdout, the
 * cycle counter CLOCK_MONOTONIC in nanoseconds, the verdict the exit
 * status. For running a test image's tables on the host, under the
 * sanitizers, before a board runs them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "image.h"

static uint64_t start_ns;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void image_init(void)
{
	start_ns = now_ns();
}

void image_write(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
}

_Noreturn void image_exit(int status)
{
	fflush(stdout);
	exit(status);
}

uint64_t image_cycles(void)
{
	return now_ns() - start_ns;
}

uint32_t image_cycles_hz(void)
{
	return 1000000000u;
}

uint64_t image_calibrate(uint32_t iterations)
{
	uint64_t t0 = image_cycles();
	for (volatile uint32_t n = iterations; n > 0; n--) {
	}
	return image_cycles() - t0;
}

size_t image_stack_peak(void)
{
	return 0;
}

int main(void)
{
	image_init();
	image_exit(spec_main());
}
