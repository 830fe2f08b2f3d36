package main

import (
	"os"
	"testing"

	"github.com/creack/pty"
)

// TestColourful: colour goes to a terminal only, and NO_COLOR, CI or a
// dumb TERM turn it off.
func TestColourful(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	file, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for _, tc := range []struct {
		name string
		f    *os.File
		env  map[string]string
		want bool
	}{
		{"terminal", tty, map[string]string{"TERM": "xterm-256color"}, true},
		{"terminal, no TERM", tty, nil, true},
		{"file", file, map[string]string{"TERM": "xterm-256color"}, false},
		{"NO_COLOR", tty, map[string]string{"NO_COLOR": "1"}, false},
		{"CI", tty, map[string]string{"CI": "true"}, false},
		{"dumb", tty, map[string]string{"TERM": "dumb"}, false},
	} {
		getenv := func(k string) string { return tc.env[k] }
		if got := colourful(tc.f, getenv); got != tc.want {
			t.Errorf("%s: colourful = %v, want %v", tc.name, got, tc.want)
		}
	}
	if s := painter(false).red("FAIL"); s != "FAIL" {
		t.Errorf("no colour painted %q", s)
	}
	if s := painter(true).red("FAIL"); s != "\x1b[1;31mFAIL\x1b[0m" {
		t.Errorf("colour painted %q", s)
	}
}
