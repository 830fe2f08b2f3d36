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
	for i := 0; i < h-2; i++ {
		line := ""
		if i < len(lines) {
			line = fit(lines[i], inner)
		} else {
			line = strings.Repeat(" ", inner)
		}
		b.WriteString(edge.Render("│") + line + edge.Render("│") + "\n")
	}
	b.WriteString(edge.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// fit cuts or pads a styled line to exactly w cells.
func fit(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if pad := w - lipgloss.Width(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}
