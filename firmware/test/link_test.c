/* Host test of firmware/core/link.c against the shared vectors.
 * Usage: link_test testdata/link/vectors.txt
 *    or: link_test testdata   (the Makefile's way: the testdata root) */
#include "link.h"
#include "check.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

#define MAX_VECTORS 128
#define MAX_LINE 8192
/* Bad vectors may be longer than any valid frame. */
#define MAX_VECTOR_BYTES (2 * LINK_MAX_ENCODED)

struct vector {
	int line;
	bool good;
	uint8_t type;
	uint8_t payload[LINK_MAX_PAYLOAD];
	size_t payload_len;
	char reason[16];
	uint8_t encoded[MAX_VECTOR_BYTES];
	size_t encoded_len;
};

static struct vector vectors[MAX_VECTORS];
static size_t vector_count;

/* Decodes the hex string s into out; false if malformed or too long. */
static bool unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(s);
	return hex_decode(s, n, out, cap, len);
}

/* The stats one frame dropped for reason gives; false if reason is unknown. */
static bool reason_stats(const char *reason, struct link_stats *st)
{
	*st = (struct link_stats){ 0 };
	if (strcmp(reason, "bad_cobs") == 0) {
		st->bad_cobs = 1;
	} else if (strcmp(reason, "short") == 0) {
		st->short_frames = 1;
	} else if (strcmp(reason, "oversized") == 0) {
		st->oversized = 1;
	} else if (strcmp(reason, "bad_crc") == 0) {
		st->bad_crc = 1;
	} else if (strcmp(reason, "unknown_type") == 0) {
		st->unknown_type = 1;
	} else {
		return false;
	}
	return true;
}

/* Parses "ok <type> <payload|-> <encoded>" or "bad <reason> <encoded>". */
static bool parse_vector(char *line, struct vector *v)
{
	char *kind = strtok(line, " \t\r\n");
	char *a = strtok(NULL, " \t\r\n");
	char *b = strtok(NULL, " \t\r\n");
	char *c = strtok(NULL, " \t\r\n");
	char *extra = strtok(NULL, " \t\r\n");
	if (kind == NULL || a == NULL || b == NULL || extra != NULL) {
		return false;
	}
	if (strcmp(kind, "ok") == 0 && c != NULL) {
		size_t type_len = 0;
		v->good = true;
		if (!unhex(a, &v->type, 1, &type_len) || type_len != 1) {
			return false;
		}
		v->payload_len = 0;
		if (strcmp(b, "-") != 0 && !unhex(b, v->payload, sizeof v->payload, &v->payload_len)) {
			return false;
		}
		return unhex(c, v->encoded, sizeof v->encoded, &v->encoded_len);
	}
	if (strcmp(kind, "bad") == 0 && c == NULL) {
		struct link_stats unused;
		v->good = false;
		if (strlen(a) >= sizeof v->reason || !reason_stats(a, &unused)) {
			return false;
		}
		strcpy(v->reason, a);
		return unhex(b, v->encoded, sizeof v->encoded, &v->encoded_len);
	}
	return false;
}

/* Opens arg/link/vectors.txt if arg is the testdata root, else arg. */
static FILE *open_vectors(const char *arg, char *path, size_t cap)
{
	int n = snprintf(path, cap, "%s/link/vectors.txt", arg);
	if (n > 0 && (size_t)n < cap) {
		FILE *f = fopen(path, "r");
		if (f != NULL) {
			return f;
		}
	}
	snprintf(path, cap, "%s", arg);
	return fopen(path, "r");
}

static bool load_vectors(const char *arg)
{
	char path[4096];
	FILE *f = open_vectors(arg, path, sizeof path);
	if (!CHECK(f != NULL)) {
		fprintf(stderr, "cannot open %s\n", arg);
		return false;
	}
	static char line[MAX_LINE];
	bool ok = true;
	for (int n = 1; fgets(line, sizeof line, f) != NULL; n++) {
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s:%d: line too long\n", path, n);
			ok = false;
			break;
		}
		if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line)) {
			continue;
		}
		if (vector_count == MAX_VECTORS) {
			fprintf(stderr, "%s:%d: more than %d vectors\n", path, n, MAX_VECTORS);
			ok = false;
			break;
		}
		struct vector *v = &vectors[vector_count];
		if (!parse_vector(line, v)) {
			fprintf(stderr, "%s:%d: malformed vector\n", path, n);
			ok = false;
			break;
		}
		v->line = n;
		vector_count++;
	}
	fclose(f);
	return CHECK(ok);
}

static bool stats_equal(const struct link_stats *a, const struct link_stats *b)
{
	return a->frames == b->frames && a->bad_cobs == b->bad_cobs &&
	       a->short_frames == b->short_frames && a->oversized == b->oversized &&
	       a->bad_crc == b->bad_crc && a->unknown_type == b->unknown_type;
}

static void print_stats(const char *label, const struct link_stats *s)
{
	fprintf(stderr, "    %s: frames %u bad_cobs %u short %u oversized %u bad_crc %u unknown_type %u\n",
		label, (unsigned)s->frames, (unsigned)s->bad_cobs, (unsigned)s->short_frames,
		(unsigned)s->oversized, (unsigned)s->bad_crc, (unsigned)s->unknown_type);
}

static void check_stats(const struct link_stats *got, const struct link_stats *want, int line)
{
	if (!CHECK(stats_equal(got, want))) {
		fprintf(stderr, "    vector line %d\n", line);
		print_stats("got ", got);
		print_stats("want", want);
	}
}

static void check_good_vector(const struct vector *v)
{
	static uint8_t out[LINK_MAX_ENCODED];
	size_t n = link_encode(v->type, v->payload, v->payload_len, out, sizeof out);
	if (!CHECK(n == v->encoded_len && memcmp(out, v->encoded, n) == 0)) {
		fprintf(stderr, "    encode differs, vector line %d\n", v->line);
	}

	struct link_decoder d;
	link_decoder_init(&d);
	struct link_frame fr;
	size_t frames = 0;
	for (size_t i = 0; i < v->encoded_len; i++) {
		if (link_decoder_feed(&d, v->encoded[i], &fr)) {
			frames++;
			/* Only the delimiter may complete the frame. */
			CHECK_EQ(i, v->encoded_len - 1);
			CHECK_EQ(fr.type, v->type);
			if (CHECK_EQ(fr.len, v->payload_len)) {
				CHECK(memcmp(fr.payload, v->payload, fr.len) == 0);
			}
		}
	}
	CHECK_EQ(frames, 1);
	check_stats(&d.stats, &(struct link_stats){ .frames = 1 }, v->line);
}

static void check_bad_vector(const struct vector *v)
{
	struct link_decoder d;
	link_decoder_init(&d);
	struct link_frame fr;
	size_t frames = 0;
	for (size_t i = 0; i < v->encoded_len; i++) {
		frames += link_decoder_feed(&d, v->encoded[i], &fr);
	}
	CHECK_EQ(frames, 0);
	struct link_stats want;
	reason_stats(v->reason, &want);
	check_stats(&d.stats, &want, v->line);
}

static void test_vectors(void)
{
	size_t good = 0;
	struct link_stats seen = { 0 };
	for (size_t i = 0; i < vector_count; i++) {
		const struct vector *v = &vectors[i];
		if (v->good) {
			good++;
			check_good_vector(v);
			continue;
		}
		struct link_stats st;
		reason_stats(v->reason, &st);
		seen.bad_cobs += st.bad_cobs;
		seen.short_frames += st.short_frames;
		seen.oversized += st.oversized;
		seen.bad_crc += st.bad_crc;
		seen.unknown_type += st.unknown_type;
		check_bad_vector(v);
	}
	CHECK(vector_count > 0);
	CHECK(good >= 12);
	CHECK(seen.bad_cobs > 0 && seen.short_frames > 0 && seen.oversized > 0 && seen.bad_crc > 0 &&
	      seen.unknown_type > 0);
	printf("link: %zu vectors loaded (%zu good)\n", vector_count, good);
}

/* All vectors back to back in one decoder: the frames come out in order and
 * the counters add up, so no vector leaves state behind for the next. */
static void test_vectors_as_one_stream(void)
{
	struct link_decoder d;
	link_decoder_init(&d);
	struct link_stats want = { 0 };
	size_t next_good = 0;
	for (size_t i = 0; i < vector_count; i++) {
		const struct vector *v = &vectors[i];
		struct link_stats st = { .frames = 1 };
		if (!v->good) {
			reason_stats(v->reason, &st);
		}
		want.frames += st.frames;
		want.bad_cobs += st.bad_cobs;
		want.short_frames += st.short_frames;
		want.oversized += st.oversized;
		want.bad_crc += st.bad_crc;
		want.unknown_type += st.unknown_type;
		for (size_t j = 0; j < v->encoded_len; j++) {
			struct link_frame fr;
			if (link_decoder_feed(&d, v->encoded[j], &fr)) {
				while (next_good < vector_count && !vectors[next_good].good) {
					next_good++;
				}
				if (CHECK(next_good == i)) {
					CHECK_EQ(fr.len, v->payload_len);
				}
				next_good++;
			}
		}
	}
	check_stats(&d.stats, &want, 0);
}

static void test_crc_check_value(void)
{
	CHECK_EQ(link_crc32c(0, (const uint8_t *)"123456789", 9), 0xE3069283u);
	/* Continuing a crc equals computing it in one go. */
	CHECK_EQ(link_crc32c(link_crc32c(0, (const uint8_t *)"1234", 4), (const uint8_t *)"56789", 5),
		 0xE3069283u);
}

#define CANARY 0xA5u

/* Encoding into every cap smaller than the frame fails and never touches
 * out[cap]; the exact cap succeeds. */
static void test_encode_bounds(void)
{
	static uint8_t payload[LINK_MAX_PAYLOAD];
	memset(payload, 0x11, sizeof payload);
	static uint8_t buf[LINK_MAX_ENCODED + 1];
	size_t need = link_encode(LINK_DATA, payload, sizeof payload, buf, sizeof buf);
	CHECK_EQ(need, LINK_MAX_ENCODED);

	bool all_zero = true;
	bool canary_kept = true;
	for (size_t cap = 0; cap < need; cap++) {
		memset(buf, CANARY, sizeof buf);
		all_zero &= link_encode(LINK_DATA, payload, sizeof payload, buf, cap) == 0;
		for (size_t i = cap; i < sizeof buf; i++) {
			canary_kept &= buf[i] == CANARY;
		}
	}
	CHECK(all_zero);
	CHECK(canary_kept);

	memset(buf, CANARY, sizeof buf);
	CHECK_EQ(link_encode(LINK_DATA, payload, sizeof payload, buf, need), need);
	CHECK_EQ(buf[need - 1], 0);
	CHECK_EQ(buf[need], CANARY);

	/* A short frame at its exact size, and one byte short. */
	memset(buf, CANARY, sizeof buf);
	CHECK_EQ(link_encode(LINK_PING, NULL, 0, buf, 7), 7);
	CHECK_EQ(buf[7], CANARY);
	CHECK_EQ(link_encode(LINK_PING, NULL, 0, buf, 6), 0);
}

static void test_encode_errors(void)
{
	static uint8_t buf[LINK_MAX_ENCODED + 8];
	static uint8_t payload[LINK_MAX_PAYLOAD + 1];
	CHECK_EQ(link_encode(LINK_DATA, payload, LINK_MAX_PAYLOAD + 1, buf, sizeof buf), 0);
	CHECK_EQ(link_encode(0x00, payload, 1, buf, sizeof buf), 0);
	CHECK_EQ(link_encode(0x07, payload, 1, buf, sizeof buf), 0);
	CHECK_EQ(link_encode(0xFF, payload, 1, buf, sizeof buf), 0);
	CHECK_EQ(link_encode(LINK_DATA, NULL, 1, buf, sizeof buf), 0);
	CHECK_EQ(link_encode(LINK_DATA, payload, 1, NULL, sizeof buf), 0);
}

/* Feeds n bytes; returns how many valid frames matching want came out and
 * adds every frame to *frames. */
static size_t feed(struct link_decoder *d, const uint8_t *p, size_t n, const struct link_frame *want,
		   size_t *frames)
{
	size_t matches = 0;
	for (size_t i = 0; i < n; i++) {
		struct link_frame fr;
		if (link_decoder_feed(d, p[i], &fr)) {
			(*frames)++;
			/* memcmp must not see want's NULL payload, even for 0 bytes */
			matches += fr.type == want->type && fr.len == want->len &&
				   (fr.len == 0 || memcmp(fr.payload, want->payload, fr.len) == 0);
		}
	}
	return matches;
}

static void fill_noise(uint8_t *p, size_t n)
{
	uint32_t x = 2463534242u; /* xorshift32: deterministic, never zero */
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)(x % 255u + 1u); /* no zeros: the worst case */
	}
}

static void test_resync_after_garbage(void)
{
	static const uint8_t hello[] = "\x01mps2-an385";
	const struct link_frame want = { LINK_RESET, hello, sizeof hello - 1 };
	uint8_t good[LINK_MAX_ENCODED];
	size_t good_len = link_encode(LINK_RESET, hello, sizeof hello - 1, good, sizeof good);
	CHECK(good_len > 0);
	static uint8_t noise[5000];
	fill_noise(noise, sizeof noise);
	const uint8_t zero = 0;

	/* Noise without a delimiter glues onto the next frame, which is
	 * lost; the frame after it comes through. */
	struct link_decoder d;
	size_t frames = 0;
	link_decoder_init(&d);
	size_t got = feed(&d, noise, 37, &want, &frames);
	got += feed(&d, good, good_len, &want, &frames);
	got += feed(&d, good, good_len, &want, &frames);
	CHECK_EQ(got, 1);
	CHECK_EQ(frames, 1);

	/* A sender's leading 0x00 saves even the first frame. */
	frames = 0;
	link_decoder_init(&d);
	got = feed(&d, noise, 37, &want, &frames);
	got += feed(&d, &zero, 1, &want, &frames);
	got += feed(&d, good, good_len, &want, &frames);
	CHECK_EQ(got, 1);
	CHECK_EQ(frames, 1);

	/* Noise far past the limit counts one oversized frame, then the
	 * decoder is back in step at the next 0x00. */
	frames = 0;
	link_decoder_init(&d);
	got = feed(&d, noise, sizeof noise, &want, &frames);
	got += feed(&d, &zero, 1, &want, &frames);
	got += feed(&d, good, good_len, &want, &frames);
	CHECK_EQ(got, 1);
	CHECK_EQ(frames, 1);
	check_stats(&d.stats, &(struct link_stats){ .frames = 1, .oversized = 1 }, 0);

	/* A partial frame cut short by a 0x00. */
	frames = 0;
	link_decoder_init(&d);
	got = feed(&d, good, 9, &want, &frames);
	got += feed(&d, &zero, 1, &want, &frames);
	got += feed(&d, good, good_len, &want, &frames);
	CHECK_EQ(got, 1);
	CHECK_EQ(frames, 1);
}

static void test_empty_frames_skipped(void)
{
	static const uint8_t zeros[4] = { 0 };
	uint8_t ping[LINK_MAX_ENCODED];
	size_t ping_len = link_encode(LINK_PING, NULL, 0, ping, sizeof ping);
	const struct link_frame want = { LINK_PING, NULL, 0 };
	struct link_decoder d;
	size_t frames = 0;
	link_decoder_init(&d);
	size_t got = feed(&d, zeros, sizeof zeros, &want, &frames);
	got += feed(&d, ping, ping_len, &want, &frames);
	got += feed(&d, zeros, sizeof zeros, &want, &frames);
	CHECK_EQ(got, 1);
	check_stats(&d.stats, &(struct link_stats){ .frames = 1 }, 0);
}

/* Every payload length round-trips, and a NULL out only counts. */
static void test_round_trip_all_lengths(void)
{
	static uint8_t payload[LINK_MAX_PAYLOAD];
	fill_noise(payload, sizeof payload);
	for (size_t i = 0; i < sizeof payload; i += 7) {
		payload[i] = 0;
	}
	bool all_ok = true;
	for (size_t n = 0; n <= LINK_MAX_PAYLOAD; n++) {
		uint8_t out[LINK_MAX_ENCODED];
		uint8_t type = (uint8_t)(LINK_DATA + n % 5);
		size_t len = link_encode(type, payload, n, out, sizeof out);
		const struct link_frame want = { type, payload, n };
		struct link_decoder d;
		size_t frames = 0;
		link_decoder_init(&d);
		all_ok &= len > 0 && len <= LINK_MAX_ENCODED && memchr(out, 0, len) == &out[len - 1];
		all_ok &= feed(&d, out, len, &want, &frames) == 1 && frames == 1;

		link_decoder_init(&d);
		for (size_t i = 0; i < len; i++) {
			all_ok &= link_decoder_feed(&d, out[i], NULL) == (i == len - 1);
		}
		all_ok &= d.stats.frames == 1;
	}
	CHECK(all_ok);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata/link/vectors.txt | testdata [shared-vectors]\n", argv[0]);
		return 2;
	}
	if (load_vectors(argv[1])) {
		test_vectors();
		test_vectors_as_one_stream();
	}
	test_crc_check_value();
	test_encode_bounds();
	test_encode_errors();
	test_resync_after_garbage();
	test_empty_frames_skipped();
	test_round_trip_all_lengths();
	return check_report("link");
}
