/* libFuzzer harness for the protocol decoder (core/proto.c, core/cbor.c).
 * The first input byte picks the direction, the rest is the message. Any
 * input decodes without reading out of bounds; an accepted message
 * re-encodes to a canonical form no longer than the input, which decodes
 * to the same message and re-encodes to the same bytes.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -Ifirmware/core \
 *     firmware/core/cbor.c firmware/core/proto.c firmware/test/fuzz_proto.c */
#include "proto.h"

#include <stdlib.h>
#include <string.h>

static void require(bool ok)
{
	if (!ok) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t enc[PROTO_MAX_MESSAGE], enc2[PROTO_MAX_MESSAGE];
	/* Seeds are whole messages: try them from both directions. */
	for (int dir = 0; dir < 2; dir++) {
		size_t n, n2;
		if (dir == 0) {
			static struct proto_device_msg m, m2;
			if (proto_decode_from_device(data, size, &m) != PROTO_OK) {
				continue;
			}
			n = proto_encode_from_device(&m, enc, sizeof enc);
			require(n > 0 && n <= size);
			require(proto_decode_from_device(enc, n, &m2) == PROTO_OK);
			n2 = proto_encode_from_device(&m2, enc2, sizeof enc2);
		} else {
			static struct proto_gateway_msg m, m2;
			if (proto_decode_from_gateway(data, size, &m) != PROTO_OK) {
				continue;
			}
			n = proto_encode_from_gateway(&m, enc, sizeof enc);
			require(n > 0 && n <= size);
			require(proto_decode_from_gateway(enc, n, &m2) == PROTO_OK);
			n2 = proto_encode_from_gateway(&m2, enc2, sizeof enc2);
		}
		require(n2 == n && memcmp(enc, enc2, n) == 0);
	}
	return 0;
}
