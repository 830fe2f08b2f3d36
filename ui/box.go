package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// box draws lines in a w×h frame whose top edge carries title on the left
// and badge on the right, like k9s's panes. Lines are cut or padded to
// fit; w and h include the frame.
func box(title, badge string, lines []string, w, h int, edge lipgloss.Style) string {
	if w < 4 || h < 2 {
		return ""
	}
	inner := w - 2
	head := "─ " + title + " "
	tail := "─"
	if badge != "" {
		tail = " " + badge + " ─"
	}
	if lipgloss.Width(head)+lipgloss.Width(tail) > inner {
		tail = ""
		head = ansi.Truncate(head, inner, "…")
	}
	fill := inner - lipgloss.Width(head) - lipgloss.Width(tail)
	var b strings.Builder
	b.WriteString(edge.Render("╭") + head + edge.Render(strings.Repeat("─", max(fill, 0))) + tail + edge.Render("╮") + "\n")
	side, blank := edge.Render("│"), strings.Repeat(" ", inner) // styled once: Render is not cheap
	for i := 0; i < h-2; i++ {
		line := blank
		if i < len(lines) {
			line = fit(lines[i], inner)
		}
		b.WriteString(side + line + side + "\n")
	}
	b.WriteString(edge.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// fit cuts or pads a styled line to exactly w cells.
func fit(s string, w int) string {
	n := width(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = width(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// width is s's width in cells. Consoles print ASCII with escape
// sequences, which it counts at once; anything else goes to ansi's
// grapheme-aware count, which costs ten times more.
func width(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80:
			return ansi.StringWidth(s)
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[': // CSI: up to a final byte
			for i += 2; i < len(s) && (s[i] < 0x40 || s[i] > 0x7e); i++ {
			}
		case c == 0x1b:
			return ansi.StringWidth(s) // OSC and the rest: rare
		case c >= 0x20 && c != 0x7f:
			n++
		}
	}
	return n
}
