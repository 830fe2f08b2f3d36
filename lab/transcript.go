package lab

import (
	"context"
	"strings"
	"sync"
	"time"
)

// maxTranscriptLines bounds the memory a chatty board can take; older lines
// are dropped, but line numbers keep counting.
const maxTranscriptLines = 5000

// Line is one line of a board's console, without its line ending.
type Line struct {
	N    int // absolute line number since the board started, from 0
	Time time.Time
	Text string
}

// Stamped is the line after its time in layout (time.Format's), as logs
// and timestamped consoles show it.
func (l Line) Stamped(layout string) string { return l.Time.Format(layout) + " " + l.Text }

// Transcript collects a console's output as lines and lets callers wait
// for a line that matches.
type Transcript struct {
	mu      sync.Mutex
	lines   []Line // the newest lines; lines[0].N == first
	first   int
	partial strings.Builder
	changed chan struct{} // closed and replaced on every new line
	closed  bool
	now     func() time.Time
}

func newTranscript(now func() time.Time) *Transcript {
	return &Transcript{changed: make(chan struct{}), now: now}
}

// Write takes raw console bytes; complete lines become visible to readers.
func (t *Transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	added := false
	for _, b := range p {
		switch b {
		case '\n':
			t.appendLine(t.partial.String())
			t.partial.Reset()
			added = true
		case '\r':
		default:
			t.partial.WriteByte(b)
		}
	}
	if added {
		t.notify()
	}
	return len(p), nil
}

func (t *Transcript) appendLine(text string) {
	t.lines = append(t.lines, Line{N: t.first + len(t.lines), Time: t.now(), Text: text})
	if len(t.lines) > maxTranscriptLines {
		drop := len(t.lines) - maxTranscriptLines
		t.lines = append(t.lines[:0], t.lines[drop:]...)
		t.first += drop
	}
}

func (t *Transcript) notify() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// note adds a line of the lab's own (a board's crash or restart) after
// the console's partial last line, if any.
func (t *Transcript) note(text string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.partial.Len() > 0 {
		t.appendLine(t.partial.String())
		t.partial.Reset()
	}
	t.appendLine(text)
	t.notify()
}

// close ends the transcript: a partial last line is completed and waiters
// see no more lines coming.
func (t *Transcript) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if t.partial.Len() > 0 {
		t.appendLine(t.partial.String())
		t.partial.Reset()
	}
	t.closed = true
	t.notify()
}

// Next is the number the next line will get.
func (t *Transcript) Next() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first + len(t.lines)
}

// Lines returns the kept lines numbered from or later.
func (t *Transcript) Lines(from int) []Line {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := from - t.first
	if i < 0 {
		i = 0
	}
	if i >= len(t.lines) {
		return nil
	}
	return append([]Line(nil), t.lines[i:]...)
}

// Tail returns the last n lines.
func (t *Transcript) Tail(n int) []Line {
	next := t.Next()
	return t.Lines(next - n)
}

// errTranscriptClosed reports a wait that can never succeed: the console ended.
type errTranscriptClosed struct{}

func (errTranscriptClosed) Error() string { return "console closed" }

// WaitFor waits until a line numbered from or later satisfies match, and
// returns it. It fails when ctx ends or the console closes first.
func (t *Transcript) WaitFor(ctx context.Context, from int, match func(string) bool) (Line, error) {
	for {
		t.mu.Lock()
		i := from - t.first
		if i < 0 {
			i = 0
		}
		for ; i < len(t.lines); i++ {
			if match(t.lines[i].Text) {
				l := t.lines[i]
				t.mu.Unlock()
				return l, nil
			}
		}
		from = t.first + len(t.lines)
		changed, closed := t.changed, t.closed
		t.mu.Unlock()
		if closed {
			return Line{}, errTranscriptClosed{}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Line{}, ctx.Err()
		}
	}
}
