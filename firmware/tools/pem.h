/* Reading keys and certificates from PEM or DER files (host tools only). */
#ifndef PEM_H
#define PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads the first PEM block with the label (or the whole file as DER) into
 * out; exits with a message naming the file on error. Returns the length. */
size_t pem_load(const char *path, const char *label, uint8_t *out, size_t cap);

/* Loads an Ed25519 private key (PKCS#8, PEM or DER) and returns its seed. */
bool pem_load_ed25519_key(const char *path, uint8_t seed[32]);

#endif
