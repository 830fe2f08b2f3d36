/*
 * hello.S: the smallest Cortex-M3 image the emu integration tests need, for
 * the CMSDK UARTs of the MPS2 boards (mps2-an385). It prints "hello\n" on
 * UART0 (console, serial0) and UART1 (link, serial1), then echoes every link
 * byte back. A 1 kHz SysTick wakes the WFI loop: the CMSDK UART model stalls
 * RX when the guest runs no timer (QEMU-NOTES gotcha 1).
 */
	.syntax unified
	.cpu cortex-m3
	.thumb

	.equ UART0, 0x40004000
	.equ UART1, 0x40005000
	.equ DATA, 0x00
	.equ STATE, 0x04	/* bit0 TXFULL, bit1 RXFULL */
	.equ CTRL, 0x08		/* bit0 TX enable, bit1 RX enable */
	.equ BAUDDIV, 0x10
	.equ SYST_CSR, 0xE000E010
	.equ SYST_RVR, 0xE000E014
	.equ SYST_CVR, 0xE000E018

	.section .vectors, "a"
	.word 0x20010000	/* initial stack pointer */
	.word reset
	.rept 13
	.word fault		/* NMI .. PendSV */
	.endr
	.word systick

	.text
	.thumb_func
	.global reset
reset:
	ldr r4, =UART0
	ldr r5, =UART1
	movs r0, #16
	str r0, [r4, #BAUDDIV]
	str r0, [r5, #BAUDDIV]
	movs r0, #3
	str r0, [r4, #CTRL]
	str r0, [r5, #CTRL]

	/* SysTick: CPU clock (25 MHz), 1 kHz, interrupt on. */
	ldr r1, =SYST_RVR
	ldr r0, =24999
	str r0, [r1]
	ldr r1, =SYST_CVR
	movs r0, #0
	str r0, [r1]
	ldr r1, =SYST_CSR
	movs r0, #7
	str r0, [r1]

	mov r0, r4
	bl puts_hello
	mov r0, r5
	bl puts_hello

echo:
	ldr r0, [r5, #STATE]
	tst r0, #2
	beq 1f
	ldr r1, [r5, #DATA]
2:	ldr r0, [r5, #STATE]
	tst r0, #1
	bne 2b
	str r1, [r5, #DATA]
	b echo
1:	wfi
	b echo

/* puts_hello writes "hello\n" to the UART at r0. */
	.thumb_func
puts_hello:
	adr r2, msg
1:	ldrb r1, [r2], #1
	cbz r1, 3f
2:	ldr r3, [r0, #STATE]
	tst r3, #1
	bne 2b
	str r1, [r0, #DATA]
	b 1b
3:	bx lr

	.thumb_func
systick:
	bx lr

	.thumb_func
fault:
	b fault

	.align 2
msg:
	.asciz "hello\n"
