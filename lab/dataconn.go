package lab

import (
	"io"
	"net"
	"sync"
	"time"

	"wasmbed-lab/lab/link"
)

// maxBufferedData bounds what a session that stopped reading can hold up;
// beyond it the device is sending more than any session should, and the
// link is treated as broken.
const maxBufferedData = 256 << 10

// dataConn is one link session: the byte stream in the link's DATA frames
// between two hellos, as a net.Conn, so crypto/tls can run over it.
type dataConn struct {
	peer  *linkPeer
	board string

	mu     sync.Mutex
	cond   *sync.Cond
	buf    []byte
	closed bool
}

func newDataConn(peer *linkPeer, board string) *dataConn {
	c := &dataConn{peer: peer, board: board}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// deliver adds bytes from a DATA frame; called by the link reader.
func (c *dataConn) deliver(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if len(c.buf)+len(p) > maxBufferedData {
		c.closed = true // the session is not keeping up: end it
	} else {
		c.buf = append(c.buf, p...)
	}
	c.cond.Broadcast()
}

func (c *dataConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.buf) == 0 && !c.closed {
		c.cond.Wait()
	}
	if len(c.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

// Write sends p in DATA frames of at most link.MaxPayload bytes.
func (c *dataConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return written, net.ErrClosed
		}
		n := min(len(p), link.MaxPayload)
		if err := c.peer.send(link.TypeData, p[:n]); err != nil {
			return written, err
		}
		written += n
		p = p[n:]
	}
	return written, nil
}

func (c *dataConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.cond.Broadcast()
	return nil
}

func (c *dataConn) LocalAddr() net.Addr  { return linkAddr("lab") }
func (c *dataConn) RemoteAddr() net.Addr { return linkAddr(c.board) }

// Deadlines are not supported: sessions end by Close, when the board says
// hello again or stops.
func (c *dataConn) SetDeadline(time.Time) error      { return nil }
func (c *dataConn) SetReadDeadline(time.Time) error  { return nil }
func (c *dataConn) SetWriteDeadline(time.Time) error { return nil }

type linkAddr string

func (a linkAddr) Network() string { return "wasmbed-link" }
func (a linkAddr) String() string  { return string(a) }
