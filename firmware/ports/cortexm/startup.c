/*
 * Vector table and reset handler for every Cortex-M port. The table holds
 * the 16 system exceptions and BOARD_IRQ_LINES external interrupts, all of
 * which go through irq_dispatch.
 */
#include <stdint.h>
#include <string.h>

#include "cortexm.h"
#include "board.h"
#include "fw.h"
#include "hal.h"

extern uint32_t __stack_top[];
extern uint8_t __data_start[], __data_end[], __data_source[];
extern uint8_t __bss_start[], __bss_end[];
extern uint8_t __tls_base[], __tdata_size[], __tdata_source[], __tbss_size[];
extern uint32_t __stack_bottom[];

#define STACK_PAINT 0xdeadbeefu

void _set_tls(void *tls);

static void unexpected(void)
{
	Fault_Handler();
}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) const vector vector_table[16 + BOARD_IRQ_LINES] = {
	[0] = (vector)(uintptr_t)__stack_top,
	[1] = Reset_Handler,
	[2] = unexpected,    /* NMI */
	[3] = Fault_Handler, /* HardFault */
	[4] = Fault_Handler, /* MemManage */
	[5] = Fault_Handler, /* BusFault */
	[6] = Fault_Handler, /* UsageFault */
	[7] = Fault_Handler, /* SecureFault (ARMv8-M) */
	[11] = unexpected,   /* SVCall */
	[12] = unexpected,   /* DebugMonitor */
	[14] = unexpected,   /* PendSV */
	[15] = SysTick_Handler,
	[16 ... 16 + BOARD_IRQ_LINES - 1] = irq_dispatch,
};

/* Paints the unused stack so hal_stack_peak can find the high-water mark. */
static void paint_stack(void)
{
	uint32_t *sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	for (uint32_t *p = __stack_bottom; p < sp - 16; p++) {
		*p = STACK_PAINT;
	}
}

size_t hal_stack_peak(void)
{
	const uint32_t *p = __stack_bottom;
	while (p < __stack_top && *p == STACK_PAINT) {
		p++;
	}
	return (size_t)((const uint8_t *)__stack_top - (const uint8_t *)p);
}

size_t hal_entropy(uint8_t *out, size_t cap)
{
	(void)out;
	(void)cap;
	return 0; /* no TRNG modelled: the provisioned seed and the reset carry */
}

size_t hal_ram_free(void)
{
	uintptr_t end = BOARD_RAM_BASE + BOARD_RAM_SIZE;
	return (size_t)(end - (uintptr_t)__bss_end) - hal_stack_peak();
}

void Reset_Handler(void)
{
	SCB_VTOR = (uint32_t)(uintptr_t)vector_table;
	paint_stack();
	memcpy(__data_start, __data_source, (size_t)(__data_end - __data_start));
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
	/* picolibc keeps errno in thread-local storage. */
	memcpy(__tls_base, __tdata_source, (size_t)(uintptr_t)__tdata_size);
	memset(__tls_base + (uintptr_t)__tdata_size, 0, (size_t)(uintptr_t)__tbss_size);
	_set_tls(__tls_base);
	fw_main();
}
