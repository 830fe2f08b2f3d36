/* Host test of firmware/crypto/chacha20poly1305.c: RFC 8439 vectors
 * (2.3.2, 2.4.2, 2.5.2 and A.3 for Poly1305, 2.8.2, A.5), the Wycheproof
 * ChaCha20-Poly1305 file, tampering, in-place use, odd alignment and
 * canaries after every output.
 * Usage: aead_test testdata */
#include "aead.h"
#include "check.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define CANARY 0xa5
#define PATTERN 0x3c

/* Not in aead.h (its API is fixed); chacha20poly1305.c exports it for this
 * test only. Keep in sync with the definition there. */
void poly1305_mac(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32]);

/* Decodes a hex literal into out (at most cap bytes); returns its length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t len = 0;
	if (!CHECK(hex_decode(hex, strlen(hex), out, cap, &len))) {
		fprintf(stderr, "    bad hex literal %.40s...\n", hex);
	}
	return len;
}

/* The number of leading bytes of p[0..n) equal to b. */
static size_t count_byte(const uint8_t *p, size_t n, uint8_t b)
{
	size_t i = 0;
	while (i < n && p[i] == b) {
		i++;
	}
	return i;
}

static const char sunscreen[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
				"the future, sunscreen would be it.";

/* RFC 8439 2.3.2: the block function. */
static void test_block(void)
{
	uint8_t key[32], nonce[12], want[64], out[65];
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
	}
	unhex("000000090000004a00000000", nonce, sizeof nonce);
	unhex("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
	      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
	      want, sizeof want);
	out[64] = CANARY;
	chacha20_block(out, key, 1, nonce);
	CHECK_MEM(out, want, 64);
	CHECK_EQ(out[64], CANARY);
}

/* RFC 8439 2.4.2: encryption with counter 1, whole, in place, in pieces
 * (the counter carries on per block) and back. */
static void test_stream(void)
{
	uint8_t key[32], nonce[12], want[114], buf[115], pt[114];
	size_t n = strlen(sunscreen);
	CHECK_EQ(n, sizeof pt);
	memcpy(pt, sunscreen, sizeof pt);
	for (int i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
	}
	unhex("000000000000004a00000000", nonce, sizeof nonce);
	unhex("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
	      "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
	      "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
	      "5af90bbf74a35be6b40b8eedf2785e42874d",
	      want, sizeof want);

	buf[114] = CANARY;
	chacha20_xor(buf, pt, n, key, 1, nonce);
	CHECK_MEM(buf, want, n);
	CHECK_EQ(buf[114], CANARY);

	memcpy(buf, pt, n);
	chacha20_xor(buf, buf, n, key, 1, nonce); /* in place */
	CHECK_MEM(buf, want, n);

	memset(buf, 0, n);
	chacha20_xor(buf, pt, 64, key, 1, nonce);
	chacha20_xor(buf + 64, pt + 64, n - 64, key, 2, nonce);
	CHECK_MEM(buf, want, n);
	CHECK_EQ(buf[114], CANARY);

	chacha20_xor(buf, buf, n, key, 1, nonce); /* and back */
	CHECK_MEM(buf, pt, n);
	chacha20_xor(NULL, NULL, 0, key, 1, nonce);
}

/* RFC 8439 2.5.2 and the A.3 test vectors (A.3 #5-#11 are the carry and
 * reduction edge cases). */
static void test_poly1305(void)
{
	static const char ietf[] =
		"Any submission to the IETF intended by the Contributor for publication as all or part of an IETF "
		"Internet-Draft or RFC and any statement made within the context of an IETF activity is considered "
		"an \"IETF Contribution\". Such statements include oral statements in IETF sessions, as well as "
		"written and electronic communications made at any time or place, which are addressed to";
	static const char jabberwocky[] = "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n"
					  "All mimsy were the borogoves,\nAnd the mome raths outgrabe.";
	static const struct {
		const char *name, *key, *text, *msg_hex, *tag;
	} v[] = {
		{ "2.5.2", "85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b",
		  "Cryptographic Forum Research Group", NULL, "a8061dc1305136c6c22b8baf0c0127a9" },
		{ "A.3 #1", "0000000000000000000000000000000000000000000000000000000000000000", NULL,
		  "0000000000000000000000000000000000000000000000000000000000000000"
		  "0000000000000000000000000000000000000000000000000000000000000000",
		  "00000000000000000000000000000000" },
		{ "A.3 #2", "0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e", ietf, NULL,
		  "36e5f6b5c5e06070f0efca96227a863e" },
		{ "A.3 #3", "36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000", ietf, NULL,
		  "f3477e7cd95417af89a6b8794c310cf0" },
		{ "A.3 #4", "1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", jabberwocky, NULL,
		  "4541669a7eaaee61e708dc7cbcc5eb62" },
		{ "A.3 #5", "0200000000000000000000000000000000000000000000000000000000000000", NULL,
		  "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000" },
		{ "A.3 #6", "02000000000000000000000000000000ffffffffffffffffffffffffffffffff", NULL,
		  "02000000000000000000000000000000", "03000000000000000000000000000000" },
		{ "A.3 #7", "0100000000000000000000000000000000000000000000000000000000000000", NULL,
		  "ffffffffffffffffffffffffffffffff"
		  "f0ffffffffffffffffffffffffffffff"
		  "11000000000000000000000000000000",
		  "05000000000000000000000000000000" },
		{ "A.3 #8", "0100000000000000000000000000000000000000000000000000000000000000", NULL,
		  "ffffffffffffffffffffffffffffffff"
		  "fbfefefefefefefefefefefefefefefe"
		  "01010101010101010101010101010101",
		  "00000000000000000000000000000000" },
		{ "A.3 #9", "0200000000000000000000000000000000000000000000000000000000000000", NULL,
		  "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff" },
		{ "A.3 #10", "0100000000000000040000000000000000000000000000000000000000000000", NULL,
		  "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000"
		  "0000000000000000000000000000000001000000000000000000000000000000",
		  "14000000000000005500000000000000" },
		{ "A.3 #11", "0100000000000000040000000000000000000000000000000000000000000000", NULL,
		  "e33594d7505e43b900000000000000003394d7505e4379cd0100000000000000"
		  "00000000000000000000000000000000",
		  "13000000000000000000000000000000" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uint8_t key[32], msg[400], want[16], tag[17];
		size_t len;
		unhex(v[i].key, key, sizeof key);
		if (v[i].text != NULL) {
			len = strlen(v[i].text);
			memcpy(msg, v[i].text, len);
		} else {
			len = unhex(v[i].msg_hex, msg, sizeof msg);
		}
		unhex(v[i].tag, want, sizeof want);
		tag[16] = CANARY;
		poly1305_mac(tag, msg, len, key);
		if (!CHECK_MEM(tag, want, 16)) {
			fprintf(stderr, "    Poly1305 RFC 8439 %s\n", v[i].name);
		}
		CHECK_EQ(tag[16], CANARY);
	}
}

/* An AEAD vector as decoded bytes. */
struct aead_vec {
	uint8_t key[32], nonce[12], tag[16];
	uint8_t aad[64], pt[300], ct[300];
	size_t aad_len, len;
};

/* RFC 8439 2.8.2. */
static void vec_282(struct aead_vec *v)
{
	for (int i = 0; i < 32; i++) {
		v->key[i] = (uint8_t)(0x80 + i);
	}
	unhex("070000004041424344454647", v->nonce, sizeof v->nonce);
	v->aad_len = unhex("50515253c0c1c2c3c4c5c6c7", v->aad, sizeof v->aad);
	v->len = strlen(sunscreen);
	memcpy(v->pt, sunscreen, v->len);
	CHECK_EQ(unhex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		       "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		       "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		       "3ff4def08e4b7a9de576d26586cec64b6116",
		       v->ct, sizeof v->ct),
		 v->len);
	unhex("1ae10b594f09e26a7e902ecbd0600691", v->tag, sizeof v->tag);
}

/* RFC 8439 A.5: decryption of an Internet-Draft's boilerplate. */
static void vec_a5(struct aead_vec *v)
{
	static const char text[] =
		"Internet-Drafts are draft documents valid for a maximum of six months and may be updated, "
		"replaced, or obsoleted by other documents at any time. It is inappropriate to use "
		"Internet-Drafts as reference material or to cite them other than as /\xe2\x80\x9cwork in "
		"progress./\xe2\x80\x9d";
	unhex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", v->key, sizeof v->key);
	unhex("000000000102030405060708", v->nonce, sizeof v->nonce);
	v->aad_len = unhex("f33388860000000000004e91", v->aad, sizeof v->aad);
	v->len = strlen(text);
	memcpy(v->pt, text, v->len);
	CHECK_EQ(unhex("64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
		       "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
		       "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
		       "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
		       "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
		       "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
		       "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
		       "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
		       "a6ad5cb4022b02709b",
		       v->ct, sizeof v->ct),
		 v->len);
	unhex("eead9d67890cbb22392336fea1851f38", v->tag, sizeof v->tag);
}

/* Seal and open v, with every buffer one byte off alignment and a canary
 * after each output; then in place. */
static void check_vector(const struct aead_vec *v, const char *name)
{
	/* +1: odd addresses; +1 more: the canary. */
	uint8_t key[33], nonce[13], aad[65], pt[302], ct[302], tag[18];
	memcpy(key + 1, v->key, 32);
	memcpy(nonce + 1, v->nonce, 12);
	memcpy(aad + 1, v->aad, v->aad_len);
	memcpy(pt + 1, v->pt, v->len);
	ct[1 + v->len] = CANARY;
	tag[17] = CANARY;
	chacha20poly1305_seal(ct + 1, tag + 1, key + 1, nonce + 1, aad + 1, v->aad_len, pt + 1, v->len);
	if (!CHECK_MEM(ct + 1, v->ct, v->len) || !CHECK_MEM(tag + 1, v->tag, 16)) {
		fprintf(stderr, "    seal of %s\n", name);
	}
	CHECK_EQ(ct[1 + v->len], CANARY);
	CHECK_EQ(tag[17], CANARY);

	memset(pt, PATTERN, sizeof pt);
	pt[1 + v->len] = CANARY;
	memcpy(ct + 1, v->ct, v->len);
	memcpy(tag + 1, v->tag, 16);
	if (!CHECK_EQ(chacha20poly1305_open(pt + 1, key + 1, nonce + 1, aad + 1, v->aad_len, ct + 1, v->len, tag + 1),
		      0) ||
	    !CHECK_MEM(pt + 1, v->pt, v->len)) {
		fprintf(stderr, "    open of %s\n", name);
	}
	CHECK_EQ(pt[1 + v->len], CANARY);

	/* In place: seal turns pt into ct, open turns it back. */
	uint8_t buf[301];
	memcpy(buf, v->pt, v->len);
	buf[v->len] = CANARY;
	chacha20poly1305_seal(buf, tag, v->key, v->nonce, v->aad, v->aad_len, buf, v->len);
	CHECK_MEM(buf, v->ct, v->len);
	CHECK_MEM(tag, v->tag, 16);
	CHECK_EQ(chacha20poly1305_open(buf, v->key, v->nonce, v->aad, v->aad_len, buf, v->len, tag), 0);
	CHECK_MEM(buf, v->pt, v->len);
	CHECK_EQ(buf[v->len], CANARY);
}

/* A tampered input must fail to open and leave pt untouched. */
static void check_rejected(const uint8_t *key, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
			   const uint8_t *ct, size_t len, const uint8_t *tag, const char *what, size_t bit)
{
	uint8_t pt[301];
	memset(pt, PATTERN, sizeof pt);
	int rc = chacha20poly1305_open(pt, key, nonce, aad, aad_len, ct, len, tag);
	if (!CHECK_EQ(rc, -1) || !CHECK_EQ(count_byte(pt, sizeof pt, PATTERN), sizeof pt)) {
		fprintf(stderr, "    opened with %s bit %zu flipped\n", what, bit);
	}
}

/* Flipping any bit of the tag, ciphertext, aad, nonce or key, or changing
 * the lengths, makes open fail without writing pt. */
static void test_tamper(const struct aead_vec *v)
{
	uint8_t key[32], nonce[12], aad[64], ct[300], tag[16];
	memcpy(key, v->key, 32);
	memcpy(nonce, v->nonce, 12);
	memcpy(aad, v->aad, v->aad_len);
	memcpy(ct, v->ct, v->len);
	memcpy(tag, v->tag, 16);
	for (size_t b = 0; b < 8 * 16; b++) {
		tag[b / 8] ^= (uint8_t)(1u << (b % 8));
		check_rejected(key, nonce, aad, v->aad_len, ct, v->len, tag, "tag", b);
		tag[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	for (size_t b = 0; b < 8 * v->len; b++) {
		ct[b / 8] ^= (uint8_t)(1u << (b % 8));
		check_rejected(key, nonce, aad, v->aad_len, ct, v->len, tag, "ciphertext", b);
		ct[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	for (size_t b = 0; b < 8 * v->aad_len; b++) {
		aad[b / 8] ^= (uint8_t)(1u << (b % 8));
		check_rejected(key, nonce, aad, v->aad_len, ct, v->len, tag, "aad", b);
		aad[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	for (size_t b = 0; b < 8 * 12; b++) {
		nonce[b / 8] ^= (uint8_t)(1u << (b % 8));
		check_rejected(key, nonce, aad, v->aad_len, ct, v->len, tag, "nonce", b);
		nonce[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	for (size_t b = 0; b < 8 * 32; b += 7) {
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
		check_rejected(key, nonce, aad, v->aad_len, ct, v->len, tag, "key", b);
		key[b / 8] ^= (uint8_t)(1u << (b % 8));
	}
	check_rejected(key, nonce, aad, v->aad_len, ct, v->len - 1, tag, "ciphertext length", 0);
	check_rejected(key, nonce, aad, v->aad_len - 1, ct, v->len, tag, "aad length", 0);
	/* aad and ciphertext swapped between the two inputs. */
	check_rejected(key, nonce, ct, v->len, aad, v->aad_len, tag, "swapped inputs", 0);
	/* Untampered, it opens (so the rejections above are the tampering's). */
	uint8_t pt[300];
	CHECK_EQ(chacha20poly1305_open(pt, key, nonce, aad, v->aad_len, ct, v->len, tag), 0);
}

/* Empty plaintext and aad, with NULL pointers, agree with empty buffers
 * (the tag is then Poly1305 of the lengths block alone). */
static void test_empty(void)
{
	uint8_t key[32], nonce[12], t1[16], t2[16], dummy[1] = { 0 };
	memset(key, 0x11, sizeof key);
	memset(nonce, 0x22, sizeof nonce);
	chacha20poly1305_seal(NULL, t1, key, nonce, NULL, 0, NULL, 0);
	chacha20poly1305_seal(dummy, t2, key, nonce, dummy, 0, dummy, 0);
	CHECK_MEM(t1, t2, 16);
	CHECK_EQ(chacha20poly1305_open(NULL, key, nonce, NULL, 0, NULL, 0, t1), 0);
	t1[0] ^= 1;
	CHECK_EQ(chacha20poly1305_open(NULL, key, nonce, NULL, 0, NULL, 0, t1), -1);
}

static void test_wycheproof(const char *testdata)
{
	const char *name = "chacha20_poly1305_test.json";
	char path[1024], err[512];
	snprintf(path, sizeof path, "%s/vectors/wycheproof/%s", testdata, name);
	struct json *root = json_load(path, err, sizeof err);
	if (!CHECK(root != NULL)) {
		fprintf(stderr, "    cannot load vectors: %s\n", err);
		return;
	}
	long long run = 0, skipped = 0, valid = 0, invalid = 0, acceptable = 0, declared = -1;
	JSON_FOR_EACH(group, json_get(root, "testGroups")) {
		long long iv_bits = -1, tag_bits = -1, key_bits = -1;
		CHECK(json_get_int(group, "ivSize", &iv_bits) && json_get_int(group, "tagSize", &tag_bits) &&
		      json_get_int(group, "keySize", &key_bits));
		bool supported = iv_bits == 8 * AEAD_NONCE_LEN && tag_bits == 8 * AEAD_TAG_LEN &&
				 key_bits == 8 * AEAD_KEY_LEN;
		JSON_FOR_EACH(t, json_get(group, "tests")) {
			long long id = -1;
			json_get_int(t, "tcId", &id);
			if (!supported) {
				skipped++;
				continue;
			}
			run++;
			const char *result = json_get_string(t, "result");
			size_t key_len, iv_len, aad_len, msg_len, ct_len, tag_len;
			uint8_t *key = json_get_hex(t, "key", &key_len);
			uint8_t *iv = json_get_hex(t, "iv", &iv_len);
			uint8_t *aad = json_get_hex(t, "aad", &aad_len);
			uint8_t *msg = json_get_hex(t, "msg", &msg_len);
			uint8_t *ct = json_get_hex(t, "ct", &ct_len);
			uint8_t *tag = json_get_hex(t, "tag", &tag_len);
			if (!CHECK(key && iv && aad && msg && ct && tag && result && key_len == AEAD_KEY_LEN &&
				   iv_len == AEAD_NONCE_LEN && tag_len == AEAD_TAG_LEN && ct_len == msg_len)) {
				fprintf(stderr, "    %s tcId %lld: malformed test\n", name, id);
			} else {
				/* Exact-size heap outputs (plus a canary), so ASan
				 * sees any overrun. */
				uint8_t *out = malloc(msg_len + 1), out_tag[AEAD_TAG_LEN + 1];
				if (out == NULL) {
					fprintf(stderr, "out of memory\n");
					exit(2);
				}
				bool ok;
				if (strcmp(result, "valid") == 0) {
					valid++;
					out[msg_len] = CANARY;
					out_tag[AEAD_TAG_LEN] = CANARY;
					chacha20poly1305_seal(out, out_tag, key, iv, aad, aad_len, msg, msg_len);
					ok = CHECK_MEM(out, ct, ct_len) && CHECK_MEM(out_tag, tag, AEAD_TAG_LEN);
					memset(out, PATTERN, msg_len);
					ok = CHECK_EQ(chacha20poly1305_open(out, key, iv, aad, aad_len, ct, ct_len, tag), 0) &&
					     CHECK_MEM(out, msg, msg_len) && ok;
					/* In place. */
					memcpy(out, msg, msg_len);
					chacha20poly1305_seal(out, out_tag, key, iv, aad, aad_len, out, msg_len);
					ok = CHECK_MEM(out, ct, ct_len) && ok;
					ok = CHECK_EQ(chacha20poly1305_open(out, key, iv, aad, aad_len, out, ct_len, tag), 0) &&
					     CHECK_MEM(out, msg, msg_len) && ok;
					ok = CHECK_EQ(out[msg_len], CANARY) && CHECK_EQ(out_tag[AEAD_TAG_LEN], CANARY) && ok;
				} else if (strcmp(result, "invalid") == 0) {
					invalid++;
					memset(out, PATTERN, msg_len + 1);
					ok = CHECK_EQ(chacha20poly1305_open(out, key, iv, aad, aad_len, ct, ct_len, tag), -1) &&
					     CHECK_EQ(count_byte(out, msg_len + 1, PATTERN), msg_len + 1);
				} else {
					acceptable++; /* none in the file; run it for the sanitizers */
					chacha20poly1305_open(out, key, iv, aad, aad_len, ct, ct_len, tag);
					ok = CHECK(strcmp(result, "acceptable") == 0);
				}
				if (!ok) {
					fprintf(stderr, "    %s tcId %lld (%s)\n", name, id, result);
				}
				free(out);
			}
			free(key);
			free(iv);
			free(aad);
			free(msg);
			free(ct);
			free(tag);
		}
	}
	json_get_int(root, "numberOfTests", &declared);
	printf("aead: %s: %lld tests run (%lld valid, %lld invalid, %lld acceptable), "
	       "%lld skipped (nonce or tag size not supported)\n",
	       name, run, valid, invalid, acceptable, skipped);
	if (!CHECK(run > 0) || !CHECK_EQ(run + skipped, declared)) {
		fprintf(stderr, "    %s: %lld tests run + %lld skipped, the file declares %lld\n", name, run, skipped,
			declared);
	}
	json_free(root);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s testdata\n", argv[0]);
		return 2;
	}
	test_block();
	test_stream();
	test_poly1305();
	static struct aead_vec v282, va5;
	vec_282(&v282);
	vec_a5(&va5);
	check_vector(&v282, "RFC 8439 2.8.2");
	check_vector(&va5, "RFC 8439 A.5");
	test_tamper(&v282);
	test_tamper(&va5);
	test_empty();
	test_wycheproof(argv[1]);
	return check_report("aead");
}
