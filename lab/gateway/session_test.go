package gateway

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/proto"
)

// TestMissedHeartbeats: a device whose heartbeats stop becomes Unreachable
// after MissedLimit intervals and a half, by the gateway's own sweeper; its
// next heartbeat brings it back.
func TestMissedHeartbeats(t *testing.T) {
	const interval = 50 * time.Millisecond
	for _, limit := range []int{1, 3} {
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			gw := newGateway(t, Config{Heartbeat: interval, MissedLimit: limit})
			dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
			dev.enroll()
			events := subscribe(t, gw)
			start := time.Now() // before the gateway's last heartbeat
			dev.heartbeat(1)
			expectEvents(t, events, "Enrolled -> Connected")

			d := waitFor(t, gw, "board-1", inState(Unreachable))
			if min := time.Duration(limit)*interval + interval/2; time.Since(start) < min {
				t.Errorf("Unreachable after %v, before %v", time.Since(start), min)
			}
			if d.Missed < uint64(limit) || d.Heartbeats != 1 {
				t.Errorf("Unreachable: %+v, want Missed >= %d", d, limit)
			}
			got := expectEvents(t, events, "Connected -> Unreachable")
			if !strings.Contains(got[0].Detail, "missed") {
				t.Errorf("event detail %q", got[0].Detail)
			}

			dev.heartbeat(2)
			expectEvents(t, events, "Unreachable -> Connected")
			// (Not its state now: a slow test may see it missing more.)
			if d := mustDevice(t, gw, "board-1"); d.Heartbeats != 2 || d.Missed < uint64(limit) {
				t.Errorf("back: %+v, want the misses counted", d)
			}
		})
	}
}

// TestMissedHeartbeatsCount: with an injected clock the misses are exact:
// one for each interval past the first and a half.
func TestMissedHeartbeatsCount(t *testing.T) {
	const interval = 100 * time.Millisecond // the sweeper looks every 25 ms
	clock := newFakeClock()
	gw := newGateway(t, Config{Heartbeat: interval, MissedLimit: 3, Now: clock.Now})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.enroll()
	dev.heartbeat(1)
	at := time.Duration(0) // since the heartbeat
	for _, step := range []struct {
		at     time.Duration
		missed uint64
		state  State
	}{
		{149 * time.Millisecond, 0, Connected},
		{150 * time.Millisecond, 1, Connected},
		{249 * time.Millisecond, 1, Connected},
		{250 * time.Millisecond, 2, Connected},
		{350 * time.Millisecond, 3, Unreachable},
		{1050 * time.Millisecond, 10, Unreachable},
	} {
		clock.Add(step.at - at)
		at = step.at
		d := waitFor(t, gw, "board-1", func(d Device) bool { return d.Missed >= step.missed && d.State == step.state })
		if d.Missed != step.missed {
			t.Errorf("%v after the heartbeat: %d missed, want %d", step.at, d.Missed, step.missed)
		}
	}
	dev.heartbeat(2)
	if d := mustDevice(t, gw, "board-1"); d.State != Connected || d.Missed != 10 {
		t.Errorf("after a heartbeat: %s, %d missed", d.State, d.Missed)
	}
	clock.Add(150 * time.Millisecond)
	if d := waitFor(t, gw, "board-1", func(d Device) bool { return d.Missed > 10 }); d.Missed != 11 || d.State != Connected {
		t.Errorf("a new run of misses: %s, %d missed, want Connected, 11", d.State, d.Missed)
	}
}

// TestNewestSessionWins: a second session of the same device ends the
// first, and the first's end does not touch the device's state.
func TestNewestSessionWins(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pairing Pairing
		prepare func(old *fakeDevice)
		state   State // after the old session ended
	}{
		{"connected", PairingAuto, func(d *fakeDevice) { d.enroll(); d.heartbeat(1) }, Connected},
		{"enrolled", PairingAuto, func(d *fakeDevice) { d.enroll() }, Enrolled},
		{"waiting for approval", PairingManual, func(d *fakeDevice) { d.send(proto.EnrollmentRequest{}); d.barrier() }, Pending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := newGateway(t, Config{Pairing: tc.pairing})
			id := newIdentity(t, gw, "board-1")
			old := connect(t, gw, id, "board-a")
			tc.prepare(old)
			events := subscribe(t, gw)

			dev := connect(t, gw, id, "board-b")
			dev.barrier() // attached
			if _, err := old.expectEnd(); err == nil {
				t.Error("the old session's stream did not end")
			}
			expectNoEvent(t, events)
			d := mustDevice(t, gw, "board-1")
			if d.State != tc.state || d.Sessions != 2 || d.Board != "board-b" {
				t.Errorf("after the new session: %+v, want %s, 2 sessions, board-b", d, tc.state)
			}
			if st := gw.Status(); st.Sessions != 1 || st.Handshakes != 2 {
				t.Errorf("status: %+v", st)
			}

			if tc.pairing == PairingManual {
				if err := gw.Approve("board-1"); err != nil {
					t.Fatal(err)
				}
				dev.barrier() // the new session had asked nothing yet
				expectEvents(t, events, "approve")
			}
			dev.enroll()
			dev.heartbeat(7)
			if d := mustDevice(t, gw, "board-1"); d.State != Connected {
				t.Errorf("after the new session's heartbeat: %+v", d)
			}
			dev.hangUp()
			if d := mustDevice(t, gw, "board-1"); d.State != Disconnected {
				t.Errorf("after the new session's end: %+v", d)
			}
		})
	}
}

// TestSessionEnd: what a session's end does to its device's state, however
// it ends.
func TestSessionEnd(t *testing.T) {
	type setup struct {
		t     *testing.T
		gw    *Gateway
		clock *fakeClock
		dev   *fakeDevice
	}
	for _, tc := range []struct {
		name    string
		pairing Pairing
		prepare func(setup)
		want    []string // events from the end
		state   State
	}{
		{"connected", PairingAuto, func(s setup) { s.dev.enroll(); s.dev.heartbeat(1) },
			[]string{"Connected -> Disconnected"}, Disconnected},
		{"unreachable", PairingAuto, func(s setup) {
			s.dev.enroll()
			s.dev.heartbeat(1)
			s.clock.Add(time.Minute)
			waitFor(s.t, s.gw, "board-1", inState(Unreachable))
		}, []string{"Unreachable -> Disconnected"}, Disconnected},
		{"enrolled, no heartbeat yet", PairingAuto, func(s setup) { s.dev.enroll() }, nil, Enrolled},
		{"pending", PairingManual, func(s setup) { s.dev.barrier() }, nil, Pending},
		{"waiting for approval", PairingManual, func(s setup) {
			s.dev.send(proto.EnrollmentRequest{})
			s.dev.barrier()
		}, nil, Pending},
	} {
		for _, end := range []struct {
			name string
			do   func(*fakeDevice)
		}{
			{"device hangs up", (*fakeDevice).hangUp},
			{"serve's context ends", func(d *fakeDevice) { d.cancel(); d.expectEnd() }},
		} {
			t.Run(tc.name+", "+end.name, func(t *testing.T) {
				clock := newFakeClock()
				gw := newGateway(t, Config{Pairing: tc.pairing, Heartbeat: 40 * time.Millisecond, Now: clock.Now})
				dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
				tc.prepare(setup{t, gw, clock, dev})
				events := subscribe(t, gw)
				end.do(dev)
				got := expectEvents(t, events, tc.want...)
				for _, e := range got {
					if e.Detail != "session ended" || e.Name != "board-1" {
						t.Errorf("event %+v", e)
					}
				}
				expectNoEvent(t, events)
				d := mustDevice(t, gw, "board-1")
				if d.State != tc.state {
					t.Errorf("after the session: %s, want %s", d.State, tc.state)
				}
				if st := gw.Status(); st.Sessions != 0 {
					t.Errorf("status: %+v", st)
				}
			})
		}
	}
}

// TestSessionEndsDuringEnrollment: an enrollment the store cannot record is
// not made; the device hears Error 8, the session ends, and the device is
// Pending again, not enrolled.
func TestSessionEndsDuringEnrollment(t *testing.T) {
	st := newStore(t)
	gw := newGateway(t, Config{Store: st})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.barrier()
	events := subscribe(t, gw)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	dev.send(proto.EnrollmentRequest{})
	dev.expectError(proto.CodeInternal)
	dev.expectEnd()
	got := expectEvents(t, events, "Pending -> Enrolling", "Enrolling -> Pending")
	if got[1].Detail != "session ended" {
		t.Errorf("event %+v", got[1])
	}
	if d := mustDevice(t, gw, "board-1"); d.State != Pending || d.Enrolled {
		t.Errorf("after the failed enrollment: %+v", d)
	}
}
