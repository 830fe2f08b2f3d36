package lab

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"wasmbed-lab/lab/link"
)

// LinkState is what the lab knows about a board's link.
type LinkState struct {
	Up        bool   // a hello was acknowledged
	Hellos    uint64 // RESET frames received (a reboot or a lost ack sends more)
	HelloFrom string // board name the device announced
	Stats     link.Stats
}

// linkPeer is the lab's end of a board's link: it acknowledges the device's
// hello and measures round trips with PING/PONG. The TLS session will ride
// on the DATA frames.
type linkPeer struct {
	board string
	// onSession, when set, gets each new session's stream: a hello ends the
	// previous session and starts the next.
	onSession func(net.Conn)
	ready     func() bool // nil: always ready
	session   *dataConn

	writeMu sync.Mutex
	conn    io.ReadWriter // the running board's serial1
	buf     []byte

	mu      sync.Mutex
	state   LinkState
	lastBad time.Time                // when a frame from the device last arrived damaged
	pending map[uint64]chan struct{} // ping nonce -> waiter
	nonce   uint64
	changed chan struct{}
}

func newLinkPeer(conn io.ReadWriter, board string, onSession func(net.Conn), ready func() bool) *linkPeer {
	return &linkPeer{conn: conn, board: board, onSession: onSession, ready: ready, pending: map[uint64]chan struct{}{}, changed: make(chan struct{})}
}

// replace makes conn the link: a restarted board brings a new one. The
// previous link's run has returned.
func (p *linkPeer) replace(conn io.ReadWriter) {
	p.writeMu.Lock()
	p.conn = conn
	p.writeMu.Unlock()
}

// run reads the link's frames until it ends.
func (p *linkPeer) run() {
	p.writeMu.Lock()
	conn := p.conn
	p.writeMu.Unlock()
	var dec link.Decoder
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		dec.Feed(buf[:n], p.handle)
		p.mu.Lock()
		if dec.Stats().Dropped() > p.state.Stats.Dropped() {
			p.lastBad = time.Now()
		}
		p.state.Stats = dec.Stats()
		p.mu.Unlock()
		if err != nil {
			// The emulator is gone. Like a UART whose device died, the link
			// does not say so: the session stays until the board is stopped,
			// and the gateway learns from the missing heartbeats.
			return
		}
	}
}

func (p *linkPeer) handle(t link.Type, payload []byte) {
	switch t {
	case link.TypeReset:
		p.mu.Lock()
		p.state.Hellos++
		if len(payload) > 1 {
			p.state.HelloFrom = string(payload[1:])
		}
		p.mu.Unlock()
		if p.ready != nil && !p.ready() {
			p.endSession() // the device starts over; so does its session
			return
		}
		p.newSession()
		if err := p.send(link.TypeResetAck, nil); err == nil {
			p.mu.Lock()
			p.state.Up = true
			p.mu.Unlock()
		}
		p.notify()
	case link.TypeData:
		if p.session != nil {
			p.session.receive(payload)
		}
	case link.TypeAck:
		if p.session != nil && len(payload) == 1 {
			p.session.ack(payload[0])
		}
	case link.TypePong:
		if len(payload) != 8 {
			return
		}
		p.mu.Lock()
		if ch, ok := p.pending[binary.BigEndian.Uint64(payload)]; ok {
			close(ch)
		}
		p.mu.Unlock()
	}
}

// newSession ends the current session, if any, and hands a fresh one to
// onSession. It runs on the link reader, before the hello is acknowledged,
// so no DATA of the new session can arrive first.
func (p *linkPeer) newSession() {
	p.endSession()
	if p.onSession == nil {
		return
	}
	p.session = newDataConn(p, p.board)
	go p.onSession(p.session)
}

func (p *linkPeer) endSession() {
	if p.session != nil {
		p.session.Close()
		p.session = nil
	}
}

func (p *linkPeer) notify() {
	p.mu.Lock()
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

func (p *linkPeer) send(t link.Type, payload []byte) error {
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	var err error
	p.buf, err = link.AppendFrame(append(p.buf[:0], 0), t, payload)
	if err != nil {
		return err
	}
	_, err = p.conn.Write(p.buf)
	return err
}

// noisyFor is how long after a damaged frame the link counts as noisy.
const noisyFor = 5 * time.Second

// noisy says whether frames from the device arrived damaged lately: the
// link corrupts bytes, so a gap the device reports is a frame lost to
// noise, not a device too busy to take it.
func (p *linkPeer) noisy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.lastBad.IsZero() && time.Since(p.lastBad) < noisyFor
}

func (p *linkPeer) State() LinkState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// waitUntil waits until the link state satisfies cond.
func (p *linkPeer) waitUntil(ctx context.Context, cond func(LinkState) bool) error {
	for {
		p.mu.Lock()
		ok, changed := cond(p.state), p.changed
		p.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitUp waits until the device's hello has been acknowledged.
func (p *linkPeer) waitUp(ctx context.Context) error {
	if err := p.waitUntil(ctx, func(s LinkState) bool { return s.Up }); err != nil {
		return fmt.Errorf("no hello on the link: %w", err)
	}
	return nil
}

// Ping sends a PING and waits for its PONG, returning the round trip.
func (p *linkPeer) Ping(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	p.nonce++
	nonce := p.nonce
	done := make(chan struct{})
	p.pending[nonce] = done
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.pending, nonce)
		p.mu.Unlock()
	}()

	payload := binary.BigEndian.AppendUint64(nil, nonce)
	start := time.Now()
	if err := p.send(link.TypePing, payload); err != nil {
		return 0, fmt.Errorf("ping: %w", err)
	}
	select {
	case <-done:
		return time.Since(start), nil
	case <-ctx.Done():
		return 0, errors.Join(errors.New("ping: no pong"), ctx.Err())
	}
}
