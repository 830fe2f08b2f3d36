package lab

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
	"wasmbed-lab/lab/link"
)

// fakeStarts starts emu.Fakes and keeps them, so a test can play each
// instance's firmware.
type fakeStarts struct {
	mu    sync.Mutex
	fakes []*emu.Fake
	made  chan *emu.Fake
}

func (s *fakeStarts) start(_ context.Context, spec emu.Spec) (emu.Instance, error) {
	f := emu.NewFake(spec)
	s.mu.Lock()
	s.fakes = append(s.fakes, f)
	s.mu.Unlock()
	s.made <- f
	return f, nil
}

func startFakeBoard(t *testing.T, policy emu.RestartPolicy) (*Board, *fakeStarts, chan emu.Event) {
	t.Helper()
	bd, err := boards.Lookup("mps2-an385")
	if err != nil {
		t.Fatal(err)
	}
	starts := &fakeStarts{made: make(chan *emu.Fake, 8)}
	events := make(chan emu.Event, 32)
	b, err := StartBoard(context.Background(), BoardOptions{Board: bd, Start: starts.start, Restart: policy,
		OnEvent: func(e emu.Event) { events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })
	return b, starts, events
}

func nextFake(t *testing.T, s *fakeStarts) *emu.Fake {
	t.Helper()
	select {
	case f := <-s.made:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no instance started")
		return nil
	}
}

func waitLine(t *testing.T, b *Board, from int, text string) Line {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := b.Console().WaitFor(ctx, from, func(s string) bool { return strings.Contains(s, text) })
	if err != nil {
		t.Fatalf("no console line with %q: %v; console: %v", text, err, b.Console().Lines(0))
	}
	return l
}

func TestCrashedBoardRestarts(t *testing.T) {
	b, starts, _ := startFakeBoard(t, emu.RestartPolicy{Mode: emu.RestartOnCrash, InitialBackoff: 10 * time.Millisecond})
	first := nextFake(t, starts)
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: emu.LinkFaults{Cut: true}})
	first.ConsoleDevice().Write([]byte("booted\npartial"))
	waitLine(t, b, 0, "booted")
	b.Kill()

	second := nextFake(t, starts)
	crash := waitLine(t, b, 0, "crashed (signal SIGKILL)")
	if lines := b.Console().Lines(0); lines[crash.N-1].Text != "partial" {
		t.Errorf("the partial line before the crash note: got %q", lines[crash.N-1].Text)
	}
	waitLine(t, b, crash.N, "mps2-an385 restarting in 10ms")
	again := waitLine(t, b, crash.N, "started again (restart 1)")
	second.ConsoleDevice().Write([]byte("booted again\n"))
	waitLine(t, b, again.N, "booted again")

	// The link follows the new instance: its hello is read and answered,
	// and the faults set before the crash still hold.
	hello, _ := link.AppendFrame([]byte{0}, link.TypeReset, []byte{link.Version})
	second.LinkDevice().Write(hello)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.WaitLink(ctx, func(s LinkState) bool { return s.Hellos == 1 }); err != nil {
		t.Fatal(err)
	}
	if st := second.LinkStats(); st.CutBytes == 0 {
		t.Errorf("the link cut set before the crash let the hello's answer through: %+v", st)
	}
	select {
	case <-b.Done():
		t.Fatal("Done closed while the restarted board runs")
	default:
	}
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-b.Done()
	if st := b.Exit(); !st.Requested {
		t.Errorf("exit after Stop: %v", st)
	}
	select {
	case f := <-starts.made:
		t.Fatalf("started again after Stop: %v", f)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestBoardWithoutRestartsStaysDown(t *testing.T) {
	b, starts, events := startFakeBoard(t, emu.RestartPolicy{})
	nextFake(t, starts).Kill()
	select {
	case <-b.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done not closed after a crash with no restarts")
	}
	if st := b.Exit(); !st.Crashed {
		t.Errorf("exit: %v", st)
	}
	waitLine(t, b, 0, "crashed (signal SIGKILL)")
	for len(events) > 0 {
		if e, ok := (<-events).(emu.Restarting); ok {
			t.Errorf("restarting with restarts off: %+v", e)
		}
	}
}

func TestBoardStoppedDuringBackoffStaysDown(t *testing.T) {
	b, starts, _ := startFakeBoard(t, emu.RestartPolicy{Mode: emu.RestartOnCrash, InitialBackoff: time.Hour})
	nextFake(t, starts).Kill()
	waitLine(t, b, 0, "restarting")
	done := make(chan error)
	go func() { done <- b.Stop(context.Background()) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop waited for the restart's backoff")
	}
	<-b.Done()
}
