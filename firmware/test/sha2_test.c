/* Host test of firmware/crypto/sha256.c and sha512.c: the FIPS 180-4 /
 * NIST example messages, incremental updates split at every offset, odd
 * alignment, the wipe in final, and a canary after every output.
 * Usage: sha2_test testdata   (the vectors here are all in the source) */
#include "check.h"
#include "json.h"
#include "sha2.h"

#include <stdlib.h>
#include <string.h>

#define CANARY 0xa5

/* Decodes a hex literal of exactly n bytes. */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
	size_t len = 0;
	if (!CHECK(hex_decode(hex, strlen(hex), out, n, &len) && len == n)) {
		memset(out, 0, n);
	}
}

/* Both hashes over one interface, so every test runs for each. */
struct hash {
	const char *name;
	size_t len, block;
	void (*oneshot)(const void *data, size_t len, uint8_t *out);
	void (*init)(void *ctx);
	void (*update)(void *ctx, const void *data, size_t len);
	void (*final)(void *ctx, uint8_t *out);
	size_t ctx_size;
};

static void s256_oneshot(const void *d, size_t n, uint8_t *out) { sha256(d, n, out); }
static void s256_init(void *c) { sha256_init(c); }
static void s256_update(void *c, const void *d, size_t n) { sha256_update(c, d, n); }
static void s256_final(void *c, uint8_t *out) { sha256_final(c, out); }
static void s512_oneshot(const void *d, size_t n, uint8_t *out) { sha512(d, n, out); }
static void s512_init(void *c) { sha512_init(c); }
static void s512_update(void *c, const void *d, size_t n) { sha512_update(c, d, n); }
static void s512_final(void *c, uint8_t *out) { sha512_final(c, out); }

static const struct hash hashes[] = {
	{ "SHA-256", SHA256_LEN, SHA256_BLOCK, s256_oneshot, s256_init, s256_update, s256_final,
	  sizeof(struct sha256_ctx) },
	{ "SHA-512", SHA512_LEN, SHA512_BLOCK, s512_oneshot, s512_init, s512_update, s512_final,
	  sizeof(struct sha512_ctx) },
};

/* Room for either context, suitably aligned. */
union any_ctx {
	struct sha256_ctx s256;
	struct sha512_ctx s512;
};

/* FIPS 180-4 examples (NIST "Examples with Intermediate Values" and the
 * long-message example): message = text repeated `repeat` times. */
static const struct {
	const char *text;
	size_t repeat;
	const char *sha256, *sha512;
} known[] = {
	{ "", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	  "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	  "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ "abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	/* 448 bits */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	  "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
	  "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
	/* 896 bits */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
	  "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 1,
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	  "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
	  "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	/* one million 'a' */
	{ "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	  "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	  "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

static void test_known(const struct hash *h, size_t which)
{
	const char *text = known[which].text;
	size_t tlen = strlen(text), total = tlen * known[which].repeat;
	uint8_t want[SHA512_LEN], out[SHA512_LEN + 1];
	unhex(h->len == SHA256_LEN ? known[which].sha256 : known[which].sha512, want, h->len);

	/* One shot over the whole message (a heap copy of exactly its size). */
	uint8_t *msg = malloc(total > 0 ? total : 1);
	if (!CHECK(msg != NULL)) {
		return;
	}
	for (size_t i = 0; i < known[which].repeat; i++) {
		memcpy(msg + i * tlen, text, tlen);
	}
	out[h->len] = CANARY;
	h->oneshot(msg, total, out);
	if (!CHECK_MEM(out, want, h->len)) {
		fprintf(stderr, "    %s of known message %zu (%zu bytes)\n", h->name, which, total);
	}
	CHECK_EQ(out[h->len], CANARY);

	/* Incrementally, one repetition of the text at a time, in chunks of
	 * 1000 for the million. */
	union any_ctx ctx;
	h->init(&ctx);
	size_t step = known[which].repeat > 1 ? 1000 : tlen;
	for (size_t off = 0; off < total; off += step) {
		h->update(&ctx, msg + off, total - off < step ? total - off : step);
	}
	memset(out, 0, h->len);
	h->final(&ctx, out);
	CHECK_MEM(out, want, h->len);
	CHECK_EQ(out[h->len], CANARY);
	free(msg);
}

/* update(m[0..i)) + update(m[i..n)) equals the one-shot hash for every i,
 * and so do byte-by-byte updates and a three-way split around each block
 * boundary. */
static void test_splits(const struct hash *h)
{
	enum { N = 300 };
	uint8_t msg[N], want[SHA512_LEN], out[SHA512_LEN + 1];
	for (size_t i = 0; i < N; i++) {
		msg[i] = (uint8_t)(i * 131 + 7);
	}
	h->oneshot(msg, N, want);
	union any_ctx ctx;
	for (size_t i = 0; i <= N; i++) {
		h->init(&ctx);
		h->update(&ctx, msg, i);
		h->update(&ctx, msg + i, N - i);
		out[h->len] = CANARY;
		h->final(&ctx, out);
		if (!CHECK_MEM(out, want, h->len)) {
			fprintf(stderr, "    %s split at %zu\n", h->name, i);
		}
		CHECK_EQ(out[h->len], CANARY);
	}
	for (size_t i = 0; i + 1 < N; i += 7) {
		h->init(&ctx);
		h->update(&ctx, msg, i);
		h->update(&ctx, msg + i, 0);
		h->update(&ctx, msg + i, 1);
		h->update(&ctx, msg + i + 1, N - i - 1);
		h->final(&ctx, out);
		CHECK_MEM(out, want, h->len);
	}
	h->init(&ctx);
	for (size_t i = 0; i < N; i++) {
		h->update(&ctx, msg + i, 1);
	}
	h->final(&ctx, out);
	CHECK_MEM(out, want, h->len);

	/* Every length up to N: one shot, byte by byte, and whole-block-then-
	 * rest agree (covers each padding boundary). */
	for (size_t n = 0; n <= N; n++) {
		uint8_t a[SHA512_LEN], b[SHA512_LEN];
		h->oneshot(msg, n, a);
		h->init(&ctx);
		for (size_t i = 0; i < n; i++) {
			h->update(&ctx, msg + i, 1);
		}
		h->final(&ctx, b);
		if (!CHECK_MEM(a, b, h->len)) {
			fprintf(stderr, "    %s length %zu\n", h->name, n);
		}
	}
}

/* Input at every alignment hashes the same; NULL with length 0 is empty. */
static void test_alignment(const struct hash *h)
{
	enum { N = 200 };
	uint8_t buf[N + 8], want[SHA512_LEN], out[SHA512_LEN + 1];
	for (size_t i = 0; i < N; i++) {
		buf[i] = (uint8_t)(i ^ 0x5c);
	}
	h->oneshot(buf, N, want);
	for (size_t a = 1; a < 8; a++) {
		memmove(buf + a, buf + a - 1, N);
		h->oneshot(buf + a, N, out);
		CHECK_MEM(out, want, h->len);
	}
	/* Output at an odd address, canary on both sides. */
	uint8_t wide[SHA512_LEN + 3];
	memset(wide, CANARY, sizeof wide);
	h->oneshot(buf + 7, N, wide + 1);
	CHECK_MEM(wide + 1, want, h->len);
	CHECK_EQ(wide[0], CANARY);
	CHECK_EQ(wide[h->len + 1], CANARY);

	uint8_t empty[SHA512_LEN];
	h->oneshot("", 0, want);
	h->oneshot(NULL, 0, empty);
	CHECK_MEM(empty, want, h->len);
	union any_ctx ctx;
	h->init(&ctx);
	h->update(&ctx, NULL, 0);
	h->final(&ctx, empty);
	CHECK_MEM(empty, want, h->len);
}

/* final leaves the whole context zeroed (sha2.h: "wipes ctx"). */
static void test_final_wipes(const struct hash *h)
{
	union any_ctx ctx, zero;
	uint8_t out[SHA512_LEN];
	memset(&zero, 0, sizeof zero);
	h->init(&ctx);
	h->update(&ctx, "secret key material", 19);
	h->final(&ctx, out);
	CHECK_MEM(&ctx, &zero, h->ctx_size);
}

int main(int argc, char **argv)
{
	(void)argc; /* all vectors are in the source */
	(void)argv;
	for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
		const struct hash *h = &hashes[i];
		for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
			test_known(h, k);
		}
		test_splits(h);
		test_alignment(h);
		test_final_wipes(h);
	}
	return check_report("sha2");
}
