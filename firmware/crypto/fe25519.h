/* Arithmetic modulo p = 2^255 - 19, shared by X25519 and Ed25519.
 *
 * An element is eight 32-bit little-endian limbs holding any value below
 * 2^256 that is congruent to the element (so p..2^256-1 are valid, non-unique
 * representatives); only fe_tobytes produces the canonical value. Every
 * function runs in time independent of the values, and every output may
 * alias any input. Products use 32x32->64-bit multiplies (UMULL on ARMv7-M). */
#ifndef FE25519_H
#define FE25519_H

#include <stdint.h>

typedef uint32_t fe[8];

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
