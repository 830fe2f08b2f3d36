/* Constant-time helpers shared by the crypto code. */
#ifndef CT_H
#define CT_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 when a and b are equal, -1 otherwise, in time that depends only on len. */
int ct_compare(const uint8_t *a, const uint8_t *b, size_t len);

/* Zeroes secrets in a way the compiler cannot drop. */
void ct_wipe(void *p, size_t len);

#endif
