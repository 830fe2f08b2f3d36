/*
 * The device's end of the link: says hello (a RESET frame) at boot and
 * repeats it until the lab acknowledges, so early bytes lost while QEMU
 * connects heal by themselves; answers PINGs; counts what it sees.
 *
 * Once up, DATA frames carry one reliable byte stream each way (go-back-N,
 * docs/protocol.md section 1). The sending side keeps no copy: the caller
 * offers its pending bytes on every pass and drops them only when the
 * uplink reports them acknowledged, so the TLS engine's output buffer is
 * also the retransmission buffer.
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

#define UPLINK_CHUNK 64u      /* stream bytes per DATA frame (lab/link.StreamChunk) */
#define UPLINK_WINDOW 8u      /* DATA frames in flight (lab/link.Window) */
#define UPLINK_RTO_US 50000u  /* go back when no ACK advances for this long */

struct uplink_counters {
	uint32_t hellos_sent;
	uint32_t frames_in;
	uint32_t pings;
	uint32_t tx_dropped;
	uint32_t retransmits; /* go-back rounds */
	uint32_t data_dropped; /* DATA frames not taken: another seq expected, over UPLINK_CHUNK, or no room */
};

/* What the layer above (the TLS session) hears from the link. */
struct uplink_handler {
	void (*up)(void *ctx, uint64_t now_us); /* hello acknowledged: a fresh session */
	/* Takes stream bytes; returns how many it took. The rest waits in the
	 * uplink and is offered again on the next poll; meanwhile new DATA
	 * frames are refused (not acknowledged), so the sender holds them. */
	size_t (*data)(void *ctx, const uint8_t *p, size_t len);
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

	/* Sending: frames with seq in [tx_base, tx_next) are in flight. */
	uint8_t tx_base, tx_next, resend; /* resend: frames of this go-back round sent so far */
	uint8_t inflight_len[UPLINK_WINDOW]; /* indexed by seq % UPLINK_WINDOW */
	size_t inflight_bytes;
	size_t acked; /* acknowledged, not yet reported to the caller */
	uint64_t rto_us; /* when to go back; 0 when nothing is in flight */
	/* Receiving: stream bytes the layer above could not take yet. */
	uint8_t rx_next;
	bool ack_due;
	uint8_t held_len, held_off;
	uint8_t held[UPLINK_CHUNK];
};

void uplink_init(struct uplink *u, uint64_t now_us, struct uplink_handler handler);
void uplink_poll(struct uplink *u, uint64_t now_us);
/* Moves the stream: p[0..len) are the caller's bytes not yet acknowledged,
 * the same bytes as at the previous call minus those it dropped. Sends what
 * the window allows, goes back on a timeout, and returns how many leading
 * bytes are now acknowledged: the caller drops them before the next call. */
size_t uplink_stream(struct uplink *u, const uint8_t *p, size_t len, uint64_t now_us);
/* Says hello again after delay_us: the lab then starts a fresh session. */
void uplink_restart(struct uplink *u, uint64_t now_us, uint32_t delay_us);
/* When uplink_poll next has timed work to do. */
uint64_t uplink_deadline(const struct uplink *u);
const char *uplink_state_name(enum uplink_state s);

#endif
