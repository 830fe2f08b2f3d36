/* Link framing; the wire format is described in link.h. */
#include "link.h"

/* No <string.h>: the core builds freestanding, without a libc. */

#define CRC_SIZE 4u
#define MIN_BODY (1u + CRC_SIZE)

/* CRC-32C (reflected polynomial 0x82F63B78) one nibble at a time: 64 bytes
 * of table instead of 1 KiB, fast enough for a UART. */
static const uint32_t crc32c_nibble[16] = {
	0x00000000u, 0x105ec76fu, 0x20bd8edeu, 0x30e349b1u,
	0x417b1dbcu, 0x5125dad3u, 0x61c69362u, 0x7198540du,
	0x82f63b78u, 0x92a8fc17u, 0xa24bb5a6u, 0xb21572c9u,
	0xc38d26c4u, 0xd3d3e1abu, 0xe330a81au, 0xf36e6f75u,
};

uint32_t link_crc32c(uint32_t crc, const uint8_t *data, size_t len)
{
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 0x0fu];
		crc = (crc >> 4) ^ crc32c_nibble[crc & 0x0fu];
	}
	return ~crc;
}

bool link_type_known(uint8_t type)
{
	return type >= LINK_DATA && type <= LINK_ACK;
}

/* Shortest-form COBS encoder writing into a bounded buffer. Bytes go in one
 * at a time so type, payload and crc need no common body buffer. */
struct cobs_writer {
	uint8_t *out;
	size_t cap;
	size_t pos;      /* next byte to write */
	size_t code_at;  /* where the open block's code goes */
	bool block_open; /* false right after a full 0xFF block */
	uint8_t code;    /* 1 + data bytes in the open block */
	bool overflow;
};

/* Reserves the code byte of a new block. */
static void cobs_open(struct cobs_writer *w)
{
	if (w->pos >= w->cap) {
		w->overflow = true;
		return;
	}
	w->code_at = w->pos++;
	w->code = 1;
	w->block_open = true;
}

static void cobs_close(struct cobs_writer *w)
{
	w->out[w->code_at] = w->code;
	w->block_open = false;
}

static void cobs_put(struct cobs_writer *w, uint8_t b)
{
	if (w->overflow) {
		return;
	}
	/* Open the block after a full one only when a byte needs it, so a
	 * body ending on a full block gets no trailing 0x01. */
	if (!w->block_open) {
		cobs_open(w);
		if (w->overflow) {
			return;
		}
	}
	if (b == 0) {
		cobs_close(w);
		cobs_open(w);
		return;
	}
	if (w->pos >= w->cap) {
		w->overflow = true;
		return;
	}
	w->out[w->pos++] = b;
	w->code++;
	if (w->code == 0xffu) {
		cobs_close(w);
	}
}

static void cobs_put_all(struct cobs_writer *w, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		cobs_put(w, p[i]);
	}
}

size_t link_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	if (!link_type_known(type) || len > LINK_MAX_PAYLOAD || (payload == NULL && len > 0) ||
	    out == NULL) {
		return 0;
	}
	uint32_t crc = link_crc32c(link_crc32c(0, &type, 1), payload, len);
	const uint8_t crc_le[CRC_SIZE] = {
		(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16), (uint8_t)(crc >> 24),
	};

	struct cobs_writer w = { .out = out, .cap = cap };
	cobs_open(&w);
	cobs_put(&w, type);
	cobs_put_all(&w, payload, len);
	cobs_put_all(&w, crc_le, CRC_SIZE);
	if (w.overflow || w.pos >= w.cap) {
		return 0; /* no room for the body or the delimiter */
	}
	if (w.block_open) {
		cobs_close(&w);
	}
	out[w.pos++] = 0;
	return w.pos;
}

/* Decodes the len encoded bytes of b (no zeros, no delimiter) into b
 * itself; the output never outruns the input. Returns false on a code that
 * points past the end or a non-canonical trailing 0x01. */
static bool cobs_decode_in_place(uint8_t *b, size_t len, size_t *out_len)
{
	size_t r = 0;
	size_t n = 0;
	uint8_t code = 0;
	uint8_t prev = 0;
	while (r < len) {
		prev = code;
		code = b[r++];
		if (code == 0 || (size_t)(code - 1u) > len - r) {
			return false;
		}
		/* Forward copy is safe in place: n < r always. */
		for (size_t end = r + code - 1u; r < end; r++) {
			b[n++] = b[r];
		}
		if (code != 0xffu && r < len) {
			b[n++] = 0;
		}
	}
	/* The shortest form leaves out a 0x01 after a final full block;
	 * accepting it would give one body two encodings. */
	if (code == 0x01u && prev == 0xffu) {
		return false;
	}
	*out_len = n;
	return true;
}

void link_decoder_init(struct link_decoder *d)
{
	/* buf needs no clearing: len says how much of it is in use. */
	d->len = 0;
	d->discarding = false;
	d->stats = (struct link_stats){ 0 };
}

/* Checks the complete encoded frame in d->buf and counts the outcome. */
static bool finish_frame(struct link_decoder *d, size_t len, struct link_frame *out)
{
	size_t n = 0;
	if (!cobs_decode_in_place(d->buf, len, &n)) {
		d->stats.bad_cobs++;
		return false;
	}
	if (n > LINK_MAX_BODY) {
		d->stats.oversized++;
		return false;
	}
	if (n < MIN_BODY) {
		d->stats.short_frames++;
		return false;
	}
	const uint8_t *sum = &d->buf[n - CRC_SIZE];
	uint32_t want = (uint32_t)sum[0] | (uint32_t)sum[1] << 8 | (uint32_t)sum[2] << 16 |
			(uint32_t)sum[3] << 24;
	if (link_crc32c(0, d->buf, n - CRC_SIZE) != want) {
		d->stats.bad_crc++;
		return false;
	}
	if (!link_type_known(d->buf[0])) {
		d->stats.unknown_type++;
		return false;
	}
	d->stats.frames++;
	if (out != NULL) {
		out->type = d->buf[0];
		out->payload = &d->buf[1];
		out->len = n - MIN_BODY;
	}
	return true;
}

bool link_decoder_feed(struct link_decoder *d, uint8_t byte, struct link_frame *out)
{
	if (byte != 0) {
		if (d->discarding) {
			return false;
		}
		if (d->len == sizeof d->buf) {
			d->stats.oversized++;
			d->discarding = true;
			d->len = 0;
			return false;
		}
		d->buf[d->len++] = byte;
		return false;
	}

	size_t len = d->len;
	d->len = 0;
	if (d->discarding) {
		d->discarding = false; /* counted when it overflowed */
		return false;
	}
	if (len == 0) {
		return false; /* empty frame: a sender's line-clearing 0x00 */
	}
	return finish_frame(d, len, out);
}

uint32_t link_stats_dropped(const struct link_stats *s)
{
	return s->bad_cobs + s->short_frames + s->oversized + s->bad_crc + s->unknown_type;
}
