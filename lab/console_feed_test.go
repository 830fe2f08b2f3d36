package lab

import (
	"bytes"
	"strings"
	"testing"
)

func TestConsoleFeed(t *testing.T) {
	var f consoleFeed
	f.Write([]byte(strings.Repeat("x", consoleBacklog)))
	f.Write([]byte("boot\r\n"))
	backlog, ch, cancel := f.subscribe()
	if len(backlog) != consoleBacklog || !bytes.HasSuffix(backlog, []byte("boot\r\n")) {
		t.Fatalf("backlog of %d bytes ending %q", len(backlog), backlog[len(backlog)-8:])
	}
	f.Write([]byte("> "))
	if got := <-ch; string(got) != "> " {
		t.Errorf("streamed %q", got)
	}
	// A subscriber that does not read loses chunks; the board goes on.
	for i := 0; i < 1000; i++ {
		f.Write([]byte("y"))
	}
	if n := len(ch); n != cap(ch) {
		t.Errorf("%d chunks buffered, want the channel's %d", n, cap(ch))
	}
	cancel()
	cancel() // twice is fine

	var g consoleFeed
	g.Write([]byte("> "))
	g.note("restarting")
	g.note("started again")
	if b, _, _ := g.subscribe(); string(b) != "> \r\nrestarting\r\nstarted again\r\n" {
		t.Errorf("notes: %q", b)
	}
	f.close()
	if _, ch, _ := f.subscribe(); func() bool { _, open := <-ch; return open }() {
		t.Error("a subscription after close is open")
	}
}
