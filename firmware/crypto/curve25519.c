/* X25519 (RFC 7748 section 5): the Montgomery ladder on u-coordinates.
 *
 * Constant time: the ladder always runs 255 steps with the same field
 * operations; the scalar bits only drive fe_cswap masks. The field code
 * has no data-dependent branches or indices. Ed25519 is in ed25519.c. */
#include "curve25519.h"

#include <string.h>

#include "ct.h"
#include "fe25519.h"

int x25519(uint8_t out[32], const uint8_t scalar[32], const uint8_t point[32])
{
	struct {
		uint8_t k[32];
		fe x2, z2, x3, z3, a, b, c, d;
	} s; /* every secret, wiped in one go */
	fe x1;
	uint32_t swap = 0;

	memcpy(s.k, scalar, 32);
	s.k[0] &= 248;
	s.k[31] &= 127;
	s.k[31] |= 64;

	/* Bit 255 is masked; u >= p is accepted and reduced by the arithmetic. */
	fe_frombytes(x1, point);
	fe_1(s.x2);
	fe_0(s.z2);
	fe_copy(s.x3, x1);
	fe_1(s.z3);

	for (int t = 254; t >= 0; t--) {
		uint32_t bit = (uint32_t)(s.k[t >> 3] >> (t & 7)) & 1u;
		swap ^= bit;
		fe_cswap(s.x2, s.x3, swap);
		fe_cswap(s.z2, s.z3, swap);
		swap = bit;

		/* RFC 7748's step with its names, in four temporaries. */
		fe_add(s.a, s.x2, s.z2);        /* A */
		fe_sub(s.b, s.x2, s.z2);        /* B */
		fe_add(s.c, s.x3, s.z3);        /* C */
		fe_sub(s.d, s.x3, s.z3);        /* D */
		fe_mul(s.d, s.d, s.a);          /* DA */
		fe_mul(s.c, s.c, s.b);          /* CB */
		fe_add(s.x3, s.d, s.c);
		fe_sq(s.x3, s.x3);              /* x3 = (DA + CB)^2 */
		fe_sub(s.z3, s.d, s.c);
		fe_sq(s.z3, s.z3);
		fe_mul(s.z3, s.z3, x1);         /* z3 = x1 (DA - CB)^2 */
		fe_sq(s.a, s.a);                /* AA */
		fe_sq(s.b, s.b);                /* BB */
		fe_mul(s.x2, s.a, s.b);         /* x2 = AA BB */
		fe_sub(s.c, s.a, s.b);          /* E = AA - BB */
		fe_mul_small(s.d, s.c, 121665);
		fe_add(s.d, s.d, s.a);
		fe_mul(s.z2, s.c, s.d);         /* z2 = E (AA + a24 E) */
	}
	fe_cswap(s.x2, s.x3, swap);
	fe_cswap(s.z2, s.z3, swap);

	fe_invert(s.z2, s.z2);
	fe_mul(s.x2, s.x2, s.z2);
	fe_tobytes(out, s.x2);

	/* All-zero output (low-order point), checked without a branch on the bytes. */
	uint32_t acc = 0;
	for (int i = 0; i < 32; i++) {
		acc |= out[i];
	}
	ct_wipe(&s, sizeof s);
	return -(int)((acc - 1u) >> 31); /* acc <= 255: -1 when zero */
}

void x25519_public(uint8_t out[32], const uint8_t scalar[32])
{
	static const uint8_t base[32] = {9};
	(void)x25519(out, scalar, base);
}
