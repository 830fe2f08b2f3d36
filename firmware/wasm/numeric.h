/* The numeric core of the WebAssembly 1.0 (MVP) interpreter: every numeric
 * instruction whose semantics go beyond a plain C operator on uint32_t or
 * uint64_t, as small pure functions with the exact behaviour of the
 * WebAssembly Core Specification 1.0, section 4.3 "Numerics".
 *
 * Values: i32 and i64 are uint32_t and uint64_t (two's complement bits);
 * f32 and f64 are their IEEE 754 bit patterns in uint32_t and uint64_t, so
 * NaN payloads survive the interpreter's stack. Functions are named after
 * the instruction with the dot replaced: f32.convert_i64_u is
 * wasm_f32_convert_i64_u.
 *
 * Plain C operators on the unsigned types (wrapping arithmetic), for which
 * there is no function here: i32/i64 add, sub, mul, and, or, xor, eqz, eq,
 * ne, lt_u, le_u, gt_u, ge_u. Reinterpret instructions are the identity on
 * the bit patterns. i32.wrap_i64 and i64.extend_i32_s/_u are the casts
 * below.
 *
 * Floating point: round to nearest, ties to even, subnormals kept (the
 * compiler's soft-float on arm-none-eabi, SSE on the x86-64 host; neither
 * flushes subnormals). Results that are NaN follow the spec's rule (4.3.3):
 * the first NaN operand made quiet (so a canonical NaN stays canonical), or
 * the positive canonical NaN when no operand is a NaN. abs, neg and copysign
 * only touch the sign bit, NaN payloads included. Nothing here uses libm:
 * sqrt (but for the host's SSE instruction), the rounding instructions and
 * every float<->integer conversion are integer code; add/sub/mul/div and
 * demote/promote of non-NaN values use the compiler's float arithmetic
 * (libgcc's __aeabi_* routines on the boards).
 */
#ifndef NUMERIC_H
#define NUMERIC_H

#include <stdint.h>
#include <string.h>

/* Why execution traps. The numeric functions here return only the first
 * four values; the interpreter (runtime.h) raises the others. */
enum wasm_trap {
	WASM_TRAP_NONE = 0,
	WASM_TRAP_INT_DIV_ZERO,       /* div or rem by zero */
	WASM_TRAP_INT_OVERFLOW,       /* div_s of INT_MIN by -1; trunc out of range */
	WASM_TRAP_INVALID_CONVERSION, /* trunc of a NaN */
	WASM_TRAP_UNREACHABLE,
	WASM_TRAP_MEMORY,             /* a load or store outside linear memory */
	WASM_TRAP_UNDEFINED_ELEMENT,  /* call_indirect beyond the table */
	WASM_TRAP_UNINITIALIZED,      /* call_indirect of an empty table slot */
	WASM_TRAP_INDIRECT_TYPE,      /* call_indirect of a function of another type */
	WASM_TRAP_STACK,              /* call or value stack exhausted */
	WASM_TRAP_FUEL,               /* the thread's fuel limit reached */
	WASM_TRAP_HOST,               /* a host function failed */
};

/* The spec test suite's text for the trap ("integer divide by zero", ...). */
const char *wasm_trap_message(enum wasm_trap trap);

/* Bit patterns to C floats and back (bit copies, so NaN payloads survive). */
static inline float wasm_f32_value(uint32_t bits)
{
	float f;
	memcpy(&f, &bits, sizeof f);
	return f;
}
static inline uint32_t wasm_f32_bits(float f)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	return bits;
}
static inline double wasm_f64_value(uint64_t bits)
{
	double d;
	memcpy(&d, &bits, sizeof d);
	return d;
}
static inline uint64_t wasm_f64_bits(double d)
{
	uint64_t bits;
	memcpy(&bits, &d, sizeof bits);
	return bits;
}

/* Width changes: plain casts, written out so no implementation-defined
 * signed conversion is involved. */
static inline uint32_t wasm_i32_wrap_i64(uint64_t a) { return (uint32_t)a; }
static inline uint64_t wasm_i64_extend_i32_u(uint32_t a) { return a; }
static inline uint64_t wasm_i64_extend_i32_s(uint32_t a)
{
	return (a & 0x80000000u) ? (uint64_t)a | 0xffffffff00000000u : a;
}

/* Integer division: *out is written only when the result is WASM_TRAP_NONE.
 * div_s traps on INT_MIN / -1; rem_s of INT_MIN by -1 is 0. Signed results
 * truncate toward zero and a remainder has the dividend's sign. */
enum wasm_trap wasm_i32_div_s(uint32_t a, uint32_t b, uint32_t *out);
enum wasm_trap wasm_i32_div_u(uint32_t a, uint32_t b, uint32_t *out);
enum wasm_trap wasm_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out);
enum wasm_trap wasm_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out);
enum wasm_trap wasm_i64_div_s(uint64_t a, uint64_t b, uint64_t *out);
enum wasm_trap wasm_i64_div_u(uint64_t a, uint64_t b, uint64_t *out);
enum wasm_trap wasm_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out);
enum wasm_trap wasm_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out);

/* Shifts and rotates take the count modulo the width. */
uint32_t wasm_i32_shl(uint32_t a, uint32_t count);
uint32_t wasm_i32_shr_s(uint32_t a, uint32_t count);
uint32_t wasm_i32_shr_u(uint32_t a, uint32_t count);
uint32_t wasm_i32_rotl(uint32_t a, uint32_t count);
uint32_t wasm_i32_rotr(uint32_t a, uint32_t count);
uint64_t wasm_i64_shl(uint64_t a, uint64_t count);
uint64_t wasm_i64_shr_s(uint64_t a, uint64_t count);
uint64_t wasm_i64_shr_u(uint64_t a, uint64_t count);
uint64_t wasm_i64_rotl(uint64_t a, uint64_t count);
uint64_t wasm_i64_rotr(uint64_t a, uint64_t count);

/* Bit counts; clz and ctz of 0 are the width. */
uint32_t wasm_i32_clz(uint32_t a);
uint32_t wasm_i32_ctz(uint32_t a);
uint32_t wasm_i32_popcnt(uint32_t a);
uint64_t wasm_i64_clz(uint64_t a);
uint64_t wasm_i64_ctz(uint64_t a);
uint64_t wasm_i64_popcnt(uint64_t a);

/* Signed comparisons, 1 or 0. */
uint32_t wasm_i32_lt_s(uint32_t a, uint32_t b);
uint32_t wasm_i32_le_s(uint32_t a, uint32_t b);
uint32_t wasm_i32_gt_s(uint32_t a, uint32_t b);
uint32_t wasm_i32_ge_s(uint32_t a, uint32_t b);
uint32_t wasm_i64_lt_s(uint64_t a, uint64_t b);
uint32_t wasm_i64_le_s(uint64_t a, uint64_t b);
uint32_t wasm_i64_gt_s(uint64_t a, uint64_t b);
uint32_t wasm_i64_ge_s(uint64_t a, uint64_t b);

/* The NaN rule for an operation of a and b whose IEEE result is a NaN. */
uint32_t wasm_f32_nan(uint32_t a, uint32_t b);
uint64_t wasm_f64_nan(uint64_t a, uint64_t b);

/* add, sub, mul and div are the compiler's, inline; only a NaN result
 * (told by its bits, so no float compare) goes through the NaN rule. */
static inline uint32_t wasm_f32_arith(uint32_t a, uint32_t b, float r)
{
	uint32_t bits = wasm_f32_bits(r);
	return (bits & 0x7fffffffu) > 0x7f800000u ? wasm_f32_nan(a, b) : bits;
}
static inline uint64_t wasm_f64_arith(uint64_t a, uint64_t b, double r)
{
	uint64_t bits = wasm_f64_bits(r);
	return (bits & 0x7fffffffffffffffu) > 0x7ff0000000000000u ? wasm_f64_nan(a, b) : bits;
}
static inline uint32_t wasm_f32_add(uint32_t a, uint32_t b) { return wasm_f32_arith(a, b, wasm_f32_value(a) + wasm_f32_value(b)); }
static inline uint32_t wasm_f32_sub(uint32_t a, uint32_t b) { return wasm_f32_arith(a, b, wasm_f32_value(a) - wasm_f32_value(b)); }
static inline uint32_t wasm_f32_mul(uint32_t a, uint32_t b) { return wasm_f32_arith(a, b, wasm_f32_value(a) * wasm_f32_value(b)); }
static inline uint32_t wasm_f32_div(uint32_t a, uint32_t b) { return wasm_f32_arith(a, b, wasm_f32_value(a) / wasm_f32_value(b)); }
static inline uint64_t wasm_f64_add(uint64_t a, uint64_t b) { return wasm_f64_arith(a, b, wasm_f64_value(a) + wasm_f64_value(b)); }
static inline uint64_t wasm_f64_sub(uint64_t a, uint64_t b) { return wasm_f64_arith(a, b, wasm_f64_value(a) - wasm_f64_value(b)); }
static inline uint64_t wasm_f64_mul(uint64_t a, uint64_t b) { return wasm_f64_arith(a, b, wasm_f64_value(a) * wasm_f64_value(b)); }
static inline uint64_t wasm_f64_div(uint64_t a, uint64_t b) { return wasm_f64_arith(a, b, wasm_f64_value(a) / wasm_f64_value(b)); }

/* f32 arithmetic on bit patterns. min/max: a NaN if either operand is one,
 * min(-0, +0) = -0, max(-0, +0) = +0. ceil/floor/trunc/nearest keep the
 * sign of a zero result (nearest(-0.5) = -0); nearest rounds ties to even. */
uint32_t wasm_f32_min(uint32_t a, uint32_t b);
uint32_t wasm_f32_max(uint32_t a, uint32_t b);
uint32_t wasm_f32_copysign(uint32_t a, uint32_t b);
uint32_t wasm_f32_sqrt(uint32_t a);
uint32_t wasm_f32_ceil(uint32_t a);
uint32_t wasm_f32_floor(uint32_t a);
uint32_t wasm_f32_trunc(uint32_t a);
uint32_t wasm_f32_nearest(uint32_t a);
uint32_t wasm_f32_abs(uint32_t a);
uint32_t wasm_f32_neg(uint32_t a);

/* f64, the same. */
uint64_t wasm_f64_min(uint64_t a, uint64_t b);
uint64_t wasm_f64_max(uint64_t a, uint64_t b);
uint64_t wasm_f64_copysign(uint64_t a, uint64_t b);
uint64_t wasm_f64_sqrt(uint64_t a);
uint64_t wasm_f64_ceil(uint64_t a);
uint64_t wasm_f64_floor(uint64_t a);
uint64_t wasm_f64_trunc(uint64_t a);
uint64_t wasm_f64_nearest(uint64_t a);
uint64_t wasm_f64_abs(uint64_t a);
uint64_t wasm_f64_neg(uint64_t a);

/* Float comparisons, 1 or 0: false when either operand is a NaN, except ne;
 * -0 equals +0. */
uint32_t wasm_f32_eq(uint32_t a, uint32_t b);
uint32_t wasm_f32_ne(uint32_t a, uint32_t b);
uint32_t wasm_f32_lt(uint32_t a, uint32_t b);
uint32_t wasm_f32_gt(uint32_t a, uint32_t b);
uint32_t wasm_f32_le(uint32_t a, uint32_t b);
uint32_t wasm_f32_ge(uint32_t a, uint32_t b);
uint32_t wasm_f64_eq(uint64_t a, uint64_t b);
uint32_t wasm_f64_ne(uint64_t a, uint64_t b);
uint32_t wasm_f64_lt(uint64_t a, uint64_t b);
uint32_t wasm_f64_gt(uint64_t a, uint64_t b);
uint32_t wasm_f64_le(uint64_t a, uint64_t b);
uint32_t wasm_f64_ge(uint64_t a, uint64_t b);

/* Float to integer, truncating toward zero: a NaN traps with
 * WASM_TRAP_INVALID_CONVERSION, a value whose truncation does not fit
 * (infinities included) with WASM_TRAP_INT_OVERFLOW. So -2147483648.9 gives
 * INT32_MIN and -2147483649.0 traps; -0.9 converts to 0 unsigned. *out is
 * written only when the result is WASM_TRAP_NONE. */
enum wasm_trap wasm_i32_trunc_f32_s(uint32_t a, uint32_t *out);
enum wasm_trap wasm_i32_trunc_f32_u(uint32_t a, uint32_t *out);
enum wasm_trap wasm_i32_trunc_f64_s(uint64_t a, uint32_t *out);
enum wasm_trap wasm_i32_trunc_f64_u(uint64_t a, uint32_t *out);
enum wasm_trap wasm_i64_trunc_f32_s(uint32_t a, uint64_t *out);
enum wasm_trap wasm_i64_trunc_f32_u(uint32_t a, uint64_t *out);
enum wasm_trap wasm_i64_trunc_f64_s(uint64_t a, uint64_t *out);
enum wasm_trap wasm_i64_trunc_f64_u(uint64_t a, uint64_t *out);

/* Integer to float, rounded once to nearest, ties to even (so i64 to f32
 * is not rounded twice through f64). */
uint32_t wasm_f32_convert_i32_s(uint32_t a);
uint32_t wasm_f32_convert_i32_u(uint32_t a);
uint32_t wasm_f32_convert_i64_s(uint64_t a);
uint32_t wasm_f32_convert_i64_u(uint64_t a);
uint64_t wasm_f64_convert_i32_s(uint32_t a);
uint64_t wasm_f64_convert_i32_u(uint32_t a);
uint64_t wasm_f64_convert_i64_s(uint64_t a);
uint64_t wasm_f64_convert_i64_u(uint64_t a);

/* Between float widths: demote rounds to nearest (overflowing to infinity);
 * promote is exact. A NaN keeps its sign and leading payload bits and
 * becomes quiet, so a canonical NaN stays canonical. */
uint32_t wasm_f32_demote_f64(uint64_t a);
uint64_t wasm_f64_promote_f32(uint32_t a);

#endif
