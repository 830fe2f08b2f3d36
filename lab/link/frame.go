package link

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"strconv"
)

const (
	// MaxPayload is the largest payload a frame may carry.
	MaxPayload = 512
	// MaxPingPayload is the largest PING (and so PONG) payload.
	MaxPingPayload = 16
	// Version is the link version byte that starts a RESET payload.
	Version = 2

	crcSize = 4
	minBody = 1 + crcSize
	maxBody = 1 + MaxPayload + crcSize

	// MaxEncoded is the largest frame on the wire, delimiter included:
	// the largest body plus its worst-case COBS overhead plus the 0x00.
	MaxEncoded = maxBody + (maxBody+253)/254 + 1
)

// Type is the first byte of a frame body.
type Type byte

// The frame types. Any other value is dropped by the Decoder.
const (
	TypeData     Type = 0x01
	TypeReset    Type = 0x02
	TypeResetAck Type = 0x03
	TypePing     Type = 0x04
	TypePong     Type = 0x05
	TypeAck      Type = 0x06
)

// Known reports whether t is one of the defined frame types.
func (t Type) Known() bool {
	return t >= TypeData && t <= TypeAck
}

func (t Type) String() string {
	switch t {
	case TypeData:
		return "DATA"
	case TypeReset:
		return "RESET"
	case TypeResetAck:
		return "RESET_ACK"
	case TypePing:
		return "PING"
	case TypePong:
		return "PONG"
	case TypeAck:
		return "ACK"
	}
	return "Type(0x" + strconv.FormatUint(uint64(t), 16) + ")"
}

var (
	// ErrPayloadTooLong is returned by AppendFrame for a payload longer
	// than MaxPayload.
	ErrPayloadTooLong = errors.New("link: payload too long")
	// ErrUnknownType is returned by AppendFrame for a type that is not Known.
	ErrUnknownType = errors.New("link: unknown frame type")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// AppendFrame appends the frame for t and payload, delimiter included, to
// dst and returns the extended slice. It appends nothing and returns dst
// with an error if payload is longer than MaxPayload or t is not Known.
// It does not allocate when dst has room for MaxEncoded more bytes.
func AppendFrame(dst []byte, t Type, payload []byte) ([]byte, error) {
	if len(payload) > MaxPayload {
		return dst, ErrPayloadTooLong
	}
	if !t.Known() {
		return dst, ErrUnknownType
	}
	return appendFrame(dst, t, payload), nil
}

// appendFrame encodes without checking t or the payload length, so tests
// can build frames the Decoder must drop.
func appendFrame(dst []byte, t Type, payload []byte) []byte {
	body := 1 + len(payload) + crcSize
	dst = slices.Grow(dst, body+(body+253)/254+1)

	tb := [1]byte{byte(t)}
	var crc [crcSize]byte
	binary.LittleEndian.PutUint32(crc[:], crc32.Update(crcByte(0, tb[0]), castagnoli, payload))

	e := newCOBSEncoder(dst)
	e.write(tb[:])
	e.write(payload)
	e.write(crc[:])
	return append(e.finish(), 0)
}

// crcByte is crc32.Update over one byte. Passing tb[:] to crc32 instead
// would move tb to the heap, one allocation per frame.
func crcByte(crc uint32, b byte) uint32 {
	crc = ^crc
	return ^(castagnoli[byte(crc)^b] ^ crc>>8)
}

// The reliable stream in DATA frames (see the package doc).
const (
	// StreamChunk is the most stream bytes one DATA frame carries: small, so
	// that on a line that corrupts 1 % of bytes about half the frames
	// still arrive whole.
	StreamChunk = 64
	// Window is the most DATA frames a sender keeps unacknowledged.
	Window = 8
)
