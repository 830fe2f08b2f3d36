/*
 * What a test image needs from the platform it runs on: a console, a
 * cycle counter and a way to end with a verdict. image_cortexm.c
 * implements it on the QEMU boards (the board's console UART, SysTick on
 * the CPU clock, semihosting), image_native.c as a Linux process.
 *
 * Test images only: the real firmware never uses semihosting.
 */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Brings up the console and the cycle counter. */
void image_init(void);

/* Writes to the console, polled; "\n" ends a line. */
void image_write(const char *s, size_t len);

/* Ends the image: status 0 passes, anything else fails. */
_Noreturn void image_exit(int status);

/* Cycles of the counter since image_init, and how many make a second. */
uint64_t image_cycles(void);
uint32_t image_cycles_hz(void);

/*
 * Runs a loop of exactly two instructions per iteration (a subtract and a
 * branch back), iterations >= 1 times, and returns the cycles it took with
 * the fixed cost of reading the counter: a known instruction count that
 * validates the measurement.
 */
uint64_t image_calibrate(uint32_t iterations);

/* The deepest the C stack has been, in bytes (0 where unknown). */
size_t image_stack_peak(void);

/* The image itself: runs and returns the exit status. */
int spec_main(void);

#endif
