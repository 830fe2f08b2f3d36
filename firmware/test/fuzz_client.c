/* libFuzzer harness for the protocol client (core/client.c): the input is
 * what a hostile gateway sends inside the TLS session, delivered in pieces
 * whose sizes come from the input itself, with the clock moving between
 * them. Nothing reads or writes out of bounds, and every byte the client
 * sends back decodes as one well-formed device message. */
#include "client.h"

#include <stdlib.h>
#include <string.h>

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

struct pipe {
	const uint8_t *in;
	size_t in_len, in_off, chunk;
	uint8_t out[PROTO_MAX_MESSAGE];
	size_t out_len;
	size_t write_cap; /* backpressure: bytes taken per write */
};

static size_t pipe_read(void *ctx, uint8_t *buf, size_t cap)
{
	struct pipe *p = ctx;
	size_t n = p->in_len - p->in_off;
	n = n < cap ? n : cap;
	n = n < p->chunk ? n : p->chunk;
	memcpy(buf, p->in + p->in_off, n);
	p->in_off += n;
	return n;
}

/* Collects the client's output and checks each complete message. */
static size_t pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct pipe *p = ctx;
	size_t n = len < p->write_cap ? len : p->write_cap;
	for (size_t i = 0; i < n; i++) {
		require(p->out_len < sizeof p->out);
		p->out[p->out_len++] = buf[i];
		if (p->out_len >= PROTO_PREFIX) {
			size_t want = PROTO_PREFIX + ((size_t)p->out[0] << 24 | (size_t)p->out[1] << 16 | (size_t)p->out[2] << 8 | p->out[3]);
			require(want <= sizeof p->out);
			if (p->out_len == want) {
				static struct proto_device_msg m;
				require(proto_decode_from_device(p->out, want, &m) == PROTO_OK);
				p->out_len = 0;
			}
		}
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3) {
		return 0;
	}
	static const char *const caps[] = {"tls", "heartbeat"};
	static const uint8_t build_id[20];
	static const struct client_info info = {"native", "0.0.0", build_id, sizeof build_id, 4096, caps, 2, NULL, NULL};
	static struct client c;
	static struct pipe p;
	memset(&p, 0, sizeof p);
	p.chunk = 1u + data[0] % 64u;
	p.write_cap = 1u + data[1] % 256u;
	uint32_t step_ms = data[2];
	p.in = data + 3;
	p.in_len = size - 3;

	client_init(&c, &info, 100, 3);
	uint64_t now = 1000;
	client_start(&c, (struct client_io){pipe_read, pipe_write, &p}, now);
	for (int i = 0; i < 4096 && p.in_off < p.in_len; i++) {
		if (!client_poll(&c, now)) {
			break;
		}
		require(c.rx_len <= CLIENT_RX_MAX && c.tx_off <= c.tx_len && c.tx_len <= CLIENT_TX_MAX);
		now += (uint64_t)step_ms * 1000u;
	}
	return 0;
}
