package emu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// dialLink connects to an endpoint as a board would.
func dialLink(t *testing.T, e *linkEndpoint) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", e.addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLinkEndpointDrainsWhenNobodyReads(t *testing.T) {
	e, err := listenLink()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close(0)
	board := dialLink(t, e)

	// Four times the buffer: a board writing this much must never block,
	// however slow the reader (QEMU-NOTES gotcha 10).
	sent := bytes.Repeat([]byte("0123456789abcdef"), 4*linkBufferSize/16)
	board.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := board.Write(sent); err != nil {
		t.Fatalf("board write blocked or failed: %v", err)
	}
	waitFor(t, "all bytes received", func() bool { return e.stats().FromDevice == uint64(len(sent)) })

	st := e.stats()
	if want := uint64(len(sent) - linkBufferSize); st.Dropped != want {
		t.Errorf("Dropped = %d, want %d", st.Dropped, want)
	}
	got := make([]byte, linkBufferSize)
	if _, err := io.ReadFull(e, got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent[len(sent)-linkBufferSize:]) {
		t.Error("the buffer does not hold the newest bytes")
	}
}

func TestLinkEndpointSurvivesReconnects(t *testing.T) {
	e, err := listenLink()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close(0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	first := dialLink(t, e)
	if err := e.waitConnected(ctx, nil); err != nil {
		t.Fatal(err)
	}
	first.Write([]byte("one "))
	first.Close()
	waitFor(t, "the closed connection to be dropped", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.conn == nil
	})
	if _, err := e.Write([]byte("lost")); err != nil {
		t.Fatalf("a write between connections must not fail: %v", err)
	}

	second := dialLink(t, e)
	waitFor(t, "the second connection", func() bool { return e.stats().Connects == 2 })
	second.Write([]byte("two"))
	if _, err := e.Write([]byte("to board")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len("to board"))
	second.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(second, got); err != nil || string(got) != "to board" {
		t.Fatalf("board read %q, %v", got, err)
	}

	second.Close() // the board exits: what it sent is drained before close returns
	e.close(5 * time.Second)
	all, err := io.ReadAll(e)
	if err != nil || string(all) != "one two" {
		t.Fatalf("host read %q, %v; want %q", all, err, "one two")
	}
	st := e.stats()
	if st.Lost != 4 || st.ToDevice != 8 || st.FromDevice != 7 {
		t.Errorf("stats = %+v, want Lost 4, ToDevice 8, FromDevice 7", st)
	}
	if _, err := e.Write([]byte("x")); !errors.Is(err, ErrExited) {
		t.Errorf("write after close: %v, want ErrExited", err)
	}
}

func TestLinkEndpointWaitConnected(t *testing.T) {
	e, err := listenLink()
	if err != nil {
		t.Fatal(err)
	}
	defer e.close(0)
	exited := make(chan struct{})
	close(exited)
	if err := e.waitConnected(context.Background(), exited); err == nil {
		t.Error("waitConnected should fail once the process exited")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := e.waitConnected(ctx, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waitConnected = %v, want deadline exceeded", err)
	}
}
