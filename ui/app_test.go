package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// newTestModel is the fleet view of f with fake apps and a fixed clock.
func newTestModel(f *fakeLab) (*Model, *fakeApps) {
	apps := &fakeApps{hot: true, out: make(chan lab.Redeploy)}
	return New(f, Options{Name: "test lab", Apps: apps, LogDir: "/logs", Now: func() time.Time { return testNow }}), apps
}

// settle feeds msgs to the model, then the messages its commands answer
// with, until nothing more comes quickly. Commands that wait (for a tick,
// an event, console bytes) are left waiting.
func settle(t *testing.T, m *Model, msgs ...tea.Msg) {
	t.Helper()
	queue := append([]tea.Msg(nil), msgs...)
	for n := 0; len(queue) > 0; n++ {
		if n > 500 {
			t.Fatal("the model does not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				queue = append(queue, runQuickly(c)...)
			}
			continue
		}
		if _, ok := msg.(tickMsg); ok {
			continue // the clock is the test's
		}
		_, cmd := m.Update(msg)
		queue = append(queue, runQuickly(cmd)...)
	}
}

// runQuickly runs a command and returns its message if it answers within
// 20 ms; a command that waits longer is dropped.
func runQuickly(c tea.Cmd) []tea.Msg {
	if c == nil {
		return nil
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- c() }()
	select {
	case msg := <-got:
		if msg == nil {
			return nil
		}
		return []tea.Msg{msg}
	case <-time.After(20 * time.Millisecond):
		return nil
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func keys(s ...string) []tea.Msg {
	out := make([]tea.Msg, len(s))
	for i, k := range s {
		out[i] = press(k)
	}
	return out
}

// opened is a model showing f's four boards at 120×40.
func opened(t *testing.T, f *fakeLab) (*Model, *fakeApps) {
	m, apps := newTestModel(f)
	settle(t, m, tea.WindowSizeMsg{Width: 120, Height: 40}, snapshot(f, apps)())
	return m, apps
}

func screen(m *Model) string { return ansi.Strip(m.View().Content) }

func TestSnapshotMakesPanes(t *testing.T) {
	m, _ := opened(t, fourBoards())
	if len(m.panes) != 4 || m.focus != "mps2-an385" {
		t.Fatalf("%d panes, focus %q", len(m.panes), m.focus)
	}
	s := screen(m)
	for _, want := range []string{"4/4 connected", "api 127.0.0.1:7878", "CA A3:EC", "app blink.wasm 641b64e3 Running · 12.3k fuel/s",
		"TLS 1.3 40ms CHACHA20_POLY1305_SHA256", "rtt 2ms", "proto: enrolled heartbeat_ms=1000"} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
}

func TestFocusMovesThroughTheGrid(t *testing.T) {
	m, _ := opened(t, fourBoards()) // 2×2
	for _, step := range []struct{ key, want string }{
		{"right", "mps2-an505"}, {"down", "native"}, {"h", "olimex-stm32-h405"}, {"k", "mps2-an385"}, {"k", "mps2-an385"},
	} {
		settle(t, m, press(step.key))
		if m.focus != step.want {
			t.Fatalf("after %s: focus %q, want %q", step.key, m.focus, step.want)
		}
	}
}

func TestZoomAndBack(t *testing.T) {
	m, _ := opened(t, fourBoards())
	settle(t, m, press("l"), press("enter"))
	if !m.zoomed || !strings.Contains(screen(m), "mps2-an505") || strings.Contains(screen(m), "mps2-an385") {
		t.Fatalf("zoomed %v:\n%s", m.zoomed, screen(m))
	}
	settle(t, m, press("esc"))
	if m.zoomed {
		t.Error("esc did not leave the zoom")
	}
}

func TestTypingGoesToTheFocusedConsoleInOrder(t *testing.T) {
	f := fourBoards()
	m, _ := opened(t, f)
	settle(t, m, keys("i", "v", "e", "r", "q", "enter")...)
	settle(t, m, press("esc"), press("q")) // q quits only outside typing
	f.mu.Lock()
	defer f.mu.Unlock()
	if got := f.written["mps2-an385"]; got != "verq\r" {
		t.Errorf("written %q", got)
	}
	if m.mode != normal {
		t.Errorf("mode %v after esc", m.mode)
	}
}

func TestDeployPickerAndTargets(t *testing.T) {
	f := fourBoards()
	m, _ := opened(t, f)
	settle(t, m, press("d"))
	if m.mode != picking || !strings.Contains(screen(m), "Deploy which app?") {
		t.Fatalf("mode %v:\n%s", m.mode, screen(m))
	}
	settle(t, m, press("down"), press("enter")) // hello.wasm
	if m.mode != targeting || !strings.Contains(screen(m), "all boards (4)") {
		t.Fatalf("mode %v:\n%s", m.mode, screen(m))
	}
	settle(t, m, press("down"), press("down"), press("enter")) // this board, every kind, all
	f.mu.Lock()
	got := f.deployed["apps/hello.wasm"]
	f.mu.Unlock()
	if len(got) != 4 {
		t.Fatalf("deployed to %v", got)
	}
	if !strings.Contains(screen(m), "hello.wasm → 4 boards in") {
		t.Errorf("no toast:\n%s", screen(m))
	}
}

func TestSelectedBoardsAreATarget(t *testing.T) {
	f := fourBoards()
	m, _ := opened(t, f)
	settle(t, m, press("space"), press("right"), press("right"), press("space"), press("d"))
	settle(t, m, press("enter"))
	if !slices.Contains(m.menu.items, "the selected boards (2)") {
		t.Fatalf("targets %v", m.menu.items)
	}
}

func TestBoardKeys(t *testing.T) {
	f := fourBoards()
	m, _ := opened(t, f)
	settle(t, m, keys("r", "s", "p", "a", "x")...)
	settle(t, m, tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl})
	settle(t, m, press("f"), press("down"), press("enter")) // cut the link
	want := []string{"reset mps2-an385", "stop mps2-an385", "power off mps2-an385", "approve mps2-an385",
		"reject mps2-an385", "save mps2-an385 /logs", "cut mps2-an385 5s"}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(f.calls, want) {
		t.Errorf("calls %q, want %q", f.calls, want)
	}
}

func TestFilter(t *testing.T) {
	m, _ := opened(t, fourBoards())
	settle(t, m, keys("/", "a", "n", "5", "0", "5", "enter")...)
	if vis := m.visible(); len(vis) != 1 || m.focus != "mps2-an505" {
		t.Fatalf("%d visible, focus %q", len(vis), m.focus)
	}
	settle(t, m, press("/"), press("esc"))
	if len(m.visible()) != 4 {
		t.Errorf("esc kept the filter")
	}
}

func TestRedeployToast(t *testing.T) {
	m, _ := opened(t, fourBoards())
	settle(t, m, redeployMsg{r: lab.Redeploy{App: "blink.wasm", Devices: []string{"a", "b", "c", "d"}, Took: 180 * time.Millisecond}})
	if !strings.Contains(screen(m), "blink.wasm changed → 4 boards in 180ms") {
		t.Errorf("no toast:\n%s", screen(m))
	}
	settle(t, m, redeployMsg{r: lab.Redeploy{App: "blink.wasm", Err: errors.New("blink.wasm: imports wasmbed.nope")}})
	if !strings.Contains(screen(m), "blink.wasm changed: blink.wasm: imports wasmbed.nope") {
		t.Errorf("no error toast:\n%s", screen(m))
	}
}

func TestEventsShowInTheFooter(t *testing.T) {
	m, _ := opened(t, fourBoards())
	settle(t, m, eventMsg{event: gateway.Event{Time: testNow, Kind: gateway.EventState, Name: "native", From: gateway.Enrolled, To: gateway.Connected}})
	if !strings.Contains(screen(m), "native             Enrolled -> Connected") {
		t.Errorf("no event:\n%s", screen(m))
	}
}

func TestSmallTerminalShowsAList(t *testing.T) {
	f := fourBoards()
	for _, b := range []string{"mps2-an386", "mps2-an500", "stm32vldiscovery"} {
		f.boards = append(f.boards, lab.BoardInfo{Name: b, Board: b, On: true})
	}
	m, apps := newTestModel(f)
	settle(t, m, tea.WindowSizeMsg{Width: 80, Height: 24}, snapshot(f, apps)())
	s := screen(m)
	if !strings.Contains(s, "▸ mps2-an385 Connected") || !strings.Contains(s, "stm32vldiscovery Booting") {
		t.Errorf("no list:\n%s", s)
	}
	settle(t, m, tea.WindowSizeMsg{Width: 200, Height: 60})
	if strings.Contains(screen(m), "▸ mps2-an385") {
		t.Errorf("a large terminal still shows the list:\n%s", screen(m))
	}
}

func TestClickFocuses(t *testing.T) {
	m, _ := opened(t, fourBoards())
	settle(t, m, tea.MouseClickMsg{X: 70, Y: 25, Button: tea.MouseLeft})
	if m.focus != "native" {
		t.Errorf("focus %q", m.focus)
	}
}

func TestQuit(t *testing.T) {
	m, _ := opened(t, fourBoards())
	stopped := false
	m.opts.Stopped = func() { stopped = true }
	_, cmd := m.Update(press("q"))
	if _, ok := cmd().(tea.QuitMsg); !ok || !stopped {
		t.Errorf("q: %T, stopped %v", cmd(), stopped)
	}
}

func TestHotToggle(t *testing.T) {
	m, apps := opened(t, fourBoards())
	settle(t, m, press("w"))
	if apps.Hot() || !strings.Contains(screen(m), "hot redeploy off") {
		t.Errorf("hot %v:\n%s", apps.hot, screen(m))
	}
}
