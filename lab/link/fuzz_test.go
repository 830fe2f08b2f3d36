package link

import (
	"bytes"
	"testing"
)

// FuzzDecoder: any input is decoded without panicking, the same whole as
// byte by byte, and every frame that comes out re-encodes to the exact bytes
// it came from (the encoding is canonical) and decodes again to itself.
func FuzzDecoder(f *testing.F) {
	for _, c := range goodCases {
		f.Add(mustFrame(c.t, c.payload))
	}
	for _, c := range badCases {
		f.Add(c.encoded)
	}
	stream, _, _ := everything()
	f.Add(stream)

	f.Fuzz(func(t *testing.T, data []byte) {
		whole, st := decode(data, nil)
		bytewise, st1 := decode(data, func() int { return 1 })
		if st != st1 || len(whole) != len(bytewise) {
			t.Fatalf("chunking changed the result: %+v vs %+v", st, st1)
		}
		if st.Frames != uint64(len(whole)) {
			t.Fatalf("Stats.Frames %d, emitted %d", st.Frames, len(whole))
		}
		for i, fr := range whole {
			if !frameEqual(fr, bytewise[i]) {
				t.Fatalf("frame %d differs by chunking", i)
			}
			enc, err := AppendFrame(nil, fr.t, fr.payload)
			if err != nil {
				t.Fatalf("emitted frame does not re-encode: %v", err)
			}
			if !bytes.Contains(data, enc) {
				t.Fatalf("re-encoding %x is not in the input", enc)
			}
			again, st := decode(enc, nil)
			if len(again) != 1 || !frameEqual(again[0], fr) || st != (Stats{Frames: 1}) {
				t.Fatalf("re-encoding does not decode back: %v %+v", again, st)
			}
		}
	})
}

// FuzzRoundTrip: any known type and payload up to MaxPayload encode to one
// well-formed frame that decodes back; anything else is refused.
func FuzzRoundTrip(f *testing.F) {
	for _, c := range goodCases {
		f.Add(byte(c.t), c.payload)
	}
	f.Add(byte(0), []byte("x"))
	f.Add(byte(TypeData), make([]byte, MaxPayload+1))

	f.Fuzz(func(t *testing.T, typ byte, payload []byte) {
		enc, err := AppendFrame(nil, Type(typ), payload)
		if len(payload) > MaxPayload || !Type(typ).Known() {
			if err == nil {
				t.Fatalf("type %#x, %d bytes: no error", typ, len(payload))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		assertWellFormed(t, enc)
		if want := refFrame(Type(typ), payload); !bytes.Equal(enc, want) {
			t.Fatalf("got %x, want %x", enc, want)
		}
		got, st := decode(enc, func() int { return 1 })
		if len(got) != 1 || !frameEqual(got[0], frame{Type(typ), payload}) || st != (Stats{Frames: 1}) {
			t.Fatalf("decoded %v, stats %+v", got, st)
		}
	})
}
