/* ChaCha20, Poly1305 and the ChaCha20-Poly1305 AEAD (RFC 8439).
 *
 * Poly1305 works in radix 2^13: ten 13-bit limbs for h and r, so every
 * limb product fits a 32x32->32 multiply (MUL, constant time everywhere).
 * Wider limbs would need 32x32->64 multiplies, and UMULL/UMLAL on the
 * Cortex-M3 finish early for small operands, leaking timing on r. */
#include <string.h>

#include "aead.h"
#include "ct.h"

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* ---- ChaCha20 (RFC 8439 section 2.3) ---- */

static void chacha_setup(uint32_t s[16], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12])
{
	s[0] = 0x61707865u; /* "expand 32-byte k" */
	s[1] = 0x3320646eu;
	s[2] = 0x79622d32u;
	s[3] = 0x6b206574u;
	for (unsigned i = 0; i < 8; i++) {
		s[4 + i] = load_le32(key + 4 * i);
	}
	s[12] = counter;
	for (unsigned i = 0; i < 3; i++) {
		s[13 + i] = load_le32(nonce + 4 * i);
	}
}

#define ROL32(v, n) ((v) << (n) | (v) >> (32 - (n)))
#define QR(x, a, b, c, d)                                           \
	do {                                                        \
		x[a] += x[b]; x[d] ^= x[a]; x[d] = ROL32(x[d], 16); \
		x[c] += x[d]; x[b] ^= x[c]; x[b] = ROL32(x[b], 12); \
		x[a] += x[b]; x[d] ^= x[a]; x[d] = ROL32(x[d], 8);  \
		x[c] += x[d]; x[b] ^= x[c]; x[b] = ROL32(x[b], 7);  \
	} while (0)

/* One 64-byte keystream block from state s. */
static void chacha_core(uint8_t out[64], const uint32_t s[16])
{
	uint32_t x[16];
	memcpy(x, s, sizeof x);
	for (unsigned i = 0; i < 10; i++) {
		QR(x, 0, 4, 8, 12);
		QR(x, 1, 5, 9, 13);
		QR(x, 2, 6, 10, 14);
		QR(x, 3, 7, 11, 15);
		QR(x, 0, 5, 10, 15);
		QR(x, 1, 6, 11, 12);
		QR(x, 2, 7, 8, 13);
		QR(x, 3, 4, 9, 14);
	}
	for (unsigned i = 0; i < 16; i++) {
		store_le32(out + 4 * i, x[i] + s[i]);
	}
	ct_wipe(x, sizeof x);
}

void chacha20_block(uint8_t out[64], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12])
{
	uint32_t s[16];
	chacha_setup(s, key, counter, nonce);
	chacha_core(out, s);
	ct_wipe(s, sizeof s);
}

void chacha20_xor(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
		  uint32_t counter, const uint8_t nonce[12])
{
	/* Byte by byte, so out == in works and neither needs alignment. */
	uint32_t s[16];
	uint8_t ks[64];
	chacha_setup(s, key, counter, nonce);
	while (len > 0) {
		size_t n = len < sizeof ks ? len : sizeof ks;
		chacha_core(ks, s);
		for (size_t i = 0; i < n; i++) {
			out[i] = in[i] ^ ks[i];
		}
		s[12]++;
		out += n;
		in += n;
		len -= n;
	}
	ct_wipe(s, sizeof s);
	ct_wipe(ks, sizeof ks);
}

/* ---- Poly1305 (RFC 8439 section 2.5) ----
 *
 * Value of limbs l[0..9]: sum l[i] * 2^(13 i); 2^130 = 5 (mod p), p = 2^130 - 5.
 * Between blocks h[0] < 2^13, h[1] <= 2^13 and h[2..9] < 2^13; r[i] < 2^13. */

#define LIMB_MASK 0x1fffu

struct poly1305 {
	uint32_t r[10];
	uint32_t h[10];
	uint8_t s[16];
};

/* 16 little-endian bytes into limbs: nine of 13 bits, the last of 11. */
static void poly_unpack(uint32_t l[10], const uint8_t b[16])
{
	uint32_t acc = 0;
	unsigned bits = 0, j = 0;
	for (unsigned i = 0; i < 16; i++) {
		acc |= (uint32_t)b[i] << bits;
		bits += 8;
		if (bits >= 13) { /* depends on i only */
			l[j++] = acc & LIMB_MASK;
			acc >>= 13;
			bits -= 13;
		}
	}
	l[j] = acc;
}

static void poly_init(struct poly1305 *st, const uint8_t key[32])
{
	uint8_t r[16];
	memcpy(r, key, 16);
	/* clamp */
	r[3] &= 15; r[7] &= 15; r[11] &= 15; r[15] &= 15;
	r[4] &= 252; r[8] &= 252; r[12] &= 252;
	poly_unpack(st->r, r);
	memset(st->h, 0, sizeof st->h);
	memcpy(st->s, key + 16, 16);
	ct_wipe(r, sizeof r);
}

/* One carry pass over h, folding the carry out of bit 130 back in as 5:
 * afterwards every limb is below 2^13 (h[1] a few units more at most). */
static void poly_carry(uint32_t h[10])
{
	uint32_t c = 0;
	for (unsigned i = 0; i < 10; i++) {
		h[i] += c;
		c = h[i] >> 13;
		h[i] &= LIMB_MASK;
	}
	h[0] += 5 * c;
	h[1] += h[0] >> 13;
	h[0] &= LIMB_MASK;
}

/* h = (h + block + hibit * 2^128) * r mod p, partially reduced. */
static void poly_block(struct poly1305 *st, const uint8_t b[16], uint32_t hibit)
{
	uint32_t m[10], t[19], c;
	uint32_t *h = st->h;
	const uint32_t *r = st->r;

	poly_unpack(m, b);
	m[9] |= hibit << 11; /* bit 128 = 9 * 13 + 11 */
	for (unsigned i = 0; i < 10; i++) {
		h[i] += m[i]; /* <= 2^14 */
	}
	/* Schoolbook product: each column is at most ten terms below 2^27. */
	memset(t, 0, sizeof t);
	for (unsigned i = 0; i < 10; i++) {
		for (unsigned j = 0; j < 10; j++) {
			t[i + j] += h[i] * r[j];
		}
	}
	/* Carry so every column is 13 bits; c ends as the bits from 2^247 up
	 * (below 2^9, as h + m < 2^132 and r < 2^124). */
	c = 0;
	for (unsigned k = 0; k < 19; k++) {
		t[k] += c;
		c = t[k] >> 13;
		t[k] &= LIMB_MASK;
	}
	/* Fold the upper half: 2^(130 + 13 i) = 5 * 2^(13 i). */
	for (unsigned i = 0; i < 9; i++) {
		h[i] = t[i] + 5 * t[i + 10]; /* < 6 * 2^13 */
	}
	h[9] = t[9] + 5 * c;
	poly_carry(h);
	ct_wipe(m, sizeof m);
	ct_wipe(t, sizeof t);
}

/* tag = ((h mod p) + s) mod 2^128; wipes st. */
static void poly_finish(struct poly1305 *st, uint8_t tag[16])
{
	uint32_t *h = st->h, g[10], c, mask, acc;
	uint8_t hb[16];
	unsigned bits, j;

	/* Full carry: afterwards every limb is below 2^13, so h < 2^130. */
	poly_carry(h);

	/* g = h + 5 - 2^130, used when h >= p, i.e. when h + 5 carries out of bit 130. */
	c = 5;
	for (unsigned i = 0; i < 10; i++) {
		g[i] = h[i] + c;
		c = g[i] >> 13;
		g[i] &= LIMB_MASK;
	}
	mask = 0u - c; /* all ones if h >= p */
	for (unsigned i = 0; i < 10; i++) {
		h[i] = (h[i] & ~mask) | (g[i] & mask);
	}

	/* Low 128 bits of h, little-endian, then add s. */
	acc = 0;
	bits = 0;
	j = 0;
	for (unsigned i = 0; i < 10; i++) {
		acc |= h[i] << bits;
		bits += 13;
		while (bits >= 8 && j < 16) {
			hb[j++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	c = 0;
	for (unsigned i = 0; i < 16; i++) {
		c += (uint32_t)hb[i] + st->s[i];
		tag[i] = (uint8_t)c;
		c >>= 8;
	}
	ct_wipe(g, sizeof g);
	ct_wipe(hb, sizeof hb);
	ct_wipe(&acc, sizeof acc);
	ct_wipe(st, sizeof *st);
}

/* The plain one-shot MAC, RFC 8439 section 2.5 (a short last block gets a
 * 0x01 byte and no 2^128 bit). Not part of aead.h, whose API is fixed:
 * exported only so the host tests can check it against RFC 8439 2.5.2 and
 * appendix A.3; unused in the firmware, so --gc-sections drops it. */
void poly1305_mac(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32]);
void poly1305_mac(uint8_t tag[16], const uint8_t *msg, size_t len, const uint8_t key[32])
{
	struct poly1305 st;
	poly_init(&st, key);
	for (; len >= 16; msg += 16, len -= 16) {
		poly_block(&st, msg, 1);
	}
	if (len > 0) {
		uint8_t last[16] = { 0 };
		memcpy(last, msg, len);
		last[len] = 1;
		poly_block(&st, last, 0);
		ct_wipe(last, sizeof last);
	}
	poly_finish(&st, tag);
}

/* ---- AEAD (RFC 8439 section 2.8) ---- */

/* MACs data followed by zeros up to a multiple of 16 bytes. */
static void poly_padded(struct poly1305 *st, const uint8_t *p, size_t len)
{
	for (; len >= 16; p += 16, len -= 16) {
		poly_block(st, p, 1);
	}
	if (len > 0) {
		uint8_t last[16] = { 0 };
		memcpy(last, p, len);
		poly_block(st, last, 1);
	}
}

/* The AEAD tag over aad and ct, with the one-time key from block 0. */
static void aead_tag(uint8_t tag[AEAD_TAG_LEN], const uint8_t key[AEAD_KEY_LEN],
		     const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
		     const uint8_t *ct, size_t len)
{
	struct poly1305 st;
	uint8_t block[64];
	chacha20_block(block, key, 0, nonce);
	poly_init(&st, block);
	ct_wipe(block, sizeof block);
	poly_padded(&st, aad, aad_len);
	poly_padded(&st, ct, len);
	uint8_t lens[16];
	uint64_t a = aad_len, c = len;
	for (unsigned i = 0; i < 8; i++) {
		lens[i] = (uint8_t)(a >> (8 * i));
		lens[8 + i] = (uint8_t)(c >> (8 * i));
	}
	poly_block(&st, lens, 1);
	poly_finish(&st, tag); /* wipes st */
}

void chacha20poly1305_seal(uint8_t *ct, uint8_t tag[AEAD_TAG_LEN],
			   const uint8_t key[AEAD_KEY_LEN], const uint8_t nonce[AEAD_NONCE_LEN],
			   const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len)
{
	chacha20_xor(ct, pt, len, key, 1, nonce);
	aead_tag(tag, key, nonce, aad, aad_len, ct, len);
}

int chacha20poly1305_open(uint8_t *pt, const uint8_t key[AEAD_KEY_LEN],
			  const uint8_t nonce[AEAD_NONCE_LEN], const uint8_t *aad, size_t aad_len,
			  const uint8_t *ct, size_t len, const uint8_t tag[AEAD_TAG_LEN])
{
	/* Verify before decrypting: pt is not touched unless the tag is good. */
	uint8_t expect[AEAD_TAG_LEN];
	aead_tag(expect, key, nonce, aad, aad_len, ct, len);
	int bad = ct_compare(expect, tag, sizeof expect);
	ct_wipe(expect, sizeof expect);
	if (bad != 0) {
		return -1; /* the verdict is public; only its computation is constant time */
	}
	chacha20_xor(pt, ct, len, key, 1, nonce);
	return 0;
}
