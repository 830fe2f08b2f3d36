/* Host test of firmware/core/uplink.c, the device's end of the link: the
 * hello, and the reliable stream both ways (go-back-N, docs/protocol.md
 * section 1). A fake HAL defined here stands for the UART: what the device
 * writes is decoded with link.c as the lab would, and what the lab says is
 * encoded with link_encode and queued for hal_link_read. Time is a fake
 * clock passed to every call. The long transfers run against a model lab,
 * itself a go-back-N peer, that loses frames at random from a fixed seed.
 * Usage: uplink_test [testdata]   (the argument is ignored) */
#include "uplink.h"
#include "board.h"
#include "check.h"
#include "hal.h"
#include "link.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MS 1000u                       /* µs */
#define RTO ((uint64_t)UPLINK_RTO_US)
#define FRAMES_MAX 4096u               /* device frames decoded, not yet taken */
#define LINE_MAX_BYTES 65536u          /* lab → device bytes not yet read */
#define STREAM_MAX (128u * 1024u)      /* the longest stream a test receives */

/* A frame the device wrote, as the lab decoded it. */
struct frame {
	uint8_t type;
	size_t len;
	uint8_t payload[LINK_MAX_PAYLOAD];
};

/* The UART. Device → lab: bytes hal_link_write takes are decoded at once.
 * Lab → device: encoded frames wait in line[] for hal_link_read. */
struct wire {
	struct link_decoder lab;
	struct frame frames[FRAMES_MAX]; /* a ring */
	size_t frames_head, frames_count;
	bool frames_overflow;
	size_t write_budget; /* bytes writes take until the test refills it; SIZE_MAX: no limit */
	size_t written;      /* bytes writes took */
	uint8_t line[LINE_MAX_BYTES];
	size_t line_len, line_off;
	size_t read_chunk; /* most bytes one read returns; 0: no limit */
};

/* The layer above the uplink on the device. */
struct device {
	unsigned ups;
	uint64_t up_at;
	uint8_t rx[STREAM_MAX];
	size_t rx_len;
	size_t take_limit; /* most bytes one data call takes; SIZE_MAX: all */
	unsigned data_calls;
};

static struct wire wire;
static struct device dev;
static struct uplink u;

static size_t min(size_t a, size_t b)
{
	return a < b ? a : b;
}

size_t hal_link_write(const void *buf, size_t len)
{
	size_t n = min(len, wire.write_budget);
	if (wire.write_budget != SIZE_MAX) {
		wire.write_budget -= n;
	}
	const uint8_t *p = buf;
	for (size_t i = 0; i < n; i++) {
		struct link_frame f;
		if (!link_decoder_feed(&wire.lab, p[i], &f)) {
			continue;
		}
		if (wire.frames_count == FRAMES_MAX) {
			wire.frames_overflow = true;
			continue;
		}
		struct frame *dst = &wire.frames[(wire.frames_head + wire.frames_count) % FRAMES_MAX];
		dst->type = f.type;
		dst->len = f.len;
		memcpy(dst->payload, f.payload, f.len);
		wire.frames_count++;
	}
	wire.written += n;
	return n;
}

size_t hal_link_read(uint8_t *buf, size_t cap)
{
	size_t n = min(cap, wire.line_len - wire.line_off);
	if (wire.read_chunk != 0) {
		n = min(n, wire.read_chunk);
	}
	memcpy(buf, wire.line + wire.line_off, n);
	wire.line_off += n;
	if (wire.line_off == wire.line_len) {
		wire.line_off = wire.line_len = 0;
	}
	return n;
}

static void on_up(void *ctx, uint64_t now_us)
{
	struct device *d = ctx;
	d->ups++;
	d->up_at = now_us;
}

static size_t on_data(void *ctx, const uint8_t *p, size_t len)
{
	struct device *d = ctx;
	size_t n = min(min(len, d->take_limit), sizeof d->rx - d->rx_len);
	memcpy(d->rx + d->rx_len, p, n);
	d->rx_len += n;
	d->data_calls++;
	return n;
}

static void fixture_reset(void)
{
	memset(&wire, 0, sizeof wire);
	link_decoder_init(&wire.lab);
	wire.write_budget = SIZE_MAX;
	memset(&dev, 0, sizeof dev);
	dev.take_limit = SIZE_MAX;
}

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void fill_random(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		p[i] = (uint8_t)rnd(&seed);
	}
}

/* ---- the lab's side of the wire ---- */

static void lab_send(uint8_t type, const uint8_t *payload, size_t len)
{
	size_t n = link_encode(type, payload, len, wire.line + wire.line_len, sizeof wire.line - wire.line_len);
	CHECK(n > 0);
	wire.line_len += n;
}

static void lab_send_data(uint8_t seq, const uint8_t *p, size_t len)
{
	uint8_t payload[LINK_MAX_PAYLOAD];
	payload[0] = seq;
	memcpy(payload + 1, p, len);
	lab_send(LINK_DATA, payload, 1 + len);
}

static void lab_send_ack(uint8_t next)
{
	lab_send(LINK_ACK, &next, 1);
}

static bool take_frame(struct frame *f)
{
	if (wire.frames_count == 0) {
		return false;
	}
	*f = wire.frames[wire.frames_head];
	wire.frames_head = (wire.frames_head + 1) % FRAMES_MAX;
	wire.frames_count--;
	return true;
}

/* Checks that the next frame the device wrote has this type; fills *f. */
static bool expect_frame(uint8_t type, struct frame *f, int line)
{
	if (!check_record(take_frame(f), "a frame was sent", __FILE__, line)) {
		return false;
	}
	return check_record_eq(f->type, type, "frame type", __FILE__, line);
}

static void expect_data(uint8_t seq, const uint8_t *p, size_t len, int line)
{
	struct frame f;
	if (!expect_frame(LINK_DATA, &f, line)) {
		return;
	}
	check_record_eq(f.payload[0], seq, "DATA seq", __FILE__, line);
	if (check_record_eq(f.len, 1 + len, "DATA length", __FILE__, line)) {
		check_record_mem(f.payload + 1, p, len, "DATA bytes", __FILE__, line);
	}
}

static void expect_ack(uint8_t next, int line)
{
	struct frame f;
	if (expect_frame(LINK_ACK, &f, line) && check_record_eq(f.len, 1, "ACK length", __FILE__, line)) {
		check_record_eq(f.payload[0], next, "ACK seq", __FILE__, line);
	}
}

static void expect_reset(int line)
{
	struct frame f;
	if (!expect_frame(LINK_RESET, &f, line)) {
		return;
	}
	if (check_record_eq(f.len, sizeof BOARD_NAME, "RESET length", __FILE__, line)) {
		check_record_eq(f.payload[0], LINK_VERSION, "RESET link version", __FILE__, line);
		check_record_mem(f.payload + 1, BOARD_NAME, sizeof BOARD_NAME - 1, "RESET board name", __FILE__, line);
	}
}

static void expect_none(int line)
{
	struct frame f;
	if (!check_record(!take_frame(&f), "no frame was sent", __FILE__, line)) {
		fprintf(stderr, "    got a frame of type 0x%02x, %zu bytes\n", f.type, f.len);
	}
}

#define EXPECT_DATA(seq, p, len) expect_data((seq), (p), (len), __LINE__)
#define EXPECT_ACK(next) expect_ack((next), __LINE__)
#define EXPECT_RESET() expect_reset(__LINE__)
#define EXPECT_NONE() expect_none(__LINE__)

static struct uplink_handler handler(void)
{
	return (struct uplink_handler){on_up, on_data, &dev};
}

/* A fresh uplink at *now, hello acknowledged, no frame left to take. */
static void bring_up(uint64_t *now)
{
	fixture_reset();
	uplink_init(&u, *now, handler());
	uplink_poll(&u, *now);
	EXPECT_RESET();
	lab_send(LINK_RESET_ACK, NULL, 0);
	*now += MS;
	uplink_poll(&u, *now);
	CHECK_EQ(u.state, UPLINK_UP);
	CHECK_EQ(dev.ups, 1);
	EXPECT_NONE();
}

/* ---- hello ---- */

/* RESET with the link version and board name at once, then again with
 * backoff (250 ms doubling to 2 s) until RESET_ACK; no stream meanwhile. */
static void test_hello(void)
{
	fixture_reset();
	uint64_t t = 7 * MS;
	uplink_init(&u, t, handler());
	CHECK_EQ(u.state, UPLINK_HELLO);
	CHECK_EQ(uplink_deadline(&u), t);
	uplink_poll(&u, t);
	EXPECT_RESET();
	EXPECT_NONE();

	static const uint32_t gaps_ms[] = {250, 500, 1000, 2000, 2000, 2000};
	for (size_t i = 0; i < sizeof gaps_ms / sizeof gaps_ms[0]; i++) {
		uint64_t due = t + gaps_ms[i] * (uint64_t)MS;
		CHECK_EQ(uplink_deadline(&u), due);
		uplink_poll(&u, due - 1);
		EXPECT_NONE();
		t = due;
		uplink_poll(&u, t);
		EXPECT_RESET();
		EXPECT_NONE();
	}
	CHECK_EQ(u.counters.hellos_sent, 7);
	CHECK_EQ(dev.ups, 0);

	/* Not up: nothing is streamed, a DATA frame gets no ACK. */
	uint8_t bytes[10] = {1, 2, 3};
	CHECK_EQ(uplink_stream(&u, bytes, sizeof bytes, t), 0);
	lab_send_data(0, bytes, sizeof bytes);
	lab_send_ack(1);
	uplink_poll(&u, t + 1);
	EXPECT_NONE();
	CHECK_EQ(dev.rx_len, 0);

	t += 3 * MS;
	lab_send(LINK_RESET_ACK, NULL, 0);
	wire.read_chunk = 1; /* byte by byte, as a slow UART gives them */
	uplink_poll(&u, t);
	CHECK_EQ(u.state, UPLINK_UP);
	CHECK_EQ(dev.ups, 1);
	CHECK_EQ(dev.up_at, t);
	CHECK_EQ(uplink_deadline(&u), UINT64_MAX);
	uplink_poll(&u, t + 10000 * (uint64_t)MS);
	EXPECT_NONE(); /* no more hellos */

	/* A late second RESET_ACK (for a repeated hello) changes nothing. */
	lab_send(LINK_RESET_ACK, NULL, 0);
	uplink_poll(&u, t + 10001 * (uint64_t)MS);
	CHECK_EQ(dev.ups, 1);
	CHECK_EQ(u.state, UPLINK_UP);
	EXPECT_NONE();

	/* PING gets its payload back. */
	static const uint8_t ping[] = {0xde, 0xad, 0x00, 0xbe, 0xef};
	lab_send(LINK_PING, ping, sizeof ping);
	uplink_poll(&u, t + 10002 * (uint64_t)MS);
	struct frame f;
	if (expect_frame(LINK_PONG, &f, __LINE__) && CHECK_EQ(f.len, sizeof ping)) {
		CHECK_MEM(f.payload, ping, sizeof ping);
	}
	CHECK_EQ(u.counters.pings, 1);
}

/* ---- sending ---- */

/* Chunks of at most 64 bytes, seq from 0, at most 8 in flight; ACKs
 * report bytes through the next uplink_stream; duplicate, stale and
 * future ACKs change nothing. */
static void test_send_window(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[800];
	fill_random(data, sizeof data, 1);

	CHECK_EQ(uplink_stream(&u, data, 700, t), 0);
	for (uint8_t s = 0; s < 8; s++) {
		EXPECT_DATA(s, data + 64 * s, 64);
	}
	EXPECT_NONE(); /* the window is full */
	CHECK_EQ(uplink_deadline(&u), t + RTO);
	t += MS;
	CHECK_EQ(uplink_stream(&u, data, 700, t), 0);
	EXPECT_NONE();

	lab_send_ack(3);
	t += MS;
	uplink_poll(&u, t);
	EXPECT_NONE(); /* the device owes no ACK */
	size_t off = uplink_stream(&u, data, 700, t);
	CHECK_EQ(off, 3 * 64);
	EXPECT_DATA(8, data + 512, 64);
	EXPECT_DATA(9, data + 576, 64);
	EXPECT_DATA(10, data + 640, 60);
	EXPECT_NONE();
	CHECK_EQ(uplink_stream(&u, data + off, 700 - off, t), 0); /* reported once */

	/* Duplicate (3), stale (2, 0) and not yet sent (12): ignored. */
	lab_send_ack(3);
	lab_send_ack(2);
	lab_send_ack(0);
	lab_send_ack(12);
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 700 - off, t), 0);
	EXPECT_NONE();

	/* An ACK must carry exactly one byte. */
	static const uint8_t long_ack[] = {11, 0};
	lab_send(LINK_ACK, long_ack, sizeof long_ack);
	lab_send(LINK_ACK, NULL, 0);
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 700 - off, t), 0);
	EXPECT_NONE();

	/* Several ACKs in one poll add up. */
	lab_send_ack(5);
	lab_send_ack(7);
	t += MS;
	uplink_poll(&u, t);
	size_t n = uplink_stream(&u, data + off, 700 - off, t);
	CHECK_EQ(n, 4 * 64);
	off += n;

	/* The caller's buffer grows: frames in flight keep their bounds. */
	lab_send_ack(11);
	t += MS;
	uplink_poll(&u, t);
	n = uplink_stream(&u, data + off, 700 - off, t);
	CHECK_EQ(n, 700 - off);
	off += n;
	EXPECT_NONE();
	CHECK_EQ(uplink_deadline(&u), UINT64_MAX); /* nothing in flight */
	CHECK_EQ(uplink_stream(&u, data + off, 10, t), 0);
	EXPECT_DATA(11, data + off, 10);
	CHECK_EQ(uplink_stream(&u, data + off, 100, t), 0);
	EXPECT_DATA(12, data + off + 10, 64);
	EXPECT_DATA(13, data + off + 74, 26);
	EXPECT_NONE();
	lab_send_ack(12);
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 100, t), 10);
	t += RTO;
	CHECK_EQ(uplink_stream(&u, data + off + 10, 90, t), 0);
	EXPECT_DATA(12, data + off + 10, 64);
	EXPECT_DATA(13, data + off + 74, 26);
	EXPECT_NONE();
	CHECK_EQ(u.counters.retransmits, 1);
}

/* 50 ms without progress: every frame in flight again, oldest first, same
 * bytes; an advancing ACK restarts the wait; new frames follow the resent
 * ones. */
static void test_send_retransmit(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[600];
	fill_random(data, sizeof data, 2);

	CHECK_EQ(uplink_stream(&u, data, 320, t), 0);
	for (uint8_t s = 0; s < 5; s++) {
		EXPECT_DATA(s, data + 64 * s, 64);
	}
	t += 10 * MS;
	lab_send_ack(2);
	uplink_poll(&u, t);
	size_t off = uplink_stream(&u, data, 320, t);
	CHECK_EQ(off, 128);
	uint64_t t_ack = t;
	CHECK_EQ(uplink_deadline(&u), t_ack + RTO);

	t = t_ack + RTO - 1;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 320 - off, t), 0);
	EXPECT_NONE();
	CHECK_EQ(u.counters.retransmits, 0);

	t = t_ack + RTO;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 320 - off, t), 0);
	for (uint8_t s = 2; s < 5; s++) {
		EXPECT_DATA(s, data + 64 * s, 64);
	}
	EXPECT_NONE();
	CHECK_EQ(u.counters.retransmits, 1);
	CHECK_EQ(uplink_deadline(&u), t + RTO);

	/* Next round, with more bytes offered: 2..4 again, then 5..9. */
	t += RTO;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 600 - off, t), 0);
	for (uint8_t s = 2; s < 10; s++) {
		EXPECT_DATA(s, data + 64 * s, s < 9 ? 64 : 24);
	}
	EXPECT_NONE();
	CHECK_EQ(u.counters.retransmits, 2);

	/* An ACK that advances pushes the next round back. */
	uint64_t round_at = t;
	t = round_at + 30 * MS;
	lab_send_ack(4);
	uplink_poll(&u, t);
	size_t n = uplink_stream(&u, data + off, 600 - off, t);
	CHECK_EQ(n, 128);
	off += n;
	t = round_at + RTO;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 600 - off, t), 0);
	EXPECT_NONE();
	t = round_at + 30 * MS + RTO;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 600 - off, t), 0);
	for (uint8_t s = 4; s < 10; s++) {
		EXPECT_DATA(s, data + 64 * s, s < 9 ? 64 : 24);
	}
	EXPECT_NONE();

	/* A duplicate ACK is no progress: the round after still comes. */
	lab_send_ack(4);
	t += 10 * MS;
	uplink_poll(&u, t);
	t += RTO - 10 * MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 600 - off, t), 0);
	for (uint8_t s = 4; s < 10; s++) {
		EXPECT_DATA(s, data + 64 * s, s < 9 ? 64 : 24);
	}
	lab_send_ack(10);
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 600 - off, t), 600 - off);
	CHECK_EQ(uplink_deadline(&u), UINT64_MAX);
	t += 10 * RTO;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + 600, 0, t), 0);
	EXPECT_NONE();
}

/* ---- the model lab ---- */

/* A go-back-N peer on the lab's side of the wire: it receives the device's
 * stream, sends its own, and loses loss_pct % of the frames each way. It
 * also notes any DATA frame a correct sender would never send. */
struct model {
	uint32_t rng;
	unsigned loss_pct;
	/* the device's stream */
	uint8_t rx_next;
	uint8_t got[STREAM_MAX];
	size_t got_len;
	unsigned bad_data; /* empty, over 64 bytes, or a seq outside the window */
	/* the lab's stream to the device */
	const uint8_t *out;
	size_t out_len, out_acked;
	uint8_t base, next;
	uint8_t lens[UPLINK_WINDOW];
	size_t inflight_bytes;
	uint64_t rto_us;
	unsigned pongs;
};

static bool model_loses(struct model *m)
{
	return rnd(&m->rng) % 100u < m->loss_pct;
}

static void model_send_data(struct model *m, uint8_t seq, size_t off, size_t len)
{
	if (!model_loses(m)) {
		lab_send_data(seq, m->out + off, len);
	}
}

static void model_take_data(struct model *m, const struct frame *f)
{
	uint8_t seq = f->payload[0];
	size_t n = f->len - 1;
	bool ahead = (uint8_t)(seq - m->rx_next) < UPLINK_WINDOW;
	bool behind = (uint8_t)(m->rx_next - seq) <= UPLINK_WINDOW;
	if (n == 0 || n > UPLINK_CHUNK || (!ahead && !behind)) {
		m->bad_data++;
	}
	if (seq == m->rx_next && n <= sizeof m->got - m->got_len) {
		memcpy(m->got + m->got_len, f->payload + 1, n);
		m->got_len += n;
		m->rx_next++;
	}
	if (!model_loses(m)) {
		lab_send_ack(m->rx_next);
	}
}

static void model_take_ack(struct model *m, uint8_t next, uint64_t now)
{
	uint8_t k = (uint8_t)(next - m->base);
	uint8_t count = (uint8_t)(m->next - m->base);
	if (k == 0 || k > count) {
		return;
	}
	for (uint8_t i = 0; i < k; i++) {
		size_t n = m->lens[(uint8_t)(m->base + i) % UPLINK_WINDOW];
		m->out_acked += n;
		m->inflight_bytes -= n;
	}
	m->base = next;
	m->rto_us = now + RTO;
}

static void model_step(struct model *m, uint64_t now)
{
	struct frame f;
	while (take_frame(&f)) {
		if (model_loses(m)) {
			continue;
		}
		if (f.type == LINK_DATA && f.len >= 1) {
			model_take_data(m, &f);
		} else if (f.type == LINK_ACK && f.len == 1) {
			model_take_ack(m, f.payload[0], now);
		} else if (f.type == LINK_PONG) {
			m->pongs++;
		}
	}
	uint8_t count = (uint8_t)(m->next - m->base);
	if (count > 0 && now >= m->rto_us) {
		size_t off = m->out_acked;
		for (uint8_t i = 0; i < count; i++) {
			uint8_t seq = (uint8_t)(m->base + i);
			model_send_data(m, seq, off, m->lens[seq % UPLINK_WINDOW]);
			off += m->lens[seq % UPLINK_WINDOW];
		}
		m->rto_us = now + RTO;
	}
	while (count < UPLINK_WINDOW && m->out_acked + m->inflight_bytes < m->out_len) {
		size_t n = min(m->out_len - m->out_acked - m->inflight_bytes, UPLINK_CHUNK);
		model_send_data(m, m->next, m->out_acked + m->inflight_bytes, n);
		m->lens[m->next % UPLINK_WINDOW] = (uint8_t)n;
		m->next++;
		m->inflight_bytes += n;
		if (++count == 1) {
			m->rto_us = now + RTO;
		}
	}
}

/* How the long transfers stress the device besides frame loss. */
struct transfer_opts {
	bool uart_stalls;  /* hal_link_write takes a few bytes a step, or none for up to 300 ms */
	bool slow_reader;  /* the layer above takes few bytes at a time, or none */
	bool pings;        /* the lab pings now and then */
};

/* Both streams at once, 1 ms a step, until both arrived and the device
 * heard every byte of its own acknowledged. */
static void run_transfer(struct model *m, const uint8_t *out, size_t out_len, struct transfer_opts opts,
			 uint64_t *now)
{
	const unsigned max_steps = 2000000;
	uint32_t x = m->rng ^ 0x9e3779b9u;
	uint64_t stall_until = 0;
	size_t off = 0;
	unsigned step = 0;
	unsigned window_errors = 0, ack_errors = 0;
	for (; step < max_steps; step++) {
		if (opts.uart_stalls) {
			if (*now >= stall_until && rnd(&x) % 200u == 0) {
				stall_until = *now + (rnd(&x) % 300u) * MS;
			}
			wire.write_budget = *now < stall_until ? 0 : rnd(&x) % 48u;
		}
		if (opts.slow_reader) {
			uint32_t r = rnd(&x) % 8u;
			dev.take_limit = r == 0 ? 0 : r < 4 ? rnd(&x) % 20u : SIZE_MAX;
		}
		if (opts.pings && rnd(&x) % 50u == 0) {
			uint8_t nonce[8];
			fill_random(nonce, sizeof nonce, x);
			lab_send(LINK_PING, nonce, sizeof nonce);
		}
		uplink_poll(&u, *now);
		off += uplink_stream(&u, out + off, out_len - off, *now);
		if ((uint8_t)(u.tx_next - u.tx_base) > UPLINK_WINDOW) {
			window_errors++;
		}
		model_step(m, *now);
		if (off > m->got_len) {
			ack_errors++; /* reported acknowledged before the lab had it */
		}
		if (off == out_len && m->got_len == out_len && m->out_acked == m->out_len && dev.rx_len == m->out_len) {
			break;
		}
		*now += MS;
	}
	CHECK(step < max_steps);
	CHECK_EQ(window_errors, 0);
	CHECK_EQ(ack_errors, 0);
	CHECK_EQ(m->bad_data, 0);
	CHECK(!wire.frames_overflow);
	if (CHECK_EQ(m->got_len, out_len)) {
		CHECK_MEM(m->got, out, out_len);
	}
	if (CHECK_EQ(dev.rx_len, m->out_len)) {
		CHECK_MEM(dev.rx, m->out, m->out_len);
	}
	/* No frame was cut or mixed with another on the way out. */
	struct link_stats st = wire.lab.stats;
	CHECK_EQ(st.bad_cobs + st.short_frames + st.oversized + st.bad_crc + st.unknown_type, 0);
	printf("uplink: %zu bytes out, %zu in, %u%% loss%s%s: %u ms, %u go-back rounds, %u DATA dropped\n", out_len,
	       m->out_len, m->loss_pct, opts.uart_stalls ? ", UART stalls" : "", opts.slow_reader ? ", slow reader" : "",
	       step, (unsigned)u.counters.retransmits, (unsigned)u.counters.data_dropped);
}

static struct model model;
static uint8_t big_out[100u * 1024u];
static uint8_t big_in[32u * 1024u];

/* 100 KiB out (seq wraps six times) and 32 KiB in, 20 % of frames lost
 * each way, ACKs included. */
static void test_lossy_transfer(void)
{
	uint64_t t = 0;
	bring_up(&t);
	fill_random(big_out, sizeof big_out, 3);
	fill_random(big_in, sizeof big_in, 4);
	memset(&model, 0, sizeof model);
	model.rng = 12345;
	model.loss_pct = 20;
	model.out = big_in;
	model.out_len = sizeof big_in;
	run_transfer(&model, big_out, sizeof big_out, (struct transfer_opts){0}, &t);
	CHECK(u.counters.retransmits > 0);
	CHECK(u.counters.data_dropped > 0);
}

/* ---- receiving ---- */

/* In order: delivered and ACKed with the next seq. Anything else: dropped
 * and the expected seq ACKed again. */
static void test_receive(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[64 * 300];
	fill_random(data, sizeof data, 5);

	lab_send_data(0, data, 3);
	uplink_poll(&u, ++t);
	EXPECT_ACK(1);
	EXPECT_NONE();
	CHECK_EQ(dev.rx_len, 3);

	uint32_t dropped = u.counters.data_dropped;
	lab_send_data(2, data + 3, 10); /* ahead */
	uplink_poll(&u, ++t);
	EXPECT_ACK(1);
	lab_send_data(0, data, 3); /* a duplicate */
	uplink_poll(&u, ++t);
	EXPECT_ACK(1);
	uint8_t big[UPLINK_CHUNK + 1];
	memcpy(big, data + 3, sizeof big);
	lab_send_data(1, big, sizeof big); /* the right seq, too long */
	uplink_poll(&u, ++t);
	EXPECT_ACK(1);
	lab_send(LINK_DATA, NULL, 0); /* no seq: not a DATA frame at all */
	uplink_poll(&u, ++t);
	EXPECT_NONE();
	CHECK_EQ(dev.rx_len, 3);
	CHECK_EQ(u.counters.data_dropped, dropped + 3);

	lab_send_data(1, data + 3, 64);
	uplink_poll(&u, ++t);
	EXPECT_ACK(2);
	if (CHECK_EQ(dev.rx_len, 67)) {
		CHECK_MEM(dev.rx, data, 67);
	}

	/* Several in one poll, then the seq wraps. */
	size_t sent = 67;
	for (unsigned i = 2; i < 300; i++) {
		lab_send_data((uint8_t)i, data + sent, 64);
		sent += 64;
		if (i % 5 == 0) {
			uplink_poll(&u, ++t);
			struct frame f;
			uint8_t last = 0;
			while (take_frame(&f)) {
				CHECK(f.type == LINK_ACK && f.len == 1);
				last = f.payload[0];
			}
			CHECK_EQ(last, (uint8_t)(i + 1));
		}
	}
	uplink_poll(&u, ++t);
	EXPECT_ACK((uint8_t)300);
	if (CHECK_EQ(dev.rx_len, sent)) {
		CHECK_MEM(dev.rx, data, sent);
	}
	CHECK_EQ(u.counters.data_dropped, dropped + 3);
}

/* The layer above takes part: the rest waits in the uplink and is offered
 * on every poll; a DATA frame arriving meanwhile is refused (the expected
 * seq ACKed again) until the held bytes are gone. */
static void test_receive_held(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[256];
	fill_random(data, sizeof data, 6);

	dev.take_limit = 10;
	lab_send_data(0, data, 64);
	uplink_poll(&u, ++t);
	EXPECT_ACK(1); /* taken by the uplink */
	CHECK_EQ(dev.rx_len, 20); /* 10 as the frame came, 10 offered again at the end of the poll */
	CHECK_EQ(uplink_deadline(&u), t + MS); /* comes back for the rest */

	uplink_poll(&u, ++t);
	EXPECT_NONE();
	CHECK_EQ(dev.rx_len, 30);

	/* The next frame while bytes are held: refused, not acknowledged. */
	uint32_t dropped = u.counters.data_dropped;
	lab_send_data(1, data + 64, 64);
	uplink_poll(&u, ++t);
	EXPECT_ACK(1);
	EXPECT_NONE();
	CHECK_EQ(u.counters.data_dropped, dropped + 1);
	if (CHECK(dev.rx_len <= 64)) {
		CHECK_MEM(dev.rx, data, dev.rx_len); /* none of frame 1 */
	}

	dev.take_limit = 0; /* takes nothing for a while */
	size_t before = dev.rx_len;
	for (int i = 0; i < 5; i++) {
		uplink_poll(&u, ++t);
	}
	CHECK_EQ(dev.rx_len, before);
	EXPECT_NONE();

	dev.take_limit = SIZE_MAX;
	uplink_poll(&u, ++t);
	CHECK_EQ(dev.rx_len, 64);
	CHECK_EQ(uplink_deadline(&u), UINT64_MAX);
	lab_send_data(1, data + 64, 64); /* the lab sends it again */
	uplink_poll(&u, ++t);
	EXPECT_ACK(2);
	if (CHECK_EQ(dev.rx_len, 128)) {
		CHECK_MEM(dev.rx, data, 128);
	}

	/* Held bytes that go up as the next frame arrives: it is taken, after them. */
	dev.take_limit = 5;
	lab_send_data(2, data + 128, 64);
	uplink_poll(&u, ++t);
	EXPECT_ACK(3);
	dev.take_limit = SIZE_MAX;
	lab_send_data(3, data + 192, 64);
	uplink_poll(&u, ++t);
	EXPECT_ACK(4);
	if (CHECK_EQ(dev.rx_len, 256)) {
		CHECK_MEM(dev.rx, data, 256);
	}
}

/* RESET_ACK after uplink_restart: both directions from seq 0, held bytes
 * and unreported acknowledgements gone. */
static void test_restart(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[512];
	fill_random(data, sizeof data, 7);

	CHECK_EQ(uplink_stream(&u, data, 200, t), 0);
	for (uint8_t s = 0; s < 4; s++) {
		EXPECT_DATA(s, data + 64 * s, s < 3 ? 64 : 8);
	}
	lab_send_ack(2); /* never reported: the session ends first */
	dev.take_limit = 4;
	lab_send_data(0, data + 300, 20);
	lab_send_data(1, data + 320, 20);
	t += MS;
	uplink_poll(&u, t);
	EXPECT_ACK(1);
	CHECK_EQ(dev.rx_len, 12); /* 4 as frame 0 came, 4 as frame 1 came (refused), 4 at the end of the poll */

	uplink_restart(&u, t, 100 * MS);
	CHECK_EQ(u.state, UPLINK_HELLO);
	CHECK_EQ(uplink_deadline(&u), t + 100 * MS);
	uplink_poll(&u, t + 99 * MS);
	EXPECT_NONE();
	CHECK_EQ(dev.rx_len, 12); /* the rest of frame 0 went with the session */
	CHECK_EQ(uplink_stream(&u, data, 200, t + 99 * MS), 0);
	EXPECT_NONE();
	t += 100 * MS;
	uplink_poll(&u, t);
	EXPECT_RESET();
	EXPECT_NONE();
	t += 250 * MS;
	uplink_poll(&u, t);
	EXPECT_RESET(); /* the backoff starts over */

	lab_send(LINK_RESET_ACK, NULL, 0);
	t += MS;
	dev.take_limit = SIZE_MAX;
	dev.rx_len = 0;
	uplink_poll(&u, t);
	CHECK_EQ(dev.ups, 2);
	CHECK_EQ(dev.rx_len, 0);
	CHECK_EQ(uplink_stream(&u, data + 256, 100, t), 0); /* a fresh stream: nothing acknowledged */
	EXPECT_DATA(0, data + 256, 64);
	EXPECT_DATA(1, data + 320, 36);
	EXPECT_NONE();
	lab_send_data(0, data + 400, 30);
	lab_send_ack(2);
	t += MS;
	uplink_poll(&u, t);
	EXPECT_ACK(1);
	if (CHECK_EQ(dev.rx_len, 30)) {
		CHECK_MEM(dev.rx, data + 400, 30);
	}
	CHECK_EQ(uplink_stream(&u, data + 256, 100, t), 100);
	CHECK_EQ(uplink_deadline(&u), UINT64_MAX);
}

/* ---- a full UART ---- */

/* hal_link_write takes nothing: one frame waits in the uplink, nothing is
 * lost, and once the line drains the frames go out whole and in order. */
static void test_full_uart(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[300];
	fill_random(data, sizeof data, 8);

	size_t written = wire.written;
	wire.write_budget = 0;
	CHECK_EQ(uplink_stream(&u, data, 300, t), 0);
	lab_send_data(0, data, 7); /* its ACK has to wait too */
	for (int i = 0; i < 3; i++) {
		t += MS;
		uplink_poll(&u, t);
		CHECK_EQ(uplink_stream(&u, data, 300, t), 0);
		CHECK_EQ(uplink_deadline(&u), t + MS); /* output pending */
	}
	CHECK_EQ(wire.written, written);
	wire.write_budget = 20; /* part of frame 0 */
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data, 300, t), 0);
	EXPECT_NONE();
	wire.write_budget = 0;
	t += RTO; /* a go-back falls due while the line is full */
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data, 300, t), 0);

	wire.write_budget = SIZE_MAX;
	for (int i = 0; i < 4; i++) {
		t += MS;
		uplink_poll(&u, t);
		CHECK_EQ(uplink_stream(&u, data, 300, t), 0);
	}
	struct frame f;
	uint8_t want = 0;
	bool acked = false;
	while (take_frame(&f)) {
		if (f.type == LINK_ACK) {
			CHECK(f.len == 1 && f.payload[0] == 1);
			acked = true;
			continue;
		}
		if (!CHECK_EQ(f.type, LINK_DATA)) {
			continue;
		}
		if (f.payload[0] != want) { /* a go-back: from the oldest again */
			CHECK_EQ(f.payload[0], 0);
			want = 0;
		}
		size_t n = want < 4 ? 64 : 44;
		if (CHECK_EQ(f.len, 1 + n)) {
			CHECK_MEM(f.payload + 1, data + 64 * want, n);
		}
		want++;
	}
	CHECK_EQ(want, 5);
	CHECK(acked);
	CHECK_EQ(dev.rx_len, 7);
	struct link_stats st = wire.lab.stats;
	CHECK_EQ(st.bad_cobs + st.short_frames + st.oversized + st.bad_crc + st.unknown_type, 0);
	lab_send_ack(5);
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data, 300, t), 300);
}

/* A go-back round the UART holds up, with an ACK for its first frame
 * arriving meanwhile: the round goes on from the next frame, in order. */
static void test_go_back_held_up(void)
{
	uint64_t t = 0;
	bring_up(&t);
	uint8_t data[256];
	fill_random(data, sizeof data, 11);

	CHECK_EQ(uplink_stream(&u, data, 256, t), 0);
	for (uint8_t s = 0; s < 4; s++) {
		EXPECT_DATA(s, data + 64 * s, 64);
	}
	t += RTO;
	wire.write_budget = 0;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data, 256, t), 0); /* frame 0 again, stuck in the uplink */
	CHECK_EQ(u.counters.retransmits, 1);
	lab_send_ack(1); /* the first copy of frame 0 arrived after all */
	t += MS;
	uplink_poll(&u, t);
	size_t off = uplink_stream(&u, data, 256, t);
	CHECK_EQ(off, 64);
	wire.write_budget = SIZE_MAX;
	t += MS;
	uplink_poll(&u, t);
	CHECK_EQ(uplink_stream(&u, data + off, 256 - off, t), 0);
	for (uint8_t s = 0; s < 4; s++) {
		EXPECT_DATA(s, data + 64 * s, 64);
	}
	EXPECT_NONE();
	CHECK_EQ(u.counters.retransmits, 1);
}

/* Both streams through a UART that takes a few bytes at a time and stalls
 * for up to 300 ms, with a slow reader above and PINGs competing for the
 * line; no loss on the line, so every byte must arrive, in order. */
static void test_full_uart_transfer(void)
{
	uint64_t t = 0;
	bring_up(&t);
	fill_random(big_out, 24u * 1024u, 9);
	fill_random(big_in, 16u * 1024u, 10);
	memset(&model, 0, sizeof model);
	model.rng = 777;
	model.out = big_in;
	model.out_len = 16u * 1024u;
	run_transfer(&model, big_out, 24u * 1024u, (struct transfer_opts){true, true, true}, &t);
	CHECK(model.pongs > 0);
	wire.write_budget = SIZE_MAX;

	/* The same again with loss on top. */
	bring_up(&t);
	memset(&model, 0, sizeof model);
	model.rng = 4242;
	model.loss_pct = 10;
	model.out = big_in;
	model.out_len = 16u * 1024u;
	run_transfer(&model, big_out, 24u * 1024u, (struct transfer_opts){true, true, false}, &t);
}

int main(void)
{
	printf("uplink: sizeof(struct uplink) = %zu\n", sizeof(struct uplink));
	test_hello();
	test_send_window();
	test_send_retransmit();
	test_lossy_transfer();
	test_receive();
	test_receive_held();
	test_restart();
	test_full_uart();
	test_go_back_held_up();
	test_full_uart_transfer();
	return check_report("uplink");
}
