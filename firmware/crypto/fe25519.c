/* Arithmetic modulo p = 2^255 - 19 in radix 2^25.5 (see fe25519.h).
 *
 * An element is ten signed limbs f[0..9] with value sum f[i] 2^ceil(25.5 i):
 * even limbs weigh 26 bits, odd limbs 25 bits. A "reduced" element, as every
 * fe_mul, fe_sq, fe_mul_small, fe_frombytes and fe_invert output is, has
 * |f[even]| <= 2^25 and |f[odd]| <= 2^24, give or take a small carry (below
 * 2^14 into limb 1, 19 into limb 0 of fe_frombytes).
 * fe_add and fe_sub do not carry; fe_sq and fe_mul's second operand accept
 * any input whose limbs are at most 3 times the reduced bounds (a sum or
 * difference of up to three reduced elements), fe_mul's first operand 4
 * times: then the 19- and 38-fold multiples below (of the second operand,
 * of fe_sq's odd limbs) fit in 31 bits, the doubled odd limbs of the first
 * operand in 28, and every product sum stays below 2^62: no int64 overflow.
 *
 * Products are sums of 32x32->64 signed multiplies (SMULL/SMLAL on
 * ARMv7-M); a product limb pair whose weights add up past 2^255 is folded
 * back with 2^255 = 19 (mod p), and a pair of odd limbs weighs twice its
 * position (25 + 25 bits at an odd + odd = even position), hence the factors
 * 2, 19 and 38. One carry chain then rounds every limb into its range.
 * Nothing branches on or indexes by the values; every output may alias any
 * input. */
#include "fe25519.h"

#include <string.h>

void fe_0(fe r)
{
	memset(r, 0, sizeof(fe));
}

void fe_1(fe r)
{
	fe_0(r);
	r[0] = 1;
}

void fe_copy(fe r, const fe a)
{
	memmove(r, a, sizeof(fe));
}

/* Bit offset of each limb and its width. */
static const uint8_t fe_pos[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};

static uint32_t fe_width(int i)
{
	return 26u - ((uint32_t)i & 1u);
}

void fe_frombytes(fe r, const uint8_t s[32])
{
	/* Every limb, with its offset in its first byte, fits one 32-bit load
	 * (at most 6 + 26 bits), and the last load ends at byte 31. */
	for (int i = 0; i < 10; i++) {
		const uint8_t *p = s + (fe_pos[i] >> 3);
		uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			     (uint32_t)p[3] << 24;
		r[i] = (int32_t)((w >> (fe_pos[i] & 7)) & ((1u << fe_width(i)) - 1u));
	}
	/* Limbs in [0, 2^26) / [0, 2^25) (bit 255 dropped): centre them. */
	for (int i = 0; i < 9; i++) {
		int32_t c = (r[i] + (int32_t)(1u << (fe_width(i) - 1))) >> fe_width(i);
		r[i + 1] += c;
		r[i] -= (int32_t)((uint32_t)c << fe_width(i));
	}
	int32_t c = (r[9] + (1 << 24)) >> 25;
	r[9] -= (int32_t)((uint32_t)c << 25);
	r[0] += 19 * c;
}

/* r = h with every limb rounded into range: |h[k]| < 2^62 on entry. Inlined
 * into fe_mul and fe_sq, the hot path, so h stays in their frames. */
#if defined(__GNUC__)
#define FE_INLINE __attribute__((always_inline)) inline
#else
#define FE_INLINE inline
#endif
static FE_INLINE void fe_carry(fe r, int64_t h[10])
{
	for (int i = 0; i < 9; i++) {
		int s = (int)fe_width(i);
		int64_t c = (h[i] + ((int64_t)1 << (s - 1))) >> s;
		h[i + 1] += c;
		h[i] -= (int64_t)((uint64_t)c << s);
	}
	int64_t c = (h[9] + ((int64_t)1 << 24)) >> 25;
	h[9] -= (int64_t)((uint64_t)c << 25);
	h[0] += c * 19;
	c = (h[0] + ((int64_t)1 << 25)) >> 26;
	h[1] += c;
	h[0] -= (int64_t)((uint64_t)c << 26);
	for (int i = 0; i < 10; i++) {
		r[i] = (int32_t)h[i];
	}
}

void fe_add(fe r, const fe a, const fe b)
{
	for (int i = 0; i < 10; i++) {
		r[i] = a[i] + b[i];
	}
}

void fe_sub(fe r, const fe a, const fe b)
{
	for (int i = 0; i < 10; i++) {
		r[i] = a[i] - b[i];
	}
}

void fe_neg(fe r, const fe a)
{
	for (int i = 0; i < 10; i++) {
		r[i] = -a[i];
	}
}

void fe_mul(fe r, const fe f, const fe g)
{
	int32_t f2[10], g19[10];
	int64_t h[10];
	for (int i = 1; i < 10; i += 2) {
		f2[i] = 2 * f[i];
	}
	for (int i = 1; i < 10; i++) {
		g19[i] = 19 * g[i];
	}
	h[0] = (int64_t)f[0] * g[0] +
	       (int64_t)f2[1] * g19[9] +
	       (int64_t)f[2] * g19[8] +
	       (int64_t)f2[3] * g19[7] +
	       (int64_t)f[4] * g19[6] +
	       (int64_t)f2[5] * g19[5] +
	       (int64_t)f[6] * g19[4] +
	       (int64_t)f2[7] * g19[3] +
	       (int64_t)f[8] * g19[2] +
	       (int64_t)f2[9] * g19[1];
	h[1] = (int64_t)f[0] * g[1] +
	       (int64_t)f[1] * g[0] +
	       (int64_t)f[2] * g19[9] +
	       (int64_t)f[3] * g19[8] +
	       (int64_t)f[4] * g19[7] +
	       (int64_t)f[5] * g19[6] +
	       (int64_t)f[6] * g19[5] +
	       (int64_t)f[7] * g19[4] +
	       (int64_t)f[8] * g19[3] +
	       (int64_t)f[9] * g19[2];
	h[2] = (int64_t)f[0] * g[2] +
	       (int64_t)f2[1] * g[1] +
	       (int64_t)f[2] * g[0] +
	       (int64_t)f2[3] * g19[9] +
	       (int64_t)f[4] * g19[8] +
	       (int64_t)f2[5] * g19[7] +
	       (int64_t)f[6] * g19[6] +
	       (int64_t)f2[7] * g19[5] +
	       (int64_t)f[8] * g19[4] +
	       (int64_t)f2[9] * g19[3];
	h[3] = (int64_t)f[0] * g[3] +
	       (int64_t)f[1] * g[2] +
	       (int64_t)f[2] * g[1] +
	       (int64_t)f[3] * g[0] +
	       (int64_t)f[4] * g19[9] +
	       (int64_t)f[5] * g19[8] +
	       (int64_t)f[6] * g19[7] +
	       (int64_t)f[7] * g19[6] +
	       (int64_t)f[8] * g19[5] +
	       (int64_t)f[9] * g19[4];
	h[4] = (int64_t)f[0] * g[4] +
	       (int64_t)f2[1] * g[3] +
	       (int64_t)f[2] * g[2] +
	       (int64_t)f2[3] * g[1] +
	       (int64_t)f[4] * g[0] +
	       (int64_t)f2[5] * g19[9] +
	       (int64_t)f[6] * g19[8] +
	       (int64_t)f2[7] * g19[7] +
	       (int64_t)f[8] * g19[6] +
	       (int64_t)f2[9] * g19[5];
	h[5] = (int64_t)f[0] * g[5] +
	       (int64_t)f[1] * g[4] +
	       (int64_t)f[2] * g[3] +
	       (int64_t)f[3] * g[2] +
	       (int64_t)f[4] * g[1] +
	       (int64_t)f[5] * g[0] +
	       (int64_t)f[6] * g19[9] +
	       (int64_t)f[7] * g19[8] +
	       (int64_t)f[8] * g19[7] +
	       (int64_t)f[9] * g19[6];
	h[6] = (int64_t)f[0] * g[6] +
	       (int64_t)f2[1] * g[5] +
	       (int64_t)f[2] * g[4] +
	       (int64_t)f2[3] * g[3] +
	       (int64_t)f[4] * g[2] +
	       (int64_t)f2[5] * g[1] +
	       (int64_t)f[6] * g[0] +
	       (int64_t)f2[7] * g19[9] +
	       (int64_t)f[8] * g19[8] +
	       (int64_t)f2[9] * g19[7];
	h[7] = (int64_t)f[0] * g[7] +
	       (int64_t)f[1] * g[6] +
	       (int64_t)f[2] * g[5] +
	       (int64_t)f[3] * g[4] +
	       (int64_t)f[4] * g[3] +
	       (int64_t)f[5] * g[2] +
	       (int64_t)f[6] * g[1] +
	       (int64_t)f[7] * g[0] +
	       (int64_t)f[8] * g19[9] +
	       (int64_t)f[9] * g19[8];
	h[8] = (int64_t)f[0] * g[8] +
	       (int64_t)f2[1] * g[7] +
	       (int64_t)f[2] * g[6] +
	       (int64_t)f2[3] * g[5] +
	       (int64_t)f[4] * g[4] +
	       (int64_t)f2[5] * g[3] +
	       (int64_t)f[6] * g[2] +
	       (int64_t)f2[7] * g[1] +
	       (int64_t)f[8] * g[0] +
	       (int64_t)f2[9] * g19[9];
	h[9] = (int64_t)f[0] * g[9] +
	       (int64_t)f[1] * g[8] +
	       (int64_t)f[2] * g[7] +
	       (int64_t)f[3] * g[6] +
	       (int64_t)f[4] * g[5] +
	       (int64_t)f[5] * g[4] +
	       (int64_t)f[6] * g[3] +
	       (int64_t)f[7] * g[2] +
	       (int64_t)f[8] * g[1] +
	       (int64_t)f[9] * g[0];
	fe_carry(r, h);
}

void fe_sq(fe r, const fe f)
{
	int32_t f2[10], f19[10], f38[10];
	int64_t h[10];
	for (int i = 0; i < 10; i++) {
		f2[i] = 2 * f[i];
	}
	for (int i = 5; i < 10; i++) {
		f19[i] = 19 * f[i];
	}
	for (int i = 5; i < 10; i += 2) {
		f38[i] = 38 * f[i]; /* odd limbs only: 38 * 3 * 2^24 < 2^31 */
	}
	h[0] = (int64_t)f[0] * f[0] +
	       (int64_t)f2[1] * f38[9] +
	       (int64_t)f2[2] * f19[8] +
	       (int64_t)f2[3] * f38[7] +
	       (int64_t)f2[4] * f19[6] +
	       (int64_t)f[5] * f38[5];
	h[1] = (int64_t)f2[0] * f[1] +
	       (int64_t)f[2] * f38[9] +
	       (int64_t)f2[3] * f19[8] +
	       (int64_t)f[4] * f38[7] +
	       (int64_t)f2[5] * f19[6];
	h[2] = (int64_t)f2[0] * f[2] +
	       (int64_t)f2[1] * f[1] +
	       (int64_t)f2[3] * f38[9] +
	       (int64_t)f2[4] * f19[8] +
	       (int64_t)f2[5] * f38[7] +
	       (int64_t)f[6] * f19[6];
	h[3] = (int64_t)f2[0] * f[3] +
	       (int64_t)f2[1] * f[2] +
	       (int64_t)f[4] * f38[9] +
	       (int64_t)f2[5] * f19[8] +
	       (int64_t)f[6] * f38[7];
	h[4] = (int64_t)f2[0] * f[4] +
	       (int64_t)f2[1] * f2[3] +
	       (int64_t)f[2] * f[2] +
	       (int64_t)f2[5] * f38[9] +
	       (int64_t)f2[6] * f19[8] +
	       (int64_t)f[7] * f38[7];
	h[5] = (int64_t)f2[0] * f[5] +
	       (int64_t)f2[1] * f[4] +
	       (int64_t)f2[2] * f[3] +
	       (int64_t)f[6] * f38[9] +
	       (int64_t)f2[7] * f19[8];
	h[6] = (int64_t)f2[0] * f[6] +
	       (int64_t)f2[1] * f2[5] +
	       (int64_t)f2[2] * f[4] +
	       (int64_t)f2[3] * f[3] +
	       (int64_t)f2[7] * f38[9] +
	       (int64_t)f[8] * f19[8];
	h[7] = (int64_t)f2[0] * f[7] +
	       (int64_t)f2[1] * f[6] +
	       (int64_t)f2[2] * f[5] +
	       (int64_t)f2[3] * f[4] +
	       (int64_t)f[8] * f38[9];
	h[8] = (int64_t)f2[0] * f[8] +
	       (int64_t)f2[1] * f2[7] +
	       (int64_t)f2[2] * f[6] +
	       (int64_t)f2[3] * f2[5] +
	       (int64_t)f[4] * f[4] +
	       (int64_t)f[9] * f38[9];
	h[9] = (int64_t)f2[0] * f[9] +
	       (int64_t)f2[1] * f[8] +
	       (int64_t)f2[2] * f[7] +
	       (int64_t)f2[3] * f[6] +
	       (int64_t)f2[4] * f[5];
	fe_carry(r, h);
}

void fe_mul_small(fe r, const fe a, uint32_t k)
{
	/* k < 2^20 here (121665 is the only caller's value). */
	int64_t h[10];
	for (int i = 0; i < 10; i++) {
		h[i] = (int64_t)a[i] * (int32_t)k;
	}
	fe_carry(r, h);
}

/* r = a^(2^n) */
static void fe_sqn(fe r, const fe a, int n)
{
	fe_sq(r, a);
	while (--n > 0) {
		fe_sq(r, r);
	}
}

/* z250 = a^(2^250 - 1), z11 = a^11: the common prefix of both exponents. */
static void fe_pow250(fe z250, fe z11, const fe a)
{
	fe t0, t1, t2;
	fe_sq(t0, a);           /* 2 */
	fe_sqn(t1, t0, 2);      /* 8 */
	fe_mul(t1, t1, a);      /* 9 */
	fe_mul(z11, t0, t1);    /* 11 */
	fe_sq(t0, z11);         /* 22 */
	fe_mul(t0, t0, t1);     /* 31 = 2^5 - 1 */
	fe_sqn(t1, t0, 5);
	fe_mul(t1, t1, t0);     /* 2^10 - 1 */
	fe_sqn(t2, t1, 10);
	fe_mul(t2, t2, t1);     /* 2^20 - 1 */
	fe_sqn(z250, t2, 20);
	fe_mul(t2, z250, t2);   /* 2^40 - 1 */
	fe_sqn(t2, t2, 10);
	fe_mul(t1, t2, t1);     /* 2^50 - 1 */
	fe_sqn(t2, t1, 50);
	fe_mul(t2, t2, t1);     /* 2^100 - 1 */
	fe_sqn(z250, t2, 100);
	fe_mul(t2, z250, t2);   /* 2^200 - 1 */
	fe_sqn(t2, t2, 50);
	fe_mul(z250, t2, t1);   /* 2^250 - 1 */
}

void fe_invert(fe r, const fe a)
{
	fe z250, z11;
	fe_pow250(z250, z11, a);
	fe_sqn(z250, z250, 5);  /* 2^255 - 32 */
	fe_mul(r, z250, z11);   /* 2^255 - 21 = p - 2 */
}

void fe_pow22523(fe r, const fe a)
{
	fe z250, z11;
	fe_pow250(z250, z11, a);
	fe_sqn(z250, z250, 2);  /* 2^252 - 4 */
	fe_mul(r, z250, a);     /* 2^252 - 3 = (p - 5) / 8 */
}

void fe_cswap(fe a, fe b, uint32_t swap)
{
	uint32_t mask = 0u - swap;
	for (int i = 0; i < 10; i++) {
		uint32_t x = ((uint32_t)a[i] ^ (uint32_t)b[i]) & mask;
		a[i] = (int32_t)((uint32_t)a[i] ^ x);
		b[i] = (int32_t)((uint32_t)b[i] ^ x);
	}
}

void fe_cmov(fe r, const fe a, uint32_t move)
{
	uint32_t mask = 0u - move;
	for (int i = 0; i < 10; i++) {
		r[i] = (int32_t)((uint32_t)r[i] ^ (((uint32_t)r[i] ^ (uint32_t)a[i]) & mask));
	}
}

/* One pass of floor carries, the top one folded with 2^255 = 19. */
static void fe_carry_floor(int32_t t[10])
{
	for (int i = 0; i < 9; i++) {
		int32_t c = t[i] >> fe_width(i);
		t[i + 1] += c;
		t[i] -= (int32_t)((uint32_t)c << fe_width(i));
	}
	int32_t c = t[9] >> 25;
	t[9] -= (int32_t)((uint32_t)c << 25);
	t[0] += 19 * c;
}

void fe_tobytes(uint8_t s[32], const fe a)
{
	int32_t t[10];
	memcpy(t, a, sizeof t);
	/* The first pass leaves limbs 1..9 in [0, 2^w) and limb 0 within 2^8 of
	 * its range; the second pass leaves limb 0 in [-19, 2^26 + 19) and the
	 * value v in [0, 2^255 + 2^26): a carry of -1 out of the top means the
	 * top limb is now 2^25 - 1, far above what limb 0 can take away. */
	fe_carry_floor(t);
	fe_carry_floor(t);
	/* q = floor((v + 19) / 2^255), 0 or 1: v - q p is the canonical value. */
	int32_t q = (t[0] + 19) >> 26;
	for (int i = 1; i < 10; i++) {
		q = (t[i] + q) >> fe_width(i);
	}
	t[0] += 19 * q;
	for (int i = 0; i < 9; i++) {
		int32_t c = t[i] >> fe_width(i);
		t[i + 1] += c;
		t[i] -= (int32_t)((uint32_t)c << fe_width(i));
	}
	t[9] &= (1 << 25) - 1; /* drops q 2^255 */
	uint64_t acc = 0;
	unsigned bits = 0, n = 0;
	for (int i = 0; i < 10; i++) {
		acc |= (uint64_t)(uint32_t)t[i] << bits;
		bits += fe_width(i);
		while (bits >= 8) {
			s[n++] = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	s[31] = (uint8_t)acc; /* the last 7 bits */
}

int fe_iszero(const fe a)
{
	uint8_t s[32];
	uint32_t acc = 0;
	fe_tobytes(s, a);
	for (int i = 0; i < 32; i++) {
		acc |= s[i];
	}
	return (int)((acc - 1u) >> 31); /* acc <= 255 */
}

int fe_isodd(const fe a)
{
	uint8_t s[32];
	fe_tobytes(s, a);
	return s[0] & 1;
}

int fe_equal(const fe a, const fe b)
{
	fe d;
	fe_sub(d, a, b);
	return fe_iszero(d);
}
