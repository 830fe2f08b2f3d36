package emu

import (
	"context"
	"encoding/json"
	"io"
	"sync"
)

// Fake is an in-memory [Instance] for other packages' unit tests: no
// process, no QEMU. The test plays the firmware through ConsoleDevice and
// LinkDevice, which are the far ends of Console and Link, and ends it with
// SimulateExit. Its ports buffer like a Machine's (bounded, oldest bytes
// dropped), so writes never block; its link counts frames and takes
// faults like a Machine's.
type Fake struct {
	spec                      Spec
	consoleToHost, hostToCons *byteQueue
	linkToHost, hostToLink    *byteQueue
	line                      *linkLine

	mu      sync.Mutex
	resets  int
	paused  bool
	onReset func()
	exit    ExitStatus
	done    chan struct{}
}

var _ Instance = (*Fake)(nil)

// NewFake returns a running fake board for spec.
func NewFake(spec Spec) *Fake {
	f := &Fake{
		spec:          spec,
		consoleToHost: newByteQueue(linkBufferSize),
		hostToCons:    newByteQueue(linkBufferSize),
		linkToHost:    newByteQueue(linkBufferSize),
		hostToLink:    newByteQueue(linkBufferSize),
		done:          make(chan struct{}),
	}
	toBoard := func(p []byte) int {
		f.hostToLink.push(p)
		return len(p)
	}
	f.line = newLinkLine(toBoard, f.linkToHost.push)
	return f
}

// fakePort is one end of a fake serial line.
type fakePort struct {
	f    *Fake
	in   *byteQueue
	send func([]byte) // passes written bytes on; never keeps them
}

func (p fakePort) Read(b []byte) (int, error) { return p.in.Read(b) }

func (p fakePort) Write(b []byte) (int, error) {
	if p.f.exited() {
		return 0, ErrExited
	}
	p.send(b)
	return len(b), nil
}

// Spec is the spec the fake was made with.
func (f *Fake) Spec() Spec { return f.spec }

// Console is the host side of the console.
func (f *Fake) Console() io.ReadWriter {
	return fakePort{f: f, in: f.consoleToHost, send: f.hostToCons.push}
}

// ConsoleDevice is the firmware side of the console.
func (f *Fake) ConsoleDevice() io.ReadWriter {
	return fakePort{f: f, in: f.hostToCons, send: f.consoleToHost.push}
}

// Link is the host side of the link.
func (f *Fake) Link() io.ReadWriter {
	return fakePort{f: f, in: f.linkToHost, send: f.line.toBoard}
}

// LinkDevice is the firmware side of the link.
func (f *Fake) LinkDevice() io.ReadWriter {
	fromBoard := func(p []byte) { f.line.fromBoard(p, false) }
	return fakePort{f: f, in: f.hostToLink, send: fromBoard}
}

// LinkStats counts the fake link's traffic and injected faults.
func (f *Fake) LinkStats() LinkStats {
	st := f.line.stats()
	st.Dropped += f.linkToHost.droppedBytes()
	st.Connects = 1
	return st
}

// SetLinkFaults replaces the faults injected on the link, from the next
// bytes on.
func (f *Fake) SetLinkFaults(s LinkFaultSet) { f.line.setFaults(s) }

// OnReset sets a function called (outside any lock) on every Reset, e.g.
// to write a boot banner on ConsoleDevice.
func (f *Fake) OnReset(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onReset = fn
}

// Reset counts a reset and calls the OnReset function.
func (f *Fake) Reset(context.Context) error {
	f.mu.Lock()
	if f.exited() {
		f.mu.Unlock()
		return ErrExited
	}
	f.resets++
	fn := f.onReset
	f.mu.Unlock()
	if fn != nil {
		fn()
	}
	return nil
}

// Resets is how many times Reset was called.
func (f *Fake) Resets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resets
}

// Pause marks the fake paused.
// QMP fails: a Fake has no QEMU.
func (f *Fake) QMP(context.Context, string, any) (json.RawMessage, error) { return nil, errNoQMP }

func (f *Fake) Pause(context.Context) error { return f.setPaused(true) }

// Resume marks the fake running.
func (f *Fake) Resume(context.Context) error { return f.setPaused(false) }

func (f *Fake) setPaused(paused bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exited() {
		return ErrExited
	}
	f.paused = paused
	return nil
}

// Paused reports whether the fake is paused.
func (f *Fake) Paused() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused
}

// Stop ends the fake as a requested exit.
func (f *Fake) Stop(context.Context) error {
	f.terminate(ExitStatus{Requested: true})
	return nil
}

// Kill ends the fake as a crash by SIGKILL.
func (f *Fake) Kill() error {
	f.terminate(ExitStatus{Code: -1, Signal: "SIGKILL", Crashed: true})
	return nil
}

// SimulateExit ends the fake as if the board process had exited by itself
// with code, or with signal when not empty. Like a Machine, it is a crash
// unless the exit is clean (code 0, no signal).
func (f *Fake) SimulateExit(code int, signal string) {
	if signal != "" {
		code = -1
	}
	f.terminate(ExitStatus{Code: code, Signal: signal, Crashed: signal != "" || code != 0})
}

// terminate records the first exit only, as a process exits once.
func (f *Fake) terminate(st ExitStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.exited() {
		return
	}
	f.exit = st
	f.line.stop() // what delays hold is delivered before the ports close
	for _, q := range []*byteQueue{f.consoleToHost, f.hostToCons, f.linkToHost, f.hostToLink} {
		q.close()
	}
	close(f.done)
}

// Done is closed once the fake has exited.
func (f *Fake) Done() <-chan struct{} { return f.done }

// Exit is how the fake ended; the zero value while it runs.
func (f *Fake) Exit() ExitStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.exit
}

// PID is 0: a fake has no process.
func (f *Fake) PID() int { return 0 }

func (f *Fake) exited() bool {
	select {
	case <-f.done:
		return true
	default:
		return false
	}
}
