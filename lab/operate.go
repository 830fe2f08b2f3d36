package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"wasmbed-lab/lab/gateway"
)

// What an operator does to the lab by device name: the TUI's actions, each
// with an error that names the device and the fix.

var errRestarting = errors.New("lab: the gateway is restarting; try again")

// Devices is the gateway's registry; nil while the gateway restarts.
func (l *Lab) Devices() []gateway.Device {
	if gw := l.Gateway(); gw != nil {
		return gw.Devices()
	}
	return nil
}

// Status is the gateway's; ok is false while it restarts.
func (l *Lab) Status() (st gateway.Status, ok bool) {
	if gw := l.Gateway(); gw != nil {
		return gw.Status(), true
	}
	return gateway.Status{}, false
}

// Running is a powered-on board by device name, or an error that says
// why there is none.
func (l *Lab) Running(name string) (*Board, error) {
	l.mu.Lock()
	b, on := l.boards[name]
	known := l.knownIndex(name) >= 0
	l.mu.Unlock()
	if on {
		return b, nil
	}
	if known {
		return nil, fmt.Errorf("lab: %s is powered off: power it on first", name)
	}
	return nil, fmt.Errorf("lab: no board named %q", name)
}

// ConsoleStream is the board's raw console (see Board.ConsoleStream).
func (l *Lab) ConsoleStream(name string) (backlog []byte, bytes <-chan []byte, cancel func(), err error) {
	err = l.onBoard(name, func(b *Board) error {
		backlog, bytes, cancel = b.ConsoleStream()
		return nil
	})
	return backlog, bytes, cancel, err
}

// ConsoleLines are the board's last n console lines (every kept line when
// n <= 0), with their times.
func (l *Lab) ConsoleLines(name string, n int) (lines []Line, err error) {
	err = l.onBoard(name, func(b *Board) error {
		if n > 0 {
			lines = b.Console().Tail(n)
		} else {
			lines = b.Console().Lines(0)
		}
		return nil
	})
	return lines, err
}

// WriteConsole types into the board's console.
func (l *Lab) WriteConsole(name string, p []byte) error {
	return l.onBoard(name, func(b *Board) error { return b.WriteConsole(p) })
}

// Reset presses the board's reset button.
func (l *Lab) Reset(ctx context.Context, name string) error {
	return l.onBoard(name, func(b *Board) error { return b.Reset(ctx) })
}

// Kill ends the board's process as a crash would; it comes back by itself.
func (l *Lab) Kill(name string) error { return l.onBoard(name, (*Board).Kill) }

// CutLink cuts the board's link for d; CorruptLink and DelayLink degrade
// it until ClearLinkFaults.
func (l *Lab) CutLink(name string, d time.Duration) error {
	return l.onBoard(name, func(b *Board) error { b.CutLink(d); return nil })
}

func (l *Lab) CorruptLink(name string, rate float64) error {
	return l.onBoard(name, func(b *Board) error { b.CorruptLink(rate); return nil })
}

func (l *Lab) DelayLink(name string, d time.Duration) error {
	return l.onBoard(name, func(b *Board) error { b.DelayLink(d); return nil })
}

func (l *Lab) ClearLinkFaults(name string) error {
	return l.onBoard(name, func(b *Board) error { b.ClearLinkFaults(); return nil })
}

// onBoard runs do on the powered-on board name.
func (l *Lab) onBoard(name string, do func(*Board) error) error {
	b, err := l.Running(name)
	if err != nil {
		return err
	}
	return do(b)
}

// Approve lets a pending device in; Reject refuses it.
func (l *Lab) Approve(name string) error {
	return l.onGateway(func(g *gateway.Gateway) error { return g.Approve(name) })
}
func (l *Lab) Reject(name string) error {
	return l.onGateway(func(g *gateway.Gateway) error { return g.Reject(name) })
}

// StopApp makes the device run no app.
func (l *Lab) StopApp(name string) error {
	return l.onGateway(func(g *gateway.Gateway) error { return g.Stop(name) })
}

func (l *Lab) onGateway(do func(*gateway.Gateway) error) error {
	gw := l.Gateway()
	if gw == nil {
		return errRestarting
	}
	return do(gw)
}

// DeployFile deploys the module at path to every named device at once.
func (l *Lab) DeployFile(ctx context.Context, path string, devices []string) ([]gateway.DeployOutcome, error) {
	module, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lab: deploy: %w", err)
	}
	gw := l.Gateway()
	if gw == nil {
		return nil, errRestarting
	}
	return gw.DeployMany(ctx, devices, filepath.Base(path), module, ""), nil
}

// SaveConsole writes the board's kept console lines, with their times, to
// a new file in dir and returns its path.
func (l *Lab) SaveConsole(name, dir string) (string, error) {
	lines, err := l.ConsoleLines(name, 0)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("lab: saving %s's console: %w", name, err)
	}
	var b strings.Builder
	for _, line := range lines {
		b.WriteString(line.Stamped("2006-01-02 15:04:05.000") + "\n")
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.log", name, time.Now().Format("20060102-150405")))
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return "", fmt.Errorf("lab: saving %s's console: %w", name, err)
	}
	return path, nil
}
