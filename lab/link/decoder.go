package link

import (
	"encoding/binary"
	"hash/crc32"
)

// Stats counts what a Decoder has seen. Every non-empty frame lands in
// exactly one counter; empty frames land in none.
type Stats struct {
	Frames      uint64 // valid frames handed to emit
	BadCOBS     uint64 // invalid or non-canonical COBS
	Short       uint64 // body shorter than type + crc
	Oversized   uint64 // too many bytes before the delimiter, or too long a body
	BadCRC      uint64 // crc mismatch
	UnknownType uint64 // valid frame of a type that is not Known
}

// Decoder turns a byte stream into frames. The zero value is ready to use.
// A Decoder holds one frame's worth of bytes and never allocates.
// It is not safe for concurrent use.
type Decoder struct {
	buf        [MaxEncoded - 1]byte // the current frame, encoded
	n          int                  // bytes of buf in use
	discarding bool                 // an oversized frame is being skipped
	stats      Stats
}

// Feed decodes p, which continues the bytes of earlier calls, and calls emit
// for each valid frame it completes, in order. The payload slice aliases the
// Decoder's buffer: it is valid only until emit returns, and emit must not
// call Feed on the same Decoder. emit may be nil to only count frames.
func (d *Decoder) Feed(p []byte, emit func(t Type, payload []byte)) {
	for _, b := range p {
		if b != 0 {
			d.push(b)
			continue
		}
		n := d.n
		d.n = 0
		if d.discarding {
			d.discarding = false // its count went up when it overflowed
			continue
		}
		if n == 0 {
			continue // empty frame: a sender's line-clearing 0x00
		}
		t, payload, ok := d.check(d.buf[:n])
		if ok && emit != nil {
			emit(t, payload)
		}
	}
}

func (d *Decoder) push(b byte) {
	if d.discarding {
		return
	}
	if d.n == len(d.buf) {
		d.stats.Oversized++
		d.discarding = true
		d.n = 0
		return
	}
	d.buf[d.n] = b
	d.n++
}

// check decodes one encoded frame in place and counts the outcome.
func (d *Decoder) check(frame []byte) (Type, []byte, bool) {
	n, ok := cobsDecodeInPlace(frame)
	switch {
	case !ok:
		d.stats.BadCOBS++
		return 0, nil, false
	case n > maxBody:
		d.stats.Oversized++
		return 0, nil, false
	case n < minBody:
		d.stats.Short++
		return 0, nil, false
	}
	body := frame[:n]
	data, sum := body[:n-crcSize], body[n-crcSize:]
	if crc32.Checksum(data, castagnoli) != binary.LittleEndian.Uint32(sum) {
		d.stats.BadCRC++
		return 0, nil, false
	}
	t := Type(data[0])
	if !t.Known() {
		d.stats.UnknownType++
		return 0, nil, false
	}
	d.stats.Frames++
	return t, data[1:len(data):len(data)], true // full slice: emit cannot append into the crc
}

// Stats returns the counters so far.
func (d *Decoder) Stats() Stats {
	return d.stats
}

// Dropped is the number of frames dropped, for any reason.
func (s Stats) Dropped() uint64 {
	return s.BadCOBS + s.Short + s.Oversized + s.BadCRC + s.UnknownType
}
