package lab

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func fixedClock() time.Time { return time.Unix(0, 0) }

func TestTranscriptLines(t *testing.T) {
	tr := newTranscript(fixedClock)
	tr.Write([]byte("one\r\ntw"))
	tr.Write([]byte("o\nthree"))
	got := tr.Lines(0)
	if len(got) != 2 || got[0].Text != "one" || got[1].Text != "two" || got[1].N != 1 {
		t.Fatalf("lines = %+v", got)
	}
	tr.close()
	if got := tr.Lines(2); len(got) != 1 || got[0].Text != "three" {
		t.Fatalf("after close: %+v", got)
	}
}

func TestTranscriptDropsOldLinesButKeepsNumbers(t *testing.T) {
	tr := newTranscript(fixedClock)
	tr.Write([]byte(strings.Repeat("x\n", maxTranscriptLines+10)))
	if n := tr.Next(); n != maxTranscriptLines+10 {
		t.Errorf("Next = %d", n)
	}
	lines := tr.Lines(0)
	if len(lines) != maxTranscriptLines || lines[0].N != 10 {
		t.Errorf("kept %d lines from %d", len(lines), lines[0].N)
	}
}

func TestTranscriptWaitFor(t *testing.T) {
	tr := newTranscript(fixedClock)
	tr.Write([]byte("boot\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	go tr.Write([]byte("noise\nready 42\n"))
	l, err := tr.WaitFor(ctx, 1, func(s string) bool { return strings.HasPrefix(s, "ready") })
	if err != nil || l.Text != "ready 42" || l.N != 2 {
		t.Fatalf("WaitFor = %+v, %v", l, err)
	}

	// A line before from does not count.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	if _, err := tr.WaitFor(short, 1, func(s string) bool { return s == "boot" }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("matched a line before from: %v", err)
	}

	tr.close()
	if _, err := tr.WaitFor(ctx, 0, func(string) bool { return false }); !errors.As(err, &errTranscriptClosed{}) {
		t.Errorf("closed transcript: %v", err)
	}
}
