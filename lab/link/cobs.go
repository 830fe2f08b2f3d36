package link

// cobsEncoder appends the shortest COBS encoding of the bytes written to it.
// Writing in pieces lets AppendFrame encode type, payload and crc without
// first copying them into one body buffer.
type cobsEncoder struct {
	dst    []byte
	codeAt int  // index in dst of the open block's code byte, or -1
	code   byte // 1 + number of data bytes in the open block
}

func newCOBSEncoder(dst []byte) cobsEncoder {
	return cobsEncoder{dst: append(dst, 0), codeAt: len(dst), code: 1}
}

func (e *cobsEncoder) write(p []byte) {
	for _, b := range p {
		if e.codeAt < 0 {
			// The previous block was a full 0xFF one; open the next
			// block only now that there is a byte for it, so a body
			// ending on a full block gets no trailing 0x01.
			e.openBlock()
		}
		if b == 0 {
			e.closeBlock()
			e.openBlock()
			continue
		}
		e.dst = append(e.dst, b)
		e.code++
		if e.code == 0xFF {
			e.closeBlock()
		}
	}
}

func (e *cobsEncoder) openBlock() {
	e.codeAt = len(e.dst)
	e.dst = append(e.dst, 0)
	e.code = 1
}

func (e *cobsEncoder) closeBlock() {
	e.dst[e.codeAt] = e.code
	e.codeAt = -1
}

// finish closes the last block and returns the encoded bytes, without the
// delimiter.
func (e *cobsEncoder) finish() []byte {
	if e.codeAt >= 0 {
		e.closeBlock()
	}
	return e.dst
}

// cobsDecodeInPlace decodes the encoded frame b (no 0x00 bytes, no
// delimiter) into its own first bytes and returns the decoded length. The
// output never outruns the input, so decoding in place is safe. ok is false
// if a code points past the end of b or the encoding is not the shortest.
func cobsDecodeInPlace(b []byte) (n int, ok bool) {
	var code, prev byte
	for r := 0; r < len(b); {
		prev, code = code, b[r]
		r++
		end := r + int(code) - 1
		if code == 0 || end > len(b) {
			return 0, false
		}
		n += copy(b[n:], b[r:end])
		r = end
		if code != 0xFF && r < len(b) {
			b[n] = 0
			n++
		}
	}
	// A lone 0x01 after a full block at the end adds nothing: the shortest
	// form leaves it out, so accepting it would give a body two encodings.
	if code == 0x01 && prev == 0xFF {
		return 0, false
	}
	return n, true
}
