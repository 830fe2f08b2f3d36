package link

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

type frame struct {
	t       Type
	payload []byte
}

// decode feeds stream to a fresh Decoder in chunks of the sizes next
// returns (all at once if next is nil) and collects what comes out.
func decode(stream []byte, next func() int) ([]frame, Stats) {
	var d Decoder
	var got []frame
	emit := func(t Type, p []byte) { got = append(got, frame{t, bytes.Clone(p)}) }
	for len(stream) > 0 {
		n := len(stream)
		if next != nil {
			n = min(next(), n)
		}
		d.Feed(stream[:n], emit)
		stream = stream[n:]
	}
	return got, d.Stats()
}

func TestDecodeGoodCases(t *testing.T) {
	for _, c := range goodCases {
		got, st := decode(mustFrame(c.t, c.payload), nil)
		if len(got) != 1 || got[0].t != c.t || !bytes.Equal(got[0].payload, c.payload) {
			t.Errorf("%s: got %v", c.name, got)
		}
		if st != (Stats{Frames: 1}) {
			t.Errorf("%s: stats %+v", c.name, st)
		}
	}
}

func TestDecodeMalformedCounted(t *testing.T) {
	for _, c := range badCases {
		got, st := decode(c.encoded, nil)
		if len(got) != 0 {
			t.Errorf("%s: emitted %v", c.name, got)
		}
		if want := reasonStats[c.reason]; st != want {
			t.Errorf("%s: stats %+v, want %+v", c.name, st, want)
		}
	}
}

func TestDecodeSkipsEmptyFrames(t *testing.T) {
	stream := cat([]byte{0, 0, 0}, mustFrame(TypePing, nil), []byte{0, 0})
	got, st := decode(stream, nil)
	if len(got) != 1 || st != (Stats{Frames: 1}) {
		t.Errorf("got %v, stats %+v", got, st)
	}
}

func TestDecodeLongestFrameAccepted(t *testing.T) {
	f := mustFrame(TypeData, rep(fill, MaxPayload))
	if len(f) != MaxEncoded {
		t.Fatalf("frame is %d bytes, want MaxEncoded", len(f))
	}
	if _, st := decode(f, nil); st != (Stats{Frames: 1}) {
		t.Errorf("stats %+v", st)
	}
}

// everything is every case back to back, with line-clearing zeros between
// some of them, and what decoding it must give.
func everything() (stream []byte, frames []frame, st Stats) {
	for i, c := range goodCases {
		if i%3 == 0 {
			stream = append(stream, 0)
		}
		stream = append(stream, mustFrame(c.t, c.payload)...)
		frames = append(frames, frame{c.t, c.payload})
		st.Frames++
	}
	for _, c := range badCases {
		stream = append(stream, c.encoded...)
		st = addStats(st, reasonStats[c.reason])
	}
	return stream, frames, st
}

func addStats(a, b Stats) Stats {
	return Stats{
		Frames: a.Frames + b.Frames, BadCOBS: a.BadCOBS + b.BadCOBS,
		Short: a.Short + b.Short, Oversized: a.Oversized + b.Oversized,
		BadCRC: a.BadCRC + b.BadCRC, UnknownType: a.UnknownType + b.UnknownType,
	}
}

func TestDecodeChunkingDoesNotMatter(t *testing.T) {
	stream, wantFrames, wantStats := everything()
	rng := rand.New(rand.NewPCG(1, 2))
	chunkers := map[string]func() int{
		"all at once":  nil,
		"byte by byte": func() int { return 1 },
		"random":       func() int { return 1 + rng.IntN(700) },
		"prime":        func() int { return 7 },
	}
	for name, next := range chunkers {
		got, st := decode(stream, next)
		if !slices.EqualFunc(got, wantFrames, frameEqual) {
			t.Errorf("%s: frames differ: got %d frames, want %d", name, len(got), len(wantFrames))
		}
		if st != wantStats {
			t.Errorf("%s: stats %+v, want %+v", name, st, wantStats)
		}
	}
}

func frameEqual(a, b frame) bool { return a.t == b.t && bytes.Equal(a.payload, b.payload) }

func TestDecodeResyncAfterGarbage(t *testing.T) {
	good := mustFrame(TypeReset, append([]byte{Version}, "mps2-an385"...))
	rng := rand.New(rand.NewPCG(3, 4))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(1 + rng.IntN(255)) // no zeros: the worst case
		}
		return b
	}
	tests := []struct {
		name   string
		stream []byte
		want   int // good frames expected
	}{
		// Noise without a delimiter glues onto the next frame, which
		// is lost; the frame after it comes through.
		{"noise then frame twice", cat(noise(37), good, good), 1},
		// A sender's leading 0x00 saves even the first frame.
		{"noise, zero, frame", cat(noise(37), []byte{0}, good), 1},
		{"long noise, zero, frame", cat(noise(5000), []byte{0}, good), 1},
		{"noise with zeros then frame twice", cat([]byte{1, 0, 7, 7, 0, 0xFF}, good, good), 1},
		{"partial frame, zero, frame", cat(good[:9], []byte{0}, good), 1},
	}
	for _, tc := range tests {
		for _, next := range []func() int{nil, func() int { return 1 }} {
			got, _ := decode(tc.stream, next)
			n := 0
			for _, f := range got {
				if f.t == TypeReset && bytes.Equal(f.payload, append([]byte{Version}, "mps2-an385"...)) {
					n++
				}
			}
			if n != tc.want || len(got) != tc.want {
				t.Errorf("%s: got %d frames (%d good), want %d", tc.name, len(got), n, tc.want)
			}
		}
	}
}

func TestDecodeOversizedCountedOnce(t *testing.T) {
	stream := cat(rep(fill, 10*MaxEncoded), []byte{0}, mustFrame(TypePong, nil))
	for _, next := range []func() int{nil, func() int { return 1 }} {
		got, st := decode(stream, next)
		if len(got) != 1 || st != (Stats{Frames: 1, Oversized: 1}) {
			t.Errorf("got %v, stats %+v", got, st)
		}
	}
}

func TestRoundTripAllLengths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var stream []byte
	var want []frame
	for n := 0; n <= MaxPayload; n++ {
		p := make([]byte, n)
		for i := range p {
			if rng.IntN(4) > 0 {
				p[i] = byte(rng.Uint32())
			}
		}
		typ := Type(1 + rng.IntN(5))
		stream = mustAppend(stream, typ, p)
		want = append(want, frame{typ, p})
	}
	got, st := decode(stream, func() int { return 1 + rng.IntN(64) })
	if !slices.EqualFunc(got, want, frameEqual) || st != (Stats{Frames: uint64(len(want))}) {
		t.Errorf("round trip failed: %d frames, stats %+v", len(got), st)
	}
}

func mustAppend(dst []byte, t Type, p []byte) []byte {
	dst, err := AppendFrame(dst, t, p)
	if err != nil {
		panic(err)
	}
	return dst
}

func TestPayloadCannotGrowIntoDecoder(t *testing.T) {
	var d Decoder
	d.Feed(mustFrame(TypeData, []byte("abc")), func(_ Type, p []byte) {
		if cap(p) != len(p) {
			t.Errorf("payload cap %d > len %d", cap(p), len(p))
		}
	})
}
