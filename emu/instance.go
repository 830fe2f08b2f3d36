package emu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Instance is a running board as the rest of the lab sees it. [Machine]
// (QEMU or native) and [Fake] implement it.
type Instance interface {
	// Console is the board's serial0. Reads return io.EOF once the board
	// has exited and its output is drained.
	Console() io.ReadWriter
	// Link is the board's serial1, stable across the board's reconnects.
	// Reads return io.EOF once the board has exited and the bytes are
	// drained.
	Link() io.ReadWriter
	LinkStats() LinkStats
	// SetLinkFaults replaces the faults injected on the link (drops,
	// corruption, delay, a cut; see [LinkFaults]) from the next bytes on.
	// The zero LinkFaultSet, the default, injects none.
	SetLinkFaults(LinkFaultSet)

	Reset(ctx context.Context) error
	// QMP runs a QMP command on a QEMU board (the native board and the
	// Fake have none: an error says so).
	QMP(ctx context.Context, execute string, args any) (json.RawMessage, error)
	Pause(ctx context.Context) error
	Resume(ctx context.Context) error
	// Stop asks the board to exit, waits until ctx is done (3 s when ctx
	// has no deadline), then kills it. It returns once the process is gone
	// and is safe to call more than once.
	Stop(ctx context.Context) error
	// Kill ends the board at once, as a power cut or a crash would: the
	// exit is reported as crashed.
	Kill() error

	// Done is closed once the board has exited and its resources are
	// released; Exit is meaningful from then on.
	Done() <-chan struct{}
	Exit() ExitStatus
	PID() int
}

// StartFunc starts an instance; [StartInstance] is the real one, tests
// pass one that returns a [Fake].
type StartFunc func(ctx context.Context, spec Spec) (Instance, error)

// StartInstance is [Start] as a [StartFunc].
func StartInstance(ctx context.Context, spec Spec) (Instance, error) {
	m, err := Start(ctx, spec)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ErrExited is returned by writes and controls on a board that has exited.
var ErrExited = errors.New("emu: board has exited")

// ExitStatus is how a board process ended.
type ExitStatus struct {
	Code      int    // exit code; -1 when ended by a signal
	Signal    string // e.g. "SIGKILL"; empty for a normal exit
	Requested bool   // Stop asked for the exit
	// Crashed is set when the board ended without Stop being called and not
	// with a clean exit (code 0): a signal, a QEMU abort, a non-zero code.
	Crashed    bool
	StderrTail string // last few KiB of the child's stderr
}

func (s ExitStatus) String() string {
	how := fmt.Sprintf("exit code %d", s.Code)
	if s.Signal != "" {
		how = "signal " + s.Signal
	}
	switch {
	case s.Requested:
		return "stopped (" + how + ")"
	case s.Crashed:
		return "crashed (" + how + ")"
	default:
		return "exited (" + how + ")"
	}
}
