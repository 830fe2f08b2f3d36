/* WebAssembly 1.0 numeric instructions (see numeric.h).
 *
 * f32 and f64 share one implementation of everything done on bit patterns
 * (NaN rule, comparisons, min/max, sqrt, rounding to an integral value,
 * conversions to and from integers): the f32 bits are widened to 64 bits and
 * the code is told the format's field widths. One copy keeps the
 * interpreter's flash small; the extra 64-bit arithmetic is cheap next to
 * soft-float. */
#include "numeric.h"

#include <stdbool.h>

/* sqrt is correctly rounded in IEEE 754, so where the FPU has the
 * instruction (the x86-64 host) it gives the integer code's bits, faster;
 * numeric_test builds with WASM_SOFT_SQRT to test the integer code there. */
#if defined(__SSE2__) && !defined(WASM_SOFT_SQRT)
#define HARD_SQRT 1
#include <emmintrin.h>
#else
#define HARD_SQRT 0
#endif

#define I64_SIGN 0x8000000000000000u

const char *wasm_trap_message(enum wasm_trap trap)
{
	switch (trap) {
	case WASM_TRAP_NONE:
		return "no trap";
	case WASM_TRAP_INT_DIV_ZERO:
		return "integer divide by zero";
	case WASM_TRAP_INT_OVERFLOW:
		return "integer overflow";
	case WASM_TRAP_INVALID_CONVERSION:
		return "invalid conversion to integer";
	case WASM_TRAP_UNREACHABLE:
		return "unreachable";
	case WASM_TRAP_MEMORY:
		return "out of bounds memory access";
	case WASM_TRAP_UNDEFINED_ELEMENT:
		return "undefined element";
	case WASM_TRAP_UNINITIALIZED:
		return "uninitialized element";
	case WASM_TRAP_INDIRECT_TYPE:
		return "indirect call type mismatch";
	case WASM_TRAP_STACK:
		return "call stack exhausted";
	case WASM_TRAP_FUEL:
		return "fuel exhausted";
	case WASM_TRAP_HOST:
		return "host function failed";
	}
	return "unknown trap";
}

/* ---- Integers ---- */

static uint32_t magnitude32(uint32_t a) { return (a & 0x80000000u) ? 0u - a : a; }
static uint64_t magnitude64(uint64_t a) { return (a >> 63) ? 0u - a : a; }

enum wasm_trap wasm_i32_div_s(uint32_t a, uint32_t b, uint32_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	if (a == 0x80000000u && b == UINT32_MAX) {
		return WASM_TRAP_INT_OVERFLOW;
	}
	uint32_t q = magnitude32(a) / magnitude32(b);
	*out = ((a ^ b) & 0x80000000u) ? 0u - q : q;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i32_div_u(uint32_t a, uint32_t b, uint32_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	*out = a / b;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	/* Magnitudes, so INT_MIN % -1 is 2^31 % 1 = 0 without overflow. */
	uint32_t r = magnitude32(a) % magnitude32(b);
	*out = (a & 0x80000000u) ? 0u - r : r;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	*out = a % b;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i64_div_s(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	if (a == 0x8000000000000000u && b == UINT64_MAX) {
		return WASM_TRAP_INT_OVERFLOW;
	}
	uint64_t q = magnitude64(a) / magnitude64(b);
	*out = ((a ^ b) >> 63) ? 0u - q : q;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i64_div_u(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	*out = a / b;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	uint64_t r = magnitude64(a) % magnitude64(b);
	*out = (a >> 63) ? 0u - r : r;
	return WASM_TRAP_NONE;
}

enum wasm_trap wasm_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b == 0) {
		return WASM_TRAP_INT_DIV_ZERO;
	}
	*out = a % b;
	return WASM_TRAP_NONE;
}

uint32_t wasm_i32_shl(uint32_t a, uint32_t count) { return a << (count & 31); }
uint32_t wasm_i32_shr_u(uint32_t a, uint32_t count) { return a >> (count & 31); }

uint32_t wasm_i32_shr_s(uint32_t a, uint32_t count)
{
	/* Complementing around the shift fills with ones; no signed shift. */
	return (a & 0x80000000u) ? ~(~a >> (count & 31)) : a >> (count & 31);
}

uint32_t wasm_i32_rotl(uint32_t a, uint32_t count)
{
	/* (32 - k) & 31 is 0 when k is: never a shift by the full width. */
	unsigned k = count & 31;
	return (a << k) | (a >> ((32 - k) & 31));
}

uint32_t wasm_i32_rotr(uint32_t a, uint32_t count)
{
	unsigned k = count & 31;
	return (a >> k) | (a << ((32 - k) & 31));
}

uint64_t wasm_i64_shl(uint64_t a, uint64_t count) { return a << (count & 63); }
uint64_t wasm_i64_shr_u(uint64_t a, uint64_t count) { return a >> (count & 63); }

uint64_t wasm_i64_shr_s(uint64_t a, uint64_t count)
{
	return (a >> 63) ? ~(~a >> (count & 63)) : a >> (count & 63);
}

uint64_t wasm_i64_rotl(uint64_t a, uint64_t count)
{
	unsigned k = (unsigned)(count & 63);
	return (a << k) | (a >> ((64 - k) & 63));
}

uint64_t wasm_i64_rotr(uint64_t a, uint64_t count)
{
	unsigned k = (unsigned)(count & 63);
	return (a >> k) | (a << ((64 - k) & 63));
}

/* The builtins are undefined for 0, which is handled first; unsigned int
 * and unsigned long long are 32 and 64 bits on both targets. */
_Static_assert(sizeof(unsigned) == 4 && sizeof(unsigned long long) == 8, "builtin widths");

uint32_t wasm_i32_clz(uint32_t a) { return a == 0 ? 32 : (uint32_t)__builtin_clz(a); }
uint32_t wasm_i32_ctz(uint32_t a) { return a == 0 ? 32 : (uint32_t)__builtin_ctz(a); }
uint64_t wasm_i64_clz(uint64_t a) { return a == 0 ? 64 : (uint64_t)__builtin_clzll(a); }
uint64_t wasm_i64_ctz(uint64_t a) { return a == 0 ? 64 : (uint64_t)__builtin_ctzll(a); }

/* SWAR count rather than __builtin_popcount, which is a libgcc call with a
 * 256-byte table on Cortex-M. */
uint32_t wasm_i32_popcnt(uint32_t a)
{
	a = a - ((a >> 1) & 0x55555555u);
	a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u);
	a = (a + (a >> 4)) & 0x0f0f0f0fu;
	return (a * 0x01010101u) >> 24;
}

uint64_t wasm_i64_popcnt(uint64_t a)
{
	return (uint64_t)wasm_i32_popcnt((uint32_t)a) + wasm_i32_popcnt((uint32_t)(a >> 32));
}

/* Flipping the sign bit maps two's complement order onto unsigned order. */
uint32_t wasm_i32_lt_s(uint32_t a, uint32_t b) { return (a ^ 0x80000000u) < (b ^ 0x80000000u); }
uint32_t wasm_i32_le_s(uint32_t a, uint32_t b) { return (a ^ 0x80000000u) <= (b ^ 0x80000000u); }
uint32_t wasm_i32_gt_s(uint32_t a, uint32_t b) { return (a ^ 0x80000000u) > (b ^ 0x80000000u); }
uint32_t wasm_i32_ge_s(uint32_t a, uint32_t b) { return (a ^ 0x80000000u) >= (b ^ 0x80000000u); }

uint32_t wasm_i64_lt_s(uint64_t a, uint64_t b) { return (a ^ I64_SIGN) < (b ^ I64_SIGN); }
uint32_t wasm_i64_le_s(uint64_t a, uint64_t b) { return (a ^ I64_SIGN) <= (b ^ I64_SIGN); }
uint32_t wasm_i64_gt_s(uint64_t a, uint64_t b) { return (a ^ I64_SIGN) > (b ^ I64_SIGN); }
uint32_t wasm_i64_ge_s(uint64_t a, uint64_t b) { return (a ^ I64_SIGN) >= (b ^ I64_SIGN); }

/* ---- Float formats, on bit patterns ---- */

/* An IEEE 754 binary format's fields and constants, as a table rather than
 * computed from field widths: 64-bit shifts by a variable count cost
 * Cortex-M several instructions each. */
struct ieee_format {
	uint64_t sign;      /* the sign bit */
	uint64_t exp_mask;  /* the exponent field in place: all ones is inf or NaN */
	uint64_t frac_mask; /* the fraction field; frac_mask + 1 is the implicit bit */
	uint64_t quiet;     /* the fraction's top bit, set in quiet NaNs */
	uint64_t one;       /* 1.0 */
	unsigned frac_bits;
	int bias;
};

static const struct ieee_format f32_format = {
	0x80000000u, 0x7f800000u, 0x007fffffu, 0x00400000u, 0x3f800000u, 23, 127,
};
static const struct ieee_format f64_format = {
	0x8000000000000000u, 0x7ff0000000000000u, 0x000fffffffffffffu, 0x0008000000000000u,
	0x3ff0000000000000u, 52, 1023,
};

/* Unbiased exponent: zero and subnormals give -bias, which the callers
 * read as "magnitude below 1". */
static int exponent(uint64_t x, const struct ieee_format *f)
{
	return (int)((x & f->exp_mask) >> f->frac_bits) - f->bias;
}
static bool is_nan(uint64_t x, const struct ieee_format *f)
{
	return (x & f->exp_mask) == f->exp_mask && (x & f->frac_mask) != 0;
}
static uint64_t canonical_nan(const struct ieee_format *f) { return f->exp_mask | f->quiet; }

/* The spec's NaN rule (4.3.3) for an operator with operands a and b (b = a
 * for one operand) whose IEEE result is r: a NaN result is the first NaN
 * operand made quiet, so canonical stays canonical, else the canonical NaN.
 * Applied after soft-float and SSE alike, so both give the same bits. */
static uint64_t nan_rule(uint64_t a, uint64_t b, uint64_t r, const struct ieee_format *f)
{
	if (!is_nan(r, f)) {
		return r;
	}
	if (is_nan(a, f)) {
		return a | f->quiet;
	}
	if (is_nan(b, f)) {
		return b | f->quiet;
	}
	return canonical_nan(f);
}

/* Maps a non-NaN bit pattern to an unsigned key in numeric order, with
 * -0 just below +0 (which is what min and max want): negatives reversed
 * below 2 * sign - 1 (which wraps to all ones for f64), the rest above. */
static uint64_t order_key(uint64_t x, const struct ieee_format *f)
{
	uint64_t sign = f->sign;
	return (x & sign) ? (sign << 1) - 1 - x : x | sign;
}

enum order { ORDER_LESS, ORDER_EQUAL, ORDER_GREATER, ORDER_UNORDERED };

static enum order compare(uint64_t a, uint64_t b, const struct ieee_format *f)
{
	if (is_nan(a, f) || is_nan(b, f)) {
		return ORDER_UNORDERED;
	}
	if (((a | b) & ~f->sign) == 0) {
		return ORDER_EQUAL; /* -0 == +0 */
	}
	uint64_t ka = order_key(a, f), kb = order_key(b, f);
	return ka < kb ? ORDER_LESS : ka > kb ? ORDER_GREATER : ORDER_EQUAL;
}

static uint64_t min_max(uint64_t a, uint64_t b, bool want_max, const struct ieee_format *f)
{
	if (is_nan(a, f)) {
		return a | f->quiet;
	}
	if (is_nan(b, f)) {
		return b | f->quiet;
	}
	bool a_below = order_key(a, f) < order_key(b, f);
	return a_below != want_max ? a : b;
}

#if !HARD_SQRT
/* Correctly rounded square root by the bit-by-bit method of fdlibm's
 * e_sqrt.c, in integers: no libm, same bits on every target. */
static uint64_t sqrt_bits(uint64_t x, const struct ieee_format *f)
{
	unsigned fb = f->frac_bits;
	if (is_nan(x, f)) {
		return x | f->quiet;
	}
	if ((x & ~f->sign) == 0) {
		return x; /* sqrt(-0) = -0 */
	}
	if (x & f->sign) {
		return canonical_nan(f);
	}
	if ((x & f->exp_mask) == f->exp_mask) {
		return x; /* +inf */
	}
	uint64_t m = x & f->frac_mask;
	int e;
	if ((x & f->exp_mask) == 0) { /* subnormal: normalize */
		e = 1 - f->bias;
		while (m <= f->frac_mask) {
			m <<= 1;
			e--;
		}
	} else {
		e = exponent(x, f);
		m |= f->frac_mask + 1;
	}
	/* x = m * 2^(e - fb) with m in [2^fb, 2^(fb+1)); make e even so the
	 * root's exponent is e / 2 exactly. */
	if (e % 2 != 0) {
		m <<= 1;
		e--;
	}
	/* q collects the root's fb + 2 leading bits, the last one a rounding
	 * bit; m is the scaled remainder (below 2^(fb+4): fits). */
	m <<= 1;
	uint64_t q = 0, s = 0;
	for (uint64_t bit = (f->frac_mask + 1) << 1; bit != 0; bit >>= 1) {
		uint64_t t = s + bit;
		if (t <= m) {
			s = t + bit;
			m -= t;
			q += bit;
		}
		m <<= 1;
	}
	/* A square root is never exactly halfway between two floats, so with a
	 * nonzero remainder a set rounding bit means round up. */
	if (m != 0) {
		q += q & 1;
	}
	/* q >> 1 holds the implicit bit, so the exponent field gets bias - 1;
	 * a carry out of the fraction bumps the exponent, as it should. */
	return (q >> 1) + ((uint64_t)(e / 2 + f->bias - 1) << fb);
}
#endif

enum rounding { ROUND_CEIL, ROUND_FLOOR, ROUND_TRUNC, ROUND_NEAREST };

/* Whether an inexact value rounds away from zero: frac is the dropped
 * nonzero fraction, half_unit its value for exactly one half, odd whether
 * the truncated value is odd (for ties to even). */
static bool rounds_up(enum rounding mode, bool negative, uint64_t frac, uint64_t half_unit, bool odd)
{
	switch (mode) {
	case ROUND_CEIL:
		return !negative;
	case ROUND_FLOOR:
		return negative;
	case ROUND_TRUNC:
		return false;
	case ROUND_NEAREST:
		break;
	}
	return frac > half_unit || (frac == half_unit && odd);
}

/* ceil, floor, trunc and nearest, in integers: the sign never changes, so
 * a zero result keeps x's sign, and nothing depends on a rounding mode. */
static uint64_t round_integral(uint64_t x, enum rounding mode, const struct ieee_format *f)
{
	unsigned fb = f->frac_bits;
	uint64_t magnitude = x & ~f->sign;
	bool negative = (x & f->sign) != 0;
	int e = exponent(x, f);
	if (is_nan(x, f)) {
		return x | f->quiet;
	}
	if (magnitude == 0 || e >= (int)fb) {
		return x; /* zero, infinity, or no fraction bits left */
	}
	if (e < 0) {
		/* 0 < |x| < 1: the result is 0 or 1 in magnitude; for nearest,
		 * exactly 0.5 goes to the even 0. */
		bool up = rounds_up(mode, negative, magnitude, f->one - (f->frac_mask + 1), false);
		return (x & f->sign) | (up ? f->one : 0);
	}
	/* unit: the significand bit worth 1; below it, the fraction. */
	uint64_t unit = (uint64_t)1 << (fb - (unsigned)e);
	uint64_t frac = x & (unit - 1);
	if (frac == 0) {
		return x;
	}
	uint64_t truncated = x - frac;
	/* At e = 0 the integer part is the implicit 1: odd. */
	bool odd = e == 0 || (truncated & unit) != 0;
	/* Adding unit to the pattern adds 1 to the magnitude, carrying into
	 * the exponent when it reaches the next power of two. */
	return rounds_up(mode, negative, frac, unit >> 1, odd) ? truncated + unit : truncated;
}

/* Float to integer of out_bits bits, truncating: *out gets the result's
 * two's complement bits (to be cut to out_bits by the caller). */
static enum wasm_trap float_to_int(uint64_t x, const struct ieee_format *f, unsigned out_bits,
				   bool is_signed, uint64_t *out)
{
	unsigned fb = f->frac_bits;
	bool negative = (x & f->sign) != 0;
	int e = exponent(x, f);
	if (is_nan(x, f)) {
		return WASM_TRAP_INVALID_CONVERSION;
	}
	if (e >= (int)out_bits) {
		return WASM_TRAP_INT_OVERFLOW; /* |x| >= 2^out_bits, infinities too */
	}
	uint64_t magnitude = 0; /* |x| < 1, zero and subnormals included */
	if (e >= 0) {
		uint64_t m = (x & f->frac_mask) | (f->frac_mask + 1);
		magnitude = e >= (int)fb ? m << (e - (int)fb) : m >> (fb - (unsigned)e);
	}
	uint64_t limit; /* largest magnitude that fits */
	if (is_signed) {
		limit = ((uint64_t)1 << (out_bits - 1)) - (negative ? 0 : 1);
	} else {
		limit = negative ? 0 : UINT64_MAX >> (64 - out_bits);
	}
	if (magnitude > limit) {
		return WASM_TRAP_INT_OVERFLOW;
	}
	*out = negative ? 0u - magnitude : magnitude;
	return WASM_TRAP_NONE;
}

/* The integer (negative ? -magnitude : magnitude) rounded once to the
 * nearest value of format f, ties to even. */
static uint64_t int_to_float(uint64_t magnitude, bool negative, const struct ieee_format *f)
{
	unsigned fb = f->frac_bits;
	if (magnitude == 0) {
		return 0;
	}
	unsigned width = 64 - (unsigned)__builtin_clzll(magnitude); /* magnitude != 0 */
	uint64_t m;
	if (width <= fb + 1) {
		m = magnitude << (fb + 1 - width); /* exact */
	} else {
		unsigned drop = width - (fb + 1);
		uint64_t frac = magnitude & (((uint64_t)1 << drop) - 1);
		m = magnitude >> drop;
		if (rounds_up(ROUND_NEAREST, negative, frac, (uint64_t)1 << (drop - 1), (m & 1) != 0)) {
			m++; /* may carry to 2^(fb+1): the exponent below absorbs it */
		}
	}
	/* m holds the implicit bit, so the exponent field gets bias - 1. */
	uint64_t bits = m + ((uint64_t)(width - 1 + (unsigned)f->bias - 1) << fb);
	return negative ? bits | f->sign : bits;
}

/* ---- f32 ---- */

uint32_t wasm_f32_nan(uint32_t a, uint32_t b)
{
	return (uint32_t)nan_rule(a, b, canonical_nan(&f32_format), &f32_format);
}

uint32_t wasm_f32_min(uint32_t a, uint32_t b) { return (uint32_t)min_max(a, b, false, &f32_format); }
uint32_t wasm_f32_max(uint32_t a, uint32_t b) { return (uint32_t)min_max(a, b, true, &f32_format); }
uint32_t wasm_f32_copysign(uint32_t a, uint32_t b) { return (a & 0x7fffffffu) | (b & 0x80000000u); }
uint32_t wasm_f32_sqrt(uint32_t a)
{
#if HARD_SQRT
	float r = _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(wasm_f32_value(a))));
	return (uint32_t)nan_rule(a, a, wasm_f32_bits(r), &f32_format);
#else
	return (uint32_t)sqrt_bits(a, &f32_format);
#endif
}
uint32_t wasm_f32_ceil(uint32_t a) { return (uint32_t)round_integral(a, ROUND_CEIL, &f32_format); }
uint32_t wasm_f32_floor(uint32_t a) { return (uint32_t)round_integral(a, ROUND_FLOOR, &f32_format); }
uint32_t wasm_f32_trunc(uint32_t a) { return (uint32_t)round_integral(a, ROUND_TRUNC, &f32_format); }
uint32_t wasm_f32_nearest(uint32_t a) { return (uint32_t)round_integral(a, ROUND_NEAREST, &f32_format); }
uint32_t wasm_f32_abs(uint32_t a) { return a & 0x7fffffffu; }
uint32_t wasm_f32_neg(uint32_t a) { return a ^ 0x80000000u; }

uint32_t wasm_f32_eq(uint32_t a, uint32_t b) { return compare(a, b, &f32_format) == ORDER_EQUAL; }
uint32_t wasm_f32_ne(uint32_t a, uint32_t b) { return compare(a, b, &f32_format) != ORDER_EQUAL; }
uint32_t wasm_f32_lt(uint32_t a, uint32_t b) { return compare(a, b, &f32_format) == ORDER_LESS; }
uint32_t wasm_f32_gt(uint32_t a, uint32_t b) { return compare(a, b, &f32_format) == ORDER_GREATER; }

uint32_t wasm_f32_le(uint32_t a, uint32_t b)
{
	enum order o = compare(a, b, &f32_format);
	return o == ORDER_LESS || o == ORDER_EQUAL;
}

uint32_t wasm_f32_ge(uint32_t a, uint32_t b)
{
	enum order o = compare(a, b, &f32_format);
	return o == ORDER_GREATER || o == ORDER_EQUAL;
}

/* ---- f64 ---- */

uint64_t wasm_f64_nan(uint64_t a, uint64_t b)
{
	return nan_rule(a, b, canonical_nan(&f64_format), &f64_format);
}

uint64_t wasm_f64_min(uint64_t a, uint64_t b) { return min_max(a, b, false, &f64_format); }
uint64_t wasm_f64_max(uint64_t a, uint64_t b) { return min_max(a, b, true, &f64_format); }
uint64_t wasm_f64_copysign(uint64_t a, uint64_t b) { return (a & ~I64_SIGN) | (b & I64_SIGN); }
uint64_t wasm_f64_sqrt(uint64_t a)
{
#if HARD_SQRT
	double r = _mm_cvtsd_f64(_mm_sqrt_sd(_mm_setzero_pd(), _mm_set_sd(wasm_f64_value(a))));
	return nan_rule(a, a, wasm_f64_bits(r), &f64_format);
#else
	return sqrt_bits(a, &f64_format);
#endif
}
uint64_t wasm_f64_ceil(uint64_t a) { return round_integral(a, ROUND_CEIL, &f64_format); }
uint64_t wasm_f64_floor(uint64_t a) { return round_integral(a, ROUND_FLOOR, &f64_format); }
uint64_t wasm_f64_trunc(uint64_t a) { return round_integral(a, ROUND_TRUNC, &f64_format); }
uint64_t wasm_f64_nearest(uint64_t a) { return round_integral(a, ROUND_NEAREST, &f64_format); }
uint64_t wasm_f64_abs(uint64_t a) { return a & ~I64_SIGN; }
uint64_t wasm_f64_neg(uint64_t a) { return a ^ I64_SIGN; }

uint32_t wasm_f64_eq(uint64_t a, uint64_t b) { return compare(a, b, &f64_format) == ORDER_EQUAL; }
uint32_t wasm_f64_ne(uint64_t a, uint64_t b) { return compare(a, b, &f64_format) != ORDER_EQUAL; }
uint32_t wasm_f64_lt(uint64_t a, uint64_t b) { return compare(a, b, &f64_format) == ORDER_LESS; }
uint32_t wasm_f64_gt(uint64_t a, uint64_t b) { return compare(a, b, &f64_format) == ORDER_GREATER; }

uint32_t wasm_f64_le(uint64_t a, uint64_t b)
{
	enum order o = compare(a, b, &f64_format);
	return o == ORDER_LESS || o == ORDER_EQUAL;
}

uint32_t wasm_f64_ge(uint64_t a, uint64_t b)
{
	enum order o = compare(a, b, &f64_format);
	return o == ORDER_GREATER || o == ORDER_EQUAL;
}

/* ---- Conversions ---- */

enum wasm_trap wasm_i32_trunc_f32_s(uint32_t a, uint32_t *out)
{
	uint64_t r;
	enum wasm_trap trap = float_to_int(a, &f32_format, 32, true, &r);
	if (trap == WASM_TRAP_NONE) {
		*out = (uint32_t)r;
	}
	return trap;
}

enum wasm_trap wasm_i32_trunc_f32_u(uint32_t a, uint32_t *out)
{
	uint64_t r;
	enum wasm_trap trap = float_to_int(a, &f32_format, 32, false, &r);
	if (trap == WASM_TRAP_NONE) {
		*out = (uint32_t)r;
	}
	return trap;
}

enum wasm_trap wasm_i32_trunc_f64_s(uint64_t a, uint32_t *out)
{
	uint64_t r;
	enum wasm_trap trap = float_to_int(a, &f64_format, 32, true, &r);
	if (trap == WASM_TRAP_NONE) {
		*out = (uint32_t)r;
	}
	return trap;
}

enum wasm_trap wasm_i32_trunc_f64_u(uint64_t a, uint32_t *out)
{
	uint64_t r;
	enum wasm_trap trap = float_to_int(a, &f64_format, 32, false, &r);
	if (trap == WASM_TRAP_NONE) {
		*out = (uint32_t)r;
	}
	return trap;
}

enum wasm_trap wasm_i64_trunc_f32_s(uint32_t a, uint64_t *out)
{
	return float_to_int(a, &f32_format, 64, true, out);
}

enum wasm_trap wasm_i64_trunc_f32_u(uint32_t a, uint64_t *out)
{
	return float_to_int(a, &f32_format, 64, false, out);
}

enum wasm_trap wasm_i64_trunc_f64_s(uint64_t a, uint64_t *out)
{
	return float_to_int(a, &f64_format, 64, true, out);
}

enum wasm_trap wasm_i64_trunc_f64_u(uint64_t a, uint64_t *out)
{
	return float_to_int(a, &f64_format, 64, false, out);
}

uint32_t wasm_f32_convert_i32_s(uint32_t a)
{
	return (uint32_t)int_to_float(magnitude32(a), (a >> 31) != 0, &f32_format);
}
uint32_t wasm_f32_convert_i32_u(uint32_t a) { return (uint32_t)int_to_float(a, false, &f32_format); }
uint32_t wasm_f32_convert_i64_s(uint64_t a)
{
	return (uint32_t)int_to_float(magnitude64(a), (a >> 63) != 0, &f32_format);
}
uint32_t wasm_f32_convert_i64_u(uint64_t a) { return (uint32_t)int_to_float(a, false, &f32_format); }
uint64_t wasm_f64_convert_i32_s(uint32_t a)
{
	return int_to_float(magnitude32(a), (a >> 31) != 0, &f64_format);
}
uint64_t wasm_f64_convert_i32_u(uint32_t a) { return int_to_float(a, false, &f64_format); }
uint64_t wasm_f64_convert_i64_s(uint64_t a)
{
	return int_to_float(magnitude64(a), (a >> 63) != 0, &f64_format);
}
uint64_t wasm_f64_convert_i64_u(uint64_t a) { return int_to_float(a, false, &f64_format); }

uint32_t wasm_f32_demote_f64(uint64_t a)
{
	if (is_nan(a, &f64_format)) {
		/* Sign, then the top 23 of the 52 payload bits, made quiet. */
		return ((uint32_t)(a >> 32) & 0x80000000u) | 0x7fc00000u |
		       (uint32_t)((a & f64_format.frac_mask) >> 29);
	}
	return wasm_f32_bits((float)wasm_f64_value(a));
}

uint64_t wasm_f64_promote_f32(uint32_t a)
{
	if (is_nan(a, &f32_format)) {
		return ((uint64_t)(a & 0x80000000u) << 32) | 0x7ff8000000000000u |
		       ((uint64_t)(a & 0x007fffffu) << 29);
	}
	return wasm_f64_bits((double)wasm_f32_value(a));
}
