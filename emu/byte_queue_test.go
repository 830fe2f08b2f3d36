package emu

import (
	"bytes"
	"io"
	"testing"
	"time"
)

func TestByteQueueKeepsNewestBytes(t *testing.T) {
	tests := []struct {
		name        string
		limit       int
		pushes      []string
		want        string
		wantDropped uint64
	}{
		{"fits", 8, []string{"abc", "def"}, "abcdef", 0},
		{"exactly full", 6, []string{"abc", "def"}, "abcdef", 0},
		{"drops oldest", 6, []string{"abcd", "efgh"}, "cdefgh", 2},
		{"one push larger than the queue", 4, []string{"abcdefghij"}, "ghij", 6},
		{"wraps many times", 5, []string{"ab", "cd", "ef", "gh", "ij", "k"}, "ghijk", 6},
		{"empty push", 4, []string{"", "ab", ""}, "ab", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := newByteQueue(tt.limit)
			for _, p := range tt.pushes {
				q.push([]byte(p))
			}
			q.close()
			got, err := io.ReadAll(q)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("read %q, want %q", got, tt.want)
			}
			if d := q.droppedBytes(); d != tt.wantDropped {
				t.Errorf("dropped %d, want %d", d, tt.wantDropped)
			}
		})
	}
}

func TestByteQueueReadsInterleaveWithWrapping(t *testing.T) {
	q := newByteQueue(7)
	var got bytes.Buffer
	buf := make([]byte, 3)
	for i := range 50 {
		q.push([]byte{byte('a' + i%26), byte('A' + i%26)})
		n, err := q.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got.Write(buf[:n])
	}
	q.close()
	rest, _ := io.ReadAll(q)
	got.Write(rest)
	var want bytes.Buffer
	for i := range 50 {
		want.Write([]byte{byte('a' + i%26), byte('A' + i%26)})
	}
	if got.String() != want.String() || q.droppedBytes() != 0 {
		t.Fatalf("got %q (dropped %d), want %q", got.String(), q.droppedBytes(), want.String())
	}
}

func TestByteQueueReadBlocksUntilPushOrClose(t *testing.T) {
	q := newByteQueue(16)
	got := make(chan string)
	go func() {
		buf := make([]byte, 16)
		n, _ := q.Read(buf)
		got <- string(buf[:n])
		_, err := q.Read(buf)
		got <- err.Error()
	}()
	select {
	case s := <-got:
		t.Fatalf("Read returned %q before any push", s)
	case <-time.After(20 * time.Millisecond):
	}
	q.push([]byte("hi"))
	if s := <-got; s != "hi" {
		t.Fatalf("read %q, want hi", s)
	}
	q.close()
	if s := <-got; s != io.EOF.Error() {
		t.Fatalf("after close: %s, want EOF", s)
	}
	q.push([]byte("late"))
	if q.droppedBytes() != 4 {
		t.Fatalf("a push after close should count as dropped, got %d", q.droppedBytes())
	}
}
