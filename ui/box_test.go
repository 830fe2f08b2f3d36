package ui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestWidthAgreesWithAnsi: the fast count gives ansi's answer.
func TestWidthAgreesWithAnsi(t *testing.T) {
	for _, s := range []string{"", "> ", "proto: enrolled", "\x1b[1;31mFAIL\x1b[0m ok", "\x1b[2J\x1b[Hx", "tab\there",
		"♥ 300ms ago", "\x1b]0;title\x07text", "日本語", "a\x1b[38;2;1;2;3mb"} {
		if got, want := width(s), ansi.StringWidth(s); got != want {
			t.Errorf("width(%q) = %d, ansi says %d", s, got, want)
		}
	}
	if got := fit("\x1b[1mabcdef\x1b[0m", 4); width(got) != 4 {
		t.Errorf("fit to 4: %q", got)
	}
}
