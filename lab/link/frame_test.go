package link

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestAppendFrameKnownAnswers(t *testing.T) {
	for _, c := range goodCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := AppendFrame(nil, c.t, c.payload)
			if err != nil {
				t.Fatal(err)
			}
			if c.want != "" {
				if h := hex.EncodeToString(got); h != c.want {
					t.Errorf("got  %s\nwant %s", h, c.want)
				}
			} else if len(got) != c.wantLen {
				t.Errorf("encoded length %d, want %d", len(got), c.wantLen)
			}
			if want := refFrame(c.t, c.payload); !bytes.Equal(got, want) {
				t.Errorf("differs from refFrame:\ngot  %x\nwant %x", got, want)
			}
			assertWellFormed(t, got)
		})
	}
}

// assertWellFormed checks the framing invariants: one 0x00, at the end,
// and no more than MaxEncoded bytes.
func assertWellFormed(t *testing.T, frame []byte) {
	t.Helper()
	if len(frame) > MaxEncoded {
		t.Errorf("frame is %d bytes, more than MaxEncoded %d", len(frame), MaxEncoded)
	}
	if i := bytes.IndexByte(frame, 0); i != len(frame)-1 {
		t.Errorf("first 0x00 at %d of %d bytes", i, len(frame))
	}
}

// TestAppendFrameMatchesReference sweeps every payload length, with and
// without zeros, against the textbook encoder.
func TestAppendFrameMatchesReference(t *testing.T) {
	patterns := map[string]func(i int) byte{
		"fill":      func(int) byte { return fill },
		"counting":  func(i int) byte { return byte(i) },
		"zeros":     func(int) byte { return 0 },
		"sparse 0s": func(i int) byte { return byte(i%253) + byte(i/253) },
	}
	for name, gen := range patterns {
		for n := 0; n <= MaxPayload; n++ {
			p := make([]byte, n)
			for i := range p {
				p[i] = gen(i)
			}
			typ := Type(n%5 + 1)
			got := mustFrame(typ, p)
			if want := refFrame(typ, p); !bytes.Equal(got, want) {
				t.Fatalf("%s, %d bytes: got %x, want %x", name, n, got, want)
			}
		}
	}
}

func TestAppendFrameErrors(t *testing.T) {
	dst := []byte("keep")
	got, err := AppendFrame(dst, TypeData, make([]byte, MaxPayload+1))
	if !errors.Is(err, ErrPayloadTooLong) || string(got) != "keep" {
		t.Errorf("too long: got %q, %v", got, err)
	}
	for _, typ := range []Type{0x00, 0x07, 0xFF} {
		got, err := AppendFrame(dst, typ, nil)
		if !errors.Is(err, ErrUnknownType) || string(got) != "keep" {
			t.Errorf("type %v: got %q, %v", typ, got, err)
		}
	}
}

func TestAppendFrameAppends(t *testing.T) {
	got := mustFrame(TypeData, []byte("a"))
	got, err := AppendFrame(got, TypePing, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := cat(refFrame(TypeData, []byte("a")), refFrame(TypePing, nil))
	if !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
}

func TestCRC32CCheckValue(t *testing.T) {
	// The standard check value of CRC-32C over "123456789".
	if got := refCRC32C([]byte("123456789")); got != 0xE3069283 {
		t.Errorf("refCRC32C = %#x", got)
	}
}

func TestTypeString(t *testing.T) {
	for typ, want := range map[Type]string{
		TypeData: "DATA", TypeReset: "RESET", TypeResetAck: "RESET_ACK",
		TypePing: "PING", TypePong: "PONG", 0x00: "Type(0x0)", 0xab: "Type(0xab)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", byte(typ), got, want)
		}
	}
}

func TestMaxEncoded(t *testing.T) {
	// 517-byte body: 3 bytes of COBS overhead at worst, plus the delimiter.
	if MaxEncoded != 521 {
		t.Errorf("MaxEncoded = %d, want 521", MaxEncoded)
	}
}

func TestNoAllocs(t *testing.T) {
	payload := seq(0, MaxPayload)
	dst := make([]byte, 0, MaxEncoded)
	var d Decoder
	allocs := testing.AllocsPerRun(100, func() {
		frame, _ := AppendFrame(dst[:0], TypeData, payload)
		d.Feed(frame, func(Type, []byte) {})
	})
	if allocs != 0 {
		t.Errorf("%v allocations per encode+decode, want 0", allocs)
	}
}
