package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// The UI's messages, one type per kind of news, and the commands that do
// its I/O. Commands capture values, never the model.

// snapshotMsg is the lab's state, sampled.
type snapshotMsg struct {
	boards  []lab.BoardInfo
	devices []gateway.Device
	status  gateway.Status
	up      bool // the gateway runs (not restarting)
	api, ca string
	hot     bool // hot redeploys are on
}

// tickMsg asks for the next snapshot.
type tickMsg time.Time

// subscribedMsg: the view follows the lab's events; stop ends that.
type subscribedMsg struct {
	stop func()
	next tea.Cmd
}

// eventMsg is one lab event; next reads the one after.
type eventMsg struct {
	event gateway.Event
	next  tea.Cmd
}

// consoleMsg is console bytes for a board; next reads more.
type consoleMsg struct {
	board string
	data  []byte
	next  tea.Cmd
}

// consoleStartMsg is a console stream opened (or not).
type consoleStartMsg struct {
	board   string
	backlog []byte
	bytes   <-chan []byte
	stop    func()
	err     error
}

// consoleEndMsg: the board's console stream closed (powered off).
type consoleEndMsg struct{ board string }

// linesMsg is a board's kept console lines, for timestamps.
type linesMsg struct {
	board string
	lines []lab.Line
}

// doneMsg is an action's outcome, shown as a toast.
type doneMsg struct {
	text string
	err  error
}

// typedMsg: typed keys were written to a console.
type typedMsg struct{ err error }

// appsMsg is the deployable modules, for the picker.
type appsMsg struct {
	paths []string
	err   error
}

// redeployMsg is a hot redeploy's outcome; next waits for the following.
type redeployMsg struct {
	r    lab.Redeploy
	next tea.Cmd
}

// Notice is a message for the UI to show as a toast, e.g. a board that
// failed to boot.
func Notice(text string, err error) tea.Msg { return doneMsg{text: text, err: err} }

// snapshotEvery is how often the panes' health is sampled.
const snapshotEvery = 250 * time.Millisecond

func tick() tea.Cmd {
	return tea.Tick(snapshotEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func snapshot(l Lab, apps Apps) tea.Cmd {
	return func() tea.Msg {
		st, up := l.Status()
		return snapshotMsg{boards: l.Boards(), devices: l.Devices(), status: st, up: up, api: l.APIAddr(), ca: l.CAFingerprint(),
			hot: apps != nil && apps.Hot()}
	}
}

// follow reads the lab's events, one message per event.
func follow(events <-chan gateway.Event) tea.Cmd {
	return func() tea.Msg {
		e, ok := <-events
		if !ok {
			return nil
		}
		return eventMsg{event: e, next: follow(events)}
	}
}

// openConsole opens a board's console stream.
func openConsole(l Lab, board string) tea.Cmd {
	return func() tea.Msg {
		backlog, bytes, stop, err := l.ConsoleStream(board)
		return consoleStartMsg{board: board, backlog: backlog, bytes: bytes, stop: stop, err: err}
	}
}

// readConsole waits for console bytes, then takes whatever else is there
// already, so a chatty board costs one message per burst.
func readConsole(board string, bytes <-chan []byte) tea.Cmd {
	return func() tea.Msg {
		first, ok := <-bytes
		if !ok {
			return consoleEndMsg{board}
		}
		data := append([]byte(nil), first...)
		for len(data) < 64<<10 {
			select {
			case more, ok := <-bytes:
				if !ok {
					return consoleMsg{board: board, data: data, next: func() tea.Msg { return consoleEndMsg{board} }}
				}
				data = append(data, more...)
				continue
			default:
			}
			break
		}
		return consoleMsg{board: board, data: data, next: readConsole(board, bytes)}
	}
}

// fetchLines fetches a board's last n console lines: a pane shows no more.
func fetchLines(l Lab, board string, n int) tea.Cmd {
	return func() tea.Msg {
		lines, _ := l.ConsoleLines(board, n)
		return linesMsg{board: board, lines: lines}
	}
}

// do runs an action on the lab and reports it as a toast.
func do(text string, action func() error) tea.Cmd {
	return func() tea.Msg { return doneMsg{text: text, err: action()} }
}

func listApps(a Apps) tea.Cmd {
	return func() tea.Msg {
		paths, err := a.List()
		return appsMsg{paths: paths, err: err}
	}
}

// deploy deploys a module to devices and sums it up in one line.
func deploy(ctx context.Context, l Lab, path string, devices []string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		begin := time.Now()
		outcomes, err := l.DeployFile(ctx, path, devices)
		if err != nil {
			return doneMsg{err: err}
		}
		var failed []string
		for _, o := range outcomes {
			if o.Err != nil {
				failed = append(failed, fmt.Sprintf("%s: %v", o.Device, o.Err))
			}
		}
		text := fmt.Sprintf("%s → %s in %v", filepath.Base(path), plural(len(outcomes)-len(failed), "board"), time.Since(begin).Round(time.Millisecond))
		if len(failed) > 0 {
			return doneMsg{text: text, err: fmt.Errorf("%s", strings.Join(failed, "; "))}
		}
		return doneMsg{text: text}
	}
}

// waitRedeploy waits for the next hot redeploy.
func waitRedeploy(rs <-chan lab.Redeploy) tea.Cmd {
	return func() tea.Msg {
		r, ok := <-rs
		if !ok {
			return nil
		}
		return redeployMsg{r: r, next: waitRedeploy(rs)}
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
