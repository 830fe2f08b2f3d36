/*
 * A small command line on the console, so a person (or a scenario) at a
 * board's serial console can ask it things: help, info, reset, fault.
 */
#ifndef SHELL_H
#define SHELL_H

#include "fmt.h"
#include "uplink.h"

void shell_init(const struct uplink *uplink);
/* Adds a line to `info`: describe writes it (no line ending) into f. */
void shell_set_status(void (*describe)(const void *ctx, struct fmt *f), const void *ctx);
void shell_poll(void);

/* Prints a line that did not come from a command (an event), on its own
 * line even while the prompt shows, then restores the prompt and what was
 * typed so far. text has no line ending. */
void shell_notice(const char *text);

#endif
