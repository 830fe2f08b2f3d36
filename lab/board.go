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
	// Restart says whether a crashed board is started again; the zero
	// value never does.
	Restart emu.RestartPolicy
	// OnEvent, when set, follows the board's lifecycle (see emu.Event).
	OnEvent func(emu.Event)
}

// Board is one board of the lab: its emulator instance, restarted after a
// crash when its policy says so, its console transcript and the lab's end
// of its link, both of which outlive a restart.
type Board struct {
	Spec    boards.Board
	console *Transcript
	feed    consoleFeed // the console's raw bytes, for terminal panes
	link    *linkPeer
	started time.Time
	tee     io.Writer
	onEvent func(emu.Event)

	mu      sync.Mutex
	inst    emu.Instance // the running one, or the last
	faults  emu.LinkFaultSet
	last    emu.ExitStatus
	readers sync.WaitGroup // the instance's console and link readers
	stopSup context.CancelFunc
	done    chan struct{} // closed when no instance runs or will run
}

// StartBoard boots a board, starts reading its console and link, and
// supervises it by opts.Restart.
func StartBoard(ctx context.Context, opts BoardOptions) (*Board, error) {
	start := opts.Start
	if start == nil {
		start = emu.StartInstance
	}
	spec := emu.Spec{Board: opts.Board, Firmware: opts.Firmware, Dir: opts.Dir, Provision: opts.Provision, ExtraArgs: opts.EmulatorArgs}
	inst, err := start(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("lab: start %s: %w", opts.Board.Name, err)
	}
	b := &Board{Spec: opts.Board, console: newTranscript(time.Now), started: time.Now(),
		tee: opts.ConsoleTee, onEvent: opts.OnEvent, done: make(chan struct{})}
	b.link = newLinkPeer(inst.Link(), opts.Board.Name, opts.OnSession, opts.SessionReady)
	b.attach(inst)

	first := inst
	sup := emu.Supervisor{Spec: spec, Policy: opts.Restart, OnEvent: b.supervised,
		Start: func(ctx context.Context, spec emu.Spec) (emu.Instance, error) {
			if i := first; i != nil { // started above, so a failure is the caller's
				first = nil
				return i, nil
			}
			return start(ctx, spec)
		}}
	supCtx, stop := context.WithCancel(context.Background())
	b.stopSup = stop
	go func() {
		sup.Run(supCtx) // how it ended is in the events and the console
		b.readers.Wait()
		b.console.close()
		b.feed.close()
		close(b.done)
	}()
	return b, nil
}

// attach makes inst the board's instance and reads its console and link.
func (b *Board) attach(inst emu.Instance) {
	b.mu.Lock()
	b.inst = inst
	inst.SetLinkFaults(b.faults) // they outlive a restart
	b.mu.Unlock()
	b.link.replace(inst.Link())
	console := io.MultiWriter(b.console, &b.feed)
	if b.tee != nil {
		console = io.MultiWriter(b.console, &b.feed, b.tee)
	}
	b.readers.Add(2)
	go func() {
		defer b.readers.Done()
		io.Copy(console, inst.Console()) // ends when the instance exits
	}()
	go func() {
		defer b.readers.Done()
		b.link.run()
	}()
}

// supervised follows the supervisor: it attaches each new instance and
// notes crashes and restarts on the console, where a user looks.
func (b *Board) supervised(e emu.Event) {
	switch e := e.(type) {
	case emu.Started:
		if b.instance() != e.Instance {
			b.attach(e.Instance)
		}
	case emu.Exited:
		b.readers.Wait() // the console is drained, and the link's reader gone
		b.mu.Lock()
		b.last = e.Status
		b.mu.Unlock()
	}
	if text := lifecycleText(e); text != "" {
		text = "[wasmbed-lab] " + b.Spec.Name + " " + text
		b.console.note(text)
		b.feed.note(text)
	}
	if b.onEvent != nil {
		b.onEvent(e)
	}
}

// lifecycleText says what a board's lifecycle event means to a user; a
// first start, a requested stop or a policy of no restarts says nothing.
func lifecycleText(e emu.Event) string {
	switch e := e.(type) {
	case emu.Started:
		if e.Restarts > 0 {
			return fmt.Sprintf("started again (restart %d)", e.Restarts)
		}
	case emu.Exited:
		if e.Status.Crashed {
			return e.Status.String()
		}
	case emu.StartFailed:
		return "did not start again: " + e.Err.Error()
	case emu.Restarting:
		return fmt.Sprintf("restarting in %v", e.Delay)
	case emu.GaveUp:
		if e.Restarts > 0 {
			return "not restarted again: " + e.Reason
		}
	}
	return ""
}

// instance is the running instance, or the last one.
func (b *Board) instance() emu.Instance {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inst
}

// Console is the board's console transcript.
func (b *Board) Console() *Transcript { return b.console }

// ConsoleStream returns the console's latest raw bytes (up to 64 KiB) and
// a channel of the bytes that follow, across restarts; the channel closes
// when the board is gone or cancel is called. A reader that falls behind
// loses chunks.
func (b *Board) ConsoleStream() (backlog []byte, bytes <-chan []byte, cancel func()) {
	return b.feed.subscribe()
}

// WriteConsole types into the board's console.
func (b *Board) WriteConsole(p []byte) error {
	_, err := b.instance().Console().Write(p)
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
		return b.Explain("link", err)
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
		return Banner{}, Line{}, b.Explain("no boot banner", err)
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

// Explain wraps a failed wait with what the board did: how it exited, if it
// did, and its last console lines.
func (b *Board) Explain(what string, err error) error {
	var detail strings.Builder
	select {
	case <-b.done:
		st := b.Exit()
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
func (b *Board) Reset(ctx context.Context) error { return b.instance().Reset(ctx) }

// Kill ends the board's process abruptly, as a crash would; the board is
// restarted if its policy says so.
func (b *Board) Kill() error { return b.instance().Kill() }

// Done is closed once the board has exited for good: stopped, or crashed
// and not restarted.
func (b *Board) Done() <-chan struct{} { return b.done }

// Exit says how the board last ended; meaningful once Done is closed.
func (b *Board) Exit() emu.ExitStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

// PID is the board's host process.
func (b *Board) PID() int { return b.instance().PID() }

// Stop shuts the board down, with no restart, and waits for its readers
// to finish.
func (b *Board) Stop(ctx context.Context) error {
	err := b.instance().Stop(ctx)
	b.stopSup() // no restart, and an instance started meanwhile is stopped
	<-b.done
	b.link.endSession() // the reader has returned: nothing else touches the session
	return err
}

// CutLink cuts the board's link both ways for d, then mends it; a zero d
// cuts it until ClearLinkFaults.
func (b *Board) CutLink(d time.Duration) {
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: emu.LinkFaults{Cut: true}, FromDevice: emu.LinkFaults{Cut: true}})
	if d > 0 {
		time.AfterFunc(d, b.ClearLinkFaults)
	}
}

// CorruptLink flips a bit in this share of the link's bytes, both ways.
func (b *Board) CorruptLink(rate float64) {
	f := emu.LinkFaults{CorruptRate: rate}
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: f, FromDevice: f})
}

// DelayLink delays the link's bytes by d, both ways.
func (b *Board) DelayLink(d time.Duration) {
	f := emu.LinkFaults{Delay: d}
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: f, FromDevice: f})
}

// ClearLinkFaults mends the link.
func (b *Board) ClearLinkFaults() { b.SetLinkFaults(emu.LinkFaultSet{}) }

// LinkFaulty says whether faults are injected on the board's link.
func (b *Board) LinkFaulty() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.faults != (emu.LinkFaultSet{})
}

// SetLinkFaults injects faults on the board's link (see emu.LinkFaults),
// kept across restarts; the zero value clears them.
func (b *Board) SetLinkFaults(f emu.LinkFaultSet) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = f
	b.inst.SetLinkFaults(f)
}
