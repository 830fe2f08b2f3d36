/* Table lookups and shifts: CRC-32 (IEEE 802.3, reflected, polynomial
 * 0xEDB88320) over a CRC_BUF-byte buffer, n passes as one continuous
 * stream. The table is computed bit by bit at the start of every run. */
#include "bench.h"

#define CRC_BUF 4096

static uint32_t table[256];
static uint8_t buf[CRC_BUF];

uint32_t run(uint32_t n)
{
    uint32_t seed = 1, crc = 0xFFFFFFFFu;

    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        table[i] = c;
    }
    for (uint32_t i = 0; i < CRC_BUF; i++)
        buf[i] = (uint8_t)(lcg_next(&seed) >> 24);
    for (uint32_t pass = 0; pass < n; pass++)
        for (uint32_t i = 0; i < CRC_BUF; i++)
            crc = table[(crc ^ buf[i]) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}
