/* Host test of firmware/core/appslot.c behind the protocol client: a
 * scripted gateway deploys, stops and messages apps (the samples, built by
 * apps/Makefile) through the client's byte stream, and checks every answer
 * the device sends. The app runtime and the interpreter are the real ones,
 * over a fake HAL.
 * Usage: appslot_test testdata */
#include "abi.h"
#include "appslot.h"
#include "check.h"
#include "fake_hal.h"
#include "sample_file.h"
#include "sha2.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- The stream ---- */

static uint8_t down[1 << 17], up[1 << 16];
static size_t down_len, down_off, up_len, up_off;

static size_t pipe_read(void *ctx, uint8_t *buf, size_t cap)
{
	(void)ctx;
	size_t n = down_len - down_off < cap ? down_len - down_off : cap;
	memcpy(buf, down + down_off, n);
	down_off += n;
	return n;
}

static size_t pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	size_t n = sizeof up - up_len < len ? sizeof up - up_len : len;
	memcpy(up + up_len, buf, n);
	up_len += n;
	return n;
}

static uint64_t gw_id;

static uint64_t gw_send(uint8_t tag, struct proto_gateway_msg *m)
{
	m->tag = tag;
	m->msg_id = ++gw_id;
	size_t n = proto_encode_from_gateway(m, down + down_len, sizeof down - down_len);
	CHECK(n > 0);
	down_len += n;
	return m->msg_id;
}

/* ---- The device ---- */

static uint8_t module[4096];
static uint8_t memory[65536] __attribute__((aligned(8)));
static uint8_t arena[4096] __attribute__((aligned(8)));
static uint64_t stack[512];
static struct wasm_frame frames[64];
static struct appslot slot;
static struct client cl;
static struct rng rng;
static char console_line[512];

static void console(const char *line)
{
	snprintf(console_line, sizeof console_line, "%s", line);
}

/* Runs the device until it has read everything and its app waits. */
static void run(void)
{
	for (int i = 0; i < 1000; i++) {
		CHECK(client_poll(&cl, now_us));
		uint64_t next = appslot_poll(&slot, now_us);
		CHECK(client_poll(&cl, now_us));
		if (down_off == down_len && next > now_us) {
			return;
		}
	}
}

/* The next message the device sent, other than a Heartbeat; false if none. */
static bool dev_next(struct proto_device_msg *m)
{
	static uint8_t msg[PROTO_MAX_MESSAGE];
	for (;;) {
		if (up_len - up_off < PROTO_PREFIX) {
			return false;
		}
		const uint8_t *p = up + up_off;
		size_t n = PROTO_PREFIX + ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
		if (!CHECK(up_len - up_off >= n)) {
			return false;
		}
		memcpy(msg, p, n);
		up_off += n;
		if (!CHECK_EQ(proto_decode_from_device(msg, n, m), PROTO_OK)) {
			return false;
		}
		if (m->tag != PROTO_HEARTBEAT) {
			return true;
		}
	}
}

static bool str_is(struct proto_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static bool str_starts(struct proto_str s, const char *want)
{
	return s.len >= strlen(want) && memcmp(s.p, want, strlen(want)) == 0;
}

/* ---- The gateway's steps ---- */

struct deploy {
	const uint8_t *bytes;
	size_t len;      /* bytes sent */
	uint64_t size;   /* announced */
	size_t chunk;
	size_t skip_at;  /* a chunk starting here is not sent (0: none) */
	bool bad_hash;
};

static uint8_t app_id[PROTO_ID_LEN];

/* Sends a deploy and returns the commit's msg_id. */
static uint64_t deploy(struct deploy d)
{
	uint8_t sum[PROTO_KEY_LEN];
	sha256(d.bytes, d.len, sum);
	memcpy(app_id, sum, sizeof app_id);
	if (d.bad_hash) {
		sum[31] ^= 1u;
	}
	struct proto_gateway_msg m = {0};
	m.u.deploy_application = (struct proto_deploy_application){app_id, {(const uint8_t *)"app", 3}, d.size, sum};
	gw_send(PROTO_DEPLOY_APPLICATION, &m);
	for (size_t off = 0; off < d.len; off += d.chunk) {
		if (d.skip_at != 0 && off == d.skip_at) {
			continue;
		}
		m = (struct proto_gateway_msg){0};
		size_t n = d.len - off < d.chunk ? d.len - off : d.chunk;
		m.u.deploy_chunk = (struct proto_deploy_chunk){app_id, off, {d.bytes + off, n}};
		gw_send(PROTO_DEPLOY_CHUNK, &m);
	}
	m = (struct proto_gateway_msg){0};
	m.u.deploy_commit.app_id = app_id;
	return gw_send(PROTO_DEPLOY_COMMIT, &m);
}

/* Expects the commit's answer: ok, or an error that starts with want. */
static void expect_ack(uint64_t msg_id, const char *want)
{
	struct proto_device_msg m;
	if (!CHECK(dev_next(&m)) || !CHECK_EQ(m.tag, PROTO_APPLICATION_DEPLOY_ACK)) {
		return;
	}
	CHECK_EQ(m.msg_id, msg_id);
	CHECK(memcmp(m.u.deploy_ack.app_id, app_id, sizeof app_id) == 0);
	CHECK_EQ(m.u.deploy_ack.ok, want == NULL);
	if (want != NULL && !CHECK(str_starts(m.u.deploy_ack.error, want))) {
		fprintf(stderr, "    error %.*s, want %s\n", (int)m.u.deploy_ack.error.len, m.u.deploy_ack.error.p, want);
	}
}

static void expect_error(uint64_t msg_id, uint64_t code)
{
	struct proto_device_msg m;
	if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_DEVICE_ERROR)) {
		CHECK_EQ(m.msg_id, msg_id);
		CHECK_EQ(m.u.error.code, code);
	}
}

static uint8_t samples[8][4096];
static size_t sample_len[8];

static const uint8_t *sample(const char *dir, int i, const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/../apps/build/samples/%s.wasm", dir, name);
	sample_len[i] = read_sample("appslot_test", path, samples[i], sizeof samples[i]);
	*len = sample_len[i];
	return samples[i];
}

static void start_session(void)
{
	static const uint8_t seed[32] = {9};
	static const uint8_t build_id[20];
	static struct client_info info = {"native", "0.0.0", build_id, sizeof build_id, 4096, NULL, 0, NULL, NULL,
					  &appslot_client, &slot};
	rng_init(&rng, seed, 0, NULL, 0);
	struct app_buffers buf = {module, sizeof module, memory, sizeof memory, arena, sizeof arena,
				  stack, 512, frames, 64};
	appslot_init(&slot, &buf, (struct app_host){.rng = &rng, .device_name = "dev", .device_name_len = 3}, console);
	client_init(&cl, &info, 1000, 3);
	client_start(&cl, (struct client_io){pipe_read, pipe_write, NULL}, now_us);
	struct proto_gateway_msg m = {0};
	m.u.enrollment_accepted.heartbeat_ms = 1000;
	gw_send(PROTO_ENROLLMENT_ACCEPTED, &m);
	run();
	struct proto_device_msg d;
	CHECK(dev_next(&d) && d.tag == PROTO_ENROLLMENT_REQUEST);
	CHECK(dev_next(&d) && d.tag == PROTO_DEVICE_INFO);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	size_t hello_len, echo_len;
	const uint8_t *hello = sample(argv[1], 0, "hello", &hello_len);
	const uint8_t *echo = sample(argv[1], 1, "echo", &echo_len);
	now_us = 1000;
	start_session();

	/* A good deploy in chunks: acknowledged, it runs, what it logs and its
	 * end come as messages of the device's own. */
	uint64_t id = deploy((struct deploy){hello, hello_len, hello_len, 100, 0, false});
	run();
	expect_ack(id, NULL);
	struct proto_device_msg m;
	if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_APP_EVENT)) {
		CHECK_EQ(m.u.app_event.kind, PROTO_EVENT_LOG);
		CHECK(str_is(m.u.app_event.data, "hello from dev"));
	}
	if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_APPLICATION_STATUS)) {
		CHECK_EQ(m.u.application_status.state, APP_STOPPED);
	}
	CHECK(strcmp(console_line, "app app: returned") == 0);

	/* Each way a deploy goes wrong is answered at its commit, and leaves
	 * the slot Failed with the reason. */
	id = deploy((struct deploy){hello, hello_len, hello_len, 100, 100, false});
	run();
	expect_ack(id, "a chunk at offset 200, expected 100");
	CHECK_EQ(slot.app.state, APP_FAILED);
	id = deploy((struct deploy){hello, hello_len, hello_len - 10, 100, 0, false});
	run();
	expect_ack(id, "the chunks run past the app's");
	id = deploy((struct deploy){hello, hello_len - 10, hello_len, 100, 0, false});
	run();
	expect_ack(id, "got ");
	id = deploy((struct deploy){hello, hello_len, hello_len, 100, 0, true});
	run();
	expect_ack(id, "SHA-256 mismatch");
	id = deploy((struct deploy){hello, 0, sizeof module + 1, 100, 0, false});
	run();
	expect_ack(id, "the app is 4097 bytes, this board takes at most 4096");
	static const uint8_t junk[] = "not a module at all";
	id = deploy((struct deploy){junk, sizeof junk, sizeof junk, 8, 0, false});
	run();
	expect_ack(id, "malformed module at 0x");

	/* A chunk or commit of another app, and a message to an app that
	 * does not run, are refused with Error unexpected. */
	struct proto_gateway_msg g = {0};
	static const uint8_t other[PROTO_ID_LEN] = {0xee};
	g.u.deploy_chunk = (struct proto_deploy_chunk){other, 0, {junk, 4}};
	id = gw_send(PROTO_DEPLOY_CHUNK, &g);
	run();
	expect_error(id, PROTO_ERR_UNEXPECTED);
	g = (struct proto_gateway_msg){0};
	g.u.app_message = (struct proto_app_message){app_id, {junk, 4}};
	id = gw_send(PROTO_APP_MESSAGE, &g);
	run();
	expect_error(id, PROTO_ERR_UNEXPECTED);

	/* echo takes messages in order and publishes them back; a message
	 * that finds the inbox full is refused. */
	id = deploy((struct deploy){echo, echo_len, echo_len, 1024, 0, false});
	run();
	expect_ack(id, NULL);
	static uint8_t big[PROTO_MAX_EVENT_DATA];
	memset(big, 'b', sizeof big);
	uint64_t ids[3];
	for (int i = 0; i < 3; i++) {
		g = (struct proto_gateway_msg){0};
		g.u.app_message = (struct proto_app_message){app_id, {big, sizeof big}};
		ids[i] = gw_send(PROTO_APP_MESSAGE, &g);
	}
	while (down_off < down_len) {
		CHECK(client_poll(&cl, now_us)); /* all three arrive before the app runs */
	}
	expect_error(ids[2], PROTO_ERR_UNEXPECTED);
	for (int i = 0; i < 2; i++) {
		now_us += 20000;
		run();
		if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_APP_EVENT)) {
			CHECK_EQ(m.u.app_event.kind, PROTO_EVENT_PUBLISH);
			CHECK(str_is(m.u.app_event.topic, "echo"));
			CHECK_EQ(m.u.app_event.data.len, sizeof big);
		}
	}

	/* The status on request, then a stop: the slot is empty. */
	g = (struct proto_gateway_msg){0};
	g.u.request_application_status.app_id = app_id;
	id = gw_send(PROTO_REQUEST_APPLICATION_STATUS, &g);
	run();
	if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_APPLICATION_STATUS)) {
		CHECK_EQ(m.msg_id, id);
		CHECK(m.u.application_status.state == APP_SLEEPING || m.u.application_status.state == APP_RUNNING);
	}
	g = (struct proto_gateway_msg){0};
	g.u.stop_application.app_id = app_id;
	id = gw_send(PROTO_STOP_APPLICATION, &g);
	run();
	if (CHECK(dev_next(&m)) && CHECK_EQ(m.tag, PROTO_APPLICATION_STOP_ACK)) {
		CHECK_EQ(m.msg_id, id);
		CHECK(m.u.stop_ack.ok);
	}
	CHECK(!slot.has_id);
	CHECK_EQ(slot.app.state, APP_NONE);
	struct proto_apps apps;
	appslot_client.status(&slot, &apps);
	CHECK_EQ(apps.n, 0);
	CHECK(!dev_next(&m));

	/* APPSLOT_MSG_MAX holds the longest AppEvent, with the largest msg_id. */
	static uint8_t topic[WASMBED_MAX_TOPIC], data[WASMBED_MAX_PUBLISH], out[PROTO_MAX_MESSAGE];
	struct proto_device_msg e = {.msg_id = UINT64_MAX, .tag = PROTO_APP_EVENT};
	e.u.app_event = (struct proto_app_event){app_id, PROTO_EVENT_PUBLISH, {topic, sizeof topic}, {data, sizeof data}};
	size_t n = proto_encode_from_device(&e, out, sizeof out);
	CHECK(n > 0 && n <= APPSLOT_MSG_MAX);
	return check_report("appslot");
}
