/* Host test of X25519 (firmware/crypto/curve25519.c): RFC 7748 sections 5.2
 * and 6.1, and every Wycheproof x25519 vector.
 * Usage: x25519_test testdata */
#include "curve25519.h"

#include "check.h"
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANARY 0xa5

static void unhex32(uint8_t out[32], const char *hex)
{
	size_t len = 0;
	if (!CHECK(hex_decode(hex, strlen(hex), out, 32, &len) && len == 32)) {
		fprintf(stderr, "    bad constant %s\n", hex);
	}
}

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc |= p[i];
	}
	return acc == 0;
}

/* x25519 into a buffer with a canary after it; checks the canary. */
static int x25519_checked(uint8_t out[32], const uint8_t k[32], const uint8_t u[32])
{
	uint8_t buf[33];
	buf[32] = CANARY;
	int ret = x25519(buf, k, u);
	CHECK_EQ(buf[32], CANARY);
	memcpy(out, buf, 32);
	return ret;
}

static void test_rfc7748_vectors(void)
{
	static const struct {
		const char *scalar, *u, *out;
	} v[] = {
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		 "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		 "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		 "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		 "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t k[32], u[32], want[32], got[32];
		unhex32(k, v[i].scalar);
		unhex32(u, v[i].u);
		unhex32(want, v[i].out);
		CHECK_EQ(x25519_checked(got, k, u), 0);
		if (!CHECK(memcmp(got, want, 32) == 0)) {
			fprintf(stderr, "    RFC 7748 5.2 vector %zu\n", i + 1);
		}
	}

	/* The iterated vector: k = u = 9; then u, k = k, X25519(k, u). */
	uint8_t k[32] = {9}, u[32] = {9}, r[32], want1[32], want1000[32];
	unhex32(want1, "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
	unhex32(want1000, "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
	for (int i = 1; i <= 1000; i++) {
		CHECK_EQ(x25519(r, k, u), 0);
		memcpy(u, k, 32);
		memcpy(k, r, 32);
		if (i == 1 && !CHECK(memcmp(k, want1, 32) == 0)) {
			fprintf(stderr, "    RFC 7748 5.2 after 1 iteration\n");
		}
	}
	if (!CHECK(memcmp(k, want1000, 32) == 0)) {
		fprintf(stderr, "    RFC 7748 5.2 after 1,000 iterations\n");
	}
}

static void test_rfc7748_dh(void)
{
	uint8_t a[32], b[32], pa[33], pb[33], want_pa[32], want_pb[32], want_k[32], ka[32], kb[32];
	unhex32(a, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	unhex32(want_pa, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	unhex32(b, "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	unhex32(want_pb, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	unhex32(want_k, "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");

	pa[32] = pb[32] = CANARY;
	x25519_public(pa, a);
	x25519_public(pb, b);
	CHECK_EQ(pa[32], CANARY);
	CHECK_EQ(pb[32], CANARY);
	CHECK(memcmp(pa, want_pa, 32) == 0);
	CHECK(memcmp(pb, want_pb, 32) == 0);
	CHECK_EQ(x25519_checked(ka, a, pb), 0);
	CHECK_EQ(x25519_checked(kb, b, pa), 0);
	CHECK(memcmp(ka, want_k, 32) == 0);
	CHECK(memcmp(kb, want_k, 32) == 0);
}

/* Low-order inputs give an all-zero secret and -1; bit 255 is ignored. */
static void test_edge_cases(void)
{
	uint8_t k[32], u[32], r[32], r2[32];
	memset(k, 0x5a, sizeof k);
	memset(u, 0, sizeof u);
	CHECK_EQ(x25519_checked(r, k, u), -1); /* u = 0 */
	CHECK(is_zero(r, 32));
	u[0] = 1;
	CHECK_EQ(x25519_checked(r, k, u), -1); /* u = 1, order 4 */
	CHECK(is_zero(r, 32));
	/* u = p - 1 (order 2) and u = p (non-canonical 0). */
	memset(u, 0xff, sizeof u);
	u[31] = 0x7f;
	u[0] = 0xec;
	CHECK_EQ(x25519_checked(r, k, u), -1);
	u[0] = 0xed;
	CHECK_EQ(x25519_checked(r, k, u), -1);
	/* u = p + 9 reduces to 9; bit 255 set is masked. */
	u[0] = 0xf6;
	x25519_public(r2, k);
	CHECK_EQ(x25519_checked(r, k, u), 0);
	CHECK(memcmp(r, r2, 32) == 0);
	memset(u, 0, sizeof u);
	u[0] = 9;
	u[31] = 0x80;
	CHECK_EQ(x25519_checked(r, k, u), 0);
	CHECK(memcmp(r, r2, 32) == 0);
	/* out may alias the scalar or the point. */
	memcpy(r, k, 32);
	u[31] = 0;
	CHECK_EQ(x25519(r, r, u), 0);
	CHECK(memcmp(r, r2, 32) == 0);
	memcpy(r, u, 32);
	CHECK_EQ(x25519(r, k, r), 0);
	CHECK(memcmp(r, r2, 32) == 0);
}

static void test_wycheproof(const char *testdata)
{
	const char *name = "x25519_test.json";
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/vectors/wycheproof/%s", testdata, name);
	struct json *root = json_load(path, err, sizeof err);
	if (!CHECK(root != NULL)) {
		fprintf(stderr, "    cannot load vectors: %s\n", err);
		return;
	}
	long long run = 0, declared = -1, zero = 0;
	JSON_FOR_EACH(group, json_get(root, "testGroups")) {
		const char *curve = json_get_string(group, "curve");
		if (!CHECK(curve != NULL && strcmp(curve, "curve25519") == 0)) {
			fprintf(stderr, "    %s: unexpected curve %s\n", name, curve ? curve : "(none)");
			continue;
		}
		JSON_FOR_EACH(t, json_get(group, "tests")) {
			long long id = -1;
			json_get_int(t, "tcId", &id);
			const char *result = json_get_string(t, "result");
			size_t pub_len = 0, priv_len = 0, shared_len = 0;
			uint8_t *pub = json_get_hex(t, "public", &pub_len);
			uint8_t *priv = json_get_hex(t, "private", &priv_len);
			uint8_t *shared = json_get_hex(t, "shared", &shared_len);
			bool zero_flag = false;
			JSON_FOR_EACH(f, json_get(t, "flags")) {
				zero_flag |= f->type == JSON_STRING && strcmp(f->str, "ZeroSharedSecret") == 0;
			}
			run++;
			if (!CHECK(pub && priv && shared && result && pub_len == 32 && priv_len == 32 &&
				   shared_len == 32)) {
				fprintf(stderr, "    %s tcId %lld: malformed test\n", name, id);
			} else {
				uint8_t out[32];
				int ret = x25519_checked(out, priv, pub);
				bool match = memcmp(out, shared, 32) == 0;
				bool ok;
				if (zero_flag) {
					zero++;
				}
				if (strcmp(result, "valid") == 0 || strcmp(result, "acceptable") == 0) {
					/* Acceptable vectors (twist points, low-order or
					 * non-canonical u) still have the RFC 7748 result;
					 * a zero result must be refused with -1. */
					ok = CHECK(match) && CHECK_EQ(ret, is_zero(shared, 32) ? -1 : 0) &&
					     CHECK(!zero_flag || ret == -1) &&
					     CHECK(strcmp(result, "valid") != 0 || !zero_flag);
				} else {
					ok = CHECK(strcmp(result, "invalid") == 0) && CHECK(ret != 0 || !match);
				}
				if (!ok) {
					fprintf(stderr, "    %s tcId %lld (%s)\n", name, id, result);
				}
			}
			free(pub);
			free(priv);
			free(shared);
		}
	}
	json_get_int(root, "numberOfTests", &declared);
	if (!CHECK(run > 0) || !CHECK_EQ(run, declared)) {
		fprintf(stderr, "    %s: ran %lld tests, the file declares %lld\n", name, run, declared);
	}
	CHECK(zero > 0); /* the ZeroSharedSecret vectors were seen */
	printf("x25519: %lld Wycheproof vectors (%lld with a zero shared secret)\n", run, zero);
	json_free(root);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	test_rfc7748_vectors();
	test_rfc7748_dh();
	test_edge_cases();
	test_wycheproof(argv[1]);
	return check_report("x25519");
}
