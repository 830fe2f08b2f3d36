package emu

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// LinkFaults describes the faults injected on one direction of a board's
// link. The zero value injects none. A rate of 0 (or less) never applies,
// 1 (or more) always does. A chunk is what one socket read or one Write
// carries; chunks a Delay already holds still arrive after a Cut.
type LinkFaults struct {
	DropRate    float64       // probability that each byte is dropped
	CorruptRate float64       // probability that each byte has one random bit flipped
	Delay       time.Duration // added latency for every chunk, order preserved
	Cut         bool          // nothing passes (bytes counted in CutBytes)
}

// LinkFaultSet is the faults on both directions of a board's link. The
// zero value means no faults, the default.
type LinkFaultSet struct {
	ToDevice, FromDevice LinkFaults
	// Seed seeds the draws of DropRate and CorruptRate, so that a run can
	// be repeated; 0 picks a random seed. Each SetLinkFaults starts the
	// draws again from its seed.
	Seed uint64
}

// maxDelayedBytes bounds the bytes a Delay holds per direction: a fast
// board under a long delay must not grow memory without limit. Chunks
// beyond it are discarded and counted in LinkStats.Dropped.
const maxDelayedBytes = 1 << 20

// linkLine is a board's link between the board's side (a socket, or a
// Fake's device port) and the host's side, with the faults of each
// direction in between. The byte and frame counts are taken on the board's
// side: what the board sent, before the faults, and what it received,
// after them. The endpoint and the Fake share it.
type linkLine struct {
	toDevice, fromDevice *linkDirection
	toWire, fromWire     wireCount
}

// newLinkLine returns a line that passes bytes to the board with toBoard
// (which returns how many bytes the board got) and to the host with toHost.
// The caller owns it and must stop it.
func newLinkLine(toBoard func([]byte) int, toHost func([]byte)) *linkLine {
	l := &linkLine{}
	l.toDevice = newLinkDirection(func(p []byte) { l.toWire.add(p[:toBoard(p)]) })
	l.fromDevice = newLinkDirection(toHost)
	return l
}

// fromBoard passes on bytes the board sent. mutable says the faults may
// change p in place; p is never kept after fromBoard returns.
func (l *linkLine) fromBoard(p []byte, mutable bool) {
	l.fromWire.add(p)
	l.fromDevice.send(p, mutable)
}

// toBoard passes on bytes for the board; p is neither changed nor kept.
func (l *linkLine) toBoard(p []byte) { l.toDevice.send(p, false) }

// setFaults replaces the faults of both directions. Each direction draws
// from its own PCG stream, so its draws do not depend on the other's
// traffic.
func (l *linkLine) setFaults(s LinkFaultSet) {
	seed := s.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	l.toDevice.set(s.ToDevice, rand.New(rand.NewPCG(seed, 1)))
	l.fromDevice.set(s.FromDevice, rand.New(rand.NewPCG(seed, 2)))
}

// stop delivers what the delays still hold, at once, and ends their
// goroutines. From then on, bytes pass without delay.
func (l *linkLine) stop() {
	l.toDevice.stop()
	l.fromDevice.stop()
}

// stats fills in the counts the line keeps; the caller adds its own
// losses, drops and connects.
func (l *linkLine) stats() LinkStats {
	var st LinkStats
	st.FromDevice, st.FramesFromDevice = l.fromWire.load()
	st.ToDevice, st.FramesToDevice = l.toWire.load()
	for _, d := range []*linkDirection{l.toDevice, l.fromDevice} {
		st.InjectedDrops += d.drops.Load()
		st.InjectedCorruptions += d.corruptions.Load()
		st.CutBytes += d.cutBytes.Load()
		st.Dropped += d.overflow.Load()
	}
	return st
}

// wireCount counts the bytes and frames crossing one direction of a link.
// A frame ends at a 0x00 delimiter that follows at least one byte, maybe
// in an earlier chunk: a lone delimiter, which a sender may write to end a
// partial frame, ends none.
type wireCount struct {
	mu      sync.Mutex
	bytes   uint64
	frames  uint64
	inFrame bool // bytes came since the last delimiter
}

func (w *wireCount) add(p []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bytes += uint64(len(p))
	for len(p) > 0 {
		i := bytes.IndexByte(p, 0)
		if i < 0 {
			w.inFrame = true
			return
		}
		if i > 0 || w.inFrame {
			w.frames++
		}
		w.inFrame = false
		p = p[i+1:]
	}
}

func (w *wireCount) load() (bytes, frames uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bytes, w.frames
}

// linkDirection carries one direction of a link through its faults to
// deliver. With no faults and nothing held by a delay, send calls deliver
// directly: no copy, no goroutine.
//
// A delay is a goroutine, started at the first Delay and ended by stop,
// that delivers held chunks in order once each is due. While it holds
// chunks, new ones queue behind them even when the delay has been lowered
// or removed, so the order is kept.
type linkDirection struct {
	deliver func([]byte) // safe for concurrent use; never called with mu held

	mu       sync.Mutex
	faults   LinkFaults
	rng      *rand.Rand
	held     []heldChunk // oldest first
	heldSize int         // bytes in held
	inFlight bool        // the delay goroutine is delivering a chunk taken from held
	started  bool        // the delay goroutine was started
	running  bool        // the delay goroutine takes new chunks
	stopped  bool        // stop was called: no delay goroutine starts

	wake chan struct{} // buffered: a chunk was held, or stop was called
	done chan struct{} // closed when the delay goroutine returns

	drops, corruptions, cutBytes, overflow atomic.Uint64
}

type heldChunk struct {
	due  time.Time
	data []byte
}

func newLinkDirection(deliver func([]byte)) *linkDirection {
	return &linkDirection{
		deliver: deliver,
		wake:    make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
}

func (d *linkDirection) set(f LinkFaults, rng *rand.Rand) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.faults, d.rng = f, rng
	if f.Delay > 0 && !d.started && !d.stopped {
		d.started, d.running = true, true
		go d.delayLoop()
	}
}

// send passes p through the faults. mutable says p may be changed in
// place; it is never kept after send returns.
func (d *linkDirection) send(p []byte, mutable bool) {
	d.mu.Lock()
	if d.faults == (LinkFaults{}) && !d.holding() {
		d.mu.Unlock()
		d.deliver(p)
		return
	}
	f := d.faults
	if f.Cut {
		d.cutBytes.Add(uint64(len(p)))
		d.mu.Unlock()
		return
	}
	owned := false
	if f.DropRate > 0 || f.CorruptRate > 0 {
		if !mutable {
			p, owned = slices.Clone(p), true
		}
		p = d.inject(p)
	}
	if len(p) > 0 && d.running && (f.Delay > 0 || d.holding()) {
		d.hold(p, owned, time.Now().Add(max(f.Delay, 0)))
		p = nil
	}
	d.mu.Unlock()
	if len(p) > 0 {
		d.deliver(p)
	}
}

// inject drops and corrupts bytes of p in place and returns what is left.
// d.mu is held.
func (d *linkDirection) inject(p []byte) []byte {
	f := d.faults
	kept := p[:0] // writes never pass the byte being read
	var drops, corruptions uint64
	for _, b := range p {
		if f.DropRate > 0 && d.rng.Float64() < f.DropRate {
			drops++
			continue
		}
		if f.CorruptRate > 0 && d.rng.Float64() < f.CorruptRate {
			b ^= 1 << d.rng.IntN(8)
			corruptions++
		}
		kept = append(kept, b)
	}
	d.drops.Add(drops)
	d.corruptions.Add(corruptions)
	return kept
}

// holding reports whether the delay goroutine has chunks to deliver. d.mu
// is held.
func (d *linkDirection) holding() bool { return len(d.held) > 0 || d.inFlight }

// hold queues p for the delay goroutine, copying it unless owned. d.mu is
// held.
func (d *linkDirection) hold(p []byte, owned bool, due time.Time) {
	if d.heldSize+len(p) > maxDelayedBytes {
		d.overflow.Add(uint64(len(p)))
		return
	}
	if !owned {
		p = slices.Clone(p)
	}
	d.held = append(d.held, heldChunk{due: due, data: p})
	d.heldSize += len(p)
	d.signal()
}

func (d *linkDirection) signal() {
	select {
	case d.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func (d *linkDirection) delayLoop() {
	defer close(d.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		chunk, wait, ok := d.next()
		switch {
		case !ok:
			return
		case chunk != nil:
			d.deliver(chunk)
			d.mu.Lock()
			d.inFlight = false
			d.mu.Unlock()
		case wait > 0:
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-d.wake:
				timer.Stop()
			}
		default:
			<-d.wake
		}
	}
}

// next takes the oldest held chunk once it is due (at once after stop) or
// says how long until it is; wait is 0 when nothing is held. ok is false
// once stopped with nothing held: the goroutine ends, and later chunks
// pass directly.
func (d *linkDirection) next() (chunk []byte, wait time.Duration, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.held) == 0 {
		if d.stopped {
			d.running = false
			return nil, 0, false
		}
		return nil, 0, true
	}
	head := d.held[0]
	if until := time.Until(head.due); until > 0 && !d.stopped {
		return nil, until, true
	}
	d.held[0] = heldChunk{}
	d.held = d.held[1:]
	d.heldSize -= len(head.data)
	d.inFlight = true
	return head.data, 0, true
}

// stop delivers the held chunks at once and waits for the delay goroutine
// to end. It is safe to call more than once.
func (d *linkDirection) stop() {
	d.mu.Lock()
	d.stopped = true
	started := d.started
	d.mu.Unlock()
	if started {
		d.signal()
		<-d.done
	}
}
