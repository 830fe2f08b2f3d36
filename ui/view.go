package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"wasmbed-lab/lab/gateway"
)

// View draws the header, the panes and the footer, with an overlay on top
// when a menu or the help is open; a frame only console bytes changed
// waits until frameEvery has passed since the last.
func (m *Model) View() tea.View {
	if m.frame == "" || m.dirty && (m.forced || time.Since(m.drawnAt) >= frameEvery) {
		m.frame, m.dirty, m.forced, m.drawnAt = m.draw(), false, false, time.Now()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "wasmbed-lab " + m.opts.Name
	return v
}

// draw is the whole screen.
func (m *Model) draw() string {
	body := m.body(m.height - 3)
	switch m.mode {
	case helping:
		body = place(body, m.helpView(), m.width)
	case picking, targeting, faulting:
		body = place(body, m.menu.view(min(m.width-4, 60), m.st), m.width)
	}
	return m.header() + "\n" + body + "\n" + m.footer()
}

// header: the lab, the gateway, how many devices are connected, the CA.
func (m *Model) header() string {
	connected := 0
	for _, p := range m.panes {
		if p.known && p.dev.State == gateway.Connected {
			connected++
		}
	}
	gw := "gateway restarting"
	if m.up {
		gw = "pairing " + m.status.Pairing.String()
		if m.api != "" {
			gw = "api " + m.api + " · " + gw
		}
	}
	parts := []string{"wasmbed-lab · " + m.opts.Name, fmt.Sprintf("%d/%d connected", connected, len(m.panes)), gw}
	if m.hot {
		parts = append(parts, "hot redeploy")
	}
	if m.ca != "" {
		parts = append(parts, "CA "+m.ca)
	}
	return m.st.header.Render(fit(" "+strings.Join(parts, " │ "), m.width))
}

// footer: a toast or the latest event, then the keys (or what the mode
// takes).
func (m *Model) footer() string {
	news := ""
	if len(m.events) > 0 {
		news = m.st.dim.Render(m.events[len(m.events)-1])
	}
	if m.toast != "" && m.opts.Now().Sub(m.toastAt) < toastFor {
		style := m.st.toast
		if m.toastErr {
			style = m.st.bad
		}
		news = style.Render(" " + m.toast + " ")
	}
	keys := m.shortHelp
	switch m.mode {
	case typing:
		keys = m.st.warn.Render("typing into "+m.focus+"'s console") + m.st.dim.Render(" · esc leaves")
	case filtering:
		keys = m.filter.View() + m.st.dim.Render("  enter keeps · esc clears")
	default:
		if f := m.filter.Value(); f != "" {
			keys = m.st.dim.Render("filter /"+f+" · ") + keys
		}
	}
	return fit(news, m.width) + "\n" + fit(keys, m.width)
}

// body is the panes in h rows: a grid, the focused pane zoomed, or on a
// small terminal a list beside the focused pane.
func (m *Model) body(h int) string {
	vis := m.visible()
	switch {
	case len(m.panes) == 0:
		return fill(m.st.dim.Render("  no boards yet: booting the lab…"), m.width, h)
	case len(vis) == 0:
		return fill(m.st.dim.Render("  no board matches /"+m.filter.Value()), m.width, h)
	}
	now := m.opts.Now()
	if p := m.focused(); m.zoomed && p != nil {
		return p.view(m.width, h, true, m.selected[p.info.Name], m.stamps, now, m.st)
	}
	cols, rows, w, ph := m.grid(len(vis))
	if m.small(ph) {
		return m.listBody(vis, h)
	}
	var lines []string
	for r := 0; r < rows; r++ {
		rh := ph
		if r == rows-1 {
			rh = h - ph*(rows-1) // the last row takes the remainder
		}
		row := make([]string, rh) // the row's screen lines, pane by pane
		for c := 0; c < cols; c++ {
			pw := w
			if c == cols-1 {
				pw = m.width - w*(cols-1) // the last column takes the remainder
			}
			block := strings.Repeat(" ", pw)
			var pane []string
			if i := r*cols + c; i < len(vis) {
				p := vis[i]
				pane = strings.Split(p.view(pw, rh, p.info.Name == m.focus, m.selected[p.info.Name], m.stamps, now, m.st), "\n")
			}
			for y := range row {
				if y < len(pane) {
					row[y] += pane[y] // exactly pw wide: box fits every line
				} else {
					row[y] += block
				}
			}
		}
		lines = append(lines, row...)
	}
	return strings.Join(lines, "\n")
}

// listBody is the small-terminal layout: every board in a list, and the
// focused pane beside it.
func (m *Model) listBody(vis []*pane, h int) string {
	var list []string
	for _, p := range vis {
		mark := "  "
		if p.info.Name == m.focus {
			mark = m.st.focus.Render("▸ ")
		}
		list = append(list, fit(mark+p.info.Name+" "+m.st.badge(p.state()), listW))
	}
	left := fill(strings.Join(list, "\n"), listW, h)
	p := m.focused()
	if p == nil {
		return left
	}
	right := p.view(m.width-listW, h, true, m.selected[p.info.Name], m.stamps, m.opts.Now(), m.st)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, right)
}

// grid lays n panes out: as many columns as fit, rows to hold them all.
func (m *Model) grid(n int) (cols, rows, w, h int) {
	cols = 1 // as square a grid as the width allows
	for cols*cols < n {
		cols++
	}
	cols = max(1, min(cols, m.width/minPaneW))
	rows = max(1, (n+cols-1)/cols)
	return cols, rows, m.width / cols, (m.height - 3) / rows
}

func (m *Model) columns() int {
	cols, _, _, h := m.grid(len(m.visible()))
	if m.small(h) {
		return 1
	}
	return cols
}

// small says whether panes of height h are too short for a grid.
func (m *Model) small(h int) bool { return h < minPaneH }

// helpView is every key, in as many columns as the terminal takes.
func (m *Model) helpView() string {
	var entries []string
	for _, group := range m.keys.FullHelp() {
		for _, b := range group {
			h := b.Help()
			entries = append(entries, fmt.Sprintf("%-9s %s", h.Key, m.st.dim.Render(h.Desc)))
		}
	}
	const colW = 32
	cols := max(1, min(4, (m.width-4)/colW))
	rows := (len(entries) + cols - 1) / cols
	lines := make([]string, rows)
	for i, e := range entries {
		lines[i%rows] += fit(e, colW)
	}
	lines = append(lines, "", m.st.dim.Render("any key closes"))
	return box(m.st.bold.Render("Keys"), "", lines, min(cols*colW+2, m.width), len(lines)+2, m.st.focus)
}

// fill pads s to exactly w×h.
func fill(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return strings.Join(lines, "\n")
}
