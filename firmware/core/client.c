#include "client.h"

#include <string.h>

#include "cbor.h"
#include "cursor.h"

_Static_assert(CLIENT_RX_MAX >= PROTO_PREFIX + 64u && CLIENT_RX_MAX <= PROTO_MAX_MESSAGE,
	       "CLIENT_RX_MAX: room for the enrollment answers, at most one protocol message");
/* A Heartbeat with every counter is under 128 bytes, an Error with its
 * name under 32: neither can fail to fit. */
_Static_assert(CLIENT_TX_MAX >= 128u && CLIENT_TX_MAX <= UINT16_MAX, "CLIENT_TX_MAX");
_Static_assert(CLIENT_REASON_MAX >= 2u, "CLIENT_REASON_MAX");

/* The Error messages we send carry the code's name as their text. */
static const char *const err_names[] = {
	"ok", "malformed", "unknown_tag", "not_enrolled", "too_large",
	"unsupported_version", "bad_field", "unexpected", "internal",
};

/* The states in which each gateway message is valid; any other gets Error
 * unexpected. */
#define IN(state) (1u << (state))
static const uint8_t valid_in[PROTO_GATEWAY_TAGS] = {
	[PROTO_HEARTBEAT_ACK] = IN(CLIENT_ENROLLED),
	[PROTO_DEPLOY_APPLICATION] = IN(CLIENT_ENROLLED),
	[PROTO_DEPLOY_CHUNK] = IN(CLIENT_ENROLLED),
	[PROTO_DEPLOY_COMMIT] = IN(CLIENT_ENROLLED),
	[PROTO_STOP_APPLICATION] = IN(CLIENT_ENROLLED),
	[PROTO_REQUEST_APPLICATION_STATUS] = IN(CLIENT_ENROLLED),
	[PROTO_APP_MESSAGE] = IN(CLIENT_ENROLLED),
	[PROTO_ENROLLMENT_ACCEPTED] = IN(CLIENT_ENROLLING),
	[PROTO_ENROLLMENT_REJECTED] = IN(CLIENT_ENROLLING),
	[PROTO_DEVICE_UUID] = IN(CLIENT_ENROLLING),
	[PROTO_REQUEST_DEVICE_INFO] = IN(CLIENT_ENROLLING) | IN(CLIENT_ENROLLED),
	[PROTO_GATEWAY_ERROR] = IN(CLIENT_ENROLLING) | IN(CLIENT_ENROLLED),
};

static struct proto_str text(const char *s)
{
	struct proto_str t = {(const uint8_t *)s, s != NULL ? strlen(s) : 0};
	return t;
}

static bool session_on(const struct client *c)
{
	return c->state == CLIENT_ENROLLING || c->state == CLIENT_ENROLLED;
}

/* ---- Sending ---- */

static bool tx_free(const struct client *c)
{
	return c->tx_off == c->tx_len;
}

/* Writes the transmit buffer until it is empty or the stream is full. */
static void flush(struct client *c)
{
	while (!tx_free(c)) {
		size_t left = (size_t)(c->tx_len - c->tx_off);
		size_t n = c->io.write(c->io.ctx, c->tx + c->tx_off, left);
		if (n == 0) {
			return;
		}
		c->tx_off = (uint16_t)(c->tx_off + (n < left ? n : left));
	}
	c->tx_len = c->tx_off = 0;
}

static void send_error(struct client *c, uint64_t msg_id, enum proto_err code);

/* Encodes m into the free transmit buffer and starts sending it. A message
 * that cannot be encoded (a DeviceInfo over CLIENT_TX_MAX, more than
 * PROTO_MAX_CAPABILITIES) goes out as Error internal instead. */
static void send_msg(struct client *c, const struct proto_device_msg *m)
{
	size_t n = proto_encode_from_device(m, c->tx, sizeof c->tx);
	if (n == 0 && m->tag != PROTO_DEVICE_ERROR) {
		send_error(c, m->msg_id, PROTO_ERR_INTERNAL);
		return;
	}
	c->tx_len = (uint16_t)n;
	c->tx_off = 0;
	flush(c);
}

static void send_error(struct client *c, uint64_t msg_id, enum proto_err code)
{
	struct proto_device_msg m = {.msg_id = msg_id, .tag = PROTO_DEVICE_ERROR};
	m.u.error.code = code;
	m.u.error.message = text(err_names[code]);
	send_msg(c, &m);
}

static uint64_t own_msg_id(struct client *c)
{
	return c->next_msg_id++;
}

static void send_device_info(struct client *c, uint64_t msg_id)
{
	const struct client_info *in = c->info;
	struct proto_device_msg m = {.msg_id = msg_id, .tag = PROTO_DEVICE_INFO};
	struct proto_device_info *d = &m.u.device_info;
	d->board = text(in->board);
	d->firmware_version = text(in->firmware_version);
	d->build_id = (struct proto_str){in->build_id, in->build_id_len};
	d->ram = in->ram;
	d->capabilities.n = in->n_capabilities; /* the encoder refuses too many */
	for (size_t i = 0; i < in->n_capabilities && i < PROTO_MAX_CAPABILITIES; i++) {
		d->capabilities.v[i] = text(in->capabilities[i]);
	}
	send_msg(c, &m);
}

static uint64_t interval_us(const struct client *c)
{
	return (uint64_t)c->heartbeat_ms * 1000u;
}

static void send_heartbeat(struct client *c, uint64_t now_us)
{
	struct proto_device_msg m = {.msg_id = own_msg_id(c), .tag = PROTO_HEARTBEAT};
	struct proto_heartbeat *hb = &m.u.heartbeat;
	hb->seq = ++c->seq;
	hb->uptime_ms = now_us / 1000u;
	if (c->info->sample != NULL) {
		c->info->sample(c->info->sample_ctx, &hb->free_ram, &hb->counters);
	}
	if (c->info->apps != NULL) {
		c->info->apps->status(c->info->apps_ctx, &hb->apps);
	}
	if (hb->counters.n > PROTO_MAX_COUNTERS) {
		hb->counters.n = PROTO_MAX_COUNTERS;
	}
	c->heartbeat_sent_us = now_us;
	send_msg(c, &m);

	/* The next slot on the grid; if now is already past it, the first
	 * slot after now. */
	uint64_t iv = interval_us(c);
	c->next_heartbeat_us += iv;
	if (c->next_heartbeat_us <= now_us) {
		c->next_heartbeat_us += ((now_us - c->next_heartbeat_us) / iv + 1u) * iv;
	}
}

/* Sends what is owed, oldest first, as the transmit buffer frees; returns
 * whether it is free for an answer. */
static bool send_pending(struct client *c, uint64_t now_us)
{
	flush(c);
	if (tx_free(c) && c->info_owed) {
		c->info_owed = false;
		send_device_info(c, own_msg_id(c));
	}
	if (tx_free(c) && c->state == CLIENT_ENROLLED && now_us >= c->next_heartbeat_us) {
		send_heartbeat(c, now_us);
	}
	const struct client_apps *apps = c->info->apps;
	struct proto_device_msg m;
	while (tx_free(c) && c->state == CLIENT_ENROLLED && apps != NULL && apps->next(c->info->apps_ctx, &m)) {
		m.msg_id = own_msg_id(c);
		send_msg(c, &m);
		apps->sent(c->info->apps_ctx);
	}
	return tx_free(c);
}

/* ---- Receiving ---- */

enum rx_event {
	RX_NONE,      /* no complete message yet */
	RX_MESSAGE,   /* rx[0..rx_len) is one length-prefixed message */
	RX_TOO_LARGE, /* rx[0..4) is a length prefix over the buffer */
};

static uint32_t rx_prefix(const struct client *c)
{
	struct cursor cur = cur_init(c->rx, PROTO_PREFIX);
	return cur_uint(&cur, PROTO_PREFIX);
}

static size_t read_some(struct client *c, uint8_t *buf, size_t want)
{
	size_t n = c->io.read(c->io.ctx, buf, want);
	return n < want ? n : want;
}

/* Reads until a message is complete or the stream has nothing more. It
 * reads no further than the current message, so rx never holds the next. */
static enum rx_event receive(struct client *c)
{
	for (;;) {
		size_t want;
		if (c->rx_skip > 0) {
			want = c->rx_skip < sizeof c->rx ? c->rx_skip : sizeof c->rx;
			size_t n = read_some(c, c->rx, want);
			if (n == 0) {
				return RX_NONE;
			}
			c->rx_skip -= (uint32_t)n;
			continue;
		}
		if (c->rx_len < PROTO_PREFIX) {
			want = PROTO_PREFIX - c->rx_len;
		} else {
			uint32_t n = rx_prefix(c);
			if (n > sizeof c->rx - PROTO_PREFIX) {
				return RX_TOO_LARGE;
			}
			want = PROTO_PREFIX + n - c->rx_len;
			if (want == 0) {
				return RX_MESSAGE;
			}
		}
		size_t n = read_some(c, c->rx + c->rx_len, want);
		if (n == 0) {
			return RX_NONE;
		}
		c->rx_len = (uint16_t)(c->rx_len + n);
	}
}

/* The msg_id of a message the decoder refused, if it refused it after
 * reading the id (step 4 on, proto.h: the envelope is then well-formed and
 * starts [0, msg_id, ...]); 0 otherwise. */
static uint64_t refused_msg_id(const uint8_t *msg, size_t len, enum proto_err err)
{
	if (err != PROTO_ERR_UNKNOWN_TAG && err != PROTO_ERR_BAD_FIELD && err != PROTO_ERR_TOO_LARGE) {
		return 0;
	}
	struct cursor cur = cur_init(msg + PROTO_PREFIX, len - PROTO_PREFIX);
	uint8_t major;
	uint64_t arg;
	cbor_head(&cur, &major, &arg); /* the envelope array */
	cbor_head(&cur, &major, &arg); /* version */
	return cbor_head(&cur, &major, &arg) && major == CBOR_UINT ? arg : 0;
}

/* Copies the reason, cut at a character boundary, control bytes shown as
 * '?' so the console prints it safely. */
static void keep_reason(struct client *c, struct proto_str r)
{
	size_t n = r.len < sizeof c->reason - 1u ? r.len : sizeof c->reason - 1u;
	while (n < r.len && n > 0 && (r.p[n] & 0xc0u) == 0x80u) {
		n--; /* r.p[n] continues a character: cut before it starts */
	}
	for (size_t i = 0; i < n; i++) {
		c->reason[i] = r.p[i] < 0x20u || r.p[i] == 0x7fu ? '?' : (char)r.p[i];
	}
	c->reason[n] = '\0';
}

static void on_heartbeat_ack(struct client *c, uint64_t msg_id, uint64_t seq, uint64_t now_us)
{
	if (seq == 0 || seq > c->seq) {
		send_error(c, msg_id, PROTO_ERR_BAD_FIELD); /* a Heartbeat we never sent */
		return;
	}
	c->acks++;
	c->alive_us = now_us;
	if (seq > c->acked_seq) {
		c->acked_seq = (uint32_t)seq;
	}
	if (seq == c->seq) {
		uint64_t rtt = now_us - c->heartbeat_sent_us;
		c->last_rtt_us = rtt < UINT32_MAX ? (uint32_t)rtt : UINT32_MAX;
	}
}

/* Tells the apps the session is up (enrolled) or over, once each. */
static void apps_session(struct client *c, bool up)
{
	if (c->apps_up != up && c->info->apps != NULL) {
		c->info->apps->session(c->info->apps_ctx, up);
	}
	c->apps_up = up;
}

static void on_accepted(struct client *c, uint64_t heartbeat_ms, uint64_t now_us)
{
	if (heartbeat_ms != 0) {
		c->heartbeat_ms = heartbeat_ms < UINT32_MAX ? (uint32_t)heartbeat_ms : UINT32_MAX;
	}
	c->state = CLIENT_ENROLLED;
	c->next_heartbeat_us = now_us; /* the first heartbeat goes out at once */
	c->alive_us = now_us;
	apps_session(c, true);
}

/* An app message: to the board's apps, or, on a board without, what the
 * gateway must hear from a board that runs none. */
static void on_app_message(struct client *c, const struct proto_gateway_msg *m)
{
	struct proto_device_msg reply = {.msg_id = m->msg_id, .tag = PROTO_DEVICE_TAGS};
	enum proto_err err = PROTO_OK;
	if (c->info->apps != NULL) {
		err = c->info->apps->on_message(c->info->apps_ctx, m, &reply);
	} else if (m->tag == PROTO_DEPLOY_COMMIT) {
		reply.tag = PROTO_APPLICATION_DEPLOY_ACK;
		reply.u.deploy_ack.app_id = m->u.deploy_commit.app_id;
		reply.u.deploy_ack.error = text("this board runs no apps");
	} else if (m->tag == PROTO_STOP_APPLICATION) {
		reply.tag = PROTO_APPLICATION_STOP_ACK;
		reply.u.stop_ack.app_id = m->u.stop_application.app_id;
		reply.u.stop_ack.ok = true;
	} else if (m->tag == PROTO_REQUEST_APPLICATION_STATUS) {
		reply.tag = PROTO_APPLICATION_STATUS;
		reply.u.application_status.app_id = m->u.request_application_status.app_id;
	} else if (m->tag == PROTO_APP_MESSAGE) {
		err = PROTO_ERR_UNEXPECTED; /* no app to take it */
	}
	if (err != PROTO_OK) {
		send_error(c, m->msg_id, err);
	} else if (reply.tag < PROTO_DEVICE_TAGS) {
		reply.msg_id = m->msg_id;
		send_msg(c, &reply);
	}
}

/* Acts on the message in rx and answers it if it must. */
static void handle(struct client *c, uint64_t now_us)
{
	struct proto_gateway_msg m;
	enum proto_err err = proto_decode_from_gateway(c->rx, c->rx_len, &m);
	if (err != PROTO_OK) {
		send_error(c, refused_msg_id(c->rx, c->rx_len, err), err);
		return;
	}
	if (c->state == CLIENT_ENROLLED) {
		/* The gateway is there: a deploy's chunks may hold its
		 * HeartbeatAcks back in the stream for a while. */
		c->alive_us = now_us;
	}
	if ((valid_in[m.tag] & IN(c->state)) == 0) {
		send_error(c, m.msg_id, PROTO_ERR_UNEXPECTED);
		return;
	}
	switch (m.tag) {
	case PROTO_HEARTBEAT_ACK:
		on_heartbeat_ack(c, m.msg_id, m.u.heartbeat_ack.seq, now_us);
		break;
	case PROTO_ENROLLMENT_ACCEPTED:
		on_accepted(c, m.u.enrollment_accepted.heartbeat_ms, now_us);
		break;
	case PROTO_ENROLLMENT_REJECTED:
		keep_reason(c, m.u.enrollment_rejected.reason);
		c->state = CLIENT_REJECTED;
		c->error = CLIENT_ERR_REJECTED;
		break;
	case PROTO_DEVICE_UUID:
		memcpy(c->uuid, m.u.device_uuid.uuid, sizeof c->uuid);
		c->has_uuid = true;
		break;
	case PROTO_REQUEST_DEVICE_INFO:
		send_device_info(c, m.msg_id);
		break;
	case PROTO_DEPLOY_APPLICATION:
	case PROTO_DEPLOY_CHUNK:
	case PROTO_DEPLOY_COMMIT:
	case PROTO_STOP_APPLICATION:
	case PROTO_REQUEST_APPLICATION_STATUS:
	case PROTO_APP_MESSAGE:
		on_app_message(c, &m);
		break;
	case PROTO_GATEWAY_ERROR:
		c->errors++;
		c->last_error_code = m.u.error.code < UINT32_MAX ? (uint32_t)m.u.error.code : UINT32_MAX;
		break;
	}
}

/* ---- Session ---- */

static uint64_t wait_us(const struct client *c)
{
	if (c->state == CLIENT_ENROLLED) {
		return interval_us(c);
	}
	uint32_t ms = c->heartbeat_ms > CLIENT_MIN_ENROLL_WAIT_MS ? c->heartbeat_ms : CLIENT_MIN_ENROLL_WAIT_MS;
	return (uint64_t)ms * 1000u;
}

/* When the gateway's silence ends the session. */
static uint64_t give_up_us(const struct client *c)
{
	return c->alive_us + (uint64_t)c->missed_limit * wait_us(c);
}

void client_init(struct client *c, const struct client_info *info, uint32_t heartbeat_ms,
		 uint32_t missed_limit)
{
	memset(c, 0, sizeof *c);
	c->info = info;
	c->provisioned_ms = heartbeat_ms != 0 ? heartbeat_ms : CLIENT_HEARTBEAT_MS;
	c->heartbeat_ms = c->provisioned_ms;
	c->missed_limit = missed_limit != 0 ? missed_limit : CLIENT_MISSED_LIMIT;
	c->state = CLIENT_IDLE;
}

void client_start(struct client *c, struct client_io io, uint64_t now_us)
{
	apps_session(c, false);
	c->io = io;
	c->state = CLIENT_ENROLLING;
	c->error = CLIENT_OK;
	c->heartbeat_ms = c->provisioned_ms;
	c->alive_us = now_us;
	c->next_heartbeat_us = 0;
	c->heartbeat_sent_us = 0;
	c->next_msg_id = 1;
	c->seq = c->acked_seq = c->acks = c->last_rtt_us = 0;
	c->errors = c->last_error_code = 0;
	c->rx_len = c->tx_len = c->tx_off = 0;
	c->rx_skip = 0;
	c->reason[0] = '\0';

	struct proto_device_msg m = {.msg_id = own_msg_id(c), .tag = PROTO_ENROLLMENT_REQUEST};
	send_msg(c, &m);
	c->info_owed = true;
	send_pending(c, now_us);
}

bool client_poll(struct client *c, uint64_t now_us)
{
	if (c->state == CLIENT_IDLE) {
		return true;
	}
	while (session_on(c) && send_pending(c, now_us)) {
		enum rx_event ev = receive(c);
		if (ev == RX_NONE) {
			break;
		}
		if (ev == RX_TOO_LARGE) {
			c->rx_skip = rx_prefix(c);
			send_error(c, 0, PROTO_ERR_TOO_LARGE);
		} else {
			handle(c, now_us);
		}
		c->rx_len = 0;
	}
	if (session_on(c) && now_us >= give_up_us(c)) {
		c->error = c->state == CLIENT_ENROLLED ? CLIENT_ERR_ACK_TIMEOUT : CLIENT_ERR_ENROLL_TIMEOUT;
		c->state = CLIENT_FAILED;
	}
	if (!session_on(c)) {
		apps_session(c, false);
	}
	return session_on(c);
}

void client_end(struct client *c)
{
	apps_session(c, false);
}

uint64_t client_deadline(const struct client *c)
{
	if (!session_on(c)) {
		return UINT64_MAX;
	}
	uint64_t d = give_up_us(c);
	if (c->state == CLIENT_ENROLLED && tx_free(c) && c->next_heartbeat_us < d) {
		d = c->next_heartbeat_us;
	}
	return d;
}

const char *client_state_name(enum client_state s)
{
	static const char *const names[] = {"idle", "enrolling", "enrolled", "rejected", "failed"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *client_error_name(enum client_error e)
{
	static const char *const names[] = {"ok", "rejected", "no enrollment answer", "no heartbeat ack"};
	return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}
