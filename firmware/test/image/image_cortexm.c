/*
 * The test image on a Cortex-M board (image.h), started by the port's
 * startup code (ports/cortexm/startup.c calls fw_main):
 *
 *   console  the board's console UART through its driver (ports/uart.h),
 *            polled: the image takes no UART interrupt
 *   cycles   SysTick on the CPU clock, free-running over its 24 bits; its
 *            interrupt counts the wraps. QEMU derives the count from
 *            virtual time, so under -icount shift=0 (1 ns per instruction)
 *            cycles * 1e9 / BOARD_CPU_CLOCK_HZ is the instructions run,
 *            to within one cycle (40 instructions at 25 MHz)
 *   verdict  semihosting SYS_EXIT, which ends QEMU with a status
 *
 * A fault prints its registers and fails the run, so a broken image ends
 * at once instead of at the test's timeout.
 *
 * Semihosting halts a board that has no debugger attached: test images
 * only, never the firmware.
 */
#include <stdint.h>

#include "board.h"
#include "cortexm.h"
#include "fmt.h"
#include "fw.h"
#include "hal.h"
#include "image.h"
#include "uart.h"

/* Semihosting operations and SYS_EXIT reasons (Arm semihosting 2.0). */
#define SYS_EXIT 0x18u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u
#define ADP_STOPPED_RUNTIME_ERROR_UNKNOWN 0x20023u

static struct uart console;
static uint8_t console_rx[16], console_tx[16];
static volatile uint32_t systick_wraps;

void SysTick_Handler(void)
{
	systick_wraps++;
}

void image_init(void)
{
	ring_init(&console.rx, console_rx, sizeof console_rx);
	ring_init(&console.tx, console_tx, sizeof console_tx);
	uart_init(&console, BOARD_CONSOLE_BASE, BOARD_CONSOLE_IRQ_RX, BOARD_CONSOLE_IRQ_TX);
	SYST_CSR = 0;
	SYST_RVR = SYST_MAX_RELOAD;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
	irq_enable();
}

void image_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			uart_put_polled(&console, '\r');
		}
		uart_put_polled(&console, (uint8_t)s[i]);
	}
}

static uint32_t semihost(uint32_t op, uint32_t arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register uint32_t r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	return r0;
}

/*
 * On 32-bit Arm, SYS_EXIT takes the reason itself in r1 (no parameter
 * block) and QEMU exits with status 0 for ADP_Stopped_ApplicationExit and
 * 1 for any other reason.
 */
_Noreturn void image_exit(int status)
{
	semihost(SYS_EXIT, status == 0 ? ADP_STOPPED_APPLICATION_EXIT : ADP_STOPPED_RUNTIME_ERROR_UNKNOWN);
	for (;;) {
		wait_for_interrupt();
	}
}

/* The interrupt is taken at once, so a wrap between the reads changes the count. */
uint64_t image_cycles(void)
{
	uint32_t wraps, value;
	do {
		wraps = systick_wraps;
		value = SYST_CVR;
	} while (wraps != systick_wraps);
	return (uint64_t)wraps * (SYST_MAX_RELOAD + 1u) + (SYST_MAX_RELOAD - value);
}

uint32_t image_cycles_hz(void)
{
	return BOARD_CPU_CLOCK_HZ;
}

uint64_t image_calibrate(uint32_t iterations)
{
	uint64_t t0 = image_cycles();
	__asm__ volatile("1:\n\t"
			 "subs %0, %0, #1\n\t"
			 "bne 1b"
			 : "+l"(iterations)
			 :
			 : "cc");
	return image_cycles() - t0;
}

/* startup.c paints the stack at reset. */
size_t image_stack_peak(void)
{
	return hal_stack_peak();
}

/* ---- Faults ---- */

void image_fault(const uint32_t *frame);

__attribute__((naked)) void Fault_Handler(void)
{
	__asm__ volatile("tst lr, #4\n\t"
			 "ite eq\n\t"
			 "mrseq r0, msp\n\t"
			 "mrsne r0, psp\n\t"
			 "b image_fault\n\t");
}

void image_fault(const uint32_t *frame)
{
	char line[96];
	struct fmt f = fmt_init(line, sizeof line);
	fmt_str(&f, "\n*** fault: CFSR=");
	fmt_hex32(&f, SCB_CFSR);
	fmt_str(&f, " pc=");
	fmt_hex32(&f, frame[6]);
	fmt_str(&f, " lr=");
	fmt_hex32(&f, frame[5]);
	fmt_str(&f, "\n");
	image_write(line, fmt_len(&f));
	image_exit(1);
}

_Noreturn void fw_main(void)
{
	image_init();
	image_exit(spec_main());
}
