/*
 * link: framing for the UART link between the firmware and the gateway.
 * The Go side is package lab/link; both are checked against the shared
 * vectors in testdata/link/vectors.txt.
 *
 * Wire format
 *   Each frame on the wire is COBS(body) followed by one 0x00 delimiter.
 *     body = type (1 byte) || payload (0..LINK_MAX_PAYLOAD bytes) || crc (4)
 *   crc is the CRC-32C (Castagnoli, iSCSI) of type||payload, little-endian.
 *
 *   COBS is used in its shortest form: a block of 254 non-zero bytes (code
 *   0xFF) at the very end of the body is not followed by a 0x01 code. Every
 *   body then has exactly one encoding, and the decoder rejects the longer
 *   form as bad COBS. A body of n bytes encodes to at most n + ceil(n/254)
 *   bytes, so a frame, delimiter included, is at most LINK_MAX_ENCODED bytes.
 *
 * Frame types
 *   DATA      0x01  seq (1 byte), then a chunk of the session's byte stream
 *   RESET     0x02  the device's hello: LINK_VERSION, then the board name in
 *                   ASCII. Sent at boot and after any session failure,
 *                   repeated until a RESET_ACK arrives.
 *   RESET_ACK 0x03  empty payload
 *   PING      0x04  up to LINK_MAX_PING opaque bytes
 *   PONG      0x05  echoes the PING payload verbatim
 *   ACK       0x06  the next DATA seq the sender of the ACK expects (1 byte)
 *   Framing checks only that the type is one of these; payload rules per
 *   type belong to the session layer (the reliable stream: uplink.h).
 *
 * Sender
 *   A sender may write a lone 0x00 before a frame to end any partial frame
 *   left on the line. Receivers skip empty frames silently.
 *
 * Receiver
 *   The decoder takes one byte at a time. It drops a frame, counting it in
 *   exactly one counter of struct link_stats, checked in this order:
 *     1. oversized: more than LINK_MAX_ENCODED-1 bytes before the delimiter;
 *        counted when the limit is crossed, the rest up to the next 0x00 is
 *        discarded.
 *     2. bad_cobs: a COBS code points past the end of the frame, or the
 *        frame uses the non-canonical trailing 0x01 described above.
 *     3. oversized: the body decodes to more than LINK_MAX_BODY bytes.
 *     4. short_frames: the body is shorter than 5 bytes (type + crc).
 *     5. bad_crc: the crc does not match.
 *     6. unknown_type: the type is not one listed above.
 *   No input makes it read or write out of bounds.
 */
#ifndef LINK_H
#define LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_VERSION 2u
#define LINK_MAX_PAYLOAD 512u
#define LINK_MAX_PING 16u
/* type + payload + crc */
#define LINK_MAX_BODY (1u + LINK_MAX_PAYLOAD + 4u)
/* The largest body, its worst-case COBS overhead, and the delimiter. */
#define LINK_MAX_ENCODED (LINK_MAX_BODY + (LINK_MAX_BODY + 253u) / 254u + 1u)

enum link_type {
	LINK_DATA = 0x01,
	LINK_RESET = 0x02,
	LINK_RESET_ACK = 0x03,
	LINK_PING = 0x04,
	LINK_PONG = 0x05,
	LINK_ACK = 0x06,
};

/* Same counters as Go's link.Stats; short_frames is Stats.Short. */
struct link_stats {
	uint32_t frames;       /* valid frames returned */
	uint32_t bad_cobs;     /* invalid or non-canonical COBS */
	uint32_t short_frames; /* body shorter than type + crc */
	uint32_t oversized;    /* too many bytes, or too long a body */
	uint32_t bad_crc;      /* crc mismatch */
	uint32_t unknown_type; /* valid frame of an unknown type */
};

/* A decoded frame. payload points into the decoder and stays valid until
 * the next call to link_decoder_feed or link_decoder_init. */
struct link_frame {
	uint8_t type;
	const uint8_t *payload;
	size_t len;
};

/* Decoder state: one encoded frame's worth of bytes, decoded in place. */
struct link_decoder {
	uint8_t buf[LINK_MAX_ENCODED - 1u];
	size_t len;      /* bytes of buf in use */
	bool discarding; /* skipping the rest of an oversized frame */
	struct link_stats stats;
};

/* True if type is one of enum link_type. */
bool link_type_known(uint8_t type);

/* CRC-32C of data, continuing crc (pass 0 to start), like Go's crc32.Update. */
uint32_t link_crc32c(uint32_t crc, const uint8_t *data, size_t len);

/* Writes the frame for type and payload, delimiter included, to out.
 * Returns its length, or 0 if type is unknown, len > LINK_MAX_PAYLOAD,
 * payload is NULL with len > 0, or the frame does not fit in cap bytes.
 * Never writes past out[cap-1]; on failure out[0..cap) may hold garbage.
 * cap >= LINK_MAX_ENCODED always suffices. */
size_t link_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

void link_decoder_init(struct link_decoder *d);
/* Frames dropped for any reason (Go's Stats.Dropped). */
uint32_t link_stats_dropped(const struct link_stats *s);

/* Takes the next byte from the line. Returns true when it completes a valid
 * frame, which is then stored in *out (out may be NULL to only count). */
bool link_decoder_feed(struct link_decoder *d, uint8_t byte, struct link_frame *out);

#endif /* LINK_H */
