/* Cortex-M system registers used by the ports (ARMv7-M / ARMv8-M mainline). */
#ifndef CORTEXM_H
#define CORTEXM_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

#define SCB_ICSR  REG32(0xe000ed04u)
#define SCB_VTOR  REG32(0xe000ed08u)
#define SCB_AIRCR REG32(0xe000ed0cu)
#define SCB_SHCSR REG32(0xe000ed24u)
#define SCB_CFSR  REG32(0xe000ed28u)
#define SCB_HFSR  REG32(0xe000ed2cu)
#define SCB_MMFAR REG32(0xe000ed34u)
#define SCB_BFAR  REG32(0xe000ed38u)

#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define AIRCR_VECTKEY  (0x05fau << 16)
#define AIRCR_SYSRESETREQ (1u << 2)

#define SYST_CSR REG32(0xe000e010u)
#define SYST_RVR REG32(0xe000e014u)
#define SYST_CVR REG32(0xe000e018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2)
#define SYST_MAX_RELOAD    0x00ffffffu

#define NVIC_ISER(n) REG32(0xe000e100u + 4u * (n))
#define NVIC_ICER(n) REG32(0xe000e180u + 4u * (n))

static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }

/* Masks interrupts and returns the previous mask, for irq_restore. */
static inline uint32_t irq_save(void)
{
	uint32_t primask;
	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	return primask;
}

static inline void irq_restore(uint32_t primask)
{
	__asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}
static inline void wait_for_interrupt(void) { __asm__ volatile("dsb\n\twfi\n\tisb" ::: "memory"); }

static inline void nvic_enable(uint32_t irq) { NVIC_ISER(irq / 32u) = 1u << (irq % 32u); }

/* Exception entry points, named in the vector table (startup.c). */
void Reset_Handler(void);
void Fault_Handler(void);
void SysTick_Handler(void);
void irq_dispatch(void);

/* Interrupt routing: drivers register a handler for their IRQ lines. */
typedef void (*irq_handler)(void *arg);
void irq_attach(uint32_t irq, irq_handler fn, void *arg);

/* Tickless SysTick time base (systick.c). */
void systick_init(void);
uint64_t systick_now_us(void);
void systick_arm(uint64_t deadline_us);

#endif
