package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"wasmbed-lab/lab/link"
)

// The stream's timer is real time (retransmitTimeout), so these tests wait
// for it. quiet is how long "no frame" is watched for where the window is
// full: well inside retransmitTimeout, so no go-back round can fall in it.
const (
	quiet       = 15 * time.Millisecond
	frameWait   = 5 * time.Second
	testBoardID = "test-board"
)

// fakeLine is a linkPeer's conn in memory: the peer reads what feed gives
// it, and its writes go to onWrite, which must not block (the peer writes
// from its reader goroutine too).
type fakeLine struct {
	mu      sync.Mutex
	cond    *sync.Cond
	in      []byte
	closed  bool
	onWrite func([]byte)
}

func newFakeLine() *fakeLine {
	l := &fakeLine{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *fakeLine) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.in) == 0 && !l.closed {
		l.cond.Wait()
	}
	if len(l.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, l.in)
	l.in = l.in[n:]
	return n, nil
}

func (l *fakeLine) Write(p []byte) (int, error) {
	l.onWrite(p)
	return len(p), nil
}

func (l *fakeLine) feed(b []byte) {
	l.mu.Lock()
	if !l.closed {
		l.in = append(l.in, b...)
	}
	l.cond.Broadcast()
	l.mu.Unlock()
}

func (l *fakeLine) close() {
	l.mu.Lock()
	l.closed = true
	l.cond.Broadcast()
	l.mu.Unlock()
}

type testFrame struct {
	typ     link.Type
	payload []byte
}

// testBoard plays the device against one linkPeer: it sends frames to the
// peer and decodes every frame the peer writes.
type testBoard struct {
	t        *testing.T
	line     *fakeLine
	peer     *linkPeer
	sessions chan net.Conn

	decMu  sync.Mutex
	dec    link.Decoder
	frames chan testFrame
	gate   chan struct{} // when set, a write with a DATA frame waits until it is closed
}

func startBoard(t *testing.T) *testBoard {
	t.Helper()
	b := &testBoard{t: t, line: newFakeLine(), sessions: make(chan net.Conn, 4), frames: make(chan testFrame, 1<<16)}
	b.line.onWrite = b.decode
	b.peer = newLinkPeer(b.line, testBoardID, func(c net.Conn) { b.sessions <- c }, nil)
	done := make(chan struct{})
	go func() {
		b.peer.run()
		close(done)
	}()
	t.Cleanup(func() {
		b.line.close()
		<-done
	})
	return b
}

func (b *testBoard) decode(p []byte) {
	b.decMu.Lock()
	data := false
	b.dec.Feed(p, func(typ link.Type, payload []byte) {
		b.frames <- testFrame{typ, bytes.Clone(payload)}
		data = data || typ == link.TypeData
	})
	gate := b.gate
	b.decMu.Unlock()
	if data && gate != nil {
		<-gate // a line that takes no more for now
	}
}

// holdData makes the peer's DATA writes wait until the returned func runs.
func (b *testBoard) holdData() (release func()) {
	gate := make(chan struct{})
	b.decMu.Lock()
	b.gate = gate
	b.decMu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			b.decMu.Lock()
			b.gate = nil
			b.decMu.Unlock()
			close(gate)
		})
	}
	b.t.Cleanup(release) // before the peer's, so a failed test does not hang in it
	return release
}

func (b *testBoard) send(typ link.Type, payload []byte) {
	b.t.Helper()
	frame, err := link.AppendFrame(nil, typ, payload)
	if err != nil {
		b.t.Fatalf("AppendFrame(%v): %v", typ, err)
	}
	b.line.feed(frame)
}

func (b *testBoard) sendData(seq uint8, p []byte) {
	b.t.Helper()
	b.send(link.TypeData, append([]byte{seq}, p...))
}

func (b *testBoard) sendAck(next uint8) {
	b.t.Helper()
	b.send(link.TypeAck, []byte{next})
}

// hello says hello as a device does and returns the session it starts.
func (b *testBoard) hello() *dataConn {
	b.t.Helper()
	b.send(link.TypeReset, append([]byte{link.Version}, testBoardID...))
	b.expect(link.TypeResetAck)
	select {
	case c := <-b.sessions:
		dc := c.(*dataConn)
		b.t.Cleanup(func() { dc.Close() })
		return dc
	case <-time.After(frameWait):
		b.t.Fatal("hello: no session")
		return nil
	}
}

func (b *testBoard) expect(typ link.Type) testFrame {
	b.t.Helper()
	select {
	case f := <-b.frames:
		if f.typ != typ {
			b.t.Fatalf("got %v frame % x, want %v", f.typ, f.payload, typ)
		}
		return f
	case <-time.After(frameWait):
		b.t.Fatalf("no %v frame within %v", typ, frameWait)
		return testFrame{}
	}
}

func (b *testBoard) expectData(seq uint8, want []byte) {
	b.t.Helper()
	f := b.expect(link.TypeData)
	if len(f.payload) < 1 || f.payload[0] != seq || !bytes.Equal(f.payload[1:], want) {
		b.t.Fatalf("got DATA % x, want seq %d with % x", f.payload, seq, want)
	}
}

func (b *testBoard) expectAck(next uint8) {
	b.t.Helper()
	f := b.expect(link.TypeAck)
	if len(f.payload) != 1 || f.payload[0] != next {
		b.t.Fatalf("got ACK % x, want %d", f.payload, next)
	}
}

func (b *testBoard) expectNone(d time.Duration) {
	b.t.Helper()
	select {
	case f := <-b.frames:
		b.t.Fatalf("got %v frame % x, want none", f.typ, f.payload)
	case <-time.After(d):
	}
}

// drain takes frames until none came for quiet.
func (b *testBoard) drain() {
	for {
		select {
		case <-b.frames:
		case <-time.After(quiet):
			return
		}
	}
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

func chunk(data []byte, seq int) []byte {
	return data[seq*link.StreamChunk : min((seq+1)*link.StreamChunk, len(data))]
}

func mustWrite(t *testing.T, c net.Conn, p []byte) {
	t.Helper()
	if n, err := c.Write(p); n != len(p) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(p))
	}
}

func mustRead(t *testing.T, c net.Conn, want []byte) {
	t.Helper()
	got := make([]byte, len(want)+10)
	n, err := c.Read(got)
	if err != nil || !bytes.Equal(got[:n], want) {
		t.Fatalf("Read = % x, %v; want % x", got[:n], err, want)
	}
}

func (c *dataConn) testStats() (s streamStats, inflight, out int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats, len(c.inflight), len(c.out)
}

// Write cuts the stream into chunks of StreamChunk bytes with seq from 0,
// keeps Window of them in flight, and sends more as ACKs release the window;
// duplicate, stale and future ACKs change nothing.
func TestDataConnWriteWindow(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	data := randomBytes(1, 700)

	mustWrite(t, c, data)
	for s := range link.Window {
		b.expectData(uint8(s), chunk(data, s))
	}
	b.expectNone(quiet) // the window is full

	b.sendAck(3)
	for s := 8; s <= 10; s++ {
		b.expectData(uint8(s), chunk(data, s)) // 10 has the last 60 bytes
	}
	for _, next := range []uint8{3, 2, 0, 12, 200} {
		b.sendAck(next)
	}
	b.expectNone(quiet)
	if _, inflight, out := c.testStats(); inflight != link.Window || out != 700-3*64 {
		t.Fatalf("after ignored ACKs: %d frames in flight, %d bytes unacknowledged; want 8, %d", inflight, out, 700-3*64)
	}
	b.send(link.TypeAck, []byte{11, 0}) // an ACK is exactly one byte
	b.send(link.TypeAck, nil)
	b.expectNone(quiet)

	b.sendAck(11)
	b.expectNone(2 * retransmitTimeout) // nothing in flight: no go-back
	if st, inflight, out := c.testStats(); inflight != 0 || out != 0 || st.Retransmits != 0 {
		t.Fatalf("after ACK 11: %d in flight, %d unacknowledged, %d go-backs; want 0, 0, 0", inflight, out, st.Retransmits)
	}

	// The seq goes on from 11; small writes make small frames.
	mustWrite(t, c, data[:5])
	b.expectData(11, data[:5])
	b.sendAck(12)
	b.expectNone(quiet)
}

// Write waits while maxPendingOut bytes are unacknowledged, and goes on as
// soon as an ACK takes the backlog under it.
func TestDataConnWriteBackpressure(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	data := randomBytes(2, maxPendingOut)
	mustWrite(t, c, data)

	written := make(chan error, 1)
	go func() {
		_, err := c.Write([]byte{0xaa})
		written <- err
	}()
	select {
	case err := <-written:
		t.Fatalf("Write with %d bytes unacknowledged returned %v, want it to wait", maxPendingOut, err)
	case <-time.After(3 * quiet):
	}
	b.sendAck(1)
	select {
	case err := <-written:
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
	case <-time.After(frameWait):
		t.Fatal("Write still waits after an ACK")
	}
	// Frame 8 follows, whatever go-back rounds came meanwhile.
	for {
		f := b.expect(link.TypeData)
		if f.payload[0] == 8 {
			if !bytes.Equal(f.payload[1:], chunk(data, 8)) {
				t.Fatalf("DATA 8 = % x, want % x", f.payload[1:], chunk(data, 8))
			}
			break
		}
		if s := int(f.payload[0]); s > 8 || !bytes.Equal(f.payload[1:], chunk(data, s)) {
			t.Fatalf("before DATA 8: DATA % x", f.payload)
		}
	}
}

// retransmitTimeout without an ACK advancing: every frame in flight again,
// oldest first, same bytes, and again each timeout until the ACK comes.
func TestDataConnRetransmit(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	data := randomBytes(3, 10*link.StreamChunk)

	mustWrite(t, c, data)
	for s := range link.Window {
		b.expectData(uint8(s), chunk(data, s))
	}
	b.expectNone(30 * time.Millisecond) // so that an ACK that did not restart the wait would show
	acked := time.Now()
	b.sendAck(2)
	b.expectData(8, chunk(data, 8))
	b.expectData(9, chunk(data, 9))

	for round := 1; round <= 2; round++ {
		for s := 2; s < 10; s++ {
			b.expectData(uint8(s), chunk(data, s))
			if round == 1 && s == 2 {
				if d := time.Since(acked); d < retransmitTimeout {
					t.Fatalf("go-back after %v, want at least %v after the last progress", d, retransmitTimeout)
				}
			}
		}
	}
	b.sendAck(10)
	if st, _, _ := c.testStats(); st.Retransmits < 2 {
		t.Fatalf("Retransmits = %d, want at least 2", st.Retransmits)
	}
	b.drain() // a round that raced the ACK
	b.expectNone(2 * retransmitTimeout)
	if _, inflight, out := c.testStats(); inflight != 0 || out != 0 {
		t.Fatalf("after ACK 10: %d in flight, %d unacknowledged", inflight, out)
	}
}

// A go-back round held up on the line while an ACK for its first frame
// arrives goes on from the next frame in flight, in order.
func TestDataConnGoBackHeldUp(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	data := randomBytes(8, 4*link.StreamChunk)
	mustWrite(t, c, data)
	for s := range 4 {
		b.expectData(uint8(s), chunk(data, s))
	}
	release := b.holdData()
	b.expectData(0, chunk(data, 0)) // the go-back round starts, its write held
	b.sendAck(1)                    // the first copy of frame 0 arrived after all
	for deadline := time.Now().Add(frameWait); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		base := c.txBase
		c.mu.Unlock()
		if base == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("ACK 1 not taken")
		}
	}
	release()
	for s := 1; s < 4; s++ {
		b.expectData(uint8(s), chunk(data, s))
	}
	b.sendAck(4)
	b.drain()
	b.expectNone(2 * retransmitTimeout)
}

// In-order DATA is readable and ACKed with the next seq; any other DATA is
// dropped and the expected seq ACKed again; the seq wraps.
func TestDataConnReceive(t *testing.T) {
	b := startBoard(t)
	c := b.hello()

	b.sendData(0, []byte("hello"))
	b.expectAck(1)
	mustRead(t, c, []byte("hello"))

	b.sendData(2, []byte("ahead"))
	b.expectAck(1)
	b.sendData(0, []byte("hello")) // a duplicate
	b.expectAck(1)
	b.send(link.TypeData, nil) // no seq at all: not acknowledged
	b.sendData(1, []byte("world"))
	b.expectAck(2)
	mustRead(t, c, []byte("world"))
	if st, _, _ := c.testStats(); st.OutOfOrder != 2 {
		t.Fatalf("OutOfOrder = %d, want 2", st.OutOfOrder)
	}

	want := randomBytes(4, 300*link.StreamChunk)
	for i := range 300 {
		b.sendData(uint8(2+i), chunk(want, i))
	}
	for i := range 300 {
		b.expectAck(uint8(3 + i))
	}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("ReadFull: %v, equal %v", err, bytes.Equal(got, want))
	}
}

// Close wakes a Read and a Write that wait, and stops the stream.
func TestDataConnCloseUnblocks(t *testing.T) {
	b := startBoard(t)
	c := b.hello()

	read := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 10))
		read <- err
	}()
	mustWrite(t, c, randomBytes(5, maxPendingOut))
	written := make(chan error, 1)
	go func() {
		_, err := c.Write([]byte{1})
		written <- err
	}()
	select {
	case err := <-read:
		t.Fatalf("Read returned %v with nothing received", err)
	case err := <-written:
		t.Fatalf("Write returned %v with the backlog full", err)
	case <-time.After(quiet):
	}

	c.Close()
	for name, ch := range map[string]chan error{"Read": read, "Write": written} {
		select {
		case err := <-ch:
			want := net.ErrClosed
			if name == "Read" {
				want = io.EOF
			}
			if !errors.Is(err, want) {
				t.Errorf("%s after Close: %v, want %v", name, err, want)
			}
		case <-time.After(frameWait):
			t.Errorf("%s still blocked after Close", name)
		}
	}
	if _, err := c.Write([]byte{1}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Write on a closed conn: %v, want net.ErrClosed", err)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("Read on a closed conn: %v, want io.EOF", err)
	}
	b.drain()
	b.sendData(0, []byte("late"))
	b.expectNone(2 * retransmitTimeout) // no go-back, no ACK
}

// A new hello from the device ends the session: its Read sees EOF, and the
// next session starts from seq 0.
func TestDataConnNewHelloEndsSession(t *testing.T) {
	b := startBoard(t)
	first := b.hello()
	read := make(chan error, 1)
	go func() {
		_, err := first.Read(make([]byte, 10))
		read <- err
	}()
	second := b.hello()
	select {
	case err := <-read:
		if err != io.EOF {
			t.Fatalf("Read on the old session: %v, want io.EOF", err)
		}
	case <-time.After(frameWait):
		t.Fatal("Read on the old session still blocked after a new hello")
	}
	b.sendData(0, []byte("x"))
	b.expectAck(1)
	mustRead(t, second, []byte("x"))
	mustWrite(t, second, []byte("y"))
	b.expectData(0, []byte("y"))
}

// lossyHop carries one direction between two linkPeers, losing a tenth of
// the frames; it also notes any DATA frame a correct sender never sends.
type lossyHop struct {
	mu      sync.Mutex
	dec     link.Decoder
	rng     *rand.Rand
	to      *fakeLine
	passed  int
	dropped int
	bad     []string
}

func (h *lossyHop) write(p []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dec.Feed(p, func(typ link.Type, payload []byte) {
		if typ == link.TypeData && (len(payload) < 2 || len(payload) > 1+link.StreamChunk) {
			h.bad = append(h.bad, fmt.Sprintf("DATA of %d bytes", len(payload)))
		}
		if h.rng.IntN(10) == 0 {
			h.dropped++
			return
		}
		h.passed++
		frame, err := link.AppendFrame(nil, typ, payload)
		if err != nil {
			h.bad = append(h.bad, err.Error())
			return
		}
		h.to.feed(frame)
	})
}

func (h *lossyHop) report() (passed, dropped int, bad []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.passed, h.dropped, h.bad
}

// Two dataConns back to back through a line that loses 10 % of the frames
// each way, both streams at once, in writes of random sizes: every byte
// arrives, in order.
func TestDataConnLossyTransfer(t *testing.T) {
	const size = 32 << 10
	lineA, lineB := newFakeLine(), newFakeLine()
	ab := &lossyHop{rng: rand.New(rand.NewPCG(1, 1)), to: lineB}
	ba := &lossyHop{rng: rand.New(rand.NewPCG(2, 2)), to: lineA}
	lineA.onWrite, lineB.onWrite = ab.write, ba.write

	var conns [2]*dataConn
	for i, line := range []*fakeLine{lineA, lineB} {
		sessions := make(chan net.Conn, 1)
		peer := newLinkPeer(line, fmt.Sprintf("end%d", i), func(c net.Conn) { sessions <- c }, nil)
		// The hello goes straight to the peer; its RESET_ACK crosses to
		// the other end, whose peer ignores it.
		hello, err := link.AppendFrame(nil, link.TypeReset, append([]byte{link.Version}, "end"...))
		if err != nil {
			t.Fatal(err)
		}
		line.feed(hello)
		done := make(chan struct{})
		go func() {
			peer.run()
			close(done)
		}()
		t.Cleanup(func() {
			line.close()
			<-done
		})
		select {
		case c := <-sessions:
			conns[i] = c.(*dataConn)
			t.Cleanup(func() { conns[i].Close() })
		case <-time.After(frameWait):
			t.Fatalf("end %d: no session", i)
		}
	}

	start := time.Now()
	want := [2][]byte{randomBytes(6, size), randomBytes(7, size)}
	errs := make(chan error, 4)
	for i := range 2 {
		from, to := conns[i], conns[1-i]
		go func() {
			r := rand.New(rand.NewPCG(uint64(10+i), 0))
			for p := want[i]; len(p) > 0; {
				n := min(1+r.IntN(3000), len(p))
				if _, err := from.Write(p[:n]); err != nil {
					errs <- fmt.Errorf("end %d: Write: %w", i, err)
					return
				}
				p = p[n:]
			}
			errs <- nil
		}()
		go func() {
			got := make([]byte, size)
			if _, err := io.ReadFull(to, got); err != nil {
				errs <- fmt.Errorf("end %d: ReadFull: %w", 1-i, err)
				return
			}
			if !bytes.Equal(got, want[i]) {
				errs <- fmt.Errorf("end %d: the bytes from end %d differ", 1-i, i)
				return
			}
			errs <- nil
		}()
	}
	timeout := time.After(60 * time.Second)
	for range 4 {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			for _, c := range conns {
				c.Close() // wakes the goroutines
			}
			t.Fatal("transfer not done within 60 s")
		}
	}
	for i, h := range []*lossyHop{ab, ba} {
		passed, dropped, bad := h.report()
		st, _, _ := conns[i].testStats()
		t.Logf("end %d → end %d: %d frames passed, %d lost; end %d: %d go-back rounds, %d out of order",
			i, 1-i, passed, dropped, i, st.Retransmits, st.OutOfOrder)
		if len(bad) > 0 {
			t.Errorf("end %d sent bad frames: %v", i, bad)
		}
		if dropped == 0 || st.Retransmits == 0 {
			t.Errorf("end %d: %d frames lost, %d go-back rounds; the test lost nothing", i, dropped, st.Retransmits)
		}
	}
	t.Logf("%d bytes each way in %v", size, time.Since(start).Round(time.Millisecond))
}

// Each timeout in a row doubles the wait, up to maxRetransmitTimeout; a
// round trip measured sets it from the estimate again.
func TestDataConnRetransmitBackoff(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	data := randomBytes(6, link.StreamChunk)
	mustWrite(t, c, data)
	b.expectData(0, chunk(data, 0))
	last := time.Now()
	var waits []time.Duration
	for range 3 {
		b.expectData(0, chunk(data, 0))
		waits = append(waits, time.Since(last))
		last = time.Now()
	}
	if waits[1] < 2*retransmitTimeout*9/10 || waits[2] < 4*retransmitTimeout*9/10 {
		t.Errorf("waits %v: want each about twice the last", waits)
	}
	b.sendAck(1)
	b.drain()
	c.mu.Lock()
	rto := c.rto
	c.mu.Unlock()
	if rto > maxRetransmitTimeout || rto < retransmitTimeout {
		t.Errorf("rto %v after the ACK", rto)
	}
}

// TestDataConnWaitSent: WaitSent returns once the device's link has
// acknowledged everything written before it, not when the bytes were
// queued; a closed session or stop ends it too.
func TestDataConnWaitSent(t *testing.T) {
	b := startBoard(t)
	c := b.hello()
	if _, err := c.Write([]byte("hello, board")); err != nil {
		t.Fatal(err)
	}
	b.expectData(0, []byte("hello, board"))
	returned := make(chan struct{})
	go func() {
		c.WaitSent(time.Now().Add(time.Minute), nil)
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("WaitSent returned before the ACK")
	case <-time.After(50 * time.Millisecond):
	}
	b.sendAck(1)
	select {
	case <-returned:
	case <-time.After(frameWait):
		t.Fatal("WaitSent did not return after the ACK")
	}

	c.Write([]byte("unacknowledged"))
	c.WaitSent(time.Now().Add(30*time.Millisecond), nil) // the deadline ends it
	stop := make(chan struct{})
	close(stop)
	c.WaitSent(time.Now().Add(time.Minute), stop) // returns at once: stop is closed
	c.Close()
	c.WaitSent(time.Now().Add(time.Minute), nil) // and a closed session has nothing more to send
}

// TestDataConnNoisyGoBack: on a link that damaged a frame from the device
// lately, a duplicate ACK (the device saw a gap) sends the round again at
// once, and the round's other duplicates do not send it again; on a clean
// link, a duplicate waits for the timeout, as a busy device needs.
func TestDataConnNoisyGoBack(t *testing.T) {
	for _, noisy := range []bool{false, true} {
		b := startBoard(t)
		c := b.hello()
		c.mu.Lock()
		c.rto = time.Second // far beyond the wait below
		c.mu.Unlock()
		if noisy {
			b.line.feed([]byte{0x05, 0x01, 0x02, 0x00}) // a frame with a bad CRC
		}
		data := randomBytes(4, 4*link.StreamChunk)
		mustWrite(t, c, data)
		for s := range 4 {
			b.expectData(uint8(s), chunk(data, s))
		}
		c.mu.Lock()
		c.sampling = false // no round trip sample: the timeout stays a second
		c.mu.Unlock()
		b.sendAck(1) // frame 0 arrived, frame 1 was lost: 2 and 3 bring duplicates
		b.sendAck(1)
		b.sendAck(1)
		if !noisy {
			b.expectNone(300 * time.Millisecond)
			continue
		}
		for s := 1; s < 4; s++ {
			b.expectData(uint8(s), chunk(data, s))
		}
		b.expectNone(300 * time.Millisecond) // the third ACK was the round's: no second go-back
		if st, _, _ := c.testStats(); st.Retransmits != 1 {
			t.Errorf("Retransmits = %d, want 1", st.Retransmits)
		}
	}
}
