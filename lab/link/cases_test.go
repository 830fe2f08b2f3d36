package link

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
)

// goodCase is a frame with its known encoding. want is hex computed by an
// independent implementation (bitwise CRC, split-based COBS); it is empty
// for long frames, which are checked against refFrame and wantLen instead.
type goodCase struct {
	name    string
	t       Type
	payload []byte
	want    string
	wantLen int // encoded length with delimiter, when want is empty
}

// fill is a byte chosen so the long cases' crc has no zero byte, which
// keeps their COBS runs as long as their names say.
const fill = 0x11

var goodCases = []goodCase{
	{name: "empty DATA", t: TypeData, want: "060152d016a000"},
	{name: "empty RESET_ACK", t: TypeResetAck, want: "0603a5a02d4100"},
	{name: "DATA hello", t: TypeData, payload: []byte("hello"), want: "0b0168656c6c6feada196700"},
	{name: "DATA one zero", t: TypeData, payload: []byte{0}, want: "020105a5efc3e200"},
	{name: "PONG zeros", t: TypePong, payload: []byte{0, 0, 0}, want: "02050101038cd002ee00"},
	{name: "RESET hello", t: TypeReset, payload: append([]byte{1}, "mps2-an385"...),
		want: "1102016d7073322d616e333835b0ffac6500"},
	{name: "PING 16 bytes with zero", t: TypePing, payload: seq(0, 16),
		want: "0204140102030405060708090a0b0c0d0e0f65362b3b00"},
	{name: "PONG 16 bytes with zero", t: TypePong, payload: seq(0, 16),
		want: "0205140102030405060708090a0b0c0d0e0f3aeacf6400"},
	{name: "PING empty", t: TypePing, want: "06044ec4e79500"},
	{name: "body is one full 254 run", t: TypeData, payload: rep(fill, 249), wantLen: 1 + 254 + 1},
	{name: "body is a 255 run", t: TypeData, payload: rep(fill, 250), wantLen: 1 + 254 + 1 + 1 + 1},
	{name: "zero right after a full run", t: TypeData, payload: cat(rep(fill, 253), []byte{0}),
		wantLen: 1 + 254 + 1 + 1 + 4 + 1},
	{name: "body ends on a full run", t: TypeData, payload: cat([]byte{0}, rep(fill, 250)),
		wantLen: 2 + 1 + 254 + 1},
	{name: "254 run between zeros", t: TypeData, payload: cat([]byte{0}, rep(fill, 254), []byte{0}),
		wantLen: 2 + 1 + 254 + 1 + 1 + 4 + 1},
	{name: "max payload no zeros", t: TypeData, payload: rep(fill, MaxPayload), wantLen: MaxEncoded},
	{name: "max payload counting", t: TypeData, payload: seq(0, MaxPayload), wantLen: MaxEncoded},
	{name: "max payload zeros", t: TypeData, payload: make([]byte, MaxPayload), wantLen: maxBody + 1 + 1},
}

// badCase is a stream of bytes the Decoder must drop, counting it in reason.
type badCase struct {
	name    string
	reason  string // a vectors.txt reason, see reasonStats
	encoded []byte
}

var badCases = []badCase{
	{"code past end", "bad_cobs", unhex("0511223300")},
	{"non-canonical trailing 01", "bad_cobs",
		cat(trimDelim(mustFrame(TypeData, rep(fill, 249))), unhex("0100"))},
	{"empty body", "short", unhex("0100")},
	{"4-byte body", "short", unhex("050102030400")},
	{"too many bytes", "oversized", cat(rep(fill, MaxEncoded), []byte{0})},
	{"body too long", "oversized", appendFrame(nil, TypeData, make([]byte, MaxPayload+1))},
	{"crc of other payload", "bad_crc", withCRCOf(TypeData, []byte("hello"), []byte("Hello"))},
	{"payload bit flip", "bad_crc", flipFirstPayloadBit(mustFrame(TypePing, seq(1, 8)))},
	{"type 0x00", "unknown_type", appendFrame(nil, 0x00, []byte("x"))},
	{"type 0x07", "unknown_type", appendFrame(nil, 0x07, nil)},
	{"type 0xff", "unknown_type", appendFrame(nil, 0xFF, seq(0, 16))},
}

// reasonStats maps a vectors.txt reason to the Stats one such frame gives.
var reasonStats = map[string]Stats{
	"bad_cobs":     {BadCOBS: 1},
	"short":        {Short: 1},
	"oversized":    {Oversized: 1},
	"bad_crc":      {BadCRC: 1},
	"unknown_type": {UnknownType: 1},
}

// refFrame encodes a frame the textbook way, sharing no code with the
// package: bitwise CRC-32C and COBS by splitting the body at its zeros.
func refFrame(t Type, payload []byte) []byte {
	body := cat([]byte{byte(t)}, payload)
	body = binary.LittleEndian.AppendUint32(body, refCRC32C(body))
	var out []byte
	parts := bytes.Split(body, []byte{0})
	for i, p := range parts {
		last := i == len(parts)-1
		for len(p) >= 254 {
			out = append(append(out, 0xFF), p[:254]...)
			p = p[254:]
			if len(p) == 0 && last {
				return append(out, 0) // shortest form: no trailing 0x01
			}
		}
		out = append(append(out, byte(len(p)+1)), p...)
	}
	return append(out, 0)
}

func refCRC32C(p []byte) uint32 {
	crc := ^uint32(0)
	for _, b := range p {
		crc ^= uint32(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0x82F63B78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func mustFrame(t Type, payload []byte) []byte {
	f, err := AppendFrame(nil, t, payload)
	if err != nil {
		panic(err)
	}
	return f
}

// withCRCOf encodes t and payload with the crc of t and other.
func withCRCOf(t Type, payload, other []byte) []byte {
	body := cat([]byte{byte(t)}, payload)
	body = binary.LittleEndian.AppendUint32(body, crc32.Checksum(cat([]byte{byte(t)}, other), castagnoli))
	e := newCOBSEncoder(nil)
	e.write(body)
	return append(e.finish(), 0)
}

// flipFirstPayloadBit flips bit 1 of the first payload byte, which sits at
// index 2 after the first code byte and the type. It refuses to make a zero,
// which would turn the frame into a COBS error instead of a crc one.
func flipFirstPayloadBit(frame []byte) []byte {
	f := bytes.Clone(frame)
	if f[0] < 3 || f[2] == 0x02 {
		panic("flipFirstPayloadBit: payload does not start with a non-zero byte")
	}
	f[2] ^= 0x02
	return f
}

func trimDelim(frame []byte) []byte { return frame[:len(frame)-1] }

func seq(start, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(start + i)
	}
	return b
}

func rep(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}
