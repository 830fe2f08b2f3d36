package emu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		policy  RestartPolicy
		attempt int
		want    time.Duration
	}{
		{RestartPolicy{}, 1, 250 * time.Millisecond},
		{RestartPolicy{}, 2, 500 * time.Millisecond},
		{RestartPolicy{}, 3, time.Second},
		{RestartPolicy{}, 6, 8 * time.Second},
		{RestartPolicy{}, 7, 8 * time.Second},
		{RestartPolicy{}, 1000, 8 * time.Second},
		{RestartPolicy{InitialBackoff: time.Second, MaxBackoff: 3 * time.Second}, 2, 2 * time.Second},
		{RestartPolicy{InitialBackoff: time.Second, MaxBackoff: 3 * time.Second}, 3, 3 * time.Second},
		{RestartPolicy{InitialBackoff: 10 * time.Second, MaxBackoff: time.Second}, 1, time.Second},
	}
	for _, tt := range tests {
		if got := tt.policy.Backoff(tt.attempt); got != tt.want {
			t.Errorf("%+v.Backoff(%d) = %v, want %v", tt.policy, tt.attempt, got, tt.want)
		}
	}
}

// fakeClock fires every After at once and advances Now by the delay, so
// the supervisor's schedule is checked without sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// supervised runs a Supervisor over fakes in the background; each started
// fake is handed to the test through fakes.
type supervised struct {
	fakes  chan *Fake
	events chan Event
	result chan error
}

func superviseFakes(ctx context.Context, policy RestartPolicy, clock Clock, failStarts int) *supervised {
	s := &supervised{fakes: make(chan *Fake, 16), events: make(chan Event, 64), result: make(chan error, 1)}
	starts := 0
	sup := &Supervisor{
		Spec:   Spec{Board: an385},
		Policy: policy,
		Clock:  clock,
		Start: func(ctx context.Context, spec Spec) (Instance, error) {
			if starts++; starts <= failStarts {
				return nil, fmt.Errorf("emu: start %d failed", starts)
			}
			f := NewFake(spec)
			s.fakes <- f
			return f, nil
		},
		OnEvent: func(e Event) { s.events <- e },
	}
	go func() { s.result <- sup.Run(ctx) }()
	return s
}

// describe turns events into a comparable line.
func describe(e Event) string {
	switch e := e.(type) {
	case Started:
		return fmt.Sprintf("started(%d)", e.Restarts)
	case StartFailed:
		return "start-failed"
	case Exited:
		return "exited(" + e.Status.String() + ")"
	case Restarting:
		return fmt.Sprintf("restarting(%d,%v)", e.Attempt, e.Delay)
	case GaveUp:
		return fmt.Sprintf("gave-up(%d)", e.Restarts)
	}
	return fmt.Sprintf("unknown %T", e)
}

func (s *supervised) expect(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case e := <-s.events:
			if got := describe(e); got != w {
				t.Fatalf("event %q, want %q", got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no event, want %q", w)
		}
	}
}

func (s *supervised) next(t *testing.T) *Fake {
	t.Helper()
	select {
	case f := <-s.fakes:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no instance started")
		return nil
	}
}

func TestSupervisorRestartsCrashesThenGivesUp(t *testing.T) {
	s := superviseFakes(context.Background(), RestartPolicy{Mode: RestartOnCrash, MaxRestarts: 3}, &fakeClock{}, 0)
	s.next(t).Kill()
	s.expect(t, "started(0)", "exited(crashed (signal SIGKILL))", "restarting(1,250ms)")
	s.next(t).SimulateExit(3, "")
	s.expect(t, "started(1)", "exited(crashed (exit code 3))", "restarting(2,500ms)")
	s.next(t).SimulateExit(0, "SIGSEGV")
	s.expect(t, "started(2)", "exited(crashed (signal SIGSEGV))", "restarting(3,1s)")
	s.next(t).Kill()
	s.expect(t, "started(3)", "exited(crashed (signal SIGKILL))", "gave-up(3)")
	if err := <-s.result; err == nil || !strings.Contains(err.Error(), "gave up") {
		t.Fatalf("Run = %v, want a gave-up error", err)
	}
}

func TestSupervisorForgetsCrashesAfterAStableRun(t *testing.T) {
	clock := &fakeClock{}
	s := superviseFakes(context.Background(), RestartPolicy{Mode: RestartOnCrash, MaxRestarts: 1, StableAfter: time.Minute}, clock, 0)
	s.next(t).Kill()
	s.expect(t, "started(0)", "exited(crashed (signal SIGKILL))", "restarting(1,250ms)")
	f := s.next(t)
	s.expect(t, "started(1)")
	clock.advance(time.Minute)
	f.Kill()
	s.expect(t, "exited(crashed (signal SIGKILL))", "restarting(1,250ms)")
	// Restart 1 again, not 2: the count started over after the stable run.
	s.next(t).Stop(context.Background())
	s.expect(t, "started(1)", "exited(stopped (exit code 0))")
	if err := <-s.result; err != nil {
		t.Fatalf("Run after a requested stop = %v, want nil", err)
	}
}

func TestSupervisorNeverRestartsWhenOff(t *testing.T) {
	s := superviseFakes(context.Background(), RestartPolicy{Mode: RestartNever}, &fakeClock{}, 0)
	s.next(t).Kill()
	s.expect(t, "started(0)", "exited(crashed (signal SIGKILL))", "gave-up(0)")
	if err := <-s.result; err == nil {
		t.Fatal("Run after a crash with restarts off should report it")
	}
}

func TestSupervisorCleanExitEndsRun(t *testing.T) {
	s := superviseFakes(context.Background(), DefaultRestartPolicy(), &fakeClock{}, 0)
	s.next(t).SimulateExit(0, "")
	s.expect(t, "started(0)", "exited(exited (exit code 0))")
	if err := <-s.result; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestSupervisorRetriesFailedStarts(t *testing.T) {
	s := superviseFakes(context.Background(), DefaultRestartPolicy(), &fakeClock{}, 2)
	s.expect(t, "start-failed", "restarting(1,250ms)", "start-failed", "restarting(2,500ms)", "started(2)")
	s.next(t).Stop(context.Background())
	s.expect(t, "exited(stopped (exit code 0))")
	<-s.result
}

func TestSupervisorStopsTheInstanceWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := superviseFakes(ctx, DefaultRestartPolicy(), &fakeClock{}, 0)
	f := s.next(t)
	s.expect(t, "started(0)")
	cancel()
	s.expect(t, "exited(stopped (exit code 0))")
	if err := <-s.result; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if !f.Exit().Requested {
		t.Fatal("the instance was not stopped")
	}
}
