/* 32-bit rotates, adds and message scheduling: SHA-256 (FIPS 180-4) of a
 * SHA_BUF-byte buffer, n times; each digest overwrites the buffer's first
 * 32 bytes, so every pass depends on the one before. Returns the first
 * word of the last digest. */
#include "bench.h"

#define SHA_BUF 1024

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint8_t buf[SHA_BUF];

static uint32_t rotr(uint32_t x, int k)
{
    return (x >> k) | (x << (32 - k));
}

/* One 64-byte block into the state h. */
static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64], v[8];

    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    for (int i = 0; i < 8; i++)
        v[i] = h[i];
    for (int t = 0; t < 64; t++) {
        uint32_t e = v[4], a = v[0];
        uint32_t t1 = v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                      ((e & v[5]) ^ (~e & v[6])) + K[t] + w[t];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
                      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        for (int i = 7; i > 0; i--)
            v[i] = v[i - 1];
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

/* The digest of p[0..len) as eight big-endian words. */
static void sha256(uint32_t h[8], const uint8_t *p, size_t len)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    uint8_t last[128];
    size_t full = len & ~(size_t)63, rest = len - full, padded;
    uint64_t bits = (uint64_t)len * 8;

    for (int i = 0; i < 8; i++)
        h[i] = iv[i];
    for (size_t off = 0; off < full; off += 64)
        sha256_block(h, p + off);
    /* The tail, 0x80, zeros and the 64-bit bit length: one or two blocks. */
    padded = rest < 56 ? 64 : 128;
    for (size_t i = 0; i < padded; i++)
        last[i] = i < rest ? p[full + i] : i == rest ? 0x80 : 0;
    for (int i = 0; i < 8; i++)
        last[padded - 1 - i] = (uint8_t)(bits >> (8 * i));
    for (size_t off = 0; off < padded; off += 64)
        sha256_block(h, last + off);
}

uint32_t run(uint32_t n)
{
    uint32_t seed = 1, h[8] = {0};

    for (uint32_t i = 0; i < SHA_BUF; i++)
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);
    for (uint32_t pass = 0; pass < n; pass++) {
        sha256(h, buf, SHA_BUF);
        for (int i = 0; i < 32; i++)
            buf[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
    }
    return h[0];
}
