/* Host test of Ed25519 (firmware/crypto/ed25519.c): RFC 8032 section 7.1,
 * sign/verify round trips, edge cases of point and scalar decoding, and
 * every Wycheproof ed25519 vector. Every output buffer has a canary byte
 * after it. Usage: ed25519_test testdata */
#include "curve25519.h"

#include "check.h"
#include "json.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANARY 0xa5

/* Decodes a hex constant of exactly want bytes into a malloc'd buffer. */
static uint8_t *unhex(const char *hex, size_t want)
{
	size_t len = 0;
	uint8_t *out = malloc(want + 1);
	if (!CHECK(out != NULL && hex_decode(hex, strlen(hex), out, want + 1, &len) && len == want)) {
		fprintf(stderr, "    bad constant (%zu bytes wanted) %.40s...\n", want, hex);
		if (out != NULL) {
			memset(out, 0, want + 1);
		}
	}
	return out;
}

static const char msg1024[] =
	"08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1"
	"e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
	"658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a"
	"7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
	"06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
	"3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
	"85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d"
	"502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
	"88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b"
	"eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
	"b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
	"e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
	"51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d"
	"cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
	"f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
	"984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
	"88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09"
	"43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
	"b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161"
	"0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
	"b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca"
	"c60c905c15fc910840b94c00a0b9d0"	;

static const struct rfc8032_vector {
	const char *name, *seed, *pub, *msg, *sig;
} rfc8032[] = {
	{"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	 "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	 "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	 "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	 "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
	 "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	 "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	 "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
	 "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
	{"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
	 "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", msg1024,
	 "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
	 "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
	{"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
	 "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	 "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
	 "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

/* A valid signature must fail once any single bit of it, of the message or
 * of the public key is flipped (a sample of bits, to keep the test quick). */
static void check_tampering(const char *name, const uint8_t sig[64], const uint8_t *msg, size_t len,
			    const uint8_t pub[32])
{
	uint8_t s[64], p[32];
	for (int bit = 0; bit < 512; bit += 37) {
		memcpy(s, sig, 64);
		s[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (!CHECK_EQ(ed25519_verify(s, msg, len, pub), -1)) {
			fprintf(stderr, "    %s: signature bit %d flipped\n", name, bit);
		}
	}
	for (int bit = 0; bit < 256; bit += 23) {
		memcpy(p, pub, 32);
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (!CHECK_EQ(ed25519_verify(sig, msg, len, p), -1)) {
			fprintf(stderr, "    %s: public key bit %d flipped\n", name, bit);
		}
	}
	uint8_t *m = malloc(len + 1);
	if (!CHECK(m != NULL)) {
		return;
	}
	if (len > 0) {
		memcpy(m, msg, len);
		m[len / 2] ^= 0x10;
		CHECK_EQ(ed25519_verify(sig, m, len, pub), -1);
		CHECK_EQ(ed25519_verify(sig, msg, len - 1, pub), -1);
	}
	memcpy(m, msg, len);
	m[len] = 0;
	CHECK_EQ(ed25519_verify(sig, m, len + 1, pub), -1);
	free(m);
}

static void test_rfc8032(void)
{
	for (size_t i = 0; i < sizeof rfc8032 / sizeof rfc8032[0]; i++) {
		const struct rfc8032_vector *v = &rfc8032[i];
		size_t len = strlen(v->msg) / 2;
		uint8_t *seed = unhex(v->seed, 32), *pub = unhex(v->pub, 32);
		uint8_t *msg = unhex(v->msg, len), *sig = unhex(v->sig, 64);
		uint8_t got_pub[33], got_sig[65];

		got_pub[32] = CANARY;
		ed25519_public(got_pub, seed);
		CHECK_EQ(got_pub[32], CANARY);
		if (!CHECK(memcmp(got_pub, pub, 32) == 0)) {
			fprintf(stderr, "    RFC 8032 %s: public key\n", v->name);
		}
		got_sig[64] = CANARY;
		ed25519_sign(got_sig, msg, len, seed, pub);
		CHECK_EQ(got_sig[64], CANARY);
		if (!CHECK(memcmp(got_sig, sig, 64) == 0)) {
			fprintf(stderr, "    RFC 8032 %s: signature\n", v->name);
		}
		if (!CHECK_EQ(ed25519_verify(sig, msg, len, pub), 0)) {
			fprintf(stderr, "    RFC 8032 %s: verify\n", v->name);
		}
		check_tampering(v->name, sig, msg, len, pub);
		free(seed);
		free(pub);
		free(msg);
		free(sig);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint8_t rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void test_round_trips(void)
{
	uint8_t msg[300], seed[32], pub[33], sig[65], sig2[65], buf[300];
	for (int n = 0; n < 48; n++) {
		size_t len = n < 40 ? (size_t)n : (size_t)(n - 40) * 37 + 40;
		for (size_t i = 0; i < 32; i++) {
			seed[i] = rng_byte();
		}
		for (size_t i = 0; i < len; i++) {
			msg[i] = rng_byte();
		}
		if (n == 1) {
			memset(seed, 0, 32);
		} else if (n == 2) {
			memset(seed, 0xff, 32);
		}
		pub[32] = sig[64] = sig2[64] = CANARY;
		ed25519_public(pub, seed);
		ed25519_sign(sig, msg, len, seed, pub);
		CHECK_EQ(pub[32], CANARY);
		CHECK_EQ(sig[64], CANARY);
		if (!CHECK_EQ(ed25519_verify(sig, msg, len, pub), 0)) {
			fprintf(stderr, "    round trip %d (%zu bytes)\n", n, len);
		}
		/* Deterministic: the same signature again. */
		ed25519_sign(sig2, msg, len, seed, pub);
		CHECK(memcmp(sig, sig2, 64) == 0);
		if (n % 8 == 0) {
			check_tampering("round trip", sig, msg, len, pub);
		}
		/* The signature may be written over the message. */
		if (len >= 64) {
			memcpy(buf, msg, len);
			ed25519_sign(buf, buf, len, seed, pub);
			CHECK(memcmp(buf, sig, 64) == 0);
		}
	}
}

/* A message given as prefix || rest signs and verifies as the joined
 * message does, wherever it is split (TLS's CertificateVerify passes its
 * constant prefix and the transcript hash apart). */
static void test_prefixed(void)
{
	uint8_t msg[130], seed[32], pub[32], sig[65], sig2[65];
	for (size_t i = 0; i < sizeof msg; i++) {
		msg[i] = rng_byte();
	}
	for (size_t i = 0; i < 32; i++) {
		seed[i] = rng_byte();
	}
	ed25519_public(pub, seed);
	ed25519_sign(sig, msg, sizeof msg, seed, pub);
	static const size_t splits[] = {0, 1, 63, 64, 98, 129, 130};
	for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
		size_t at = splits[i];
		sig2[64] = CANARY;
		ed25519_sign_prefixed(sig2, msg, at, msg + at, sizeof msg - at, seed, pub);
		CHECK_MEM(sig2, sig, 64);
		CHECK_EQ(sig2[64], CANARY);
		CHECK_EQ(ed25519_verify_prefixed(sig, msg, at, msg + at, sizeof msg - at, pub), 0);
		if (at > 0) {
			msg[at - 1] ^= 1; /* a change in the prefix */
			CHECK_EQ(ed25519_verify_prefixed(sig, msg, at, msg + at, sizeof msg - at, pub), -1);
			msg[at - 1] ^= 1;
		}
		if (at < sizeof msg) {
			msg[at] ^= 0x80; /* and in the rest */
			CHECK_EQ(ed25519_verify_prefixed(sig, msg, at, msg + at, sizeof msg - at, pub), -1);
			msg[at] ^= 0x80;
		}
	}
	/* Moving bytes between the parts changes nothing: one message. */
	CHECK_EQ(ed25519_verify_prefixed(sig, msg, 98, msg + 98, 32, pub), 0);
	CHECK_EQ(ed25519_verify_prefixed(sig, msg, 97, msg + 97, 32, pub), -1); /* one byte short */
}

/* Encodings at the edges of RFC 8032 5.1.3 and 5.1.7. */
static void test_edge_cases(void)
{
	static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
				      0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				      0, 0, 0x10};
	uint8_t seed[32] = {1}, pub[32], sig[64], s2[64];
	const uint8_t msg[] = "edge";
	ed25519_public(pub, seed);
	ed25519_sign(sig, msg, 4, seed, pub);
	CHECK_EQ(ed25519_verify(sig, msg, 4, pub), 0);

	/* S = S + L, S = L, S = L - 1 + 1 carried into the top byte: all >= L. */
	memcpy(s2, sig, 64);
	unsigned c = 0;
	for (int i = 0; i < 32; i++) {
		c += (unsigned)s2[32 + i] + L[i];
		s2[32 + i] = (uint8_t)c;
		c >>= 8;
	}
	CHECK_EQ(ed25519_verify(s2, msg, 4, pub), -1);
	memcpy(s2 + 32, L, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, pub), -1);
	memset(s2 + 32, 0xff, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, pub), -1);

	/* The identity as public key and R with S = 0 satisfies [S]B = R + [k]A
	 * (cofactorless verification accepts it, as RFC 8032 allows), but only
	 * with canonical encodings: y = p + 1 and x = 0 with the sign bit set
	 * must fail to decode. */
	uint8_t id[32] = {1}, id_noncanon[32], id_neg[32];
	memset(id_noncanon, 0xff, 32);
	id_noncanon[0] = 0xee;
	id_noncanon[31] = 0x7f;
	memcpy(id_neg, id, 32);
	id_neg[31] = 0x80;
	memset(s2, 0, 64);
	memcpy(s2, id, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id), 0);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id_noncanon), -1);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id_neg), -1);
	memcpy(s2, id_noncanon, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id), -1);
	memcpy(s2, id_neg, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id), -1);
	/* y = 2 is not the y of any curve point. */
	uint8_t y2[32] = {2};
	memcpy(s2, y2, 32);
	CHECK_EQ(ed25519_verify(s2, msg, 4, id), -1);
	CHECK_EQ(ed25519_verify(sig, msg, 4, y2), -1);
}

static void test_wycheproof(const char *testdata)
{
	const char *name = "ed25519_test.json";
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/vectors/wycheproof/%s", testdata, name);
	struct json *root = json_load(path, err, sizeof err);
	if (!CHECK(root != NULL)) {
		fprintf(stderr, "    cannot load vectors: %s\n", err);
		return;
	}
	long long run = 0, declared = -1, valid = 0, invalid = 0;
	JSON_FOR_EACH(group, json_get(root, "testGroups")) {
		const struct json *key = json_get(group, "publicKey");
		const char *curve = json_get_string(key, "curve");
		size_t pub_len = 0;
		uint8_t *pub = json_get_hex(key, "pk", &pub_len);
		if (!CHECK(pub != NULL && pub_len == 32 && curve != NULL && strcmp(curve, "edwards25519") == 0)) {
			fprintf(stderr, "    %s: malformed group\n", name);
			free(pub);
			continue;
		}
		JSON_FOR_EACH(t, json_get(group, "tests")) {
			long long id = -1;
			json_get_int(t, "tcId", &id);
			const char *result = json_get_string(t, "result");
			size_t msg_len = 0, sig_len = 0;
			uint8_t *msg = json_get_hex(t, "msg", &msg_len);
			uint8_t *sig = json_get_hex(t, "sig", &sig_len);
			run++;
			if (!CHECK(msg && sig && result)) {
				fprintf(stderr, "    %s tcId %lld: malformed test\n", name, id);
			} else {
				/* The API takes exactly 64 bytes: any other length is
				 * refused before verification. */
				bool accepted = sig_len == 64 && ed25519_verify(sig, msg, msg_len, pub) == 0;
				bool ok;
				if (strcmp(result, "valid") == 0) {
					valid++;
					ok = CHECK(accepted);
				} else {
					invalid++;
					ok = CHECK(strcmp(result, "invalid") == 0) && CHECK(!accepted);
				}
				if (!ok) {
					fprintf(stderr, "    %s tcId %lld (%s)\n", name, id, result);
				}
			}
			free(msg);
			free(sig);
		}
		free(pub);
	}
	json_get_int(root, "numberOfTests", &declared);
	if (!CHECK(run > 0) || !CHECK_EQ(run, declared)) {
		fprintf(stderr, "    %s: ran %lld tests, the file declares %lld\n", name, run, declared);
	}
	printf("ed25519: %lld Wycheproof vectors (%lld valid, %lld invalid)\n", run, valid, invalid);
	json_free(root);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	test_rfc8032();
	test_round_trips();
	test_prefixed();
	test_edge_cases();
	test_wycheproof(argv[1]);
	return check_report("ed25519");
}
