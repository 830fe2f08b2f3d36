package emu

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// LinkStats counts the bytes and frames that crossed a board's link, and
// the faults injected on it. Bytes and frames are counted on the board's
// side of the faults: what the board sent, and what it received. A frame
// is a run of bytes ended by a 0x00 delimiter; a lone delimiter is none.
// The fault counts add up both directions.
type LinkStats struct {
	FromDevice       uint64 // bytes received from the board
	ToDevice         uint64 // bytes written to the board
	FramesFromDevice uint64 // frames received from the board
	FramesToDevice   uint64 // frames written to the board
	// Dropped is the bytes discarded because a buffer was full: received
	// bytes the reader fell behind on, or bytes a Delay held beyond 1 MiB.
	Dropped             uint64
	Lost                uint64 // written bytes discarded because no connection was up (board resetting)
	InjectedDrops       uint64 // bytes dropped by a DropRate
	InjectedCorruptions uint64 // bytes with a bit flipped by a CorruptRate
	CutBytes            uint64 // bytes discarded because the link was cut
	Connects            int    // connections accepted: 1, plus one per reconnect
}

// linkBufferSize bounds the unread bytes kept per link (and per console).
const linkBufferSize = 64 << 10

// linkEndpoint is the lab's end of a board's link UART: a listener on the
// loopback that the board (QEMU's chardev socket, or the native firmware)
// dials, and one stable byte stream for the caller across reconnects.
//
// It always drains the socket into a bounded queue, whether or not the
// caller reads: a STM32 USART in QEMU blocks the vCPU when its peer stops
// reading (QEMU-NOTES gotcha 10), and whatever faults are injected: a cut
// or a delay discards or holds the bytes after reading them.
type linkEndpoint struct {
	ln        net.Listener
	rx        *byteQueue
	line      *linkLine     // counts and faults between the socket and rx or Write
	connected chan struct{} // closed at the first accepted connection
	wg        sync.WaitGroup

	mu       sync.Mutex
	conn     net.Conn // current connection; nil between reconnects
	closed   bool
	connects int

	writeMu sync.Mutex // one socket write at a time, so chunks never interleave
	lost    atomic.Uint64
}

// listenLink opens the listener on an ephemeral loopback port and starts
// accepting. The caller owns the endpoint and must close it.
func listenLink() (*linkEndpoint, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("emu: link listener: %w", err)
	}
	e := &linkEndpoint{
		ln:        ln,
		rx:        newByteQueue(linkBufferSize),
		connected: make(chan struct{}),
	}
	e.line = newLinkLine(e.writeToBoard, e.rx.push)
	e.wg.Add(1)
	go e.acceptLoop()
	return e, nil
}

// addr is the host:port the board dials.
func (e *linkEndpoint) addr() string { return e.ln.Addr().String() }

func (e *linkEndpoint) acceptLoop() {
	defer e.wg.Done()
	for {
		c, err := e.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. EMFILE: retry, do not spin
			continue
		}
		e.mu.Lock()
		if e.closed {
			e.mu.Unlock()
			c.Close()
			return
		}
		// The newest connection wins: a board that re-dials has dropped the old one.
		old := e.conn
		e.conn = c
		e.connects++
		if e.connects == 1 {
			close(e.connected)
		}
		e.wg.Add(1)
		e.mu.Unlock()
		if old != nil {
			old.Close()
		}
		go e.pump(c)
	}
}

// pump drains one connection until it fails or is closed.
func (e *linkEndpoint) pump(c net.Conn) {
	defer e.wg.Done()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			e.deviceToHost(buf[:n])
		}
		if err != nil {
			break
		}
	}
	e.mu.Lock()
	if e.conn == c {
		e.conn = nil
	}
	e.mu.Unlock()
	c.Close()
}

// deviceToHost and hostToDevice are the fault-injection seam: every byte
// crossing the link passes through one of them, and on through the line's
// faults (see setFaults), without touching the socket handling.
func (e *linkEndpoint) deviceToHost(p []byte) { e.line.fromBoard(p, true) }

func (e *linkEndpoint) hostToDevice(p []byte) { e.line.toBoard(p) }

// setFaults replaces the faults injected on the link, from the next bytes
// on.
func (e *linkEndpoint) setFaults(s LinkFaultSet) { e.line.setFaults(s) }

// writeToBoard writes p to the current connection and returns how many
// bytes the board got; the rest are counted as lost.
func (e *linkEndpoint) writeToBoard(p []byte) int {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.Lock()
	c := e.conn
	e.mu.Unlock()
	if c == nil {
		e.lost.Add(uint64(len(p)))
		return 0
	}
	n, err := c.Write(p)
	if err != nil {
		e.lost.Add(uint64(len(p) - n))
	}
	return n
}

// waitConnected returns once the board has connected, ctx is done, or
// exited is closed.
func (e *linkEndpoint) waitConnected(ctx context.Context, exited <-chan struct{}) error {
	select {
	case <-e.connected:
		return nil
	case <-exited:
		return errors.New("process exited before connecting its link")
	case <-ctx.Done():
		return fmt.Errorf("waiting for the link connection: %w", ctx.Err())
	}
}

// Read returns bytes received from the board; io.EOF once the endpoint is
// closed and drained.
func (e *linkEndpoint) Read(p []byte) (int, error) { return e.rx.Read(p) }

// Write sends p to the board. Like a UART wire, it does not fail when the
// board is between connections (resetting): the bytes are counted as lost.
// It blocks while the board's socket buffer is full, unless a Delay holds
// the bytes. After close it returns ErrExited.
func (e *linkEndpoint) Write(p []byte) (int, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return 0, ErrExited
	}
	e.hostToDevice(p)
	return len(p), nil
}

func (e *linkEndpoint) stats() LinkStats {
	e.mu.Lock()
	connects := e.connects
	e.mu.Unlock()
	st := e.line.stats()
	st.Dropped += e.rx.droppedBytes()
	st.Lost = e.lost.Load()
	st.Connects = connects
	return st
}

// close stops accepting and gives the pumps up to drain to read what the
// board sent before it exited (its end of the socket then reads as EOF);
// then it closes the connection, waits for the pumps and delivers what
// delays still hold. Bytes received stay readable.
func (e *linkEndpoint) close(drain time.Duration) {
	e.mu.Lock()
	e.closed = true // from here on, no pump is added
	e.mu.Unlock()
	e.ln.Close()
	pumpsDone := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(pumpsDone)
	}()
	t := time.NewTimer(drain)
	defer t.Stop()
	select {
	case <-pumpsDone:
	case <-t.C:
	}
	e.mu.Lock()
	c := e.conn
	e.conn = nil
	e.mu.Unlock()
	if c != nil {
		c.Close()
	}
	<-pumpsDone
	e.line.stop() // bytes held for the board are lost: it has gone
	e.rx.close()
}
