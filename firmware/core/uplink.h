/*
 * The device's end of the link: says hello (a RESET frame) at boot and
 * repeats it until the lab acknowledges, so early bytes lost while QEMU
 * connects heal by themselves; answers PINGs; counts what it sees.
 */
#ifndef UPLINK_H
#define UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "link.h"

enum uplink_state {
	UPLINK_HELLO, /* sending RESET until RESET_ACK */
	UPLINK_UP,    /* acknowledged */
};

struct uplink_counters {
	uint32_t hellos_sent;
	uint32_t frames_in;
	uint32_t pings;
	uint32_t tx_dropped;
};

/* What the layer above (the TLS session) hears from the link. */
struct uplink_handler {
	void (*up)(void *ctx, uint64_t now_us); /* hello acknowledged: a fresh session */
	void (*data)(void *ctx, const uint8_t *p, size_t len);
	void *ctx;
};

struct uplink {
	struct uplink_handler handler;
	enum uplink_state state;
	uint64_t next_hello_us;
	uint64_t last_poll_us;
	uint32_t hello_interval_us;
	struct link_decoder decoder;
	uint8_t tx[1 + LINK_MAX_ENCODED]; /* leading 0x00, then the frame */
	size_t tx_len, tx_off;
	struct uplink_counters counters;
};

void uplink_init(struct uplink *u, uint64_t now_us, struct uplink_handler handler);
void uplink_poll(struct uplink *u, uint64_t now_us);
/* Queues one DATA frame (at most LINK_MAX_PAYLOAD bytes); false while the
 * previous frame is still going out. */
bool uplink_send_data(struct uplink *u, const uint8_t *p, size_t len);
/* Says hello again after delay_us: the lab then starts a fresh session. */
void uplink_restart(struct uplink *u, uint64_t now_us, uint32_t delay_us);
/* When uplink_poll next has timed work to do. */
uint64_t uplink_deadline(const struct uplink *u);
const char *uplink_state_name(enum uplink_state s);

#endif
