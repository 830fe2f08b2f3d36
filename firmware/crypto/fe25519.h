/* Arithmetic modulo p = 2^255 - 19, shared by X25519 and Ed25519.
 *
 * An element is ten signed limbs in radix 2^25.5 (alternately 26 and 25
 * bits), not necessarily reduced; only fe_tobytes produces the canonical
 * value. fe_add, fe_sub and fe_neg do not carry, so the operand of fe_sq and
 * the second operand of fe_mul may be the sum or difference of at most
 * three outputs of fe_mul, fe_sq, fe_mul_small or fe_frombytes (or fe_0,
 * fe_1 and their copies), and fe_mul's first operand of at most four (see
 * fe25519.c). Every
 * function runs in time independent of the values, and every output may
 * alias any input. Products use 32x32->64-bit signed multiplies (SMULL and
 * SMLAL on ARMv7-M). */
#ifndef FE25519_H
#define FE25519_H

#include <stdint.h>

typedef int32_t fe[10];

void fe_0(fe r);
void fe_1(fe r);
void fe_copy(fe r, const fe a);
/* Loads 32 little-endian bytes, ignoring bit 255 (RFC 7748 / RFC 8032). */
void fe_frombytes(fe r, const uint8_t s[32]);
/* Stores the canonical (fully reduced) value. */
void fe_tobytes(uint8_t s[32], const fe a);

void fe_add(fe r, const fe a, const fe b);
void fe_sub(fe r, const fe a, const fe b);
void fe_neg(fe r, const fe a);
void fe_mul(fe r, const fe a, const fe b);
void fe_sq(fe r, const fe a);
void fe_mul_small(fe r, const fe a, uint32_t k);
void fe_invert(fe r, const fe a);     /* a^(p-2); 0 maps to 0 */
void fe_pow22523(fe r, const fe a);   /* a^((p-5)/8), for square roots */

/* Swaps (swap = 1) or leaves (swap = 0) a and b; moves a into r when
 * move = 1. No branch or index depends on swap or move. */
void fe_cswap(fe a, fe b, uint32_t swap);
void fe_cmov(fe r, const fe a, uint32_t move);

int fe_iszero(const fe a);   /* 1 when a == 0 mod p */
int fe_isodd(const fe a);    /* low bit of the canonical value (the "sign" of x) */
int fe_equal(const fe a, const fe b);

#endif /* FE25519_H */
