/*
 * Fault reporting: prints the fault status registers and the stacked
 * registers on the console with polled output (the fault may have come
 * from an interrupt handler, with the transmit queue in any state), then
 * halts. The lab sees the report and restarts the board.
 */
#include <stdint.h>

#include "cortexm.h"
#include "hal.h"
#include "fmt.h"

void fault_report(const uint32_t *frame, uint32_t exc_return);

/* Finds the stacked frame (MSP or PSP, from EXC_RETURN bit 2). */
__attribute__((naked)) void Fault_Handler(void)
{
	__asm__ volatile(
		"tst lr, #4\n\t"
		"ite eq\n\t"
		"mrseq r0, msp\n\t"
		"mrsne r0, psp\n\t"
		"mov r1, lr\n\t"
		"b fault_report\n\t");
}

static void put_reg(const char *name, uint32_t value)
{
	char line[32];
	struct fmt f = fmt_init(line, sizeof line);
	fmt_str(&f, name);
	fmt_str(&f, "=");
	fmt_hex32(&f, value);
	fmt_str(&f, " ");
	hal_console_write_polled(line, fmt_len(&f));
}

void fault_report(const uint32_t *frame, uint32_t exc_return)
{
	irq_disable();
	uint32_t ipsr;
	__asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
	static const char head[] = "\r\n*** HARDFAULT ***\r\n";
	hal_console_write_polled(head, sizeof head - 1);
	put_reg("exception", ipsr & 0x1ffu);
	put_reg("CFSR", SCB_CFSR);
	put_reg("HFSR", SCB_HFSR);
	put_reg("MMFAR", SCB_MMFAR);
	put_reg("BFAR", SCB_BFAR);
	put_reg("EXC_RETURN", exc_return);
	hal_console_write_polled("\r\n", 2);
	static const char *const names[8] = {"r0", "r1", "r2", "r3", "r12", "lr", "pc", "xpsr"};
	for (int i = 0; i < 8; i++) {
		put_reg(names[i], frame[i]);
	}
	static const char tail[] = "\r\n*** board halted ***\r\n";
	hal_console_write_polled(tail, sizeof tail - 1);
	for (;;) {
		wait_for_interrupt();
	}
}
