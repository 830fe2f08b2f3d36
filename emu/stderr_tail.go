package emu

import (
	"io"
	"strings"
	"sync"
)

// stderrTailSize is how much of a child's stderr is kept for exit reports.
const stderrTailSize = 4 << 10

// tailWriter keeps the last bytes written to it and copies everything to an
// optional writer.
type tailWriter struct {
	mu    sync.Mutex
	buf   []byte
	limit int
	tee   io.Writer
}

func newTailWriter(limit int, tee io.Writer) *tailWriter {
	return &tailWriter{limit: limit, tee: tee}
}

// Write never fails: a broken tee must not make the child's stderr block
// or break.
func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.limit; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	if w.tee != nil {
		_, _ = w.tee.Write(p)
	}
	return len(p), nil
}

func (w *tailWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}

// summaryLines is how many stderr lines an error message quotes.
const summaryLines = 8

// summarizeStderr keeps the last lines of a stderr tail for an error
// message, without the harmless noise QEMU prints with -nodefaults.
func summarizeStderr(tail string) string {
	var keep []string
	for _, line := range strings.Split(tail, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || (strings.Contains(line, "warning: nic ") && strings.HasSuffix(line, "has no peer")) {
			continue
		}
		keep = append(keep, line)
	}
	if len(keep) > summaryLines {
		keep = keep[len(keep)-summaryLines:]
	}
	return strings.Join(keep, "\n")
}
