package emu

import (
	"context"
	"fmt"
	"time"
)

// RestartMode says when a supervised board is started again.
type RestartMode int

const (
	RestartNever   RestartMode = iota // report the exit and stop
	RestartOnCrash                    // start again after a crash (not after Stop or a clean exit)
)

// RestartPolicy is when and how fast a crashed board restarts.
type RestartPolicy struct {
	Mode RestartMode
	// MaxRestarts is how many restarts in a row are tried before giving
	// up; 0 means no limit.
	MaxRestarts int
	// InitialBackoff is the delay before the first restart, doubled for
	// each further one up to MaxBackoff. Zero values mean 250 ms and 8 s.
	InitialBackoff, MaxBackoff time.Duration
	// StableAfter is how long a board must run for its crash count to
	// start again from zero; zero means 30 s.
	StableAfter time.Duration
}

// DefaultRestartPolicy restarts crashed boards, at most 5 times in a row,
// 250 ms after the first crash, doubling to 8 s.
func DefaultRestartPolicy() RestartPolicy {
	return RestartPolicy{Mode: RestartOnCrash, MaxRestarts: 5}
}

// Backoff is the delay before restart number attempt (1 for the first).
func (p RestartPolicy) Backoff(attempt int) time.Duration {
	d, limit := p.InitialBackoff, p.MaxBackoff
	if d <= 0 {
		d = 250 * time.Millisecond
	}
	if limit <= 0 {
		limit = 8 * time.Second
	}
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

func (p RestartPolicy) stableAfter() time.Duration {
	if p.StableAfter <= 0 {
		return 30 * time.Second
	}
	return p.StableAfter
}

// Event is a lifecycle change of a supervised board: Started, StartFailed,
// Exited, Restarting or GaveUp.
type Event interface{ supervisorEvent() }

// Started: a new instance runs. Restarts counts the restarts in a row
// before it (0 for the first start).
type Started struct {
	Instance Instance
	Restarts int
}

// StartFailed: the instance could not start; it counts as a crash.
type StartFailed struct{ Err error }

// Exited: the instance ended.
type Exited struct{ Status ExitStatus }

// Restarting: a restart comes after Delay.
type Restarting struct {
	Attempt int
	Delay   time.Duration
}

// GaveUp: no more restarts. Reason says why.
type GaveUp struct {
	Restarts int
	Reason   string
}

func (Started) supervisorEvent()     {}
func (StartFailed) supervisorEvent() {}
func (Exited) supervisorEvent()      {}
func (Restarting) supervisorEvent()  {}
func (GaveUp) supervisorEvent()      {}

// Clock is the time source of a Supervisor; tests inject a fake one.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Supervisor keeps one board running according to its restart policy.
type Supervisor struct {
	Spec   Spec
	Policy RestartPolicy
	// Start starts an instance; nil means StartInstance.
	Start StartFunc
	// OnEvent is called from Run's goroutine for every lifecycle event; it
	// should return quickly. Nil means no events.
	OnEvent func(Event)
	// Clock is nil for real time.
	Clock Clock
}

// Run starts the board and supervises it until it exits without crashing
// (Stop was called, or a clean exit), the policy gives up, or ctx is done;
// then the running instance, if any, is stopped. It returns nil after a
// requested or clean exit, ctx.Err() when ctx ended, and an error naming
// the last crash when it gave up.
func (s *Supervisor) Run(ctx context.Context) error {
	start, clock, emit := s.Start, s.Clock, s.OnEvent
	if start == nil {
		start = StartInstance
	}
	if clock == nil {
		clock = realClock{}
	}
	if emit == nil {
		emit = func(Event) {}
	}
	restarts := 0
	for {
		var last string
		inst, err := start(ctx, s.Spec)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			emit(StartFailed{Err: err})
			last = err.Error()
		} else {
			emit(Started{Instance: inst, Restarts: restarts})
			startedAt := clock.Now()
			st, err := s.waitExit(ctx, inst)
			emit(Exited{Status: st})
			if err != nil {
				return err
			}
			if !st.Crashed {
				return nil
			}
			if clock.Now().Sub(startedAt) >= s.Policy.stableAfter() {
				restarts = 0
			}
			last = st.String()
		}

		reason := ""
		switch {
		case s.Policy.Mode != RestartOnCrash:
			reason = "restarts are off"
		case s.Policy.MaxRestarts > 0 && restarts >= s.Policy.MaxRestarts:
			reason = fmt.Sprintf("%d restarts in a row", restarts)
		}
		if reason != "" {
			emit(GaveUp{Restarts: restarts, Reason: reason})
			return fmt.Errorf("emu: %s: gave up (%s): %s", s.Spec.name(), reason, last)
		}
		restarts++
		delay := s.Policy.Backoff(restarts)
		emit(Restarting{Attempt: restarts, Delay: delay})
		select {
		case <-clock.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitExit waits for the instance to end; when ctx ends first, it stops
// the instance (with a fresh stop timeout) and returns ctx's error.
func (s *Supervisor) waitExit(ctx context.Context, inst Instance) (ExitStatus, error) {
	select {
	case <-inst.Done():
		return inst.Exit(), nil
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), defaultStopTimeout)
	defer cancel()
	_ = inst.Stop(stopCtx) // Stop kills when the polite exit times out; Done follows either way
	<-inst.Done()
	return inst.Exit(), ctx.Err()
}
