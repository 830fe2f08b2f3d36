package emu

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
)

// Fake is an in-memory [Instance] for other packages' unit tests: no
// process, no QEMU. The test plays the firmware through ConsoleDevice and
// LinkDevice, which are the far ends of Console and Link, and ends it with
// SimulateExit. Its ports buffer like a Machine's (bounded, oldest bytes
// dropped), so writes never block.
type Fake struct {
	spec                      Spec
	consoleToHost, hostToCons *byteQueue
	linkToHost, hostToLink    *byteQueue
	fromDevice, toDevice      atomic.Uint64

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
	return &Fake{
		spec:          spec,
		consoleToHost: newByteQueue(linkBufferSize),
		hostToCons:    newByteQueue(linkBufferSize),
		linkToHost:    newByteQueue(linkBufferSize),
		hostToLink:    newByteQueue(linkBufferSize),
		done:          make(chan struct{}),
	}
}

// fakePort is one end of a fake serial line.
type fakePort struct {
	f       *Fake
	in, out *byteQueue
	count   *atomic.Uint64 // bytes written this way; nil for the console
}

func (p fakePort) Read(b []byte) (int, error) { return p.in.Read(b) }

func (p fakePort) Write(b []byte) (int, error) {
	if p.f.exited() {
		return 0, ErrExited
	}
	if p.count != nil {
		p.count.Add(uint64(len(b)))
	}
	p.out.push(b)
	return len(b), nil
}

// Spec is the spec the fake was made with.
func (f *Fake) Spec() Spec { return f.spec }

// Console is the host side of the console.
func (f *Fake) Console() io.ReadWriter {
	return fakePort{f: f, in: f.consoleToHost, out: f.hostToCons}
}

// ConsoleDevice is the firmware side of the console.
func (f *Fake) ConsoleDevice() io.ReadWriter {
	return fakePort{f: f, in: f.hostToCons, out: f.consoleToHost}
}

// Link is the host side of the link.
func (f *Fake) Link() io.ReadWriter {
	return fakePort{f: f, in: f.linkToHost, out: f.hostToLink, count: &f.toDevice}
}

// LinkDevice is the firmware side of the link.
func (f *Fake) LinkDevice() io.ReadWriter {
	return fakePort{f: f, in: f.hostToLink, out: f.linkToHost, count: &f.fromDevice}
}

// LinkStats counts the fake link's traffic.
func (f *Fake) LinkStats() LinkStats {
	return LinkStats{
		FromDevice: f.fromDevice.Load(),
		ToDevice:   f.toDevice.Load(),
		Dropped:    f.linkToHost.droppedBytes(),
		Connects:   1,
	}
}

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
