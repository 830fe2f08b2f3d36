/*
 * A small command line on the console, so a person (or a scenario) at a
 * board's serial console can ask it things: help, info, reset, fault.
 */
#ifndef SHELL_H
#define SHELL_H

#include "uplink.h"

void shell_init(const struct uplink *uplink);
void shell_poll(void);

#endif
