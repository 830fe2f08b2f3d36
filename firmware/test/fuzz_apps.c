/* libFuzzer harness for the device's app slot (core/appslot.c) behind the
 * protocol client, with the real app runtime and interpreter over a fake
 * HAL. The input is a script of a hostile gateway's steps:
 *
 *   0 len16 bytes...       a deploy of these bytes: DeployApplication with
 *                          their true size and SHA-256, chunks of a size the
 *                          next byte picks, DeployCommit
 *   1 len16 bytes...       raw bytes into the session's stream
 *   2 n                    n main-loop passes (the app runs its slices)
 *   3                      StopApplication of the app in the slot
 *   4 len8 bytes...        an AppMessage for the app in the slot
 *
 * Nothing reads or writes out of bounds, the slot keeps its invariants,
 * and every byte the device sends decodes as one device message. */
#include "appslot.h"
#include "fake_hal.h"
#include "sha2.h"

#include <stdlib.h>
#include <string.h>

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

/* ---- The stream: the gateway's bytes in, the device's checked out ---- */

struct pipe {
	uint8_t in[1 << 16];
	size_t in_len, in_off;
	uint8_t out[PROTO_MAX_MESSAGE];
	size_t out_len;
};

static struct pipe p;

static size_t pipe_read(void *ctx, uint8_t *buf, size_t cap)
{
	(void)ctx;
	size_t n = p.in_len - p.in_off < cap ? p.in_len - p.in_off : cap;
	memcpy(buf, p.in + p.in_off, n);
	p.in_off += n;
	return n;
}

static size_t pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		require(p.out_len < sizeof p.out);
		p.out[p.out_len++] = buf[i];
		if (p.out_len >= PROTO_PREFIX) {
			size_t want = PROTO_PREFIX + ((size_t)p.out[0] << 24 | (size_t)p.out[1] << 16 | (size_t)p.out[2] << 8 | p.out[3]);
			require(want <= sizeof p.out);
			if (p.out_len == want) {
				static struct proto_device_msg m;
				require(proto_decode_from_device(p.out, want, &m) == PROTO_OK);
				p.out_len = 0;
			}
		}
	}
	return len;
}

/* Queues one gateway message on the stream. */
static void gw_send(uint8_t tag, struct proto_gateway_msg *m)
{
	static uint64_t msg_id;
	m->tag = tag;
	m->msg_id = ++msg_id;
	size_t room = sizeof p.in - p.in_len;
	size_t n = proto_encode_from_gateway(m, p.in + p.in_len, room);
	p.in_len += n;
}

/* ---- The device ---- */

static uint8_t module[4096];
static uint8_t memory[65536] __attribute__((aligned(8)));
static uint8_t arena[4096] __attribute__((aligned(8)));
static uint64_t stack[256];
static struct wasm_frame frames[32];
static struct appslot slot;
static struct client c;
static struct rng rng;

static void console(const char *line)
{
	require(strlen(line) < 512);
}

static void run(void)
{
	for (int i = 0; i < 64 && client_poll(&c, now_us); i++) {
		now_us += 1000;
		if (p.in_off == p.in_len) {
			break;
		}
	}
	require(slot.queued <= sizeof slot.queue && slot.inboxed <= sizeof slot.inbox);
	require(slot.received <= slot.size || slot.app.state != APP_DEPLOYING);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t seed[32] = {7};
	static const uint8_t build_id[20];
	static struct client_info info = {"native", "0.0.0", build_id, sizeof build_id, 4096, NULL, 0, NULL, NULL,
					  &appslot_client, &slot};
	rng_init(&rng, seed, 0, NULL, 0);
	struct app_buffers buf = {module, sizeof module, memory, sizeof memory, arena, sizeof arena,
				  stack, sizeof stack / sizeof stack[0], frames, sizeof frames / sizeof frames[0]};
	appslot_init(&slot, &buf, (struct app_host){.rng = &rng, .device_name = "fuzz", .device_name_len = 4}, console);
	memset(&p, 0, sizeof p);
	now_us = 1000;
	client_init(&c, &info, 100, 3);
	client_start(&c, (struct client_io){pipe_read, pipe_write, NULL}, now_us);
	struct proto_gateway_msg m = {0};
	m.u.enrollment_accepted.heartbeat_ms = 100;
	gw_send(PROTO_ENROLLMENT_ACCEPTED, &m);
	run();

	const uint8_t *end = data + size;
	while (data < end && c.state == CLIENT_ENROLLED && p.in_len < sizeof p.in - 8192) {
		uint8_t op = *data++ % 5u;
		size_t len = 0;
		if (op == 0 || op == 1) {
			if (end - data < 2) {
				break;
			}
			len = (size_t)data[0] | (size_t)data[1] << 8;
			data += 2;
		} else if (op == 2 || op == 4) {
			if (data == end) {
				break;
			}
			len = *data++;
		}
		if (op != 2 && len > (size_t)(end - data)) {
			len = (size_t)(end - data);
		}
		memset(&m, 0, sizeof m);
		switch (op) {
		case 0: {
			uint8_t sum[32];
			sha256(data, len, sum);
			size_t chunk = 1u + (len > 0 ? data[0] : 0u) % PROTO_MAX_CHUNK;
			m.u.deploy_application.app_id = sum;
			m.u.deploy_application.name = (struct proto_str){(const uint8_t *)"fuzz", 4};
			m.u.deploy_application.size = len;
			m.u.deploy_application.sha256 = sum;
			gw_send(PROTO_DEPLOY_APPLICATION, &m);
			for (size_t off = 0; off < len; off += chunk) {
				memset(&m, 0, sizeof m);
				m.u.deploy_chunk.app_id = sum;
				m.u.deploy_chunk.offset = off;
				m.u.deploy_chunk.data = (struct proto_str){data + off, len - off < chunk ? len - off : chunk};
				gw_send(PROTO_DEPLOY_CHUNK, &m);
			}
			memset(&m, 0, sizeof m);
			m.u.deploy_commit.app_id = sum;
			gw_send(PROTO_DEPLOY_COMMIT, &m);
			data += len;
			break;
		}
		case 1: {
			size_t n = len < sizeof p.in - p.in_len ? len : sizeof p.in - p.in_len;
			memcpy(p.in + p.in_len, data, n);
			p.in_len += n;
			data += len;
			break;
		}
		case 2:
			for (size_t i = 0; i < len; i++) {
				appslot_poll(&slot, now_us);
				client_poll(&c, now_us);
				now_us += 500;
			}
			break;
		case 3:
			m.u.stop_application.app_id = slot.id;
			gw_send(PROTO_STOP_APPLICATION, &m);
			break;
		case 4:
			m.u.app_message.app_id = slot.id;
			m.u.app_message.data = (struct proto_str){data, len};
			gw_send(PROTO_APP_MESSAGE, &m);
			data += len;
			break;
		}
		run();
	}
	return 0;
}
