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

bool uplink_send_data(struct uplink *u, const uint8_t *p, size_t len)
{
	return u->state == UPLINK_UP && send_frame(u, LINK_DATA, p, len);
}

void uplink_restart(struct uplink *u, uint64_t now_us, uint32_t delay_us)
{
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
		if (u->state == UPLINK_UP && u->handler.data != NULL) {
			u->handler.data(u->handler.ctx, payload, len);
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
	if (u->state == UPLINK_HELLO && now_us >= u->next_hello_us) {
		send_hello(u, now_us);
	}
}

uint64_t uplink_deadline(const struct uplink *u)
{
	if (u->tx_off < u->tx_len) {
		return u->last_poll_us + RETRY_TX_US; /* output still queued */
	}
	if (u->state == UPLINK_HELLO) {
		return u->next_hello_us;
	}
	return UINT64_MAX;
}
