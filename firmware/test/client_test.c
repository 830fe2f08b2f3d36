/* Host test of firmware/core/client.c: the client talks to a scripted
 * gateway through an in-memory byte pipe, on a fake clock. The gateway's
 * messages are encoded with proto_encode_from_gateway (or built by hand
 * with cbor.h when they must be wrong), and everything the client sends is
 * decoded with proto_decode_from_device, which must accept it.
 * Usage: client_test [testdata]   (the argument is ignored) */
#include "client.h"
#include "cbor.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MS 1000u      /* µs */
#define WAIT ((uint64_t)CLIENT_MIN_ENROLL_WAIT_MS * MS) /* the shortest enrollment wait per interval */
#define PIPE_MAX 65536u

/* Both directions of the stream, with knobs for backpressure. */
struct pipe {
	uint8_t up[PIPE_MAX]; /* device → gateway */
	size_t up_len, up_taken;
	uint8_t down[PIPE_MAX]; /* gateway → device */
	size_t down_len, down_read;
	size_t read_chunk;   /* most bytes one read returns; 0: no limit */
	size_t write_chunk;  /* most bytes one write takes; 0: no limit */
	size_t write_budget; /* bytes writes take until the test refills it */
};

static struct pipe pipe_;
static struct client cl;
static uint64_t now;

static size_t min(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* n, at most limit unless limit is 0 (no limit). */
static size_t min_limit(size_t n, size_t limit)
{
	return limit != 0 ? min(n, limit) : n;
}

static size_t pipe_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct pipe *p = ctx;
	size_t n = min_limit(min(cap, p->down_len - p->down_read), p->read_chunk);
	memcpy(buf, p->down + p->down_read, n);
	p->down_read += n;
	return n;
}

static size_t pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct pipe *p = ctx;
	size_t n = min(min_limit(min(len, p->write_budget), p->write_chunk), PIPE_MAX - p->up_len);
	memcpy(p->up + p->up_len, buf, n);
	p->up_len += n;
	p->write_budget -= n;
	return n;
}

static void gw_raw(const uint8_t *b, size_t n)
{
	if (CHECK(n <= PIPE_MAX - pipe_.down_len)) {
		memcpy(pipe_.down + pipe_.down_len, b, n);
		pipe_.down_len += n;
	}
}

static void gw_send(uint64_t msg_id, uint8_t tag, const struct proto_gateway_msg *fields)
{
	struct proto_gateway_msg m = {0};
	if (fields != NULL) {
		m = *fields;
	}
	m.msg_id = msg_id;
	m.tag = tag;
	uint8_t buf[PROTO_MAX_MESSAGE];
	size_t n = proto_encode_from_gateway(&m, buf, sizeof buf);
	CHECK(n > 0);
	gw_raw(buf, n);
}

static void gw_ack(uint64_t msg_id, uint64_t seq)
{
	struct proto_gateway_msg m = {.u.heartbeat_ack.seq = seq};
	gw_send(msg_id, PROTO_HEARTBEAT_ACK, &m);
}

/* Builds [version, msg_id, [tag, bstr of pad bytes]] with its prefix. */
static size_t raw_msg(uint8_t *out, size_t cap, uint64_t version, uint64_t msg_id, uint64_t tag, size_t pad)
{
	struct cbor_writer w = cbor_writer_init(out + PROTO_PREFIX, cap - PROTO_PREFIX);
	cbor_put_head(&w, CBOR_ARRAY, 3);
	cbor_put_head(&w, CBOR_UINT, version);
	cbor_put_head(&w, CBOR_UINT, msg_id);
	cbor_put_head(&w, CBOR_ARRAY, 2);
	cbor_put_head(&w, CBOR_UINT, tag);
	static const uint8_t zeros[PROTO_MAX_ENVELOPE];
	cbor_put_string(&w, CBOR_BSTR, zeros, pad);
	CHECK(!w.bad);
	size_t n = (size_t)(w.p - out) - PROTO_PREFIX;
	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	return PROTO_PREFIX + n;
}

static void gw_raw_msg(uint64_t version, uint64_t msg_id, uint64_t tag, size_t pad)
{
	static uint8_t buf[PROTO_MAX_MESSAGE + 64];
	gw_raw(buf, raw_msg(buf, sizeof buf, version, msg_id, tag, pad));
}

/* Decodes the next message the device sent into m; false (a failed check)
 * if none is complete or it does not decode. The bytes stay in a static
 * buffer so m's strings remain valid until the next call. */
static bool dev_next(struct proto_device_msg *m)
{
	static uint8_t msg[PIPE_MAX];
	size_t left = pipe_.up_len - pipe_.up_taken;
	if (!CHECK(left >= PROTO_PREFIX)) {
		return false;
	}
	const uint8_t *p = pipe_.up + pipe_.up_taken;
	size_t n = PROTO_PREFIX + ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
	if (!CHECK(left >= n)) {
		return false;
	}
	memcpy(msg, p, n);
	pipe_.up_taken += n;
	return CHECK_EQ(proto_decode_from_device(msg, n, m), PROTO_OK);
}

static bool dev_silent(void)
{
	return pipe_.up_taken == pipe_.up_len;
}

/* Expects an Error with this code and msg_id next. */
static void expect_error(uint64_t code, uint64_t msg_id)
{
	struct proto_device_msg m;
	if (dev_next(&m) && CHECK_EQ(m.tag, PROTO_DEVICE_ERROR)) {
		CHECK_EQ(m.u.error.code, code);
		CHECK_EQ(m.msg_id, msg_id);
		CHECK(m.u.error.message.len > 0);
	}
}

static const char *const caps[] = {"tls", "wasm"};
static const uint8_t build_id[] = {0xde, 0xad, 0xbe, 0xef};

static void sample(void *ctx, uint64_t *free_ram, struct proto_uints *counters)
{
	const struct client *c = ctx;
	*free_ram = 4242;
	counters->n = PROTO_COUNTERS;
	for (size_t i = 0; i < PROTO_COUNTERS; i++) {
		counters->v[i] = 10u + i;
	}
	counters->v[PROTO_COUNTERS - 1] = c->last_rtt_us; /* the caller reports the rtt */
}

static const struct client_info info = {
	.board = "mps2-an385",
	.firmware_version = "0.1.0",
	.build_id = build_id,
	.build_id_len = sizeof build_id,
	.ram = 4u << 20,
	.capabilities = caps,
	.n_capabilities = 2,
	.sample = sample,
	.sample_ctx = &cl,
};

/* Fresh pipe, no limits; a client provisioned with hb_ms, started at t0. */
static void start(uint32_t hb_ms, uint32_t missed, uint64_t t0)
{
	memset(&pipe_, 0, sizeof pipe_);
	pipe_.write_budget = SIZE_MAX;
	now = t0;
	client_init(&cl, &info, hb_ms, missed);
	CHECK_EQ(cl.state, CLIENT_IDLE);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(client_deadline(&cl), UINT64_MAX);
	client_start(&cl, (struct client_io){pipe_read, pipe_write, &pipe_}, now);
}

static void expect_device_info(uint64_t msg_id)
{
	struct proto_device_msg m;
	if (!dev_next(&m) || !CHECK_EQ(m.tag, PROTO_DEVICE_INFO)) {
		return;
	}
	const struct proto_device_info *d = &m.u.device_info;
	CHECK_EQ(m.msg_id, msg_id);
	CHECK(d->board.len == 10 && memcmp(d->board.p, "mps2-an385", 10) == 0);
	CHECK(d->firmware_version.len == 5 && memcmp(d->firmware_version.p, "0.1.0", 5) == 0);
	CHECK(d->build_id.len == 4 && memcmp(d->build_id.p, build_id, 4) == 0);
	CHECK_EQ(d->ram, 4u << 20);
	CHECK_EQ(d->capabilities.n, 2);
	CHECK(d->capabilities.v[1].len == 4 && memcmp(d->capabilities.v[1].p, "wasm", 4) == 0);
}

/* Expects the Heartbeat numbered seq with this msg_id, sent at now. */
static void expect_heartbeat(uint64_t seq, uint64_t msg_id)
{
	struct proto_device_msg m;
	if (!dev_next(&m) || !CHECK_EQ(m.tag, PROTO_HEARTBEAT)) {
		return;
	}
	const struct proto_heartbeat *hb = &m.u.heartbeat;
	CHECK_EQ(m.msg_id, msg_id);
	CHECK_EQ(hb->seq, seq);
	CHECK_EQ(hb->uptime_ms, now / MS);
	CHECK_EQ(hb->free_ram, 4242);
	CHECK_EQ(hb->counters.n, PROTO_COUNTERS);
	CHECK_EQ(hb->counters.v[0], 10);
	CHECK_EQ(hb->counters.v[PROTO_COUNTERS - 1], cl.last_rtt_us);
	CHECK_EQ(hb->apps.n, 0);
}

static const uint8_t uuid[PROTO_ID_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Start, the enrollment exchange, and the first heartbeat (msg_id 3). */
static void enroll(uint32_t hb_ms, uint64_t accepted_ms)
{
	start(hb_ms, 3, 5000 * MS);
	struct proto_device_msg m;
	if (dev_next(&m)) {
		CHECK_EQ(m.tag, PROTO_ENROLLMENT_REQUEST);
		CHECK_EQ(m.msg_id, 1);
	}
	expect_device_info(2);
	CHECK(dev_silent());
	CHECK_EQ(cl.state, CLIENT_ENROLLING);

	now += 30 * MS;
	struct proto_gateway_msg g = {0};
	g.u.device_uuid.uuid = uuid;
	gw_send(1, PROTO_DEVICE_UUID, &g);
	g.u.enrollment_accepted.heartbeat_ms = accepted_ms;
	gw_send(2, PROTO_ENROLLMENT_ACCEPTED, &g);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.state, CLIENT_ENROLLED);
	CHECK(cl.has_uuid);
	CHECK_MEM(cl.uuid, uuid, sizeof uuid);
	expect_heartbeat(1, 3);
	CHECK(dev_silent());
}

static void test_enrollment(void)
{
	enroll(2000, 500);
	CHECK_EQ(cl.heartbeat_ms, 500);
	CHECK_EQ(client_deadline(&cl), now + 500 * MS);
	CHECK(strcmp(client_state_name(cl.state), "enrolled") == 0);

	/* 0 keeps the provisioned interval. */
	enroll(2000, 0);
	CHECK_EQ(cl.heartbeat_ms, 2000);
	CHECK_EQ(client_deadline(&cl), now + 2000 * MS);

	/* A new session starts over: msg_ids from 1, seq from 0; the uuid
	 * stays known. */
	client_start(&cl, cl.io, now);
	CHECK_EQ(cl.state, CLIENT_ENROLLING);
	CHECK_EQ(cl.seq, 0);
	CHECK(cl.has_uuid);
	struct proto_device_msg m;
	if (dev_next(&m)) {
		CHECK_EQ(m.tag, PROTO_ENROLLMENT_REQUEST);
		CHECK_EQ(m.msg_id, 1);
	}
	expect_device_info(2);
}

static void test_heartbeat_grid(void)
{
	enroll(1000, 100);
	uint64_t t0 = now;
	CHECK_EQ(client_deadline(&cl), t0 + 100 * MS);

	now = t0 + 100 * MS - 1; /* not yet */
	CHECK(client_poll(&cl, now));
	CHECK(dev_silent());

	now = t0 + 100 * MS; /* exactly on time */
	CHECK(client_poll(&cl, now));
	expect_heartbeat(2, 4);
	CHECK_EQ(client_deadline(&cl), t0 + 200 * MS);
	gw_ack(10, 2);

	now = t0 + 230 * MS; /* late: the next slot stays on the grid */
	CHECK(client_poll(&cl, now));
	expect_heartbeat(3, 5);
	CHECK(dev_silent());
	CHECK_EQ(client_deadline(&cl), t0 + 300 * MS);
	gw_ack(11, 3);

	now = t0 + 300 * MS + 3 * 100 * MS / 2 - 1; /* slots 300 and 400 missed: one heartbeat, no burst */
	CHECK(client_poll(&cl, now));
	expect_heartbeat(4, 6);
	CHECK(dev_silent());
	CHECK_EQ(client_deadline(&cl), t0 + 500 * MS);
	gw_ack(12, 4);
	CHECK(client_poll(&cl, now));
	CHECK(dev_silent());

	now = t0 + 500 * MS;
	CHECK(client_poll(&cl, now));
	expect_heartbeat(5, 7);
	CHECK_EQ(client_deadline(&cl), t0 + 600 * MS);
	now = t0 + 700 * MS; /* exactly one interval late: slot 600 is skipped too */
	gw_ack(13, 5);
	CHECK(client_poll(&cl, now));
	expect_heartbeat(6, 8);
	CHECK(dev_silent());
	CHECK_EQ(client_deadline(&cl), t0 + 800 * MS);
}

static void test_acks(void)
{
	enroll(1000, 100);
	uint64_t t0 = now;
	CHECK_EQ(cl.acks, 0);
	CHECK_EQ(cl.acked_seq, 0);

	now = t0 + 20 * MS;
	gw_ack(3, 1);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.acks, 1);
	CHECK_EQ(cl.acked_seq, 1);
	CHECK_EQ(cl.last_rtt_us, 20 * MS);
	CHECK(dev_silent());

	now = t0 + 100 * MS;
	CHECK(client_poll(&cl, now));
	expect_heartbeat(2, 4);
	now += 7 * MS;
	gw_ack(4, 1); /* a late ack of an older heartbeat: counts, no rtt */
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.acks, 2);
	CHECK_EQ(cl.acked_seq, 1);
	CHECK_EQ(cl.last_rtt_us, 20 * MS);
	gw_ack(5, 2);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.acks, 3);
	CHECK_EQ(cl.acked_seq, 2);
	CHECK_EQ(cl.last_rtt_us, 7 * MS);

	/* An ack of a heartbeat never sent is refused and does not count. */
	gw_ack(6, 3);
	gw_ack(7, 0);
	CHECK(client_poll(&cl, now));
	expect_error(PROTO_ERR_BAD_FIELD, 6);
	expect_error(PROTO_ERR_BAD_FIELD, 7);
	CHECK_EQ(cl.acks, 3);

	/* The next heartbeat reports the rtt through the sample callback. */
	now = t0 + 200 * MS;
	CHECK(client_poll(&cl, now));
	expect_heartbeat(3, 5);
}

static void test_missed_acks(void)
{
	/* No ack at all: the session ends N intervals after enrollment. */
	enroll(1000, 100);
	uint64_t t0 = now;
	for (unsigned i = 1; i < 3; i++) {
		now = t0 + i * 100 * MS;
		CHECK(client_poll(&cl, now));
		expect_heartbeat(1 + i, 3 + i);
	}
	CHECK_EQ(client_deadline(&cl), t0 + 300 * MS);
	now = t0 + 300 * MS - 1;
	CHECK(client_poll(&cl, now));
	now = t0 + 300 * MS;
	CHECK(!client_poll(&cl, now));
	CHECK_EQ(cl.state, CLIENT_FAILED);
	CHECK_EQ(cl.error, CLIENT_ERR_ACK_TIMEOUT);
	CHECK(!client_poll(&cl, now + 1));
	CHECK_EQ(client_deadline(&cl), UINT64_MAX);

	/* An ack, even of an older heartbeat, restarts the count. */
	enroll(1000, 100);
	t0 = now;
	now = t0 + 250 * MS;
	gw_ack(9, 1);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(client_deadline(&cl), t0 + 300 * MS); /* the next heartbeat */
	CHECK(client_poll(&cl, t0 + 550 * MS - 1)); /* sends the heartbeat of slot 300 */
	CHECK_EQ(client_deadline(&cl), t0 + 550 * MS);
	CHECK(!client_poll(&cl, t0 + 550 * MS));
	CHECK_EQ(cl.error, CLIENT_ERR_ACK_TIMEOUT);

	/* The missed limit is configurable. */
	start(100, 5, 0);
	CHECK_EQ(client_deadline(&cl), 5 * WAIT); /* enrollment waits at least CLIENT_MIN_ENROLL_WAIT_MS per interval */
}

static void test_enrollment_timeout(void)
{
	start(200, 3, 1000 * MS);
	CHECK_EQ(client_deadline(&cl), 1000 * MS + 3 * WAIT);
	CHECK(client_poll(&cl, 1000 * MS + 3 * WAIT - 1));
	CHECK(!client_poll(&cl, 1000 * MS + 3 * WAIT));
	CHECK_EQ(cl.state, CLIENT_FAILED);
	CHECK_EQ(cl.error, CLIENT_ERR_ENROLL_TIMEOUT);

	/* An interval longer than the minimum wait is waited N times. */
	start(3 * CLIENT_MIN_ENROLL_WAIT_MS, 3, 0);
	CHECK_EQ(client_deadline(&cl), 9 * WAIT);

	/* The DeviceUuid alone is no answer. */
	start(3 * CLIENT_MIN_ENROLL_WAIT_MS, 3, 0);
	struct proto_gateway_msg g = {.u.device_uuid.uuid = uuid};
	gw_send(1, PROTO_DEVICE_UUID, &g);
	CHECK(client_poll(&cl, 9 * WAIT - 1));
	CHECK(!client_poll(&cl, 9 * WAIT));
}

static void test_rejection(void)
{
	start(1000, 3, 0);
	dev_next(&(struct proto_device_msg){0});
	dev_next(&(struct proto_device_msg){0});
	struct proto_gateway_msg g = {0};
	const char *why = "not today";
	g.u.enrollment_rejected.reason = (struct proto_str){(const uint8_t *)why, strlen(why)};
	gw_send(1, PROTO_ENROLLMENT_REJECTED, &g);
	CHECK(!client_poll(&cl, 10 * MS));
	CHECK_EQ(cl.state, CLIENT_REJECTED);
	CHECK_EQ(cl.error, CLIENT_ERR_REJECTED);
	CHECK(strcmp(cl.reason, why) == 0);
	CHECK(dev_silent());
	CHECK_EQ(client_deadline(&cl), UINT64_MAX);
	CHECK(!client_poll(&cl, 20 * MS));

	/* A long reason is cut at a character boundary; control bytes become
	 * '?'. Bytes 30 and 31 are "é": the 31 bytes kept would split it. */
	start(1000, 3, 0);
	static const char long_why[] = "line\nbreak and a long reason .\xc3\xa9 and more";
	g.u.enrollment_rejected.reason = (struct proto_str){(const uint8_t *)long_why, strlen(long_why)};
	gw_send(1, PROTO_ENROLLMENT_REJECTED, &g);
	CHECK(!client_poll(&cl, 10 * MS));
	CHECK(strcmp(cl.reason, "line?break and a long reason .") == 0);
	CHECK(strlen(cl.reason) < CLIENT_REASON_MAX);
}

static void test_requests_and_errors(void)
{
	enroll(1000, 100);
	uint64_t t0 = now;

	/* RequestDeviceInfo is answered with its msg_id; ours go on. */
	gw_send(77, PROTO_REQUEST_DEVICE_INFO, NULL);
	CHECK(client_poll(&cl, now));
	expect_device_info(77);

	/* A gateway Error is counted. */
	struct proto_gateway_msg g = {0};
	g.u.error.code = PROTO_ERR_INTERNAL;
	g.u.error.message = (struct proto_str){(const uint8_t *)"oops", 4};
	gw_send(78, PROTO_GATEWAY_ERROR, &g);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.errors, 1);
	CHECK_EQ(cl.last_error_code, PROTO_ERR_INTERNAL);
	CHECK(dev_silent());

	/* A board without apps says so at a deploy's commit. */
	static const uint8_t app[PROTO_ID_LEN] = {7};
	g = (struct proto_gateway_msg){0};
	g.u.deploy_commit.app_id = app;
	gw_send(79, PROTO_DEPLOY_COMMIT, &g);
	CHECK(client_poll(&cl, now));
	struct proto_device_msg ack;
	if (dev_next(&ack) && CHECK_EQ(ack.tag, PROTO_APPLICATION_DEPLOY_ACK)) {
		CHECK_EQ(ack.msg_id, 79);
		CHECK(!ack.u.deploy_ack.ok);
		CHECK(memcmp(ack.u.deploy_ack.app_id, app, sizeof app) == 0);
		CHECK(ack.u.deploy_ack.error.len == 23 && memcmp(ack.u.deploy_ack.error.p, "this board runs no apps", 23) == 0);
	}

	/* Not valid now: a second acceptance, a uuid. */
	g = (struct proto_gateway_msg){0};
	gw_send(80, PROTO_ENROLLMENT_ACCEPTED, &g);
	g.u.device_uuid.uuid = uuid;
	gw_send(81, PROTO_DEVICE_UUID, &g);
	/* What the decoder refuses: an unknown tag, a bad field, another
	 * version, bad CBOR, an empty envelope. */
	gw_raw_msg(0, 82, 42, 0);
	static const uint8_t bad_field[] = {0, 0, 0, 7, 0x83, 0x00, 0x18, 83, 0x82, 0x00, 0x40};
	gw_raw(bad_field, sizeof bad_field);
	gw_raw_msg(1, 84, PROTO_REQUEST_DEVICE_INFO, 0);
	static const uint8_t bad_cbor[] = {0, 0, 0, 3, 0xff, 0xff, 0xff};
	gw_raw(bad_cbor, sizeof bad_cbor);
	static const uint8_t empty[] = {0, 0, 0, 0};
	gw_raw(empty, sizeof empty);
	gw_send(85, PROTO_REQUEST_DEVICE_INFO, NULL);
	CHECK(client_poll(&cl, now));
	expect_error(PROTO_ERR_UNEXPECTED, 80);
	expect_error(PROTO_ERR_UNEXPECTED, 81);
	expect_error(PROTO_ERR_UNKNOWN_TAG, 82);
	expect_error(PROTO_ERR_BAD_FIELD, 83);
	expect_error(PROTO_ERR_UNSUPPORTED_VERSION, 0);
	expect_error(PROTO_ERR_MALFORMED, 0);
	expect_error(PROTO_ERR_MALFORMED, 0);
	expect_device_info(85);
	CHECK(dev_silent());
	CHECK_EQ(cl.state, CLIENT_ENROLLED);
	CHECK_EQ(cl.heartbeat_ms, 100);

	/* The session goes on, with our own msg_ids where they were. */
	now = t0 + 100 * MS;
	CHECK(client_poll(&cl, now));
	expect_heartbeat(2, 4);

	/* While enrolling, a HeartbeatAck is unexpected. */
	start(1000, 3, 0);
	dev_next(&(struct proto_device_msg){0});
	dev_next(&(struct proto_device_msg){0});
	gw_ack(5, 1);
	CHECK(client_poll(&cl, 0));
	expect_error(PROTO_ERR_UNEXPECTED, 5);
	CHECK_EQ(cl.state, CLIENT_ENROLLING);
}

static void test_too_large(void)
{
	enroll(1000, 100);
	/* The largest message that fits, then one byte more, then a prefix
	 * over the protocol's limit: each refused one is skipped whole. */
	static uint8_t buf[PROTO_MAX_MESSAGE + 64];
	size_t fits = CLIENT_RX_MAX - PROTO_PREFIX - 9u; /* 9: the most the envelope adds */
	while (raw_msg(buf, sizeof buf, 0, 66, PROTO_REQUEST_DEVICE_INFO, fits + 1u) <= CLIENT_RX_MAX) {
		fits++;
	}
	CHECK_EQ(raw_msg(buf, sizeof buf, 0, 66, PROTO_REQUEST_DEVICE_INFO, fits), CLIENT_RX_MAX);
	gw_raw_msg(0, 66, PROTO_REQUEST_DEVICE_INFO, fits);
	gw_raw_msg(0, 67, PROTO_REQUEST_DEVICE_INFO, fits + 1u);
	gw_send(68, PROTO_REQUEST_DEVICE_INFO, NULL);
	static uint8_t huge[4 + 5000];
	memset(huge, 0x5a, sizeof huge);
	huge[0] = 0, huge[1] = 0, huge[2] = 5000 >> 8, huge[3] = 5000 & 0xff;
	gw_raw(huge, sizeof huge);
	gw_send(69, PROTO_REQUEST_DEVICE_INFO, NULL);
	CHECK(client_poll(&cl, now));
	expect_device_info(66);
	expect_error(PROTO_ERR_TOO_LARGE, 0);
	expect_device_info(68);
	expect_error(PROTO_ERR_TOO_LARGE, 0);
	expect_device_info(69);
	CHECK(dev_silent());
	CHECK_EQ(cl.state, CLIENT_ENROLLED);
}

/* The same exchanges, one byte per read and one per write. */
static void test_byte_at_a_time(void)
{
	memset(&pipe_, 0, sizeof pipe_);
	pipe_.write_budget = SIZE_MAX;
	pipe_.read_chunk = 1;
	pipe_.write_chunk = 1;
	now = 0;
	client_init(&cl, &info, 1000, 3);
	client_start(&cl, (struct client_io){pipe_read, pipe_write, &pipe_}, now);
	struct proto_device_msg m;
	if (dev_next(&m)) {
		CHECK_EQ(m.tag, PROTO_ENROLLMENT_REQUEST);
	}
	expect_device_info(2);
	struct proto_gateway_msg g = {.u.device_uuid.uuid = uuid};
	gw_send(1, PROTO_DEVICE_UUID, &g);
	g.u.enrollment_accepted.heartbeat_ms = 100;
	gw_send(2, PROTO_ENROLLMENT_ACCEPTED, &g);
	gw_raw_msg(0, 3, PROTO_REQUEST_DEVICE_INFO, 2000); /* skipped a byte at a time */
	gw_send(4, PROTO_REQUEST_DEVICE_INFO, NULL);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.state, CLIENT_ENROLLED);
	CHECK_MEM(cl.uuid, uuid, sizeof uuid);
	expect_heartbeat(1, 3);
	expect_error(PROTO_ERR_TOO_LARGE, 0);
	expect_device_info(4);
	CHECK(dev_silent());
	now += 3 * MS;
	gw_ack(5, 1);
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.last_rtt_us, 3 * MS);
}

/* Writes that stop part-way: the rest goes out on later polls, before
 * anything new, and a heartbeat due meanwhile goes out once the buffer
 * frees, without moving the grid. */
static void test_backpressure(void)
{
	memset(&pipe_, 0, sizeof pipe_);
	pipe_.write_budget = 4;
	now = 0;
	client_init(&cl, &info, 1000, 3);
	client_start(&cl, (struct client_io){pipe_read, pipe_write, &pipe_}, now);
	CHECK_EQ(pipe_.up_len, 4);
	for (int i = 0; i < 40; i++) {
		pipe_.write_budget = 3;
		CHECK(client_poll(&cl, now));
	}
	struct proto_device_msg m;
	if (dev_next(&m)) {
		CHECK_EQ(m.tag, PROTO_ENROLLMENT_REQUEST);
	}
	expect_device_info(2);
	CHECK(dev_silent());

	pipe_.write_budget = SIZE_MAX;
	struct proto_gateway_msg g = {0};
	g.u.enrollment_accepted.heartbeat_ms = 100;
	gw_send(1, PROTO_ENROLLMENT_ACCEPTED, &g);
	CHECK(client_poll(&cl, now));
	expect_heartbeat(1, 3);
	uint64_t t0 = now;

	/* A DeviceInfo stuck half-way when the next heartbeat falls due. */
	now = t0 + 50 * MS;
	pipe_.write_budget = 10;
	gw_send(50, PROTO_REQUEST_DEVICE_INFO, NULL);
	gw_ack(51, 1); /* waits behind the stuck reply */
	CHECK(client_poll(&cl, now));
	CHECK_EQ(cl.acks, 0);
	now = t0 + 100 * MS;
	pipe_.write_budget = 0;
	CHECK(client_poll(&cl, now));
	CHECK_EQ(pipe_.up_len - pipe_.up_taken, 10);
	/* No heartbeat deadline while held back; the give-up counts from the
	 * gateway's latest message (the request at 50 ms). */
	CHECK_EQ(client_deadline(&cl), t0 + 350 * MS);
	now = t0 + 130 * MS;
	pipe_.write_budget = SIZE_MAX;
	CHECK(client_poll(&cl, now));
	expect_device_info(50);
	expect_heartbeat(2, 4);
	CHECK(dev_silent());
	CHECK_EQ(cl.acks, 1);
	CHECK_EQ(client_deadline(&cl), t0 + 200 * MS);
}

/* Random streams: whatever arrives, the client keeps to its buffers (ASan
 * watches) and sends only messages that decode. */
static void test_random_streams(void)
{
	uint32_t x = 12345;
	for (int round = 0; round < 200; round++) {
		memset(&pipe_, 0, sizeof pipe_);
		pipe_.write_budget = SIZE_MAX;
		now = 0;
		client_init(&cl, &info, 100, 3);
		client_start(&cl, (struct client_io){pipe_read, pipe_write, &pipe_}, now);
		if (round % 2 == 0) { /* enrolled first, so more tags are valid */
			struct proto_gateway_msg g = {.u.enrollment_accepted.heartbeat_ms = 10};
			gw_send(1, PROTO_ENROLLMENT_ACCEPTED, &g);
		}
		for (int k = 0; k < 30; k++) {
			x = x * 1103515245u + 12345u;
			uint8_t buf[1400];
			size_t body = (x >> 8) % 1300u;
			if (k % 3 == 0) { /* a plausible envelope start */
				gw_raw_msg((x >> 3) % 4u == 0, x >> 20, (x >> 12) % 16u, body % 60u);
				continue;
			}
			buf[0] = 0, buf[1] = 0, buf[2] = (uint8_t)(body >> 8), buf[3] = (uint8_t)body;
			for (size_t i = 4; i < 4 + body; i++) {
				x = x * 1103515245u + 12345u;
				buf[i] = (uint8_t)(x >> 16);
			}
			gw_raw(buf, 4 + body);
		}
		pipe_.read_chunk = 1u + round % 7u;
		for (int step = 0; step < 50 && client_poll(&cl, now); step++) {
			now += 7 * MS;
		}
		while (pipe_.up_len - pipe_.up_taken >= PROTO_PREFIX) {
			struct proto_device_msg m;
			if (!dev_next(&m)) {
				break;
			}
		}
		CHECK(dev_silent());
	}
}

int main(void)
{
	printf("client: sizeof(struct client) = %zu (CLIENT_RX_MAX %u, CLIENT_TX_MAX %u)\n", sizeof(struct client),
	       (unsigned)CLIENT_RX_MAX, (unsigned)CLIENT_TX_MAX);
	test_enrollment();
	test_heartbeat_grid();
	test_acks();
	test_missed_acks();
	test_enrollment_timeout();
	test_rejection();
	test_requests_and_errors();
	test_too_large();
	test_byte_at_a_time();
	test_backpressure();
	test_random_streams();
	return check_report("client");
}
