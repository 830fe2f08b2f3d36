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
 * of B taken from a 960-byte table in flash by reading every entry with
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

static const fe ed_d = {-10913610, 13857413, -15372611, 6949391, 114729, -8787816, -6275908, -3247719, -18696448, -12055116};
static const fe ed_d2 = {-21827239, -5839606, -30745221, 13898782, 229458, 15978800, -12551817, -6495438, 29715968, 9444199};
static const fe sqrt_m1 = {-32595792, -7943725, 9377950, 3500415, 12389472, -272473, -25146209, -2005654, 326686, 11406482};
/* L = 2^252 + 27742317777372353535851937790883648493, the order of B. */
static const uint32_t sc_L[9] = {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de,
				 0x00000000, 0x00000000, 0x00000000, 0x10000000, 0};

/* 1B, 2B, ..., 8B for the base point B (y = 4/5, x even), computed offline
 * with exact integer arithmetic and stored as reduced field elements (limbs
 * centred on zero, see fe25519.c); the RFC 8032 vectors exercise every entry. */
static const ge_niels base_table[8] = {
	{{25967493, -14356035, 29566456, 3660896, -12694345, 4014787, 27544626, -11754271, -6079156, 2047605},
	 {-12545711, 934262, -2722910, 3049990, -727428, 9406986, 12720692, 5043384, 19500929, -15469378},
	 {-8738181, 4489570, 9688441, -14785194, 10184609, -12363380, 29287919, 11864899, -24514362, -4438546}},
	{{-12815894, -12976347, -21581243, 11784320, -25355658, -2750717, -11717903, -3814571, -358445, -10211303},
	 {-21703237, 6903825, 27185491, 6451973, -29577724, -9554005, -15616551, 11189268, -26829678, -5319081},
	 {26966642, 11152617, 32442495, 15396054, 14353839, -12752335, -3128826, -9541118, -15472047, -4166697}},
	{{15636291, -9688557, 24204773, -7912398, 616977, -16685262, 27787600, -14772189, 28944400, -1550024},
	 {16568933, 4717097, -11556148, -1102322, 15682896, -11807043, 16354577, -11775962, 7689662, 11199574},
	 {30464156, -5976125, -11779434, -15670865, 23220365, 15915852, 7512774, 10017326, -17749093, -9920357}},
	{{-17036878, 13921892, 10945806, -6033431, 27105052, -16084379, -28926210, 15006023, 3284568, -6276540},
	 {23599295, -8306047, -11193664, -7687416, 13236774, 10506355, 7464579, 9656445, 13059162, 10374397},
	 {7798556, 16710257, 3033922, 2874086, 28997861, 2835604, 32406664, -3839045, -641708, -101325}},
	{{10861363, 11473154, 27284546, 1981175, -30064349, 12577861, 32867885, 14515107, -15438304, 10819380},
	 {4708026, 6336745, 20377586, 9066809, -11272109, 6594696, -25653668, 12483688, -12668491, 5581306},
	 {19563160, 16186464, -29386857, 4097519, 10237984, -4348115, 28542350, 13850243, -23678021, -15815942}},
	{{-15371964, -12862754, 32573250, 4720197, -26436522, 5875511, -19188627, -15224819, -9818940, -12085777},
	 {-8549212, 109983, 15149363, 2178705, 22900618, 4543417, 3044240, -15689887, 1762328, 14866737},
	 {-18199695, -15951423, -10473290, 1707278, -17185920, 3916101, -28236412, 3959421, 27914454, 4383652}},
	{{5153746, 9909285, 1723747, -2777874, 30523605, 5516873, 19480852, 5230134, -23952439, -15175766},
	 {-30269007, -3463509, 7665486, 10083793, 28475525, 1649722, 20654025, 16520125, 30598449, 7715701},
	 {28881845, 14381568, 9657904, 3680757, -20181635, 7843316, -31400660, 1370708, 29794553, -1409300}},
	{{14499471, -2729599, -33191113, -4254652, 28494862, 14271267, 30290735, 10876454, -33154098, 2381726},
	 {-7195431, -2655363, -14730155, 462251, -27724326, 3941372, -6236617, 3696005, -32300832, 15351955},
	 {27431194, 8222322, 16448760, -3907995, -18707002, 11938355, -32961401, -2970515, 29551813, 10109425}},
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

/* r = completed point -> extended; T only when the next step adds. F, the
 * sum of four products after a doubling, is always fe_mul's first operand
 * (the one that may be that large, see fe25519.h). */
static void ge_from_completed(ge *r, const ge_completed *c, int with_t)
{
	fe_mul(r->X, c->F, c->E);
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

static NOINLINE void ge_tobytes(uint8_t s[32], const ge *p)
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
	int32_t *u = p->T, *v3 = p->Z;
	fe v;

	int noncanonical = (s[31] & 0x7f) == 0x7f && s[0] >= 0xed;
	for (int i = 1; i < 31; i++) {
		noncanonical &= s[i] == 0xff;
	}
	if (noncanonical) {
		return -1;                 /* p <= y < 2^255 */
	}
	fe_frombytes(p->Y, s);
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

/* r = [a]B for a < 2^255, in constant time: 64 Booth digits in [-8, 8];
 * each table entry is read through masks whatever the digit, and the
 * negation for a negative digit is masked too. The caller encodes r, so
 * the encoding's inversion does not run on top of this frame. */
static NOINLINE void ge_scalarmult_base(ge *r, const uint8_t a[32])
{
	struct {
		ge_completed c;
		ge_niels t;
	} s;

	ge_identity(r);
	for (int i = 63; i >= 0; i--) {
		if (i != 63) {
			for (int k = 0; k < 4; k++) {
				ge_dbl(&s.c, r);
				ge_from_completed(r, &s.c, k == 3);
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
		ge_madd(&s.c, r, &s.t, neg);
		ge_from_completed(r, &s.c, 0);
	}
	ct_wipe(&s, sizeof s);
}

/* q = [S]B - [k]q, for q the public key A. Public data: variable time.
 * The caller decodes A and encodes the result, so neither the decoding's
 * square root nor the encoding's inversion runs on top of this frame. */
static NOINLINE void ge_double_scalarmult(ge *q, const uint8_t k[32], const uint8_t S[32])
{
	ge_completed c;
	ge_cached a[2]; /* A, 2A */

	ge_to_cached(&a[0], q);
	ge_dbl(&c, q);
	ge_from_completed(q, &c, 1);
	ge_to_cached(&a[1], q);

	/* Digits of S in radix 16 at bits 4j (S < L < 2^253: 64 digits, over
	 * the flash table) and of k in radix 4 at bits 2j (k < L: 127 digits,
	 * over the two points above; against radix 8 this saves 256 bytes of
	 * stack for about 5% more time), merged bit position by bit position
	 * from 252, the top of both. */
	ge_identity(q);
	for (int i = 252; i >= 0; i--) {
		int ds = i % 4 == 0 ? sc_digit(S, 4, (unsigned)i / 4) : 0;
		int dk = i % 2 == 0 ? sc_digit(k, 2, (unsigned)i / 2) : 0;
		ge_dbl(&c, q);
		ge_from_completed(q, &c, ds != 0 || dk != 0);
		if (ds != 0) {
			ge_madd(&c, q, &base_table[(ds < 0 ? -ds : ds) - 1], ds < 0);
			ge_from_completed(q, &c, 1);
		}
		if (dk != 0) {
			ge_add(&c, q, &a[(dk < 0 ? -dk : dk) - 1], dk > 0); /* -[k]A */
			ge_from_completed(q, &c, 1);
		}
	}
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
	ge a;
	ed25519_expand(h, seed);
	ge_scalarmult_base(&a, h);
	ge_tobytes(pub, &a); /* a is the public key: no need to wipe it */
	ct_wipe(h, sizeof h);
}

/* out = SHA-512(a || b || prefix || msg) mod L; b may be NULL and prefix
 * empty. */
static NOINLINE void hash_reduce(uint8_t out[32], const uint8_t a[32], const uint8_t *b,
				 const uint8_t *prefix, size_t prefix_len, const uint8_t *msg, size_t len)
{
	struct sha512_ctx ctx;
	uint8_t h[64];
	sha512_init(&ctx);
	sha512_update(&ctx, a, 32);
	if (b != NULL) {
		sha512_update(&ctx, b, 32);
	}
	if (prefix_len > 0) {
		sha512_update(&ctx, prefix, prefix_len);
	}
	sha512_update(&ctx, msg, len);
	sha512_final(&ctx, h);
	sc_reduce(out, h, sizeof h);
	ct_wipe(h, sizeof h);
}

void ed25519_sign(uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t seed[32],
		  const uint8_t pub[32])
{
	ed25519_sign_prefixed(sig, NULL, 0, msg, len, seed, pub);
}

void ed25519_sign_prefixed(uint8_t sig[64], const uint8_t *prefix, size_t prefix_len, const uint8_t *msg,
			   size_t len, const uint8_t seed[32], const uint8_t pub[32])
{
	struct {
		uint8_t h[64]; /* clamped scalar a, then the nonce prefix */
		uint8_t r[32];
		uint8_t R[32];
		uint8_t k[32]; /* then S */
		ge Rp;         /* R = [r]B before its encoding */
	} s;

	/* pub is trusted to be ed25519_public(seed), as with Monocypher's and
	 * libsodium's secret keys: deriving it again would cost a second
	 * fixed-base multiplication, a fifth of a TLS handshake. A mismatched
	 * pub would reuse r with another k and reveal a: callers derive it. */
	ed25519_expand(s.h, seed);
	hash_reduce(s.r, s.h + 32, NULL, prefix, prefix_len, msg, len); /* r = H(nonce prefix || M) */
	ge_scalarmult_base(&s.Rp, s.r);                       /* R = [r]B */
	ge_tobytes(s.R, &s.Rp);
	hash_reduce(s.k, s.R, pub, prefix, prefix_len, msg, len); /* k = H(R || A || M) */
	sc_muladd(s.k, s.k, s.h, s.r);                        /* S = r + k a */
	/* Written last, so sig may overlap prefix, msg or pub. */
	memcpy(sig, s.R, 32);
	memcpy(sig + 32, s.k, 32);
	ct_wipe(&s, sizeof s);
}

int ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t len, const uint8_t pub[32])
{
	return ed25519_verify_prefixed(sig, NULL, 0, msg, len, pub);
}

int ed25519_verify_prefixed(const uint8_t sig[64], const uint8_t *prefix, size_t prefix_len,
			    const uint8_t *msg, size_t len, const uint8_t pub[32])
{
	uint8_t k[32];
	ge p;
	if (!sc_is_canonical(sig + 32)) {
		return -1;
	}
	hash_reduce(k, sig, pub, prefix, prefix_len, msg, len); /* k = H(R || A || M) */
	if (ge_frombytes(&p, pub) != 0) {
		return -1;
	}
	ge_double_scalarmult(&p, k, sig + 32);               /* [S]B - [k]A */
	ge_tobytes(k, &p);                                    /* k is no longer needed */
	/* Comparing encodings also rejects any R that is not canonical. */
	return memcmp(k, sig, 32) == 0 ? 0 : -1;
}
