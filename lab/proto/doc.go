// Package proto implements the messages between a device and the gateway,
// carried inside their TLS session. The C side (device) lives in
// firmware/core/proto.[ch] and firmware/core/cbor.[ch]; both sides are
// checked against the shared vectors in testdata/proto/vectors.txt.
// docs/protocol.md is the normative description.
//
// # Wire format
//
// Each message is a 4-byte big-endian length, then that many bytes of CBOR
// (RFC 8949) envelope:
//
//	[version, msg_id, [tag, fields...]]
//
// version is Version (0); msg_id is an unsigned integer the sender
// increments per message. The body's first item is the message tag, in the
// sender's tag space (FromDevice or FromGateway), then the message's fields
// in the order of its Go struct.
//
// # Decoding rules
//
//   - The length is at most MaxEnvelope and not 0; a longer length is refused
//     before reading (CodeTooLarge).
//   - The envelope is exactly one well-formed data item filling the length:
//     definite lengths only, no tags, at most MaxDepth levels of arrays and
//     maps, at most MaxItems items per array or pairs per map (else
//     CodeMalformed). Integers need not be in shortest form.
//   - The envelope is an array of 3 items (CodeMalformed) whose version is 0
//     (CodeUnsupportedVersion; checked as soon as item 0 is a uint).
//   - An unknown tag is CodeUnknownTag.
//   - A missing field, a field of the wrong type, a fixed-size byte string of
//     another size, a text string that is not UTF-8 or a DeployChunk over
//     MaxChunk bytes is CodeBadField. Items past the last known field are
//     ignored, in a body and in an AppStatus.
//
// Decoding never panics. Its errors are *Error, whose Code an Error reply
// carries. Encode always writes the canonical form: shortest heads, fields
// in order, nothing after them; decoding that form and encoding again gives
// the same bytes.
package proto
