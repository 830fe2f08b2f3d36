/* libFuzzer harness for the TLS client's record layer and handshake parser.
 * Each input is the server's byte stream. A client is started with a fixed
 * config (fuzz_tls_identity.h) and a deterministic random callback, so its
 * ClientHello (random, session id, key share) is the same every run and a
 * server flight recorded against it (testdata/fuzz/tls/) replays to
 * CONNECTED. tls_start runs once per process; each input starts from a copy.
 *
 * The stream is fed in chunks whose sizes come from the input itself, read
 * backwards from its last byte (so the bytes fed are the input unchanged,
 * and the fuzzer explores records split anywhere). Application data is
 * read with tls_read and echoed with tls_write, and tls_output is drained
 * after every call. Invariants are checked after every call: stage and
 * error in range and consistent, stages only move forward, buffers within
 * their limits, application data only while CONNECTED, progress while the
 * engine can take bytes, and nothing consumed once FAILED.
 *
 * Built by `make -C firmware fuzz`. With -DFUZZ_TLS_REPLAY (and without
 * -fsanitize=fuzzer) it is a replay tool instead:
 *   clang -DFUZZ_TLS_REPLAY -fsanitize=address,undefined <firmware INCLUDES> \
 *       -iquote test <PORTABLE sources> test/fuzz_tls.c -o /tmp/tls_replay
 *   /tmp/tls_replay ../testdata/fuzz/tls/handshake
 * prints the stages each input went through. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve25519.h"
#include "fuzz_tls_identity.h"
#include "tls.h"
#include "x509.h"

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}


/* The client just after tls_start. Starting is deterministic (fixed config,
 * counter reset), so it is done once and every input begins from a copy:
 * its X25519 key generation would otherwise cost more than most runs. */
static struct tls_client started;

static void init_once(void)
{
	static bool done;
	static struct tls_client again;
	if (done) {
		return;
	}
	done = true;
	ed25519_public(device_pub, fuzz_device_seed);
	/* The header's certificate must be for the header's key. */
	struct x509_cert cert;
	require(x509_parse(fuzz_device_cert, sizeof fuzz_device_cert, &cert) == TLS_OK);
	require(memcmp(cert.public_key, device_pub, sizeof device_pub) == 0);

	random_counter = 0;
	require(tls_start(&started, &config) == TLS_OK);
	random_counter = 0;
	require(tls_start(&again, &config) == TLS_OK);
	require(memcmp(&started, &again, sizeof started) == 0); /* tls_start zeroes it all first */
	require(started.stage == TLS_STAGE_WAIT_SERVER_HELLO && started.out_len > 0);
}

static bool in_handshake(enum tls_stage s)
{
	return s >= TLS_STAGE_WAIT_SERVER_HELLO && s < TLS_STAGE_CONNECTED;
}

/* What one run went through, for the replay tool. */
struct run {
	enum tls_stage stage; /* the highest so far: stages only go forward */
	bool connected;       /* reached CONNECTED at some point */
	size_t app_bytes;     /* application data read */
};

static void check(const struct tls_client *c, struct run *r)
{
	require(c->stage >= TLS_STAGE_IDLE && c->stage <= TLS_STAGE_FAILED);
	require(c->error >= TLS_OK && c->error <= TLS_ERR_TOO_LARGE && c->error != TLS_ERR_TIMEOUT);
	require((c->stage == TLS_STAGE_FAILED) == (c->error != TLS_OK));
	require(c->stage >= r->stage);
	r->stage = c->stage;
	r->connected |= c->stage == TLS_STAGE_CONNECTED;
	require(c->out_len <= TLS_OUT_MAX);
	require(c->hs_len <= TLS_IN_MAX && c->in_len <= TLS_IN_MAX - c->hs_len);
	require(c->app_off <= TLS_IN_MAX && c->app_len <= TLS_IN_MAX - c->app_off);
	require(c->app_len == 0 || c->hs_len == 0);
	require(c->app_len == 0 || c->stage == TLS_STAGE_CONNECTED);
	require(c->alert_sent >= -1 && c->alert_sent <= 255);
	require(c->alert_received >= -1 && c->alert_received <= 255);
	require(c->request_context_len <= sizeof c->request_context);
	require(memchr(c->peer_name, '\0', sizeof c->peer_name) != NULL);
}

/* Sends everything queued: the harness is a fast network. */
static void drain(struct tls_client *c, struct run *r)
{
	size_t len;
	const uint8_t *out = tls_output(c, &len);
	require(out != NULL && len == c->out_len && len <= TLS_OUT_MAX);
	tls_output_done(c, len);
	require(c->out_len == 0);
	check(c, r);
}

/* Reads pending application data and echoes it back. */
static void read_app_data(struct tls_client *c, struct run *r)
{
	uint8_t buf[512];
	size_t n;
	while ((n = tls_read(c, buf, sizeof buf)) > 0) {
		require(n <= sizeof buf);
		require(c->stage == TLS_STAGE_CONNECTED);
		r->app_bytes += n;
		check(c, r);
		size_t off = 0;
		while (off < n) {
			size_t w = tls_write(c, buf + off, n - off);
			check(c, r);
			if (w == 0) {
				break;
			}
			require(w <= n - off);
			off += w;
			drain(c, r);
		}
	}
	check(c, r);
}

/* The size of the next chunk, from the byte at the input's back: 1..128,
 * or 16..2048 in steps of 16 when the top bit is set. */
static size_t chunk_size(const uint8_t *data, size_t size, size_t *back)
{
	uint8_t b = data[size - 1 - (*back % size)];
	(*back)++;
	return (b & 0x80) ? ((size_t)(b & 0x7f) + 1) * 16 : (size_t)(b & 0x7f) + 1;
}

static struct run run_one(const uint8_t *data, size_t size)
{
	static struct tls_client c;
	struct run r = {TLS_STAGE_IDLE, false, 0};
	init_once();
	memcpy(&c, &started, sizeof c); /* tls_start(&c, &config) */
	check(&c, &r);
	drain(&c, &r);

	size_t pos = 0, back = 0;
	while (pos < size) {
		size_t n = chunk_size(data, size, &back);
		if (n > size - pos) {
			n = size - pos;
		}
		const uint8_t *chunk = data + pos;
		size_t left = n;
		while (left > 0) {
			enum tls_stage before = c.stage;
			bool app_waiting = c.app_len > 0;
			size_t used = tls_feed(&c, chunk, left);
			require(used <= left);
			check(&c, &r);
			if (before == TLS_STAGE_FAILED) {
				require(used == 0);
			}
			if (used == 0) {
				/* Only unread data, a finished session, or this call
				 * failing it (a record header found too long) stops it. */
				require(app_waiting || !(in_handshake(before) || before == TLS_STAGE_CONNECTED) ||
					c.stage == TLS_STAGE_FAILED);
			}
			chunk += used;
			left -= used;
			read_app_data(&c, &r);
			drain(&c, &r);
			if (used == 0) {
				break;
			}
		}
		pos += n;
		if (c.stage == TLS_STAGE_FAILED || c.stage == TLS_STAGE_CLOSED) {
			/* Nothing more goes in, whatever follows. */
			if (pos < size) {
				require(tls_feed(&c, data + pos, size - pos) == 0);
				check(&c, &r);
			}
			break;
		}
	}

	enum tls_stage before = c.stage;
	tls_close(&c);
	check(&c, &r);
	require(c.stage == before);
	drain(&c, &r);
	tls_wipe(&c);
	return r;
}

#ifdef FUZZ_TLS_REPLAY

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		static uint8_t buf[1 << 20];
		FILE *f = fopen(argv[i], "rb");
		if (f == NULL) {
			perror(argv[i]);
			return 2;
		}
		size_t len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		struct run r = run_one(buf, len);
		printf("%s: %zu bytes, final stage %s, %s CONNECTED, %zu bytes of application data\n", argv[i], len,
		       tls_stage_name(r.stage), r.connected ? "reached" : "never reached", r.app_bytes);
	}
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_one(data, size);
	return 0;
}

#endif
