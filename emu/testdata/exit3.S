/*
 * exit3.S: a Cortex-M3 image that ends QEMU through semihosting
 * (SYS_EXIT_EXTENDED) with exit code 3, for the test-verdict path.
 */
	.syntax unified
	.cpu cortex-m3
	.thumb

	.section .vectors, "a"
	.word 0x20010000
	.word reset

	.text
	.thumb_func
	.global reset
reset:
	movs r0, #0x20		/* SYS_EXIT_EXTENDED */
	adr r1, block
	bkpt 0xab
1:	b 1b

	.align 2
block:
	.word 0x20026		/* ADP_Stopped_ApplicationExit */
	.word 3			/* exit code */
