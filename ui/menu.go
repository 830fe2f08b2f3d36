package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// menu is a titled list to choose from: the app picker, the targets, the
// faults.
type menu struct {
	title  string
	items  []string
	values []string // what each item stands for
	cursor int
}

func (m *menu) move(by int) {
	if n := len(m.items); n > 0 {
		m.cursor = (m.cursor + by + n) % n
	}
}

func (m menu) chosen() string { return m.values[m.cursor] }

// view draws the menu as a framed overlay w wide.
func (m menu) view(w int, st styles) string {
	lines := make([]string, 0, len(m.items)+2)
	for i, it := range m.items {
		if i == m.cursor {
			lines = append(lines, st.focus.Render("▸ "+it))
		} else {
			lines = append(lines, "  "+it)
		}
	}
	lines = append(lines, "", st.dim.Render("enter choose · esc cancel"))
	return box(st.bold.Render(m.title), "", lines, w, len(lines)+2, st.focus)
}

// place draws overlay centred over base, both w×h.
func place(base, overlay string, w int) string {
	bl := strings.Split(base, "\n")
	ol := strings.Split(overlay, "\n")
	top := max((len(bl)-len(ol))/2, 0)
	for i, l := range ol {
		if top+i < len(bl) {
			left := max((w-lipgloss.Width(l))/2, 0)
			bl[top+i] = fit(strings.Repeat(" ", left)+l, w)
		}
	}
	return strings.Join(bl, "\n")
}
