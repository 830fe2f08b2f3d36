package emu

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// transcript reads a stream to its end in the background, so tests can
// wait for text with a deadline instead of blocking in Read.
type transcript struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func record(r io.Reader) *transcript {
	tr := &transcript{done: make(chan struct{})}
	go func() {
		defer close(tr.done)
		b := make([]byte, 1024)
		for {
			n, err := r.Read(b)
			tr.mu.Lock()
			tr.buf.Write(b[:n])
			tr.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return tr
}

// ended waits for the stream's end (the board exited).
func (tr *transcript) ended(t *testing.T) {
	t.Helper()
	select {
	case <-tr.done:
	case <-time.After(5 * time.Second):
		t.Error("a stream did not end after its board exited")
	}
}

func (tr *transcript) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.buf.String()
}

// waitCount waits until text occurs at least n times.
func (tr *transcript) waitCount(t *testing.T, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(tr.String(), text) < n {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d × %q; got %q", n, text, tr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stays checks that text does not (yet) occur n times within d.
func (tr *transcript) stays(t *testing.T, text string, n int, d time.Duration) {
	t.Helper()
	time.Sleep(d)
	if strings.Count(tr.String(), text) >= n {
		t.Fatalf("%q appeared %d times, want fewer than %d: %q", text, strings.Count(tr.String(), text), n, tr.String())
	}
}

// startRecorded starts a board and records its console and link. When the
// test ends, the board is stopped and both streams must reach their end.
func startRecorded(t *testing.T, spec Spec) (m *Machine, console, link *transcript) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := Start(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	console, link = record(m.Console()), record(m.Link())
	t.Cleanup(func() {
		m.Stop(context.Background())
		console.ended(t)
		link.ended(t)
	})
	return m, console, link
}

func stopCleanly(t *testing.T, m *Machine) {
	t.Helper()
	pid := m.PID()
	if err := m.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := m.Exit()
	if !st.Requested || st.Crashed {
		t.Errorf("Exit after Stop = %+v, want requested, not crashed", st)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("pid %d still exists after Stop (kill 0: %v)", pid, err)
	}
	if err := m.Stop(context.Background()); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func expectCrash(t *testing.T, m *Machine, signal string) {
	t.Helper()
	select {
	case <-m.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the board did not exit")
	}
	if st := m.Exit(); !st.Crashed || st.Requested || st.Signal != signal {
		t.Fatalf("Exit = %+v, want a crash by %s", st, signal)
	}
}
