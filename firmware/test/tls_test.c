/*
 * The TLS client against crypto/tls's recorded server flights
 * (testdata/fuzz/tls/, made against fuzz_tls_identity.h's client), fed as
 * recorded, byte by byte, and re-framed. The Makefile builds this file
 * twice: with the host's buffer sizes (tls_test) and with the small
 * boards' (tls_small_test), so both configurations show which framings
 * they take and how they refuse the rest.
 *
 * Re-framing needs the server's handshake traffic keys: once the
 * ServerHello is in, the client holds them (c->rx), so the test decrypts
 * the recorded encrypted records with a copy and seals the handshake
 * messages again in other records: every message in 7-byte pieces, the
 * whole flight in one record, a Certificate split in two. The messages and
 * so the transcript are unchanged, and the Finished still verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "check.h"
#include "curve25519.h"
#include "fuzz_tls_identity.h"
#include "internal.h"
#include "tls.h"

static const char *testdata;


static void start(struct tls_client *c)
{
	random_counter = 0;
	CHECK_EQ(tls_start(c, &config), TLS_OK);
	size_t len;
	tls_output(c, &len);
	tls_output_done(c, len);
}

struct bytes {
	uint8_t p[4096];
	size_t len;
};

static void load(struct bytes *b, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/fuzz/tls/%s", testdata, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	b->len = fread(b->p, 1, sizeof b->p, f);
	fclose(f);
	if (b->len == 0 || b->len == sizeof b->p) {
		fprintf(stderr, "%s: empty or too large\n", path);
		exit(2);
	}
}

static void append(struct bytes *b, const void *p, size_t len)
{
	if (b->len + len > sizeof b->p) {
		fprintf(stderr, "tls_test: bytes overflow\n");
		exit(2);
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
}

static size_t record_len(const uint8_t *rec)
{
	return RECORD_HEADER + (((size_t)rec[3] << 8) | rec[4]);
}

/* Feeds the stream in chunks of at most chunk bytes, reading application
 * data as it comes, and drains the output; returns the application data. */
static size_t feed(struct tls_client *c, const uint8_t *p, size_t len, size_t chunk, uint8_t *app, size_t app_cap)
{
	size_t app_len = 0;
	while (len > 0 && c->stage != TLS_STAGE_FAILED && c->stage != TLS_STAGE_CLOSED) {
		size_t n = tls_feed(c, p, len < chunk ? len : chunk);
		p += n;
		len -= n;
		size_t got = tls_read(c, app + app_len, app_cap - app_len);
		app_len += got;
		size_t out_len;
		tls_output(c, &out_len);
		CHECK(out_len <= TLS_OUT_MAX);
		tls_output_done(c, out_len);
		if (n == 0 && got == 0) {
			break;
		}
	}
	return app_len;
}

/* The recorded flights as they are, then byte by byte. */
static void test_recorded(void)
{
	static struct bytes session;
	load(&session, "session");
	static const size_t chunks[] = {sizeof session.p, 1, 5, 61};
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		static struct tls_client c;
		uint8_t app[256];
		start(&c);
		size_t n = feed(&c, session.p, session.len, chunks[i], app, sizeof app);
		CHECK_EQ(c.stage, TLS_STAGE_CLOSED);
		CHECK_EQ(c.error, TLS_OK);
		CHECK(strcmp(c.peer_name, "gateway") == 0);
		CHECK_EQ(n, 43);
		tls_wipe(&c);
	}
}

/* The recorded handshake split into its parts: ServerHello and
 * ChangeCipherSpec as they are, and the encrypted flight's handshake
 * messages, decrypted with the keys a client holds after the ServerHello. */
struct flight {
	struct bytes hello;    /* ServerHello and ChangeCipherSpec records */
	struct bytes messages; /* EncryptedExtensions .. Finished */
	struct tls_traffic keys;
};

static void nonce_for(const struct tls_traffic *t, uint64_t seq, uint8_t nonce[12])
{
	memcpy(nonce, t->iv, 12);
	for (int i = 0; i < 8; i++) {
		nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
	}
}

static void split_flight(struct flight *f)
{
	static struct bytes rec;
	static struct tls_client c;
	load(&rec, "handshake");
	size_t hello_len = record_len(rec.p);
	hello_len += record_len(rec.p + hello_len); /* the ChangeCipherSpec */
	start(&c);
	CHECK_EQ(tls_feed(&c, rec.p, hello_len), hello_len);
	CHECK_EQ(c.stage, TLS_STAGE_WAIT_ENCRYPTED_EXTENSIONS);
	f->hello.len = 0;
	append(&f->hello, rec.p, hello_len);
	f->keys = c.rx;
	f->messages.len = 0;
	uint64_t seq = 0;
	for (size_t off = hello_len; off < rec.len; off += record_len(rec.p + off)) {
		uint8_t *r = rec.p + off, nonce[12], text[1024];
		size_t ct_len = record_len(r) - RECORD_HEADER - 16;
		nonce_for(&f->keys, seq++, nonce);
		if (!CHECK(ct_len <= sizeof text) ||
		    !CHECK(chacha20poly1305_open(text, f->keys.key, nonce, r, RECORD_HEADER, r + RECORD_HEADER, ct_len,
						 r + RECORD_HEADER + ct_len) == 0) ||
		    !CHECK_EQ(text[ct_len - 1], CT_HANDSHAKE)) {
			return;
		}
		append(&f->messages, text, ct_len - 1);
	}
	tls_wipe(&c);
}

/* Seals handshake bytes as one record with the server's handshake keys. */
static void seal(struct bytes *out, const struct flight *f, uint64_t *seq, const uint8_t *p, size_t len)
{
	uint8_t rec[2048], nonce[12];
	size_t body = len + AEAD_OVERHEAD;
	if (RECORD_HEADER + body > sizeof rec) {
		fprintf(stderr, "tls_test: record too large\n");
		exit(2);
	}
	rec[0] = CT_APPLICATION_DATA;
	rec[1] = 3;
	rec[2] = 3;
	rec[3] = (uint8_t)(body >> 8);
	rec[4] = (uint8_t)body;
	memcpy(rec + RECORD_HEADER, p, len);
	rec[RECORD_HEADER + len] = CT_HANDSHAKE;
	nonce_for(&f->keys, (*seq)++, nonce);
	chacha20poly1305_seal(rec + RECORD_HEADER, rec + RECORD_HEADER + len + 1, f->keys.key, nonce, rec,
			      RECORD_HEADER, rec + RECORD_HEADER, len + 1);
	append(out, rec, RECORD_HEADER + body);
}

static size_t message_at(const struct bytes *m, size_t off)
{
	return 4 + (((size_t)m->p[off + 1] << 16) | ((size_t)m->p[off + 2] << 8) | m->p[off + 3]);
}

/* The offset of the n-th message (0: EncryptedExtensions). */
static size_t nth_message(const struct bytes *m, int n)
{
	size_t off = 0;
	while (n-- > 0) {
		off += message_at(m, off);
	}
	return off;
}

/* Runs a re-framed flight; returns the final stage. */
static enum tls_stage run(const struct flight *f, const struct bytes *records, size_t chunk, struct tls_client *c)
{
	uint8_t app[16];
	start(c);
	feed(c, f->hello.p, f->hello.len, chunk, app, sizeof app);
	feed(c, records->p, records->len, chunk, app, sizeof app);
	return c->stage;
}

#define SPLIT_CERT_AT 200u /* bytes of the Certificate in the first record */

static void test_reframed(const struct flight *f)
{
	static struct bytes records;
	static struct tls_client c;
	const struct bytes *m = &f->messages;
	size_t cert = nth_message(m, 2); /* EE, CertificateRequest, Certificate */
	CHECK_EQ(m->p[cert], 11);
	size_t cert_end = cert + message_at(m, cert);
	size_t whole_flight = RECORD_HEADER + m->len + AEAD_OVERHEAD;

	/* Every message in 7-byte records: reassembled in the receive buffer. */
	uint64_t seq = 0;
	records.len = 0;
	for (size_t off = 0; off < m->len; off += 7) {
		seal(&records, f, &seq, m->p + off, m->len - off < 7 ? m->len - off : 7);
	}
	CHECK_EQ(run(f, &records, sizeof records.p, &c), TLS_STAGE_CONNECTED);
	CHECK_EQ(run(f, &records, 3, &c), TLS_STAGE_CONNECTED);

	/* The Certificate split in two records, one message per record
	 * otherwise: what a server with smaller records than ours would send. */
	seq = 0;
	records.len = 0;
	for (size_t off = 0; off < m->len; off += message_at(m, off)) {
		size_t len = message_at(m, off);
		if (off == cert) {
			seal(&records, f, &seq, m->p + off, SPLIT_CERT_AT);
			seal(&records, f, &seq, m->p + off + SPLIT_CERT_AT, len - SPLIT_CERT_AT);
		} else {
			seal(&records, f, &seq, m->p + off, len);
		}
	}
	CHECK_EQ(run(f, &records, sizeof records.p, &c), TLS_STAGE_CONNECTED);
	CHECK(strcmp(c.peer_name, "gateway") == 0);

	/* The first part of the Certificate behind EncryptedExtensions and
	 * CertificateRequest, the rest of the flight in a second record: it
	 * fits behind the first part only in a large enough buffer. */
	seq = 0;
	records.len = 0;
	seal(&records, f, &seq, m->p, cert + SPLIT_CERT_AT);
	seal(&records, f, &seq, m->p + cert + SPLIT_CERT_AT, m->len - cert - SPLIT_CERT_AT);
	size_t second = record_len(records.p + record_len(records.p));
	enum tls_stage stage = run(f, &records, sizeof records.p, &c);
	if (SPLIT_CERT_AT + second <= TLS_IN_MAX) {
		CHECK_EQ(stage, TLS_STAGE_CONNECTED);
	} else {
		CHECK_EQ(stage, TLS_STAGE_FAILED);
		CHECK_EQ(c.error, TLS_ERR_TOO_LARGE);
		CHECK_EQ(c.alert_sent, TLS_ALERT_RECORD_OVERFLOW);
	}

	/* The whole encrypted flight in one record. */
	seq = 0;
	records.len = 0;
	seal(&records, f, &seq, m->p, m->len);
	stage = run(f, &records, sizeof records.p, &c);
	if (whole_flight <= TLS_IN_MAX) {
		CHECK_EQ(stage, TLS_STAGE_CONNECTED);
	} else {
		CHECK_EQ(stage, TLS_STAGE_FAILED);
		CHECK_EQ(c.error, TLS_ERR_RECORD_OVERFLOW);
		CHECK_EQ(c.alert_sent, TLS_ALERT_RECORD_OVERFLOW);
	}

	/* A split message that says it is longer than could ever fit is
	 * refused at its first part, without waiting for the rest. */
	uint8_t huge[8] = {11, 0, (uint8_t)(TLS_IN_MAX >> 8), (uint8_t)TLS_IN_MAX, 0, 0, 0, 0};
	seq = 0;
	records.len = 0;
	seal(&records, f, &seq, m->p, cert); /* EE, CertificateRequest */
	seal(&records, f, &seq, huge, sizeof huge);
	CHECK_EQ(run(f, &records, sizeof records.p, &c), TLS_STAGE_FAILED);
	CHECK_EQ(c.error, TLS_ERR_TOO_LARGE);

	/* A ChangeCipherSpec between the parts of a split message. */
	static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
	seq = 0;
	records.len = 0;
	seal(&records, f, &seq, m->p, cert + SPLIT_CERT_AT);
	append(&records, ccs, sizeof ccs);
	seal(&records, f, &seq, m->p + cert + SPLIT_CERT_AT, cert_end - cert - SPLIT_CERT_AT);
	CHECK_EQ(run(f, &records, sizeof records.p, &c), TLS_STAGE_FAILED);
	CHECK_EQ(c.error, TLS_ERR_UNEXPECTED);
	tls_wipe(&c);
}

/* The recorded ServerHello split over three plaintext records. */
static void test_plaintext_fragments(void)
{
	static struct bytes rec, split;
	static struct tls_client c;
	load(&rec, "serverhello");
	const uint8_t *hello = rec.p + RECORD_HEADER;
	size_t len = record_len(rec.p) - RECORD_HEADER;
	size_t cuts[] = {0, 3, 50, len};
	split.len = 0;
	for (int i = 0; i < 3; i++) {
		size_t n = cuts[i + 1] - cuts[i];
		uint8_t header[5] = {CT_HANDSHAKE, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
		append(&split, header, sizeof header);
		append(&split, hello + cuts[i], n);
	}
	start(&c);
	CHECK_EQ(tls_feed(&c, split.p, split.len), split.len);
	CHECK_EQ(c.stage, TLS_STAGE_WAIT_ENCRYPTED_EXTENSIONS);
	CHECK_EQ(c.hs_len, 0);
	tls_wipe(&c);
}

/* Records larger than the buffer are refused when their header arrives. */
static void test_record_too_large(void)
{
	static struct tls_client c;
	uint8_t header[5] = {CT_HANDSHAKE, 3, 3, (uint8_t)((TLS_IN_MAX - 4) >> 8), (uint8_t)(TLS_IN_MAX - 4)};
	start(&c);
	CHECK_EQ(tls_feed(&c, header, sizeof header), sizeof header);
	CHECK_EQ(c.stage, TLS_STAGE_FAILED);
	CHECK_EQ(c.error, TLS_ERR_RECORD_OVERFLOW);
	CHECK_EQ(c.alert_sent, TLS_ALERT_RECORD_OVERFLOW);
	tls_wipe(&c);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	testdata = argv[1];
	ed25519_public(device_pub, fuzz_device_seed);
	printf("tls: TLS_IN_MAX %u, TLS_OUT_MAX %u, sizeof(struct tls_client) = %zu\n", (unsigned)TLS_IN_MAX,
	       (unsigned)TLS_OUT_MAX, sizeof(struct tls_client));
	test_recorded();
	static struct flight f;
	split_flight(&f);
	test_reframed(&f);
	test_plaintext_fragments();
	test_record_too_large();
	return check_report(TLS_IN_MAX < 2048u ? "tls (small buffers)" : "tls");
}
