package ui

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/charmbracelet/x/vt"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// statusRows is how many rows a pane gives its status above the console.
const statusRows = 3

// rttHistory is how many round trips a pane's sparkline shows.
const rttHistory = 16

// pane is one board: its device's health and its live console.
type pane struct {
	info  lab.BoardInfo
	dev   gateway.Device
	known bool // the gateway has a record of the device

	rtts  []time.Duration // newest last
	beats uint64          // heartbeats at the last sample

	term      *vt.Emulator // the console, as a terminal shows it
	raw       []byte       // the console's latest bytes, replayed when the pane's size changes
	streaming bool         // a console stream feeds term
	stop      func()       // ends the stream
	lines     []lab.Line   // for timestamps, fetched when asked

	cache    string    // the last render
	cacheKey renderKey // what it was rendered for; the zero value is none
}

// renderKey is what a pane's render depends on besides its own state.
type renderKey struct {
	w, h                     int
	focused, selected, stamp bool
	now                      time.Time // to the 100 ms a heartbeat's age shows
}

// rawKept is how much console a pane keeps to redraw itself at a new size.
const rawKept = 64 << 10

func newPane(info lab.BoardInfo) *pane {
	return &pane{info: info, term: newTerm(80, 24)}
}

// newTerm makes a w×h terminal for a pane's lifetime. Its answers to the
// board's queries (a cursor report, say) are drained: the board has no way
// to read them, and an unread answer would block the terminal.
func newTerm(w, h int) *vt.Emulator {
	t := vt.NewEmulator(w, h)
	go io.Copy(io.Discard, t) // lives as long as the pane, which is the program's life
	return t
}

// reset is the terminal's full reset (RIS): a clear screen and state.
const reset = "\x1bc"

// state is the pane's badge: the device's state, or the board's when the
// gateway has not seen the device.
func (p *pane) state() string {
	switch {
	case !p.info.On:
		return "Off"
	case !p.known:
		return "Booting"
	}
	return p.dev.State.String()
}

// sample takes a new device record, keeping its round trips.
func (p *pane) sample(d gateway.Device) {
	if d.Heartbeats != p.beats && d.RTT > 0 {
		p.rtts = append(p.rtts, d.RTT)
		if len(p.rtts) > rttHistory {
			p.rtts = p.rtts[len(p.rtts)-rttHistory:]
		}
	}
	p.beats = d.Heartbeats
	if !p.known || !reflect.DeepEqual(p.dev, d) {
		p.dev, p.known = d, true
		p.cacheKey = renderKey{}
	}
}

// write feeds console bytes to the terminal.
func (p *pane) write(b []byte) {
	p.raw = append(p.raw, b...)
	if over := len(p.raw) - rawKept; over > 0 {
		p.raw = append(p.raw[:0], p.raw[over:]...)
	}
	p.term.Write(b)
	p.cacheKey = renderKey{}
}

// clear starts the console afresh, for a new stream.
func (p *pane) clear() {
	p.raw = p.raw[:0]
	p.term.WriteString(reset)
	p.cacheKey = renderKey{}
}

// status is the pane's status rows: heartbeat, TLS, app.
func (p *pane) status(now time.Time, st styles) []string {
	d := p.dev
	beat := st.dim.Render("♥ no heartbeat yet")
	if d.Heartbeats > 0 {
		age := now.Sub(d.LastSeen).Round(100 * time.Millisecond)
		missed := "missed 0"
		if d.Missed > 0 {
			missed = st.warn.Render(fmt.Sprintf("missed %d", d.Missed))
		}
		beat = fmt.Sprintf("♥ %v ago · rtt %s · %s %s", age, roundTrip(d.RTT), missed, sparkline(p.rtts))
	}
	tls := st.dim.Render("TLS: no session yet")
	if d.TLS.Version != "" {
		tls = fmt.Sprintf("%s %v %s ↔ gateway", d.TLS.Version, d.TLS.Handshake.Round(time.Millisecond), strings.TrimPrefix(d.TLS.Cipher, "TLS_"))
	}
	return []string{beat, tls, p.appLine(st)}
}

// appLine says what the device runs: name, short hash, state, and why it
// trapped or failed.
func (p *pane) appLine(st styles) string {
	a := p.dev.App
	if a.Want == "" && (a.State == "" || a.State == "None") {
		return st.dim.Render("no app")
	}
	line := "app " + a.Want
	if a.WantSHA != "" {
		line += " " + st.dim.Render(a.WantSHA[:8])
	}
	if a.State != "" {
		line += " " + st.badge(a.State)
	}
	if a.Detail != "" && (a.State == "Trapped" || a.State == "Failed") {
		line += ": " + a.Detail
	}
	if a.FuelPerSec > 0 && (a.State == "Running" || a.State == "Sleeping") {
		line += st.dim.Render(" · " + si(a.FuelPerSec) + " fuel/s")
	}
	if a.DeployError != "" {
		line += " " + st.bad.Render("deploy: "+a.DeployError)
	}
	return line
}

// console is the console's last h rows, w wide: the terminal's screen, or
// the kept lines with their times.
func (p *pane) console(w, h int, stamps bool) []string {
	if h <= 0 {
		return nil
	}
	if stamps {
		var out []string
		for _, l := range p.lines {
			out = append(out, l.Stamped("15:04:05.000"))
		}
		if len(out) > h {
			out = out[len(out)-h:]
		}
		return out
	}
	if p.term.Width() != w || p.term.Height() != h {
		// A terminal does not reflow: draw the kept bytes again at the
		// new size instead.
		p.term.Resize(w, h)
		p.term.WriteString(reset)
		p.term.Write(p.raw)
	}
	return strings.Split(p.term.Render(), "\n")
}

// view draws the pane in a w×h frame.
func (p *pane) view(w, h int, focused, selected, stamps bool, now time.Time, st styles) string {
	key := renderKey{w, h, focused, selected, stamps, now.Truncate(100 * time.Millisecond)}
	if key == p.cacheKey {
		return p.cache
	}
	title := st.title.Render(p.info.Name)
	if p.info.Board != p.info.Name {
		title += st.dim.Render(" · " + p.info.Board)
	}
	if selected {
		title = st.selected.Render("● ") + title
	}
	if p.info.LinkFaulty {
		title += st.warn.Render(" ⚡link")
	}
	edge := st.border
	if focused {
		edge = st.focus
	}
	rows := p.status(now, st)
	rows = append(rows, p.console(w-2, h-2-statusRows, stamps)...)
	p.cache, p.cacheKey = box(title, st.badge(p.state()), rows, w, h, edge), key
	return p.cache
}

// si shows a rate with a k or M suffix.
func si(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// roundTrip shows a round trip in ms, or "<1ms".
func roundTrip(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

// sparkline draws round trips as bars relative to the largest.
func sparkline(rtts []time.Duration) string {
	const bars = "▁▂▃▄▅▆▇█"
	var top time.Duration
	for _, r := range rtts {
		top = max(top, r)
	}
	var b strings.Builder
	for _, r := range rtts {
		i := 0
		if top > 0 {
			i = int(int64(r) * 7 / int64(top))
		}
		b.WriteString(string([]rune(bars)[i]))
	}
	return b.String()
}
