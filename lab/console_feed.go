package lab

import "sync"

// consoleBacklog is how many of a console's latest raw bytes a new
// subscriber gets first: enough to fill a zoomed terminal pane.
const consoleBacklog = 64 << 10

// consoleFeed passes a board's raw console bytes on to subscribers (a
// terminal pane emulates them), each through a bounded channel: a slow
// subscriber loses chunks rather than holding the board up.
type consoleFeed struct {
	mu      sync.Mutex
	backlog []byte
	subs    map[chan []byte]struct{}
	closed  bool
}

// Write keeps p in the backlog and hands a copy to every subscriber.
func (f *consoleFeed) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backlog = append(f.backlog, p...)
	if over := len(f.backlog) - consoleBacklog; over > 0 {
		f.backlog = append(f.backlog[:0], f.backlog[over:]...)
	}
	if len(f.subs) > 0 {
		chunk := append([]byte(nil), p...)
		for ch := range f.subs {
			select {
			case ch <- chunk:
			default: // it fell behind
			}
		}
	}
	return len(p), nil
}

// note writes a line of the lab's own, on a line of its own.
func (f *consoleFeed) note(text string) {
	f.mu.Lock()
	fresh := len(f.backlog) == 0 || f.backlog[len(f.backlog)-1] == '\n'
	f.mu.Unlock()
	if !fresh {
		text = "\r\n" + text
	}
	f.Write([]byte(text + "\r\n"))
}

// subscribe returns the backlog and a channel of the bytes after it, which
// closes when the board is gone or cancel is called.
func (f *consoleFeed) subscribe() (backlog []byte, bytes <-chan []byte, cancel func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan []byte, 256)
	if f.closed {
		close(ch)
		return append([]byte(nil), f.backlog...), ch, func() {}
	}
	if f.subs == nil {
		f.subs = map[chan []byte]struct{}{}
	}
	f.subs[ch] = struct{}{}
	return append([]byte(nil), f.backlog...), ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
	}
}

// close ends every subscription.
func (f *consoleFeed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for ch := range f.subs {
		close(ch)
	}
	f.subs = nil
}
