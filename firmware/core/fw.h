/* The firmware's entry point and identity. */
#ifndef FW_H
#define FW_H

#define FW_VERSION "0.1.0"

/* Runs the firmware; called by each port's startup code. Never returns. */
_Noreturn void fw_main(void);

/* Writes a string to the console. */
void fw_say(const char *s);

/* Prints the boot banner: version, build id, board, CPU, clock and RAM. */
void fw_print_banner(void);

#endif
