package emu

import (
	"io"
	"sync"
)

// byteQueue is a bounded FIFO of bytes between a producer that must never
// block (a pump draining a socket or a pty) and a reader that may be slow or
// absent. When full, the oldest bytes are dropped and counted: for a serial
// line, losing old bytes is what a real overrun does, and stalling the
// producer would stall the emulated CPU.
type byteQueue struct {
	mu       sync.Mutex
	nonEmpty *sync.Cond
	ring     []byte
	start    int // index of the oldest byte
	n        int // bytes held
	dropped  uint64
	closed   bool
}

func newByteQueue(limit int) *byteQueue {
	q := &byteQueue{ring: make([]byte, limit)}
	q.nonEmpty = sync.NewCond(&q.mu)
	return q
}

// push appends p, dropping the oldest bytes beyond the limit. It never
// blocks. Bytes pushed after close are dropped.
func (q *byteQueue) push(p []byte) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		q.dropped += uint64(len(p))
		return
	}
	limit := len(q.ring)
	if len(p) > limit {
		q.dropped += uint64(len(p) - limit)
		p = p[len(p)-limit:]
	}
	if over := q.n + len(p) - limit; over > 0 {
		q.dropped += uint64(over)
		q.start = (q.start + over) % limit
		q.n -= over
	}
	end := (q.start + q.n) % limit
	copied := copy(q.ring[end:], p)
	copy(q.ring, p[copied:])
	q.n += len(p)
	q.nonEmpty.Broadcast()
}

// Read blocks until bytes are available or the queue is closed. After close
// it returns the bytes still held, then io.EOF.
func (q *byteQueue) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.n == 0 && !q.closed {
		q.nonEmpty.Wait()
	}
	if q.n == 0 {
		return 0, io.EOF
	}
	limit := len(q.ring)
	total := 0
	for total < len(p) && q.n > 0 {
		chunk := min(q.n, limit-q.start)
		c := copy(p[total:], q.ring[q.start:q.start+chunk])
		total += c
		q.start = (q.start + c) % limit
		q.n -= c
	}
	return total, nil
}

// close wakes every reader; held bytes stay readable.
func (q *byteQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.nonEmpty.Broadcast()
}

// droppedBytes is how many bytes were discarded because the queue was full.
func (q *byteQueue) droppedBytes() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
