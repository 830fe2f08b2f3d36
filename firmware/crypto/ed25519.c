/* Ed25519 (RFC 8032 section 5.1) on the twisted Edwards curve
 * -x^2 + y^2 = 1 + d x^2 y^2 over GF(2^255 - 19).
 *
 * Points are in extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z,
 * with the a = -1 formulas of Hisil, Wong, Carter and Dawson, "Twisted
 * Edwards curves revisited" (2008), which are complete on this curve. The
 * formulas first produce a "completed" point (E, F, G, H) with x = E/G and
 * y = H/F, so that a doubling that is followed by another doubling can skip
 * computing T.
 *
 * Signing and key generation use a constant-time fixed-base multiplication:
 * 64 signed radix-16 (Booth) digits in [-8, 8], each adding a multiple 0..8
 * of B taken from a 768-byte table in flash by reading every entry with
 * masks, with a masked negation for negative digits. Verification handles
 * only public data and runs in variable time: [S]B + [k](-A) with signed
 * windows (radix 16 for S over the same table, radix 4 for k over A and 2A
 * computed on the stack), then compares the encoding of the result with R
 * byte for byte, which also rejects every R that is not the canonical
 * encoding of a point. */
#include "curve25519.h"

#include <string.h>

#include "ct.h"
#include "fe25519.h"
#include "sha2.h"

typedef struct {
	fe X, Y, Z, T;
} ge;

typedef struct {
	fe E, F, G, H;
} ge_completed;

/* A point prepared for addition: Y + X, Y - X, Z, 2dT. */
typedef struct {
	fe YpX, YmX, Z, T2d;
} ge_cached;

/* An affine point prepared for addition (Z = 1): y + x, y - x, 2dxy. */
typedef struct {
	fe ypx, ymx, xy2d;
} ge_niels;

static const fe ed_d = {0x135978a3, 0x75eb4dca, 0x4141d8ab, 0x00700a4d,
			0x7779e898, 0x8cc74079, 0x2b6ffe73, 0x52036cee};
static const fe ed_d2 = {0x26b2f159, 0xebd69b94, 0x8283b156, 0x00e0149a,
			 0xeef3d130, 0x198e80f2, 0x56dffce7, 0x2406d9dc};
static const fe sqrt_m1 = {0x4a0ea0b0, 0xc4ee1b27, 0xad2fe478, 0x2f431806,
			   0x3dfbd7a7, 0x2b4d0099, 0x4fc1df0b, 0x2b832480};
/* L = 2^252 + 27742317777372353535851937790883648493, the order of B. */
static const uint32_t sc_L[9] = {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de,
				 0x00000000, 0x00000000, 0x00000000, 0x10000000, 0};

/* 1B, 2B, ..., 8B for the base point B (y = 4/5, x even), computed offline
 * with exact integer arithmetic; the RFC 8032 vectors exercise every entry. */
static const ge_niels base_table[8] = {
	{{0xf58c3b85, 0x2fbc93c6, 0xfb8c0e19, 0xcf932dc6, 0x643d42c2, 0x270b4898, 0x33d4ba65, 0x07cf9d3a},
	 {0xd740913e, 0x9d103905, 0xd140beb3, 0xfd399f05, 0x688f8a09, 0xa5c18434, 0x98f81267, 0x44fd2f92},
	 {0x877aaa68, 0xabc91205, 0xccaac49e, 0x26d9e823, 0xdd43598c, 0x5a1b7dcb, 0x9f0c65a8, 0x6f117b68}},
	{{0x933c71d7, 0x9224e7fc, 0x7a0ff5b5, 0x9f469d96, 0xe1d60702, 0x5aa69a65, 0xa87d2e2e, 0x590c063f},
	 {0x42b4d5a8, 0x8a99a560, 0x4e60acf6, 0x8f2b810c, 0xb16e37aa, 0xe09e236b, 0x69c92555, 0x6bb595a6},
	 {0xa59b7a5f, 0x43faa8b3, 0x5d9acf78, 0x36c16bdd, 0x0b3d6a31, 0x500fa084, 0x3ea50b73, 0x701af5b1}},
	{{0x4cee9730, 0xaf25b0a8, 0xe8864b8a, 0x025a8430, 0x9f016732, 0xc11b5002, 0x9a80f8f4, 0x7a164e1b},
	 {0xa4fcd265, 0x56611fe8, 0xe5c1ba7d, 0x3bd353fd, 0x214bd6bd, 0x8131f31a, 0x555bda62, 0x2ab91587},
	 {0x0dd0d889, 0x14ae933f, 0x1c35da62, 0x58942322, 0x8cf2db4c, 0xd170e545, 0x12b9b4c6, 0x5a2826af}},
	{{0x8efc099f, 0x287351b9, 0x7dfd2538, 0x6765c6f4, 0xfb0a9265, 0xca348d3d, 0x21e58727, 0x680e9103},
	 {0x056818bf, 0x95fe050a, 0x5660faa9, 0x327e8971, 0x06a05073, 0xc3e8e3cd, 0x7445a49a, 0x27933f4c},
	 {0xc476ff09, 0x5a13fbe9, 0x7b5cc172, 0x6e9e3945, 0x102b4494, 0x5ddbdcf9, 0x63553e2b, 0x7f9d0cbf}},
	{{0x08a5bb33, 0xa212bc44, 0xc75eed02, 0x8d5048c3, 0x5abfec44, 0xdd1beb0c, 0x46e206eb, 0x2945ccf1},
	 {0xa447d6ba, 0x7f9182c3, 0x4b2729b7, 0xd50014d1, 0xb864a087, 0xe33cf11c, 0xeb1b55f3, 0x154a7e73},
	 {0x812a8285, 0xbcbbdbf1, 0xd0bdd1fc, 0x270e0807, 0x1bbda72d, 0xb41b670b, 0x6b3bb69a, 0x43aabe69}},
	{{0x77157131, 0x3a0ceeeb, 0x00c8af88, 0x9b271589, 0xda59a736, 0x8065b668, 0xa2cc38bd, 0x51e57bb6},
	 {0x7b7d8ca4, 0x499806b6, 0x27d22739, 0x575be284, 0x204553b9, 0xbb085ce7, 0xae417884, 0x38b64c41},
	 {0x02ea4b71, 0x85ac3267, 0x41a1bb01, 0xbe70e003, 0x083bc144, 0x53e4a24b, 0x9f0d61e3, 0x10b8e91a}},
	{{0x944ea3bf, 0x6b1a5cd0, 0xb39dc0d2, 0x7470353a, 0x28542e49, 0x71b25282, 0x283c927e, 0x461bea69},
	 {0xaa3221b1, 0xba6f2c9a, 0x3bba23a7, 0x6ca02153, 0x92192c3a, 0x9dea764f, 0x2e5317e0, 0x1d6edd5d},
	 {0x01b8b3a2, 0xf1836dc8, 0x053ea49a, 0xb3035f47, 0x5877adf3, 0x529c41ba, 0x6a0f90a7, 0x7a9fbb1c}},
	{{0x04dd3e8f, 0x59b75966, 0xe288702c, 0x6cb30377, 0x5ed9c323, 0xb1339c66, 0x61bce52f, 0x0915e760},
	 {0xf39234d9, 0xe2a75ded, 0xe1b558f9, 0x963d7680, 0x6e3c23fb, 0x2c2741ac, 0x320e01c3, 0x3a9024a1},
	 {0xc9a2911a, 0xe7c1f5d9, 0x8bcca7d7, 0xb8a37178, 0x0eb62a32, 0x63641219, 0x2ecc4e95, 0x26907c5c}},
};

/* Keeps a helper's frame off its caller's, where the two would otherwise
 * add up on the deepest stack path (8 KiB boards). */
#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static uint32_t load32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- Scalars modulo L ---------------------------------------------------- */

/* out = x mod L for the n-byte (n even) little-endian x, in constant time.
 * Horner's rule 16 bits at a time: v = 2^16 r + chunk < 2^269, and
 * q = floor(v / 2^252) is the quotient by L or one more (2^252 < L <
 * 2^252 (1 + 2^-127)), so v - qL lies in [-L, L) and a masked add of L
 * finishes the step. */
static void sc_reduce(uint8_t out[32], const uint8_t *x, size_t n)
{
	uint32_t v[9] = {0};
	for (size_t idx = n / 2; idx-- > 0;) {
		for (int i = 8; i > 0; i--) {
			v[i] = v[i] << 16 | v[i - 1] >> 16;
		}
		v[0] = v[0] << 16 | (uint32_t)x[2 * idx] | (uint32_t)x[2 * idx + 1] << 8;

		uint32_t q = v[7] >> 28 | v[8] << 4;
		uint64_t prod = 0;
		uint32_t borrow = 0;
		for (int i = 0; i < 9; i++) {
			prod += (uint64_t)q * sc_L[i];
			uint64_t t = (uint64_t)v[i] - (uint32_t)prod - borrow;
			prod >>= 32;
			v[i] = (uint32_t)t;
			borrow = (uint32_t)(t >> 63);
		}
		uint32_t mask = 0u - borrow;
		uint64_t c = 0;
		for (int i = 0; i < 9; i++) {
			c += (uint64_t)v[i] + (sc_L[i] & mask);
			v[i] = (uint32_t)c;
			c >>= 32;
		}
	}
	for (int i = 0; i < 32; i++) {
		out[i] = (uint8_t)(v[i >> 2] >> (8 * (i & 3)));
	}
	ct_wipe(v, sizeof v);
}

/* out = (a * b + c) mod L, constant time; a, b, c are 32-byte values and out
 * may alias any of them. */
static NOINLINE void sc_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
			       const uint8_t c[32])
{
	struct {
		uint32_t t[16];
		uint8_t bytes[64];
	} s = {{0}, {0}};
	for (int i = 0; i < 8; i++) {
		uint32_t ai = load32(a + 4 * i);
		uint64_t acc = 0;
		for (int j = 0; j < 8; j++) {
			acc += (uint64_t)ai * load32(b + 4 * j) + s.t[i + j];
			s.t[i + j] = (uint32_t)acc;
			acc >>= 32;
		}
		s.t[i + 8] = (uint32_t)acc;
	}
	/* a * b <= (2^256 - 1)^2, so adding c < 2^256 cannot overflow 2^512. */
	uint64_t acc = 0;
	for (int i = 0; i < 16; i++) {
		acc += (uint64_t)s.t[i] + (i < 8 ? load32(c + 4 * i) : 0u);
		s.t[i] = (uint32_t)acc;
		acc >>= 32;
	}
	for (int i = 0; i < 64; i++) {
		s.bytes[i] = (uint8_t)(s.t[i >> 2] >> (8 * (i & 3)));
	}
	sc_reduce(out, s.bytes, 64);
	ct_wipe(&s, sizeof s);
}

/* 1 when s < L (public data: variable time). */
static int sc_is_canonical(const uint8_t s[32])
{
	for (int i = 7; i >= 0; i--) {
		uint32_t w = load32(s + 4 * i);
		if (w != sc_L[i]) {
			return w < sc_L[i];
		}
	}
	return 0;
}

/* Digit i of the signed radix-2^w (Booth) recoding of s, in [-2^(w-1), 2^(w-1)]:
 *   d_i = bits wi .. wi+w-2 of s + bit wi-1 - 2^(w-1) bit wi+w-1.
 * Digits 0..n-1 sum (times 2^(wi)) to s when bit wn-1 of s is clear. Each
 * digit depends on w+1 bits only, so no digit array is needed. The bit
 * positions are public; no branch depends on the bits themselves. */
static int sc_digit(const uint8_t s[32], unsigned w, unsigned i)
{
	uint32_t v = 0; /* bit j = bit wi + j - 1 of s */
	for (unsigned j = 0; j <= w; j++) {
		unsigned pos = w * i + j - 1;
		if (w * i + j >= 1 && pos < 256) {
			v |= (uint32_t)((s[pos >> 3] >> (pos & 7)) & 1u) << j;
		}
	}
	return (int)(v & 1u) + (int)((v >> 1) & ((1u << (w - 1)) - 1u)) - (int)((v >> w) << (w - 1));
}

/* ---- Group operations ---------------------------------------------------- */

static void ge_identity(ge *p)
{
	fe_0(p->X);
	fe_1(p->Y);
	fe_1(p->Z);
	fe_0(p->T);
}

/* r = completed point -> extended; T only when the next step adds. */
static void ge_from_completed(ge *r, const ge_completed *c, int with_t)
{
	fe_mul(r->X, c->E, c->F);
	fe_mul(r->Y, c->G, c->H);
	fe_mul(r->Z, c->F, c->G);
	if (with_t) {
		fe_mul(r->T, c->E, c->H);
	}
}

/* c = 2p; reads X, Y, Z only. */
static void ge_dbl(ge_completed *c, const ge *p)
{
	fe t;
	fe_sq(c->G, p->X);             /* A = X^2 */
	fe_sq(c->H, p->Y);             /* B = Y^2 */
	fe_add(t, p->X, p->Y);
	fe_sq(t, t);                   /* (X + Y)^2 */
	fe_sq(c->F, p->Z);
	fe_add(c->F, c->F, c->F);      /* C = 2 Z^2 */
	fe_add(c->E, c->G, c->H);      /* A + B */
	fe_sub(c->G, c->G, c->H);      /* G = A - B */
	fe_copy(c->H, c->E);           /* H = A + B */
	fe_sub(c->E, c->E, t);         /* E = A + B - (X + Y)^2 = -2XY */
	fe_add(c->F, c->F, c->G);      /* F = C + A - B */
}

/* The addition both ge_add and ge_madd share: c = p + q, or p - q when
 * neg = 1, given q's y + x, y - x, 2dt and (D =) 2 Z1 Z2. The negation of q
 * (-x, y) swaps y + x with y - x and negates 2dt; it is done with masked
 * swaps, so neg may be secret. */
static void ge_add_common(ge_completed *c, const ge *p, const fe ypx, const fe ymx, const fe t2d,
			  uint32_t neg)
{
	fe a, b;
	fe_sub(a, p->Y, p->X);
	fe_add(b, p->Y, p->X);
	fe_cswap(a, b, neg);
	fe_mul(a, a, ymx);
	fe_mul(b, b, ypx);
	fe_cswap(a, b, neg);           /* A = (Y1 - X1)(y2 - x2), B = (Y1 + X1)(y2 + x2) */
	fe_mul(c->F, p->T, t2d);       /* C = 2d T1 T2 (negated for -q, so F and G swap) */
	fe_sub(c->E, b, a);            /* E = B - A */
	fe_add(c->H, b, a);            /* H = B + A */
	fe_add(a, c->G, c->F);         /* D + C */
	fe_sub(c->F, c->G, c->F);      /* F = D - C */
	fe_copy(c->G, a);              /* G = D + C */
	fe_cswap(c->F, c->G, neg);
}

/* c = p +- q for q cached (neg = 1 subtracts). */
static void ge_add(ge_completed *c, const ge *p, const ge_cached *q, uint32_t neg)
{
	fe_mul(c->G, p->Z, q->Z);
	fe_add(c->G, c->G, c->G);
	ge_add_common(c, p, q->YpX, q->YmX, q->T2d, neg);
}

/* c = p +- q for q affine (Z2 = 1). */
static void ge_madd(ge_completed *c, const ge *p, const ge_niels *q, uint32_t neg)
{
	fe_add(c->G, p->Z, p->Z);
	ge_add_common(c, p, q->ypx, q->ymx, q->xy2d, neg);
}

static void ge_to_cached(ge_cached *r, const ge *p)
{
	fe_add(r->YpX, p->Y, p->X);
	fe_sub(r->YmX, p->Y, p->X);
	fe_copy(r->Z, p->Z);
	fe_mul(r->T2d, p->T, ed_d2);
}

static void ge_tobytes(uint8_t s[32], const ge *p)
{
	fe zi, t;
	fe_invert(zi, p->Z);
	fe_mul(t, p->X, zi);
	uint8_t sign = (uint8_t)fe_isodd(t);
	fe_mul(t, p->Y, zi);
	fe_tobytes(s, t);
	s[31] |= (uint8_t)(sign << 7);
	ct_wipe(zi, sizeof zi);
	ct_wipe(t, sizeof t);
}

/* RFC 8032 5.1.3, strict: fails (-1) for y >= p, for x^2 with no root, and
 * for x = 0 with the sign bit set. Public data only. */
static NOINLINE int ge_frombytes(ge *p, const uint8_t s[32])
{
	/* T and Z serve as u and v^3 until the end, to keep the frame small. */
	uint32_t *u = p->T, *v3 = p->Z;
	fe v;

	fe_frombytes(p->Y, s);
	int noncanonical = p->Y[7] == 0x7fffffffu && p->Y[0] >= 0xffffffedu;
	for (int i = 1; i < 7; i++) {
		noncanonical &= p->Y[i] == 0xffffffffu;
	}
	if (noncanonical) {
		return -1;                 /* p <= y < 2^255 */
	}
	fe_sq(u, p->Y);
	fe_mul(v, u, ed_d);
	fe_1(p->X);
	fe_sub(u, u, p->X);            /* u = y^2 - 1 */
	fe_add(v, v, p->X);            /* v = d y^2 + 1 */

	fe_sq(v3, v);
	fe_mul(v3, v3, v);             /* v^3 */
	fe_sq(p->X, v3);
	fe_mul(p->X, p->X, v);
	fe_mul(p->X, p->X, u);         /* u v^7 */
	fe_pow22523(p->X, p->X);
	fe_mul(p->X, p->X, v3);
	fe_mul(p->X, p->X, u);         /* x = u v^3 (u v^7)^((p-5)/8) */

	fe_sq(v3, p->X);
	fe_mul(v3, v3, v);             /* v x^2 */
	if (!fe_equal(v3, u)) {
		fe_neg(u, u);
		if (!fe_equal(v3, u)) {
			return -1;
		}
		fe_mul(p->X, p->X, sqrt_m1);
	}
	int sign = s[31] >> 7;
	if (fe_iszero(p->X) && sign) {
		return -1;
	}
	if (fe_isodd(p->X) != sign) {
		fe_neg(p->X, p->X);
	}
	fe_1(p->Z);
	fe_mul(p->T, p->X, p->Y);
	return 0;
}

/* out = encoding of [a]B for a < 2^255, in constant time: 64 Booth digits
 * in [-8, 8]; each table entry is read through masks whatever the digit, and
 * the negation for a negative digit is masked too. */
static NOINLINE void ge_scalarmult_base(uint8_t out[32], const uint8_t a[32])
{
	struct {
		ge r;
		ge_completed c;
		ge_niels t;
	} s;

	ge_identity(&s.r);
	for (int i = 63; i >= 0; i--) {
		if (i != 63) {
			for (int k = 0; k < 4; k++) {
				ge_dbl(&s.c, &s.r);
				ge_from_completed(&s.r, &s.c, k == 3);
			}
		}
		int d = sc_digit(a, 4, (unsigned)i);
		uint32_t neg = (uint32_t)d >> 31;
		uint32_t abs = ((uint32_t)d ^ (0u - neg)) + neg;
		fe_1(s.t.ypx);
		fe_1(s.t.ymx);
		fe_0(s.t.xy2d); /* the identity, for digit 0 */
		for (uint32_t j = 0; j < 8; j++) {
			uint32_t eq = ((abs ^ (j + 1)) - 1u) >> 31;
			fe_cmov(s.t.ypx, base_table[j].ypx, eq);
			fe_cmov(s.t.ymx, base_table[j].ymx, eq);
			fe_cmov(s.t.xy2d, base_table[j].xy2d, eq);
		}
		ge_madd(&s.c, &s.r, &s.t, neg);
		ge_from_completed(&s.r, &s.c, 0);
	}
	ge_tobytes(out, &s.r);
	ct_wipe(&s, sizeof s);
}

/* out = encoding of [S]B - [k]A for the public key A (encoded in pub);
 * -1 when pub does not decode. Public data: variable time. */
static NOINLINE int ge_double_scalarmult(uint8_t out[32], const uint8_t pub[32],
					 const uint8_t k[32], const uint8_t S[32])
{
	ge q;
	ge_completed c;
	ge_cached a[2]; /* A, 2A */

	if (ge_frombytes(&q, pub) != 0) {
		return -1;
	}
	ge_to_cached(&a[0], &q);
	ge_dbl(&c, &q);
	ge_from_completed(&q, &c, 1);
	ge_to_cached(&a[1], &q);

	/* Digits of S in radix 16 at bits 4j (S < L < 2^253: 64 digits, over
	 * the flash table) and of k in radix 4 at bits 2j (k < L: 127 digits,
	 * over the two points above; against radix 8 this saves 256 bytes of
	 * stack for about 5% more time), merged bit position by bit position
	 * from 252, the top of both. */
	ge_identity(&q);
	for (int i = 252; i >= 0; i--) {
		int ds = i % 4 == 0 ? sc_digit(S, 4, (unsigned)i / 4) : 0;
		int dk = i % 2 == 0 ? sc_digit(k, 2, (unsigned)i / 2) : 0;
		ge_dbl(&c, &q);
		ge_from_completed(&q, &c, ds != 0 || dk != 0);
		if (ds != 0) {
			ge_madd(&c, &q, &base_table[(ds < 0 ? -ds : ds) - 1], ds < 0);
			ge_from_completed(&q, &c, 1);
		}
		if (dk != 0) {
			ge_add(&c, &q, &a[(dk < 0 ? -dk : dk) - 1], dk > 0); /* -[k]A */
			ge_from_completed(&q, &c, 1);
		}
	}
	ge_tobytes(out, &q);
	return 0;
}

/* ---- Ed25519 ------------------------------------------------------------- */

/* h = SHA-512(seed) with the scalar half clamped (RFC 8032 5.1.5). */
static void ed25519_expand(uint8_t h[64], const uint8_t seed[32])
{
	sha512(seed, 32, h);
	h[0] &= 248;
	h[31] &= 127;
	h[31] |= 64;
}

void ed25519_public(uint8_t pub[32], const uint8_t seed[32])
{
	uint8_t h[64];
	ed25519_expand(h, seed);
	ge_scalarmult_base(pub, h);
	ct_wipe(h, sizeof h);
}

/* out = SHA-512(a || b || msg) mod L; b may be NULL. */
static NOINLINE void hash_reduce(uint8_t out[32], const uint8_t a[32], const uint8_t *b,
				 const uint8_t *msg, size_t len)
{
	struct sha512_ctx ctx;
	uint8_t h[64];
	sha512_init(&ctx);
	sha512_update(&ctx, a, 32);
	if (b != NULL) {
		sha512_update(&ctx, b, 32);
	}
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, h);
	sc_reduce(out, h, sizeof h);
	ct_wipe(h, sizeof h);
}

void ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t seed[32],
		  const uint8_t pub[32])
{
	struct {
		uint8_t h[64]; /* clamped scalar a, then the nonce prefix */
		uint8_t r[32];
		uint8_t A[32];
		uint8_t R[32];
		uint8_t k[32]; /* then S */
	} s;

	/* pub is trusted to be ed25519_public(seed), as with Monocypher's and
	 * libsodium's secret keys: deriving it again would cost a second
	 * fixed-base multiplication, a fifth of a TLS handshake. A mismatched
	 * pub would reuse r with another k and reveal a: callers derive it. */
	ed25519_expand(s.h, seed);
	memcpy(s.A, pub, 32);
	hash_reduce(s.r, s.h + 32, NULL, msg, len);           /* r = H(prefix || M) */
	ge_scalarmult_base(s.R, s.r);                         /* R = [r]B */
	hash_reduce(s.k, s.R, s.A, msg, len);                 /* k = H(R || A || M) */
	sc_muladd(s.k, s.k, s.h, s.r);                        /* S = r + k a */
	/* Written last, so sig may overlap msg. */
	memcpy(sig, s.R, 32);
	memcpy(sig + 32, s.k, 32);
	ct_wipe(&s, sizeof s);
}

int ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pub[32])
{
	uint8_t k[32], check[32];
	if (!sc_is_canonical(sig + 32)) {
		return -1;
	}
	hash_reduce(k, sig, pub, msg, len);                   /* k = H(R || A || M) */
	if (ge_double_scalarmult(check, pub, k, sig + 32) != 0) {
		return -1;
	}
	/* Comparing encodings also rejects any R that is not canonical. */
	return memcmp(check, sig, 32) == 0 ? 0 : -1;
}
