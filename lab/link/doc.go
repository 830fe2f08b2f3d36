// Package link implements the framing layer of the UART link between the
// firmware and the gateway. The C side lives in firmware/core/link.[ch]; both
// sides are checked against the shared vectors in testdata/link/vectors.txt.
//
// # Wire format
//
// Each frame on the wire is COBS(body) followed by one 0x00 delimiter:
//
//	body = type (1 byte) || payload (0..MaxPayload bytes) || crc (4 bytes)
//
// crc is the CRC-32C (Castagnoli, iSCSI; hash/crc32's Castagnoli table) of
// type||payload, stored little-endian.
//
// COBS is Consistent Overhead Byte Stuffing in its shortest form: a block of
// 254 non-zero bytes (code 0xFF) at the very end of the body is not followed
// by a 0x01 code. That makes the encoding canonical: every body has exactly
// one valid encoding, and the decoder rejects the longer form as bad COBS.
// A body of n bytes therefore encodes to at most n + ceil(n/254) bytes, so a
// whole frame, delimiter included, is at most MaxEncoded bytes.
//
// # Frame types
//
//	DATA      0x01  seq (1 byte), then a chunk of the session's byte stream
//	RESET     0x02  the device's hello: Version, then the board name in ASCII.
//	                Sent at boot and after any session failure, repeated until
//	                a RESET_ACK arrives.
//	RESET_ACK 0x03  empty payload
//	PING      0x04  up to MaxPingPayload opaque bytes
//	PONG      0x05  echoes the PING payload verbatim
//	ACK       0x06  the next DATA seq the sender of the ACK expects (1 byte)
//
// The framing layer checks only that the type is one of these; payload rules
// per type belong to the session layer.
//
// # Reliable stream
//
// DATA frames carry one byte stream each way, made reliable by go-back-N
// (docs/protocol.md §1 is normative): seq counts DATA frames modulo
// 256 from 0 after each RESET_ACK; a receiver takes only the seq it expects
// next, drops any other, and answers every DATA frame with an ACK of the
// next seq it expects; a sender keeps at most Window frames unacknowledged
// and, when no ACK advances for a retransmission timeout, sends them all
// again from the oldest. Chunks are small (StreamChunk) so that a noisy
// line still gets whole frames through.
//
// # Sender
//
// A sender may write a lone 0x00 before a frame to terminate any partial frame
// left on the line (after a reboot, say). Receivers skip empty frames (zero
// bytes between two delimiters) silently.
//
// # Receiver
//
// The Decoder takes bytes as they arrive, one at a time or in chunks of any
// size, and gives the same result for any split. It drops a frame, counting it
// in exactly one Stats counter, checked in this order:
//
//  1. Oversized: more than MaxEncoded-1 bytes before the delimiter. The
//     counter goes up when the limit is crossed; the rest of the frame, up to
//     the next 0x00, is discarded.
//  2. BadCOBS: a COBS code points past the end of the frame, or the frame
//     uses the non-canonical trailing 0x01 described above.
//  3. Oversized: the body decodes to more than 1+MaxPayload+4 bytes.
//  4. Short: the body is shorter than 5 bytes (type + crc).
//  5. BadCRC: the crc does not match.
//  6. UnknownType: the type is not one listed above.
//
// Decoding never panics, whatever the input, and never allocates.
package link
