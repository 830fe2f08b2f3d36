#include "uplink.h"

#include <string.h>

#include "board.h"
#include "hal.h"

#define HELLO_FIRST_US 250000u
#define HELLO_MAX_US 2000000u
#define RETRY_TX_US 1000u

void uplink_init(struct uplink *u, uint64_t now_us, struct uplink_handler handler)
{
	memset(u, 0, sizeof *u);
	u->handler = handler;
	u->state = UPLINK_HELLO;
	u->hello_interval_us = HELLO_FIRST_US;
	u->next_hello_us = now_us;
	link_decoder_init(&u->decoder);
}

const char *uplink_state_name(enum uplink_state s)
{
	switch (s) {
	case UPLINK_HELLO:
		return "hello";
	case UPLINK_UP:
		return "up";
	}
	return "?";
}

static void flush(struct uplink *u)
{
	if (u->tx_off < u->tx_len) {
		u->tx_off += hal_link_write(u->tx + u->tx_off, u->tx_len - u->tx_off);
	}
}

/* Queues one frame; false when the previous one is still going out. */
static bool send_frame(struct uplink *u, uint8_t type, const uint8_t *payload, size_t len)
{
	flush(u);
	if (u->tx_off < u->tx_len) {
		return false;
	}
	u->tx[0] = 0; /* ends any partial frame left on the line */
	size_t n = link_encode(type, payload, len, u->tx + 1, sizeof u->tx - 1);
	if (n == 0) {
		return false;
	}
	u->tx_len = n + 1;
	u->tx_off = 0;
	flush(u);
	return true;
}

/* A fresh stream both ways: after a RESET_ACK or when starting over. */
static void stream_reset(struct uplink *u)
{
	u->tx_base = u->tx_next = u->resend = 0;
	u->inflight_bytes = u->acked = 0;
	u->rto_us = 0;
	u->rx_next = 0;
	u->ack_due = false;
	u->held_len = u->held_off = 0;
}

/* Offers held bytes to the layer above; true once none are left. */
static bool deliver_held(struct uplink *u)
{
	if (u->held_off < u->held_len && u->handler.data != NULL) {
		u->held_off += (uint8_t)u->handler.data(u->handler.ctx, u->held + u->held_off, u->held_len - u->held_off);
	}
	return u->held_off >= u->held_len;
}

static bool send_data(struct uplink *u, uint8_t seq, const uint8_t *p, size_t len)
{
	uint8_t payload[1 + UPLINK_CHUNK];
	payload[0] = seq;
	memcpy(payload + 1, p, len);
	return send_frame(u, LINK_DATA, payload, 1 + len);
}

size_t uplink_stream(struct uplink *u, const uint8_t *p, size_t len, uint64_t now_us)
{
	if (u->state != UPLINK_UP) {
		return 0;
	}
	size_t done = u->acked;
	u->acked = 0;
	p += done;
	len -= done < len ? done : len;
	uint8_t count = (uint8_t)(u->tx_next - u->tx_base);
	if (count > 0 && now_us >= u->rto_us) {
		u->resend = 0; /* go back to the oldest frame */
		u->counters.retransmits++;
		u->rto_us = now_us + UPLINK_RTO_US;
	}
	size_t off = 0;
	for (uint8_t i = 0; i < count; i++) {
		uint8_t seq = (uint8_t)(u->tx_base + i);
		uint8_t n = u->inflight_len[seq % UPLINK_WINDOW];
		if (i >= u->resend) {
			if (!send_data(u, seq, p + off, n)) {
				return done;
			}
			u->resend = (uint8_t)(i + 1);
		}
		off += n;
	}
	while (count < UPLINK_WINDOW && u->inflight_bytes < len) {
		size_t n = len - u->inflight_bytes;
		n = n < UPLINK_CHUNK ? n : UPLINK_CHUNK;
		if (!send_data(u, u->tx_next, p + u->inflight_bytes, n)) {
			break;
		}
		u->inflight_len[u->tx_next % UPLINK_WINDOW] = (uint8_t)n;
		u->tx_next++;
		u->resend = (uint8_t)(++count);
		u->inflight_bytes += n;
		if (count == 1) {
			u->rto_us = now_us + UPLINK_RTO_US;
		}
	}
	return done;
}

/* An ACK: every frame before seq next arrived. */
static void stream_ack(struct uplink *u, uint8_t next)
{
	uint8_t k = (uint8_t)(next - u->tx_base);
	uint8_t count = (uint8_t)(u->tx_next - u->tx_base);
	if (k == 0 || k > count) {
		return; /* a duplicate, or stale */
	}
	for (uint8_t i = 0; i < k; i++) {
		size_t n = u->inflight_len[(uint8_t)(u->tx_base + i) % UPLINK_WINDOW];
		u->acked += n;
		u->inflight_bytes -= n;
	}
	u->tx_base = next;
	u->resend = u->resend > k ? (uint8_t)(u->resend - k) : 0;
	u->rto_us = k < count ? u->last_poll_us + UPLINK_RTO_US : 0;
}

/* A DATA frame: in order, it goes up; anything else is dropped. Either way
 * the sender hears what we expect next. */
static void stream_data(struct uplink *u, const uint8_t *payload, size_t len)
{
	if (len < 1) {
		return;
	}
	u->ack_due = true;
	if (payload[0] != u->rx_next || len - 1 > UPLINK_CHUNK || !deliver_held(u)) {
		u->counters.data_dropped++; /* the sender sends it again */
		return;
	}
	u->rx_next++;
	payload++;
	len--;
	size_t n = u->handler.data != NULL ? u->handler.data(u->handler.ctx, payload, len) : len;
	if (n < len) {
		memcpy(u->held, payload + n, len - n);
		u->held_len = (uint8_t)(len - n);
		u->held_off = 0;
	}
}

void uplink_restart(struct uplink *u, uint64_t now_us, uint32_t delay_us)
{
	stream_reset(u);
	u->state = UPLINK_HELLO;
	u->hello_interval_us = HELLO_FIRST_US;
	u->next_hello_us = now_us + delay_us;
}

static void send_hello(struct uplink *u, uint64_t now_us)
{
	uint8_t payload[sizeof BOARD_NAME]; /* version, then the name without NUL */
	payload[0] = LINK_VERSION;
	memcpy(payload + 1, BOARD_NAME, sizeof BOARD_NAME - 1);
	if (!send_frame(u, LINK_RESET, payload, sizeof payload)) {
		u->counters.tx_dropped++;
	}
	u->counters.hellos_sent++;
	u->next_hello_us = now_us + u->hello_interval_us;
	if (u->hello_interval_us < HELLO_MAX_US) {
		u->hello_interval_us *= 2u;
	}
}

static void handle_frame(struct uplink *u, uint8_t type, const uint8_t *payload, size_t len)
{
	u->counters.frames_in++;
	switch (type) {
	case LINK_RESET_ACK:
		if (u->state == UPLINK_HELLO) {
			stream_reset(u);
			u->state = UPLINK_UP;
			if (u->handler.up != NULL) {
				u->handler.up(u->handler.ctx, u->last_poll_us);
			}
		}
		break;
	case LINK_PING:
		u->counters.pings++;
		if (!send_frame(u, LINK_PONG, payload, len)) {
			u->counters.tx_dropped++;
		}
		break;
	case LINK_DATA:
		if (u->state == UPLINK_UP) {
			stream_data(u, payload, len);
		}
		break;
	case LINK_ACK:
		if (u->state == UPLINK_UP && len == 1) {
			stream_ack(u, payload[0]);
		}
		break;
	default:
		break;
	}
}

void uplink_poll(struct uplink *u, uint64_t now_us)
{
	uint8_t buf[64];
	size_t n;
	u->last_poll_us = now_us;
	flush(u);
	while ((n = hal_link_read(buf, sizeof buf)) > 0) {
		for (size_t i = 0; i < n; i++) {
			struct link_frame frame;
			if (link_decoder_feed(&u->decoder, buf[i], &frame)) {
				handle_frame(u, frame.type, frame.payload, frame.len);
			}
		}
	}
	deliver_held(u);
	if (u->ack_due && send_frame(u, LINK_ACK, &u->rx_next, 1)) {
		u->ack_due = false;
	}
	if (u->state == UPLINK_HELLO && now_us >= u->next_hello_us) {
		send_hello(u, now_us);
	}
}

uint64_t uplink_deadline(const struct uplink *u)
{
	if (u->tx_off < u->tx_len || u->ack_due || u->held_off < u->held_len) {
		return u->last_poll_us + RETRY_TX_US; /* output or input still queued */
	}
	if (u->state == UPLINK_HELLO) {
		return u->next_hello_us;
	}
	return u->rto_us != 0 ? u->rto_us : UINT64_MAX;
}
