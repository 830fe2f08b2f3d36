package lab

import (
	"io"
	"net"
	"sync"
	"time"

	"wasmbed-lab/lab/link"
)

const (
	// maxBufferedData bounds what a session that stopped reading can hold
	// up; beyond it the device is sending more than any session should,
	// and the session is ended.
	maxBufferedData = 256 << 10
	// maxPendingOut bounds what Write queues before it waits for acks.
	maxPendingOut = 64 << 10
	// retransmitTimeout is how long unacknowledged DATA frames wait before
	// they are all sent again (go-back-N, lab/link's package doc), at the
	// least. The wait follows the round trips measured (RFC 6298's
	// estimator) and doubles with each go-back round in a row, up to
	// maxRetransmitTimeout: a board that is slow for a while (a busy host,
	// a deploy to a whole fleet) must not be buried under copies of what
	// it has not read yet, each of which it reads byte by byte.
	retransmitTimeout    = 50 * time.Millisecond
	maxRetransmitTimeout = time.Second
)

// dataConn is one link session: the reliable byte stream in the link's DATA
// frames between two hellos, as a net.Conn, so crypto/tls can run over it.
type dataConn struct {
	peer  *linkPeer
	board string

	// sendMu: one sender at a time, so frames leave in seq order; Close
	// takes it too, so no frame of this session leaves after Close returns
	// (the next session's RESET_ACK may follow at once).
	sendMu sync.Mutex

	mu     sync.Mutex
	cond   *sync.Cond
	in     []byte // received, not yet read
	rxNext uint8  // the DATA seq expected next
	closed bool

	out      []byte // written, not yet acknowledged: in flight first, then unsent
	inflight []int  // lengths of the frames in flight, oldest first
	txBase   uint8  // seq of the oldest frame in flight
	resend   int    // frames of the current go-back round already sent
	timer    *time.Timer
	stats    streamStats
	// Bytes written and acknowledged since the session began, for WaitSent.
	written, acked uint64

	// The retransmission timeout and the round-trip estimate it follows,
	// from one frame at a time, never a resent one (Karn's rule).
	rto, srtt, rttvar time.Duration
	sampling          bool
	sampleSeq         uint8
	sampleAt          time.Time

	// A go-back on a gap the device reported, on a noisy link: the
	// duplicate ACKs still due from the round it replaced are not news.
	recovering bool
	staleDups  int
}

// streamStats counts the reliable stream's work, for the lab's link view.
type streamStats struct {
	Retransmits uint64 // go-back rounds
	OutOfOrder  uint64 // DATA frames dropped: an unexpected seq, or over StreamChunk bytes
}

func newDataConn(peer *linkPeer, board string) *dataConn {
	c := &dataConn{peer: peer, board: board, rto: retransmitTimeout}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// receive takes a DATA frame from the link reader and acknowledges it.
func (c *dataConn) receive(payload []byte) {
	if len(payload) < 1 {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if payload[0] == c.rxNext && len(payload)-1 <= link.StreamChunk {
		c.rxNext++
		if len(c.in)+len(payload)-1 > maxBufferedData {
			c.closeLocked() // the session is not keeping up: end it
		} else {
			c.in = append(c.in, payload[1:]...)
		}
		c.cond.Broadcast()
	} else {
		c.stats.OutOfOrder++
	}
	next := c.rxNext
	c.mu.Unlock()
	c.peer.send(link.TypeAck, []byte{next})
}

// ack takes an ACK from the link reader: frames before seq next arrived.
func (c *dataConn) ack(next uint8) {
	c.mu.Lock()
	k := int(next - c.txBase)
	if k == 0 && len(c.inflight) > 0 && c.peer.noisy() {
		// The device saw a gap: on a noisy link a frame was lost to
		// noise, and waiting out the timeout (which grows with each)
		// would make every lost frame cost up to a second. Go back now,
		// once per round: the round's other frames bring duplicates too.
		if c.recovering && c.staleDups > 0 {
			c.staleDups--
			c.mu.Unlock()
			return
		}
		c.recovering, c.staleDups = true, max(c.resend-2, 0) // this one was the first of the round's
		c.resend = 0
		c.stats.Retransmits++
		c.sampling = false
		c.armLocked()
		c.mu.Unlock()
		c.pump()
		return
	}
	if k == 0 || k > len(c.inflight) {
		c.mu.Unlock()
		return // a duplicate, or stale
	}
	c.recovering = false
	n := 0
	for _, l := range c.inflight[:k] {
		n += l
	}
	if c.sampling && int(c.sampleSeq-c.txBase) < k {
		c.sampled(time.Since(c.sampleAt))
	}
	c.out = c.out[n:]
	c.acked += uint64(n)
	c.inflight = c.inflight[k:]
	c.txBase = next
	c.resend = max(c.resend-k, 0)
	c.armLocked()
	c.cond.Broadcast()
	c.mu.Unlock()
	c.pump()
}

// sampled takes a round trip: the timeout becomes SRTT + 4 RTTVAR, within
// its bounds. The caller holds c.mu.
func (c *dataConn) sampled(rtt time.Duration) {
	c.sampling = false
	if c.srtt == 0 {
		c.srtt, c.rttvar = rtt, rtt/2
	} else {
		c.rttvar = (3*c.rttvar + (c.srtt - rtt).Abs()) / 4
		c.srtt = (7*c.srtt + rtt) / 8
	}
	c.rto = min(max(c.srtt+4*c.rttvar, retransmitTimeout), maxRetransmitTimeout)
}

// armLocked (re)starts the retransmission timer while frames are in flight.
func (c *dataConn) armLocked() {
	if len(c.inflight) == 0 || c.closed {
		if c.timer != nil {
			c.timer.Stop()
		}
		return
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(c.rto, c.timeout)
	} else {
		c.timer.Reset(c.rto)
	}
}

func (c *dataConn) timeout() {
	c.mu.Lock()
	if len(c.inflight) > 0 && !c.closed {
		c.resend = 0
		c.recovering = false
		c.stats.Retransmits++
		c.sampling = false
		c.rto = min(2*c.rto, maxRetransmitTimeout)
		c.armLocked()
	}
	c.mu.Unlock()
	c.pump()
}

// pump sends what is due: the rest of a go-back round, then new frames
// while the window has room.
func (c *dataConn) pump() {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	var frame [1 + link.StreamChunk]byte
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return
		}
		var n, off int
		switch {
		case c.resend < len(c.inflight):
			for _, l := range c.inflight[:c.resend] {
				off += l
			}
			n = c.inflight[c.resend]
			c.resend++
		case len(c.inflight) < link.Window:
			for _, l := range c.inflight {
				off += l
			}
			n = min(len(c.out)-off, link.StreamChunk)
			if n == 0 {
				c.mu.Unlock()
				return
			}
			c.inflight = append(c.inflight, n)
			c.resend = len(c.inflight)
			if !c.sampling {
				c.sampling, c.sampleSeq, c.sampleAt = true, c.txBase+uint8(c.resend-1), time.Now()
			}
			if len(c.inflight) == 1 {
				c.armLocked()
			}
		default:
			c.mu.Unlock()
			return
		}
		frame[0] = c.txBase + uint8(c.resend-1)
		copy(frame[1:], c.out[off:off+n])
		c.mu.Unlock()
		if c.peer.send(link.TypeData, frame[:1+n]) != nil {
			return
		}
	}
}

func (c *dataConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 && !c.closed {
		c.cond.Wait()
	}
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	return n, nil
}

// Write queues p on the stream; it waits while more than maxPendingOut
// bytes are unacknowledged.
func (c *dataConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	for len(c.out) >= maxPendingOut && !c.closed {
		c.cond.Wait()
	}
	if c.closed {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	c.out = append(c.out, p...)
	c.written += uint64(len(p))
	c.mu.Unlock()
	c.pump()
	return len(p), nil
}

// WaitSent waits until the device's link has acknowledged every byte
// written so far, the session ends, stop closes or the deadline passes.
// Writes return as soon as their bytes are queued, and a board's link
// takes about 10 KB/s, so a wait for the device's answer to a large
// message starts from here.
func (c *dataConn) WaitSent(deadline time.Time, stop <-chan struct{}) {
	c.mu.Lock()
	target := c.written
	c.mu.Unlock()
	for time.Now().Before(deadline) {
		c.mu.Lock()
		done := c.acked >= target || c.closed
		c.mu.Unlock()
		if done {
			return
		}
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (c *dataConn) Close() error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
	return nil
}

func (c *dataConn) closeLocked() {
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
	}
	c.cond.Broadcast()
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
