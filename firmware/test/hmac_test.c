/* Host test of firmware/crypto/hmac.c: RFC 4231 (HMAC-SHA256 and
 * HMAC-SHA512), RFC 5869 (HKDF-SHA256) and the Wycheproof HMAC-SHA256,
 * HMAC-SHA512 and HKDF-SHA256 files.
 * Usage: hmac_test testdata */
#include "check.h"
#include "ct.h"
#include "hmac.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define CANARY 0xa5

/* Decodes a hex literal into out (at most cap bytes); returns its length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = 0;
	if (!CHECK(hex_decode(hex, strlen(hex), out, cap, &len))) {
		fprintf(stderr, "    bad hex literal %.40s...\n", hex);
	}
	return len;
}

/* The number of leading bytes of p[0..n) that still hold CANARY. */
static size_t count_canary(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] == CANARY) {
		i++;
	}
	return i;
}

/* An HMAC under test, with its hash for the long-key rule. */
struct hmac {
	const char *name;
	size_t len, block;
	void (*oneshot)(const uint8_t *key, size_t key_len, const void *data, size_t len, uint8_t *out);
	void (*init)(void *ctx, const uint8_t *key, size_t key_len);
	void (*update)(void *ctx, const void *data, size_t len);
	void (*final)(void *ctx, uint8_t *out);
	size_t ctx_size;
	void (*hash)(const void *data, size_t len, uint8_t *out);
};

static void h256_oneshot(const uint8_t *k, size_t kn, const void *d, size_t n, uint8_t *out)
{
	hmac_sha256(k, kn, d, n, out);
}
static void h256_init(void *c, const uint8_t *k, size_t kn) { hmac_sha256_init(c, k, kn); }
static void h256_update(void *c, const void *d, size_t n) { hmac_sha256_update(c, d, n); }
static void h256_final(void *c, uint8_t *out) { hmac_sha256_final(c, out); }
static void h512_oneshot(const uint8_t *k, size_t kn, const void *d, size_t n, uint8_t *out)
{
	hmac_sha512(k, kn, d, n, out);
}
static void h512_init(void *c, const uint8_t *k, size_t kn) { hmac_sha512_init(c, k, kn); }
static void h512_update(void *c, const void *d, size_t n) { hmac_sha512_update(c, d, n); }
static void h512_final(void *c, uint8_t *out) { hmac_sha512_final(c, out); }

static const struct hmac hmac_sha256_alg = {
	"HMAC-SHA256", SHA256_LEN, SHA256_BLOCK, h256_oneshot, h256_init, h256_update, h256_final,
	sizeof(struct hmac_sha256_ctx), sha256,
};
static const struct hmac hmac_sha512_alg = {
	"HMAC-SHA512", SHA512_LEN, SHA512_BLOCK, h512_oneshot, h512_init, h512_update, h512_final,
	sizeof(struct hmac_sha512_ctx), sha512,
};

/* Room for either context, suitably aligned. */
union any_ctx {
	struct hmac_sha256_ctx s256;
	struct hmac_sha512_ctx s512;
};

/* RFC 4231 section 4: key and data in hex (or repeated bytes), the tags
 * truncated to 128 bits where the RFC does (test case 5). */
static const struct {
	int tc;
	const char *key;
	size_t key_repeat; /* key is one hex byte repeated, or 0 for plain hex */
	const char *data;  /* text */
	const char *data_hex;
	const char *sha256, *sha512; /* tags */
} rfc4231[] = {
	{ 1, "0b", 20, "Hi There", NULL, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ 2, "4a656665", 0, "what do ya want for nothing?", NULL,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	{ 3, "aa", 20, NULL,
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
	{ 4, "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, NULL,
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
	{ 5, "0c", 20, "Test With Truncation", NULL, "a3b6167473100ee06e0c796c2955552b",
	  "415fad6271580a531d4179bc891d87a6" },
	{ 6, "aa", 131, "Test Using Larger Than Block-Size Key - Hash Key First", NULL,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
	{ 7, "aa", 131,
	  "This is a test using a larger than block-size key and a larger than block-size data. "
	  "The key needs to be hashed before being used by the HMAC algorithm.",
	  NULL, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
};

/* One RFC 4231 test case for h; tag_len may be short (test case 5). */
static void check_rfc4231(const struct hmac *h, int tc, const uint8_t *key, size_t key_len,
			  const uint8_t *data, size_t data_len, const char *tag)
{
	uint8_t want[SHA512_LEN], out[SHA512_LEN + 1];
	size_t tag_len = unhex(tag, want, sizeof want);

	out[h->len] = CANARY;
	h->oneshot(key, key_len, data, data_len, out);
	if (!CHECK_MEM(out, want, tag_len)) {
		fprintf(stderr, "    %s RFC 4231 test case %d\n", h->name, tc);
	}
	CHECK_EQ(out[h->len], CANARY);

	/* Incremental, split at every offset of the data. */
	for (size_t i = 0; i <= data_len; i++) {
		union any_ctx ctx;
		h->init(&ctx, key, key_len);
		h->update(&ctx, data, i);
		h->update(&ctx, data + i, data_len - i);
		memset(out, 0, h->len);
		h->final(&ctx, out);
		if (!CHECK_MEM(out, want, tag_len)) {
			fprintf(stderr, "    %s RFC 4231 test case %d split at %zu\n", h->name, tc, i);
		}
		CHECK_EQ(out[h->len], CANARY);
	}

	/* The output may overwrite the key (as HKDF-Extract callers do). */
	uint8_t alias[200];
	memcpy(alias, key, key_len);
	h->oneshot(alias, key_len, data, data_len, alias);
	CHECK_MEM(alias, want, tag_len);
}

static void test_rfc4231(void)
{
	for (size_t v = 0; v < sizeof rfc4231 / sizeof rfc4231[0]; v++) {
		uint8_t key[200], data[200];
		size_t key_len, data_len;
		if (rfc4231[v].key_repeat > 0) {
			uint8_t b;
			unhex(rfc4231[v].key, &b, 1);
			key_len = rfc4231[v].key_repeat;
			memset(key, b, key_len);
		} else {
			key_len = unhex(rfc4231[v].key, key, sizeof key);
		}
		if (rfc4231[v].data != NULL) {
			data_len = strlen(rfc4231[v].data);
			memcpy(data, rfc4231[v].data, data_len);
		} else {
			data_len = unhex(rfc4231[v].data_hex, data, sizeof data);
		}
		check_rfc4231(&hmac_sha256_alg, rfc4231[v].tc, key, key_len, data, data_len, rfc4231[v].sha256);
		check_rfc4231(&hmac_sha512_alg, rfc4231[v].tc, key, key_len, data, data_len, rfc4231[v].sha512);
	}
}

/* final wipes the whole context; a NULL empty key works; a key is hashed
 * exactly when it is longer than the block. */
static void test_hmac_misc(const struct hmac *h)
{
	union any_ctx ctx, zero;
	uint8_t out[SHA512_LEN], want[SHA512_LEN];
	memset(&zero, 0, sizeof zero);
	h->init(&ctx, (const uint8_t *)"key", 3);
	h->update(&ctx, "data", 4);
	h->final(&ctx, out);
	if (!CHECK_MEM(&ctx, &zero, h->ctx_size)) {
		fprintf(stderr, "    %s: final left the context unwiped\n", h->name);
	}

	/* An empty key is the all-zero block, so it equals any zero key up to the block. */
	uint8_t zeros[SHA512_BLOCK] = { 0 };
	h->oneshot(zeros, h->block, "m", 1, want);
	h->oneshot(NULL, 0, "m", 1, out);
	CHECK_MEM(out, want, h->len);
	h->oneshot(zeros, h->len, NULL, 0, want);
	h->oneshot(NULL, 0, "", 0, out);
	CHECK_MEM(out, want, h->len);

	/* A block-sized key is used as is, one byte more is replaced by its hash. */
	uint8_t key[SHA512_BLOCK + 1], digest[SHA512_LEN];
	memset(key, 0x5a, sizeof key);
	h->hash(key, h->block + 1, digest);
	h->oneshot(key, h->block + 1, "m", 1, out);
	h->oneshot(digest, h->len, "m", 1, want);
	if (!CHECK_MEM(out, want, h->len)) {
		fprintf(stderr, "    %s: a key of block + 1 bytes is not hashed\n", h->name);
	}
	h->hash(key, h->block, digest);
	h->oneshot(key, h->block, "m", 1, out);
	h->oneshot(digest, h->len, "m", 1, want);
	if (!CHECK(memcmp(out, want, h->len) != 0)) {
		fprintf(stderr, "    %s: a key of block bytes is hashed\n", h->name);
	}
}

/* RFC 5869 appendix A, test cases 1-3 (the SHA-256 ones). */
static void test_rfc5869(void)
{
	static const struct {
		int tc;
		const char *ikm, *salt, *info, *prk, *okm;
	} tcs[] = {
		{ 1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
		  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
		  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865" },
		{ 2,
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
		  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
		  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
		  "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
		  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
		  "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
		  "cc30c58179ec3e87c14c01d5c1f3434f1d87" },
		{ 3, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
		  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8" },
	};
	for (size_t v = 0; v < sizeof tcs / sizeof tcs[0]; v++) {
		uint8_t ikm[100], salt[100], info[100], want_prk[SHA256_LEN], want_okm[100];
		uint8_t prk[SHA256_LEN + 1], okm[101];
		size_t ikm_len = unhex(tcs[v].ikm, ikm, sizeof ikm);
		size_t salt_len = unhex(tcs[v].salt, salt, sizeof salt);
		size_t info_len = unhex(tcs[v].info, info, sizeof info);
		unhex(tcs[v].prk, want_prk, sizeof want_prk);
		size_t okm_len = unhex(tcs[v].okm, want_okm, sizeof want_okm);

		prk[SHA256_LEN] = CANARY;
		hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
		if (!CHECK_MEM(prk, want_prk, SHA256_LEN)) {
			fprintf(stderr, "    RFC 5869 test case %d PRK\n", tcs[v].tc);
		}
		CHECK_EQ(prk[SHA256_LEN], CANARY);
		memset(okm, CANARY, sizeof okm);
		CHECK_EQ(hkdf_sha256_expand(okm, okm_len, want_prk, info, info_len), 0);
		if (!CHECK_MEM(okm, want_okm, okm_len)) {
			fprintf(stderr, "    RFC 5869 test case %d OKM\n", tcs[v].tc);
		}
		CHECK_EQ(okm[okm_len], CANARY);

		if (salt_len == 0) { /* a NULL salt too means 32 zero bytes */
			uint8_t zeros[SHA256_LEN] = { 0 };
			hkdf_sha256_extract(prk, NULL, 0, ikm, ikm_len);
			CHECK_MEM(prk, want_prk, SHA256_LEN);
			hkdf_sha256_extract(prk, zeros, sizeof zeros, ikm, ikm_len);
			CHECK_MEM(prk, want_prk, SHA256_LEN);
		}

		/* Aliasing as the TLS key schedule does: prk over the salt, and
		 * the output over the prk. */
		uint8_t buf[100];
		memcpy(buf, salt, salt_len);
		hkdf_sha256_extract(buf, buf, salt_len, ikm, ikm_len);
		CHECK_MEM(buf, want_prk, SHA256_LEN);
		CHECK_EQ(hkdf_sha256_expand(buf, okm_len, buf, info, info_len), 0);
		CHECK_MEM(buf, want_okm, okm_len);

		/* Every output length is a prefix of the longest. */
		for (size_t n = 0; n <= okm_len; n++) {
			memset(okm, CANARY, sizeof okm);
			CHECK_EQ(hkdf_sha256_expand(okm, n, want_prk, info, info_len), 0);
			CHECK_MEM(okm, want_okm, n);
			CHECK_EQ(okm[n], CANARY);
		}
	}
}

/* HKDF-Expand's bound: 255 blocks work, one byte more writes nothing. */
static void test_hkdf_limits(void)
{
	enum { MAX = 255 * SHA256_LEN };
	uint8_t prk[SHA256_LEN], *out = malloc(MAX + 2);
	if (!CHECK(out != NULL)) {
		return;
	}
	memset(prk, 0x42, sizeof prk);
	memset(out, CANARY, MAX + 2);
	CHECK_EQ(hkdf_sha256_expand(out, MAX + 1, prk, NULL, 0), -1);
	CHECK_EQ(count_canary(out, MAX + 2), MAX + 2);
	CHECK_EQ(hkdf_sha256_expand(out, MAX, prk, NULL, 0), 0);
	CHECK_EQ(out[MAX], CANARY);
	CHECK_EQ(hkdf_sha256_expand(NULL, 0, prk, NULL, 0), 0);
	free(out);
}

/* Loads a Wycheproof file from testdata/vectors/wycheproof; fails loudly. */
static struct json *load_wycheproof(const char *testdata, const char *name)
{
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/vectors/wycheproof/%s", testdata, name);
	struct json *root = json_load(path, err, sizeof err);
	if (!CHECK(root != NULL)) {
		fprintf(stderr, "    cannot load vectors: %s\n", err);
		return NULL;
	}
	if (!CHECK(json_first(json_get(root, "testGroups")) != NULL)) {
		fprintf(stderr, "    %s: no testGroups\n", path);
	}
	return root;
}

/* Checks the number of tests run against the file's numberOfTests. */
static void check_count(const struct json *root, const char *name, long long run)
{
	long long declared = -1;
	json_get_int(root, "numberOfTests", &declared);
	if (!CHECK(run > 0) || !CHECK_EQ(run, declared)) {
		fprintf(stderr, "    %s: ran %lld tests, the file declares %lld\n", name, run, declared);
	}
}

/* A Wycheproof HMAC file for h: tags are the MAC truncated to the group's
 * tagSize, and a tag of any other length never matches. */
static void test_wycheproof_hmac(const char *testdata, const struct hmac *h, const char *name)
{
	struct json *root = load_wycheproof(testdata, name);
	if (root == NULL) {
		return;
	}
	long long run = 0, valid = 0, invalid = 0, acceptable = 0;
	JSON_FOR_EACH(group, json_get(root, "testGroups")) {
		long long tag_bits = -1;
		CHECK(json_get_int(group, "tagSize", &tag_bits) && tag_bits % 8 == 0 && tag_bits > 0 &&
		      tag_bits <= 8 * (long long)h->len);
		size_t tag_size = (size_t)tag_bits / 8;
		JSON_FOR_EACH(t, json_get(group, "tests")) {
			long long id = -1;
			json_get_int(t, "tcId", &id);
			const char *result = json_get_string(t, "result");
			size_t key_len, msg_len, tag_len;
			uint8_t *key = json_get_hex(t, "key", &key_len);
			uint8_t *msg = json_get_hex(t, "msg", &msg_len);
			uint8_t *tag = json_get_hex(t, "tag", &tag_len);
			run++;
			if (!CHECK(key && msg && tag && result)) {
				fprintf(stderr, "    %s tcId %lld: malformed test\n", name, id);
			} else {
				uint8_t mac[SHA512_LEN + 1];
				mac[h->len] = CANARY;
				h->oneshot(key, key_len, msg, msg_len, mac);
				CHECK_EQ(mac[h->len], CANARY);
				/* A tag shorter than the full MAC is its truncation. */
				bool match = tag_len == tag_size && ct_compare(mac, tag, tag_len) == 0;
				bool ok = true;
				if (strcmp(result, "valid") == 0) {
					valid++;
					ok = CHECK(match);
				} else if (strcmp(result, "invalid") == 0) {
					invalid++;
					ok = CHECK(!match);
				} else {
					acceptable++;
					ok = CHECK(strcmp(result, "acceptable") == 0);
				}
				if (!ok) {
					fprintf(stderr, "    %s tcId %lld (%s)\n", name, id, result);
				}
			}
			free(key);
			free(msg);
			free(tag);
		}
	}
	printf("hmac: %s: %lld tests (%lld valid, %lld invalid, %lld acceptable)\n", name, run, valid, invalid,
	       acceptable);
	check_count(root, name, run);
	json_free(root);
}

static void test_wycheproof_hkdf(const char *testdata)
{
	const char *name = "hkdf_sha256_test.json";
	struct json *root = load_wycheproof(testdata, name);
	if (root == NULL) {
		return;
	}
	long long run = 0, valid = 0, invalid = 0, acceptable = 0;
	JSON_FOR_EACH(group, json_get(root, "testGroups")) {
		JSON_FOR_EACH(t, json_get(group, "tests")) {
			long long id = -1, size = -1;
			json_get_int(t, "tcId", &id);
			const char *result = json_get_string(t, "result");
			size_t ikm_len, salt_len, info_len, okm_len;
			uint8_t *ikm = json_get_hex(t, "ikm", &ikm_len);
			uint8_t *salt = json_get_hex(t, "salt", &salt_len);
			uint8_t *info = json_get_hex(t, "info", &info_len);
			uint8_t *okm = json_get_hex(t, "okm", &okm_len);
			run++;
			if (!CHECK(ikm && salt && info && okm && result && json_get_int(t, "size", &size) &&
				   size >= 0 && size < 1000000)) {
				fprintf(stderr, "    %s tcId %lld: malformed test\n", name, id);
			} else {
				uint8_t prk[SHA256_LEN];
				uint8_t *out = malloc((size_t)size + 1);
				if (out == NULL) {
					fprintf(stderr, "out of memory\n");
					exit(2);
				}
				memset(out, CANARY, (size_t)size + 1);
				hkdf_sha256_extract(prk, salt, salt_len, ikm, ikm_len);
				int rc = hkdf_sha256_expand(out, (size_t)size, prk, info, info_len);
				bool ok;
				if (strcmp(result, "valid") == 0) {
					valid++;
					ok = CHECK_EQ(rc, 0) && CHECK_EQ(okm_len, size) && CHECK_MEM(out, okm, okm_len);
				} else if (strcmp(result, "invalid") == 0) {
					invalid++;
					/* Only a too-large size is invalid for HKDF: nothing written. */
					ok = CHECK_EQ(rc, -1) && CHECK_EQ(count_canary(out, (size_t)size), size);
				} else {
					acceptable++;
					ok = CHECK(strcmp(result, "acceptable") == 0);
				}
				ok = CHECK_EQ(out[size], CANARY) && ok;
				if (!ok) {
					fprintf(stderr, "    %s tcId %lld (%s)\n", name, id, result);
				}
				free(out);
			}
			free(ikm);
			free(salt);
			free(info);
			free(okm);
		}
	}
	printf("hmac: %s: %lld tests (%lld valid, %lld invalid, %lld acceptable)\n", name, run, valid, invalid,
	       acceptable);
	check_count(root, name, run);
	json_free(root);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	test_rfc4231();
	test_hmac_misc(&hmac_sha256_alg);
	test_hmac_misc(&hmac_sha512_alg);
	test_rfc5869();
	test_hkdf_limits();
	test_wycheproof_hmac(argv[1], &hmac_sha256_alg, "hmac_sha256_test.json");
	test_wycheproof_hmac(argv[1], &hmac_sha512_alg, "hmac_sha512_test.json");
	test_wycheproof_hkdf(argv[1]);
	return check_report("hmac");
}
