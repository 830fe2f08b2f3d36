package ui

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// updating says whether -update was given (the flag is teatest's golden
// package's): golden screens are rewritten instead of compared.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// trappedLab is four boards, one of whose apps trapped.
func trappedLab() *fakeLab {
	f := fourBoards()
	f.devices[1].App = gateway.App{Want: "trap.wasm", WantSHA: "9c0ffee5a5c1e0f2d3b4a5c6d7e8f901", State: "Trapped",
		Detail: "integer divide by zero in func 1 at +0x12"}
	f.consoles["mps2-an505"] += "\r\napp trap.wasm: trapped: integer divide by zero (func 1, offset 0x12)\r\n> "
	return f
}

// TestScreens runs the fleet view as a program (teatest) in a monochrome
// terminal of each size, presses the screen's keys, and compares the
// final screen with its golden file in testdata/tui (go test ./ui -update
// rewrites them).
func TestScreens(t *testing.T) {
	screens := []struct {
		name string
		lab  func() *fakeLab
		keys []string
		mark string // on the screen once the keys took effect
	}{
		{"empty", newFakeLab, nil, "no boards yet"},
		{"four-boards", fourBoards, nil, "proto: enrolled"},
		{"zoomed", fourBoards, []string{"l", "enter"}, "proto: enrolled"},
		{"deploy-picker", fourBoards, []string{"d"}, "Deploy which app?"},
		{"help", fourBoards, []string{"?"}, "any key closes"},
		{"trapped", trappedLab, nil, "Trapped"},
	}
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		for _, sc := range screens {
			name := fmt.Sprintf("%s-%dx%d", sc.name, size[0], size[1])
			t.Run(name, func(t *testing.T) {
				m, _ := newTestModel(sc.lab())
				tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]),
					teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
				var out bytes.Buffer
				seen := func(s string) func([]byte) bool {
					return func(b []byte) bool { out.Write(b); return bytes.Contains(out.Bytes(), []byte(s)) }
				}
				teatest.WaitFor(t, tm.Output(), seen("connected"), teatest.WithDuration(5*time.Second))
				for _, k := range sc.keys {
					tm.Send(press(k))
				}
				teatest.WaitFor(t, tm.Output(), seen(sc.mark), teatest.WithDuration(5*time.Second))
				time.Sleep(300 * time.Millisecond) // the other consoles' bytes, on a busy machine too
				if err := tm.Quit(); err != nil {
					t.Fatal(err)
				}
				compareGolden(t, name, screen(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)))
			})
		}
	}
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "tui", name+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./ui -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("the %s screen differs from %s (go test ./ui -update rewrites it):\ngot:\n%s\nwant:\n%s", name, path, got, want)
	}
}

// TestProgramWithoutColour runs the fleet view as a bubbletea program
// (teatest) in a monochrome terminal: it draws the boards, opens the
// deploy picker from the keyboard, quits on q, and writes no colour.
func TestProgramWithoutColour(t *testing.T) {
	f := fourBoards()
	m, _ := newTestModel(f)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	var out bytes.Buffer
	seen := func(s string) func([]byte) bool {
		return func(b []byte) bool { out.Write(b); return bytes.Contains(out.Bytes(), []byte(s)) }
	}
	teatest.WaitFor(t, tm.Output(), seen("Running"), teatest.WithDuration(5*time.Second))
	tm.Send(press("d"))
	teatest.WaitFor(t, tm.Output(), seen("Deploy which app?"), teatest.WithDuration(5*time.Second))
	tm.Send(press("esc"))
	tm.Send(press("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	rest, _ := io.ReadAll(tm.FinalOutput(t))
	out.Write(rest)
	if colour := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7])[0-9;]*m`).Find(out.Bytes()); colour != nil {
		t.Errorf("a colour was written: %q", colour)
	}
	if fm := tm.FinalModel(t).(*Model); fm.mode != normal || len(fm.panes) != 4 {
		t.Errorf("final mode %v, %d panes", fm.mode, len(fm.panes))
	}
	if strings.Count(out.String(), "Connected") == 0 {
		t.Error("no board was drawn")
	}
}

// The fake's redeploys and clock are what lab gives the real view.
var _ Apps = (*lab.AppWatcher)(nil)
