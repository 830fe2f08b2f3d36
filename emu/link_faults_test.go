package emu

import (
	"bytes"
	"io"
	"math/bits"
	"sync"
	"testing"
	"time"
)

func TestWireCountFrames(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		frames uint64
	}{
		{"nothing", "", 0},
		{"lone delimiter", "\x00", 0},
		{"delimiters only", "\x00\x00\x00", 0},
		{"one frame", "ab\x00", 1},
		{"unterminated", "ab", 0},
		{"flushed then framed", "\x00ab\x00\x00cd\x00", 2},
		{"one-byte frames", "a\x00b\x00c", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every split into two chunks, and one byte at a time, give
			// the same count as the whole stream.
			splits := [][]string{{tt.stream}}
			for i := 1; i < len(tt.stream); i++ {
				splits = append(splits, []string{tt.stream[:i], tt.stream[i:]})
			}
			var bytewise []string
			for i := range len(tt.stream) {
				bytewise = append(bytewise, tt.stream[i:i+1])
			}
			splits = append(splits, bytewise)
			for _, chunks := range splits {
				var w wireCount
				for _, c := range chunks {
					w.add([]byte(c))
				}
				if n, frames := w.load(); n != uint64(len(tt.stream)) || frames != tt.frames {
					t.Errorf("chunks %q: %d bytes, %d frames; want %d, %d", chunks, n, frames, len(tt.stream), tt.frames)
				}
			}
		})
	}
}

// lineEnds records what a linkLine delivers on each side, with the time
// each chunk arrived.
type lineEnds struct {
	mu              sync.Mutex
	board, host     bytes.Buffer
	boardAt, hostAt []time.Time
}

func newTestLine(t *testing.T) (*linkLine, *lineEnds) {
	ends := &lineEnds{}
	toBoard := func(p []byte) int {
		ends.mu.Lock()
		defer ends.mu.Unlock()
		ends.board.Write(p)
		ends.boardAt = append(ends.boardAt, time.Now())
		return len(p)
	}
	toHost := func(p []byte) {
		ends.mu.Lock()
		defer ends.mu.Unlock()
		ends.host.Write(p)
		ends.hostAt = append(ends.hostAt, time.Now())
	}
	l := newLinkLine(toBoard, toHost)
	t.Cleanup(l.stop)
	return l, ends
}

// got returns what reached the board or the host so far, and when each
// chunk arrived.
func (e *lineEnds) got(toBoard bool) ([]byte, []time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if toBoard {
		return bytes.Clone(e.board.Bytes()), append([]time.Time(nil), e.boardAt...)
	}
	return bytes.Clone(e.host.Bytes()), append([]time.Time(nil), e.hostAt...)
}

// linkDir is one direction of a line, for tests that run on both: send
// passes bytes in that direction, faults puts f on it. From the device,
// bytes may be changed in place, as the endpoint's pump allows.
type linkDir struct {
	name    string
	toBoard bool
	mutable bool
	send    func(l *linkLine, p []byte)
	faults  func(f LinkFaults, seed uint64) LinkFaultSet
}

var directions = []linkDir{
	{
		name:    "to device",
		toBoard: true,
		send:    func(l *linkLine, p []byte) { l.toBoard(p) },
		faults:  func(f LinkFaults, seed uint64) LinkFaultSet { return LinkFaultSet{ToDevice: f, Seed: seed} },
	},
	{
		name:    "from device",
		mutable: true,
		send:    func(l *linkLine, p []byte) { l.fromBoard(p, true) },
		faults:  func(f LinkFaults, seed uint64) LinkFaultSet { return LinkFaultSet{FromDevice: f, Seed: seed} },
	},
}

// testStream is n bytes in a pattern that never repeats within 251 bytes.
func testStream(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// sendChunks sends p in chunks of size. Unless the direction may change
// them, it checks that the line leaves the caller's bytes alone.
func sendChunks(t *testing.T, l *linkLine, dir linkDir, p []byte, size int) {
	t.Helper()
	orig := bytes.Clone(p)
	for rest := p; len(rest) > 0; {
		chunk := rest[:min(size, len(rest))]
		rest = rest[len(chunk):]
		if dir.mutable {
			chunk = bytes.Clone(chunk)
		}
		dir.send(l, chunk)
	}
	if !bytes.Equal(p, orig) {
		t.Fatal("the line changed the caller's bytes")
	}
}

// isSubsequence reports whether sub is in p, in order, maybe with gaps.
func isSubsequence(sub, p []byte) bool {
	for _, b := range sub {
		i := bytes.IndexByte(p, b)
		if i < 0 {
			return false
		}
		p = p[i+1:]
	}
	return true
}

// within checks that got is want ± 1% of total.
func within(t *testing.T, what string, got, want, total uint64) {
	t.Helper()
	if tol := total / 100; got+tol < want || got > want+tol {
		t.Errorf("%s = %d, want %d ± %d", what, got, want, tol)
	}
}

func TestLinkDropRate(t *testing.T) {
	const total = 100_000
	for _, dir := range directions {
		t.Run(dir.name, func(t *testing.T) {
			var runs [2][]byte
			for run := range runs {
				l, ends := newTestLine(t)
				l.setFaults(dir.faults(LinkFaults{DropRate: 0.1}, 42))
				sent := testStream(total)
				sendChunks(t, l, dir, sent, 1000)
				got, _ := ends.got(dir.toBoard)
				st := l.stats()
				within(t, "InjectedDrops", st.InjectedDrops, total/10, total)
				if uint64(len(got)) != total-st.InjectedDrops {
					t.Errorf("%d bytes passed, want %d less %d dropped", len(got), total, st.InjectedDrops)
				}
				if !isSubsequence(got, sent) {
					t.Error("the bytes that passed are not the sent bytes in order")
				}
				if st.InjectedCorruptions != 0 || st.CutBytes != 0 {
					t.Errorf("stats = %+v, want drops only", st)
				}
				runs[run] = got
			}
			if !bytes.Equal(runs[0], runs[1]) {
				t.Error("two runs with the same seed dropped different bytes")
			}
		})
	}
}

func TestLinkCorruptRate(t *testing.T) {
	const total = 100_000
	for _, dir := range directions {
		t.Run(dir.name, func(t *testing.T) {
			l, ends := newTestLine(t)
			l.setFaults(dir.faults(LinkFaults{CorruptRate: 0.1}, 7))
			sent := testStream(total)
			sendChunks(t, l, dir, sent, 1000)
			got, _ := ends.got(dir.toBoard)
			if len(got) != total {
				t.Fatalf("%d bytes passed, want all %d", len(got), total)
			}
			var corrupted uint64
			for i := range got {
				switch flipped := bits.OnesCount8(got[i] ^ sent[i]); flipped {
				case 0:
				case 1:
					corrupted++
				default:
					t.Fatalf("byte %d: %#02x became %#02x, %d bits flipped", i, sent[i], got[i], flipped)
				}
			}
			st := l.stats()
			if st.InjectedCorruptions != corrupted {
				t.Errorf("InjectedCorruptions = %d, but %d bytes differ", st.InjectedCorruptions, corrupted)
			}
			within(t, "corrupted bytes", corrupted, total/10, total)
		})
	}
}

func TestLinkDelayKeepsOrder(t *testing.T) {
	const delay = 30 * time.Millisecond
	for _, dir := range directions {
		t.Run(dir.name, func(t *testing.T) {
			l, ends := newTestLine(t)
			l.setFaults(dir.faults(LinkFaults{Delay: delay}, 1))
			var sentAt []time.Time
			for i := range 5 {
				sentAt = append(sentAt, time.Now())
				dir.send(l, []byte{byte('a' + i)})
			}
			// Lowering the delay lets no chunk overtake the held ones.
			l.setFaults(LinkFaultSet{})
			sentAt = append(sentAt, time.Now())
			dir.send(l, []byte("f"))

			waitFor(t, "the delayed bytes", func() bool {
				got, _ := ends.got(dir.toBoard)
				return len(got) == 6
			})
			got, at := ends.got(dir.toBoard)
			if string(got) != "abcdef" {
				t.Fatalf("got %q, want %q", got, "abcdef")
			}
			for i := range 5 {
				if d := at[i].Sub(sentAt[i]); d < delay {
					t.Errorf("chunk %d arrived after %v, want at least %v", i, d, delay)
				}
			}
			if l.stats().Dropped != 0 {
				t.Errorf("stats = %+v", l.stats())
			}
		})
	}
}

func TestLinkDelayNeverBlocksTheSender(t *testing.T) {
	for _, dir := range directions {
		t.Run(dir.name, func(t *testing.T) {
			l, ends := newTestLine(t)
			// An hour: send returns at once, and stop delivers what is held.
			l.setFaults(dir.faults(LinkFaults{Delay: time.Hour}, 1))
			dir.send(l, []byte("held"))
			if got, _ := ends.got(dir.toBoard); len(got) != 0 {
				t.Fatalf("%q passed before its delay", got)
			}
			l.stop()
			if got, _ := ends.got(dir.toBoard); string(got) != "held" {
				t.Fatalf("after stop, %q passed; want %q", got, "held")
			}
			dir.send(l, []byte(" then direct")) // a stopped delay no longer holds
			if got, _ := ends.got(dir.toBoard); string(got) != "held then direct" {
				t.Fatalf("after stop, %q passed", got)
			}
		})
	}
}

func TestLinkDelayIsBounded(t *testing.T) {
	l, ends := newTestLine(t)
	l.setFaults(LinkFaultSet{FromDevice: LinkFaults{Delay: time.Hour}})
	sendChunks(t, l, directions[1], testStream(maxDelayedBytes+4096), 4096)
	if st := l.stats(); st.Dropped != 4096 {
		t.Errorf("Dropped = %d, want the 4096 bytes beyond the bound", st.Dropped)
	}
	l.stop()
	if got, _ := ends.got(false); len(got) != maxDelayedBytes {
		t.Errorf("%d bytes delivered, want %d", len(got), maxDelayedBytes)
	}
}

func TestLinkCutDiscardsUntilRestored(t *testing.T) {
	for _, dir := range directions {
		t.Run(dir.name, func(t *testing.T) {
			l, ends := newTestLine(t)
			l.setFaults(dir.faults(LinkFaults{Cut: true}, 0))
			dir.send(l, []byte("cut\x00"))
			l.setFaults(LinkFaultSet{})
			dir.send(l, []byte("kept\x00"))
			if got, _ := ends.got(dir.toBoard); string(got) != "kept\x00" {
				t.Fatalf("got %q, want %q", got, "kept\x00")
			}
			st := l.stats()
			if st.CutBytes != 4 {
				t.Errorf("CutBytes = %d, want 4", st.CutBytes)
			}
			// The board's side counts the cut bytes it sent, not those it
			// was not sent.
			wantBytes, wantFrames := uint64(9), uint64(2)
			gotBytes, gotFrames := st.FromDevice, st.FramesFromDevice
			if dir.toBoard {
				wantBytes, wantFrames = 5, 1
				gotBytes, gotFrames = st.ToDevice, st.FramesToDevice
			}
			if gotBytes != wantBytes || gotFrames != wantFrames {
				t.Errorf("board side: %d bytes, %d frames; want %d, %d", gotBytes, gotFrames, wantBytes, wantFrames)
			}
		})
	}
}

func TestLinkEndpointCountsFrames(t *testing.T) {
	e, err := listenLink()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close(0)
	board := dialLink(t, e)

	// The board flushes with a lone delimiter, then sends two frames in
	// pieces; the host sends two frames in one write and a partial one.
	for _, chunk := range []string{"\x00ab", "c\x00", "\x00d", "\x00"} {
		board.Write([]byte(chunk))
	}
	waitFor(t, "the board's bytes", func() bool { return e.stats().FromDevice == 8 })
	for _, chunk := range []string{"x\x00y", "\x00\x00z"} {
		e.Write([]byte(chunk))
	}
	got := make([]byte, 6)
	board.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(board, got); err != nil {
		t.Fatal(err)
	}
	st := e.stats()
	if st.FramesFromDevice != 2 || st.FramesToDevice != 2 || st.ToDevice != 6 {
		t.Errorf("stats = %+v, want 2 frames each way, ToDevice 6", st)
	}
}

func TestLinkEndpointFaults(t *testing.T) {
	e, err := listenLink()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close(0)
	board := dialLink(t, e)
	waitFor(t, "the board connection", func() bool { return e.stats().Connects == 1 })
	board.SetDeadline(time.Now().Add(5 * time.Second))

	// Cut from the board: the socket is still drained, four times the
	// buffer without blocking the board (QEMU-NOTES gotcha 10).
	e.setFaults(LinkFaultSet{FromDevice: LinkFaults{Cut: true}})
	cut := bytes.Repeat([]byte("0123456789abcdef"), 4*linkBufferSize/16)
	if _, err := board.Write(cut); err != nil {
		t.Fatalf("board write blocked or failed: %v", err)
	}
	waitFor(t, "the cut bytes", func() bool { return e.stats().CutBytes == uint64(len(cut)) })

	// Cut to the board: Write succeeds, the board gets nothing.
	e.setFaults(LinkFaultSet{ToDevice: LinkFaults{Cut: true}})
	if n, err := e.Write([]byte("nothing")); n != 7 || err != nil {
		t.Fatalf("Write under a cut = %d, %v", n, err)
	}

	// Delayed both ways: order kept, no byte early.
	const delay = 30 * time.Millisecond
	e.setFaults(LinkFaultSet{
		ToDevice:   LinkFaults{Delay: delay},
		FromDevice: LinkFaults{Delay: delay},
	})
	start := time.Now()
	board.Write([]byte("up"))
	e.Write([]byte("down"))
	got := make([]byte, 4)
	if _, err := io.ReadFull(board, got); err != nil || string(got) != "down" {
		t.Fatalf("board read %q, %v; want %q", got, err, "down")
	}
	if d := time.Since(start); d < delay {
		t.Errorf("the board got its bytes after %v, want at least %v", d, delay)
	}
	if _, err := io.ReadFull(e, got[:2]); err != nil || string(got[:2]) != "up" {
		t.Fatalf("host read %q, %v; want %q (nothing of the cut)", got[:2], err, "up")
	}
	if d := time.Since(start); d < delay {
		t.Errorf("the host got its bytes after %v, want at least %v", d, delay)
	}

	// The board can read before the write that sent it returns.
	waitFor(t, "the count of the bytes to the board", func() bool { return e.stats().ToDevice == 4 })
	st := e.stats()
	want := LinkStats{
		FromDevice: uint64(len(cut)) + 2,
		ToDevice:   4,
		CutBytes:   uint64(len(cut)) + 7,
		Connects:   1,
	}
	if st != want {
		t.Errorf("stats = %+v\nwant %+v", st, want)
	}
}

func TestLinkWithoutFaultsDoesNotAllocate(t *testing.T) {
	var delivered int
	l := newLinkLine(func(p []byte) int { delivered += len(p); return len(p) }, func(p []byte) { delivered += len(p) })
	defer l.stop()
	// A delay that was set, then removed, leaves its goroutine idle.
	l.setFaults(LinkFaultSet{ToDevice: LinkFaults{Delay: time.Millisecond}})
	l.setFaults(LinkFaultSet{})
	chunk := []byte("ab\x00cd")
	allocs := testing.AllocsPerRun(100, func() {
		l.fromBoard(chunk, true)
		l.toBoard(chunk)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per chunk, want none", allocs)
	}
	if delivered == 0 {
		t.Error("nothing was delivered")
	}
}
