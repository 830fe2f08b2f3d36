/* libFuzzer harness for the link decoder. Any input is fed byte by byte;
 * every frame that comes out must re-encode to exactly the bytes it was
 * decoded from (the encoding is canonical) and decode back to itself, and
 * the counters must account for every delimited frame.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Ifirmware/core \
 *     firmware/core/link.c firmware/test/fuzz_link.c -o /tmp/fuzz_link */
#include "link.h"

#include <stdlib.h>
#include <string.h>

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

static uint32_t dropped(const struct link_stats *s)
{
	return s->bad_cobs + s->short_frames + s->oversized + s->bad_crc + s->unknown_type;
}

/* Re-encodes fr and checks it against the input bytes it came from:
 * data[start..end], end being the delimiter. */
static void check_frame(const struct link_frame *fr, const uint8_t *data, size_t start, size_t end)
{
	static uint8_t enc[LINK_MAX_ENCODED];
	size_t len = link_encode(fr->type, fr->payload, fr->len, enc, sizeof enc);
	require(len > 0 && len == end - start + 1);
	require(memcmp(enc, &data[start], len) == 0);

	static struct link_decoder again;
	link_decoder_init(&again);
	struct link_frame fr2;
	for (size_t i = 0; i + 1 < len; i++) {
		require(!link_decoder_feed(&again, enc[i], &fr2));
	}
	require(link_decoder_feed(&again, enc[len - 1], &fr2));
	require(fr2.type == fr->type && fr2.len == fr->len);
	require(fr->len == 0 || memcmp(fr2.payload, fr->payload, fr->len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct link_decoder d;
	link_decoder_init(&d);
	size_t start = 0;        /* first byte of the current frame */
	uint32_t non_empty = 0;  /* frames delimited so far that had bytes */
	bool crossed = false;    /* current frame went past the limit */
	for (size_t i = 0; i < size; i++) {
		struct link_frame fr;
		uint32_t before = d.stats.oversized;
		if (link_decoder_feed(&d, data[i], &fr)) {
			require(data[i] == 0);
			check_frame(&fr, data, start, i);
		}
		crossed |= d.stats.oversized != before && data[i] != 0;
		if (data[i] == 0) {
			non_empty += i > start;
			start = i + 1;
			crossed = false;
		}
	}
	/* An unterminated frame is counted only once it crossed the limit. */
	non_empty += crossed;
	require(d.stats.frames + dropped(&d.stats) == non_empty);
	return 0;
}
