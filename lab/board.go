package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

// BoardOptions says how to start a board.
type BoardOptions struct {
	Board    boards.Board
	Firmware string // image to run; see EnsureFirmware
	Dir      string // private working directory; a temporary one when empty
	// ConsoleTee, when set, also receives the raw console bytes (e.g. a
	// terminal for `wasmbed-lab boot`).
	ConsoleTee io.Writer
	// Start starts the emulator; emu.StartInstance when nil.
	Start emu.StartFunc
	// Provision is the board's provisioning blob (see pki.Provision).
	Provision []byte
	// EmulatorArgs are extra QEMU arguments (e.g. -icount for measurements).
	EmulatorArgs []string
	// OnSession, when set, runs for each link session (each hello from the
	// device), with the session's byte stream; it owns the conn.
	OnSession func(net.Conn)
	// SessionReady, when set, says whether a hello may be answered now;
	// while it is false, hellos go unanswered and the device repeats them
	// (a gateway restarting).
	SessionReady func() bool
}

// Board is one running board: its emulator instance, its console
// transcript and the lab's end of its link.
type Board struct {
	Spec    boards.Board
	inst    emu.Instance
	console *Transcript
	link    *linkPeer
	started time.Time
	wg      sync.WaitGroup
}

// StartBoard boots a board and starts reading its console and link.
func StartBoard(ctx context.Context, opts BoardOptions) (*Board, error) {
	start := opts.Start
	if start == nil {
		start = emu.StartInstance
	}
	b := &Board{Spec: opts.Board, console: newTranscript(time.Now), started: time.Now()}
	inst, err := start(ctx, emu.Spec{Board: opts.Board, Firmware: opts.Firmware, Dir: opts.Dir, Provision: opts.Provision, ExtraArgs: opts.EmulatorArgs})
	if err != nil {
		return nil, fmt.Errorf("lab: start %s: %w", opts.Board.Name, err)
	}
	b.inst = inst
	b.link = newLinkPeer(inst.Link(), opts.Board.Name, opts.OnSession, opts.SessionReady)

	var console io.Writer = b.console
	if opts.ConsoleTee != nil {
		console = io.MultiWriter(b.console, opts.ConsoleTee)
	}
	b.wg.Add(2)
	go func() {
		defer b.wg.Done()
		io.Copy(console, inst.Console()) // ends when the board exits
		b.console.close()
	}()
	go func() {
		defer b.wg.Done()
		b.link.run()
	}()
	return b, nil
}

// Console is the board's console transcript.
func (b *Board) Console() *Transcript { return b.console }

// WriteConsole types into the board's console.
func (b *Board) WriteConsole(p []byte) error {
	_, err := b.inst.Console().Write(p)
	return err
}

// Link reports the state of the board's link.
func (b *Board) Link() LinkState { return b.link.State() }

// WaitLinkUp waits for the device's hello to be acknowledged.
func (b *Board) WaitLinkUp(ctx context.Context) error {
	if err := b.link.waitUp(ctx); err != nil {
		return fmt.Errorf("lab: %s: %w", b.Spec.Name, err)
	}
	return nil
}

// WaitLink waits until the link state satisfies cond, e.g. a new hello
// after a reset.
func (b *Board) WaitLink(ctx context.Context, cond func(LinkState) bool) error {
	if err := b.link.waitUntil(ctx, cond); err != nil {
		return b.explain("link", err)
	}
	return nil
}

// Ping measures a round trip over the link, through the firmware.
func (b *Board) Ping(ctx context.Context) (time.Duration, error) {
	rtt, err := b.link.Ping(ctx)
	if err != nil {
		return 0, fmt.Errorf("lab: %s: %w", b.Spec.Name, err)
	}
	return rtt, nil
}

// WaitBanner waits for a boot banner in console lines numbered from or
// later, and checks it names this board.
func (b *Board) WaitBanner(ctx context.Context, from int) (Banner, Line, error) {
	line, err := b.console.WaitFor(ctx, from, IsBanner)
	if err != nil {
		return Banner{}, Line{}, b.explain("no boot banner", err)
	}
	banner, err := ParseBanner(line.Text)
	if err != nil {
		return Banner{}, line, err
	}
	if banner.Board != b.Spec.Name {
		return banner, line, fmt.Errorf("lab: %s: banner names board %q: wrong firmware image?", b.Spec.Name, banner.Board)
	}
	return banner, line, nil
}

// explain wraps a failed wait with what the board did: how it exited, if it
// did, and its last console lines.
func (b *Board) explain(what string, err error) error {
	var detail strings.Builder
	select {
	case <-b.inst.Done():
		st := b.inst.Exit()
		detail.WriteString("; the board " + st.String())
		if tail := strings.TrimSpace(st.StderrTail); tail != "" {
			detail.WriteString(": " + lastLines(tail, 3))
		}
	default:
	}
	if tail := b.console.Tail(5); len(tail) > 0 {
		detail.WriteString("\nlast console lines:")
		for _, l := range tail {
			detail.WriteString("\n  " + l.Text)
		}
	}
	return fmt.Errorf("lab: %s: %s: %w%s", b.Spec.Name, what, err, detail.String())
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// Reset resets the board as its reset button would.
func (b *Board) Reset(ctx context.Context) error { return b.inst.Reset(ctx) }

// Kill ends the board abruptly; it is then reported as crashed.
func (b *Board) Kill() error { return b.inst.Kill() }

// Done is closed once the board has exited.
func (b *Board) Done() <-chan struct{} { return b.inst.Done() }

// Exit says how the board ended; meaningful once Done is closed.
func (b *Board) Exit() emu.ExitStatus { return b.inst.Exit() }

// PID is the board's host process.
func (b *Board) PID() int { return b.inst.PID() }

// Stop shuts the board down and waits for its readers to finish.
func (b *Board) Stop(ctx context.Context) error {
	err := b.inst.Stop(ctx)
	b.wg.Wait()
	b.link.endSession() // the reader has returned: nothing else touches the session
	return err
}

// SetLinkFaults injects faults on the board's link (see emu.LinkFaults);
// the zero value clears them.
func (b *Board) SetLinkFaults(f emu.LinkFaultSet) { b.inst.SetLinkFaults(f) }
