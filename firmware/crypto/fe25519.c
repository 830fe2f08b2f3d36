/* Arithmetic modulo p = 2^255 - 19 in eight 32-bit limbs (see fe25519.h).
 *
 * Values are kept below 2^256, i.e. reduced modulo 2^256 - 38 = 2p "loosely":
 * whenever a carry leaves the top limb it is worth 2^256 = 38 (mod p) and is
 * folded back into the bottom limb. Each fold is done unconditionally, with
 * enough passes that the worst case is covered, so no branch depends on the
 * data; the bounds that justify the number of passes are given inline. */
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

void fe_frombytes(fe r, const uint8_t s[32])
{
	for (int i = 0; i < 8; i++) {
		r[i] = (uint32_t)s[4 * i] | (uint32_t)s[4 * i + 1] << 8 | (uint32_t)s[4 * i + 2] << 16 |
		       (uint32_t)s[4 * i + 3] << 24;
	}
	r[7] &= 0x7fffffffu;
}

/* r (< 2^256) gets c * 2^256 added, for c <= 2^26: folds c * 38 into the
 * bottom. If that carries out of the top, the wrapped value is below c * 38
 * (< 2^32 - 38), so one more 38 fits in the bottom limb without a carry. */
static void fe_fold(fe r, uint64_t c)
{
	c *= 38;
	for (int i = 0; i < 8; i++) {
		c += r[i];
		r[i] = (uint32_t)c;
		c >>= 32;
	}
	r[0] += 38u * (uint32_t)c;
}

void fe_add(fe r, const fe a, const fe b)
{
	uint64_t c = 0;
	for (int i = 0; i < 8; i++) {
		c += (uint64_t)a[i] + b[i];
		r[i] = (uint32_t)c;
		c >>= 32;
	}
	fe_fold(r, c); /* c <= 1 */
}

void fe_sub(fe r, const fe a, const fe b)
{
	/* a - b wraps to a - b + 2^256 when it borrows; take 38 back. If that
	 * borrows again, the value is now >= 2^256 - 38, so its bottom limb is
	 * >= 2^32 - 38 and the last 38 comes out of it without a borrow. */
	uint32_t borrow = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t t = (uint64_t)a[i] - b[i] - borrow;
		r[i] = (uint32_t)t;
		borrow = (uint32_t)(t >> 63);
	}
	uint32_t sub = 38u * borrow;
	for (int i = 0; i < 8; i++) {
		uint64_t t = (uint64_t)r[i] - sub;
		r[i] = (uint32_t)t;
		sub = (uint32_t)(t >> 63);
	}
	r[0] -= 38u * sub;
}

void fe_neg(fe r, const fe a)
{
	fe z;
	fe_0(z);
	fe_sub(r, z, a);
}

/* r = t mod (2^256 - 38) for a 512-bit t, r < 2^256. */
static void fe_reduce512(fe r, const uint32_t t[16])
{
	/* t_lo + 38 * t_hi < 39 * 2^256: the carry out is at most 38. */
	uint64_t c = 0;
	for (int i = 0; i < 8; i++) {
		c += (uint64_t)t[i + 8] * 38u + t[i];
		r[i] = (uint32_t)c;
		c >>= 32;
	}
	fe_fold(r, c);
}

void fe_mul(fe r, const fe a, const fe b)
{
	uint32_t t[16] = {0};
	/* Operand scanning: (2^32-1)^2 + 2 * (2^32-1) = 2^64 - 1, so the
	 * product, the limb and the carry always fit one uint64_t. */
	for (int i = 0; i < 8; i++) {
		uint64_t c = 0;
		for (int j = 0; j < 8; j++) {
			c += (uint64_t)a[i] * b[j] + t[i + j];
			t[i + j] = (uint32_t)c;
			c >>= 32;
		}
		t[i + 8] = (uint32_t)c;
	}
	fe_reduce512(r, t);
}

void fe_sq(fe r, const fe a)
{
	uint32_t t[16] = {0};
	/* Cross products a[i] * a[j], i < j, once each ... */
	for (int i = 0; i < 7; i++) {
		uint64_t c = 0;
		for (int j = i + 1; j < 8; j++) {
			c += (uint64_t)a[i] * a[j] + t[i + j];
			t[i + j] = (uint32_t)c;
			c >>= 32;
		}
		t[i + 8] = (uint32_t)c;
	}
	/* ... doubled (their sum is below 2^511, so no bit is lost) ... */
	for (int i = 15; i > 0; i--) {
		t[i] = t[i] << 1 | t[i - 1] >> 31;
	}
	t[0] <<= 1;
	/* ... plus the squares on the diagonal. */
	uint64_t c = 0;
	for (int i = 0; i < 8; i++) {
		c += (uint64_t)a[i] * a[i] + t[2 * i];
		t[2 * i] = (uint32_t)c;
		c >>= 32;
		c += t[2 * i + 1];
		t[2 * i + 1] = (uint32_t)c;
		c >>= 32;
	}
	fe_reduce512(r, t);
}

void fe_mul_small(fe r, const fe a, uint32_t k)
{
	/* k < 2^26 here (121665 is the only caller's value). */
	uint64_t c = 0;
	for (int i = 0; i < 8; i++) {
		c += (uint64_t)a[i] * k;
		r[i] = (uint32_t)c;
		c >>= 32;
	}
	fe_fold(r, c);
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
	for (int i = 0; i < 8; i++) {
		uint32_t x = (a[i] ^ b[i]) & mask;
		a[i] ^= x;
		b[i] ^= x;
	}
}

void fe_cmov(fe r, const fe a, uint32_t move)
{
	uint32_t mask = 0u - move;
	for (int i = 0; i < 8; i++) {
		r[i] ^= (r[i] ^ a[i]) & mask;
	}
}

void fe_tobytes(uint8_t s[32], const fe a)
{
	uint32_t t[8];
	uint64_t c;
	/* Fold bit 255: t = (a mod 2^255) + 19 * bit255 < 2^255 + 19. */
	memcpy(t, a, sizeof t);
	t[7] &= 0x7fffffffu;
	c = (uint64_t)(a[7] >> 31) * 19u;
	for (int i = 0; i < 8; i++) {
		c += t[i];
		t[i] = (uint32_t)c;
		c >>= 32;
	}
	/* t >= p exactly when t + 19 reaches 2^255; then t - p = t + 19 - 2^255. */
	c = 19;
	for (int i = 0; i < 7; i++) {
		c = (c + t[i]) >> 32;
	}
	uint32_t q = (uint32_t)((c + t[7]) >> 31);
	c = 19u * q;
	for (int i = 0; i < 8; i++) {
		c += t[i];
		t[i] = (uint32_t)c;
		c >>= 32;
	}
	t[7] &= 0x7fffffffu;
	for (int i = 0; i < 8; i++) {
		s[4 * i] = (uint8_t)t[i];
		s[4 * i + 1] = (uint8_t)(t[i] >> 8);
		s[4 * i + 2] = (uint8_t)(t[i] >> 16);
		s[4 * i + 3] = (uint8_t)(t[i] >> 24);
	}
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
