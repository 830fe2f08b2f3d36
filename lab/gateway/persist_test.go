package gateway

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/proto"
)

// TestRestart: a new gateway on the same store finds the same devices, in
// the state a restart leaves them, and the same PKI, so that a device
// certificate issued before still serves; it keeps the pairing mode it is
// given and the audit log has the first gateway's events.
func TestRestart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pairing  Pairing
		prepare  func(*fakeDevice)
		beats    uint64
		enrolled bool
		state    State // in the new gateway
	}{
		{"connected", PairingAuto, func(d *fakeDevice) {
			d.enroll()
			for seq := range uint64(3) {
				d.heartbeat(seq + 1)
			}
		}, 3, true, Disconnected},
		{"waiting for approval", PairingManual, func(d *fakeDevice) {
			d.send(proto.EnrollmentRequest{})
			d.barrier()
		}, 0, false, Pending},
		{"pending", PairingAuto, func(d *fakeDevice) { d.barrier() }, 0, false, Pending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore(t)
			gw := newGateway(t, Config{Store: st, Pairing: tc.pairing})
			id := newIdentity(t, gw, "board-1")
			devID := deviceID(t, id)
			dev := connect(t, gw, id, "mps2-an385")
			tc.prepare(dev)
			before := mustDevice(t, gw, devID)
			trust := gw.Trust()
			if err := gw.Close(); err != nil {
				t.Fatal(err)
			}
			dev.expectEnd()
			var stored Pairing
			if ok, err := st.Setting("pairing", &stored); err != nil || !ok || stored != tc.pairing {
				t.Errorf("stored pairing %v, %v, %v; want %v", stored, ok, err, tc.pairing)
			}

			gw2 := newGateway(t, Config{Store: st, Pairing: tc.pairing})
			d := mustDevice(t, gw2, "board-1")
			if d.ID != devID || d.Name != "board-1" || d.Board != "mps2-an385" || d.Enrolled != tc.enrolled ||
				d.Heartbeats != tc.beats || d.Sessions != 1 || d.State != tc.state || !d.FirstSeen.Equal(before.FirstSeen) {
				t.Errorf("after the restart: %+v\nbefore: %+v", d, before)
			}
			if len(gw2.Devices()) != 1 {
				t.Errorf("devices: %+v", gw2.Devices())
			}
			if st := gw2.Status(); st.Pairing != tc.pairing || st.Sessions != 0 || st.Handshakes != 0 || st.Devices[tc.state.String()] != 1 {
				t.Errorf("status: %+v", st)
			}
			t2 := gw2.Trust()
			for _, pair := range []struct {
				name      string
				old, new_ []byte
			}{
				{"gateway CA", trust.GatewayCA.DER, t2.GatewayCA.DER},
				{"device CA", trust.DeviceCA.DER, t2.DeviceCA.DER},
				{"server certificate", trust.Server.CertDER, t2.Server.CertDER},
				{"device CA key", trust.DeviceCA.Key, t2.DeviceCA.Key},
			} {
				if !bytes.Equal(pair.old, pair.new_) {
					t.Errorf("the %s changed across the restart", pair.name)
				}
			}

			// The old certificate still serves, and the device carries on.
			dev = connect(t, gw2, id, "mps2-an385")
			if tc.enrolled || tc.pairing == PairingAuto {
				dev.enroll()
				dev.heartbeat(tc.beats + 1)
				if d := mustDevice(t, gw2, devID); d.Heartbeats != tc.beats+1 || d.Sessions != 2 || d.State != Connected {
					t.Errorf("back after the restart: %+v", d)
				}
			} else {
				dev.send(proto.EnrollmentRequest{})
				dev.barrier() // still waiting for an operator
			}

			events, err := st.Events(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			var log []string
			for _, e := range events {
				if e.Device == devID {
					log = append(log, e.Kind+" "+e.Detail)
				}
			}
			if len(log) == 0 || log[0] != "state Pending -> Pending: new device" {
				t.Errorf("audit log of the device: %q", log)
			}
			if tc.beats > 0 && !slices.Contains(log, "state Enrolled -> Connected") {
				t.Errorf("audit log of the device: %q, want its connection", log)
			}
		})
	}
}

// TestDecisionsSurviveRestart: operator decisions are in the store when
// they return, so a gateway that stops without Close (a crash) keeps
// them.
func TestDecisionsSurviveRestart(t *testing.T) {
	for _, tc := range []struct {
		name     string
		decision func(*Gateway, string) error
		check    func(Device) bool
	}{
		{"approve", (*Gateway).Approve, func(d Device) bool { return d.Enrolled && !d.Rejected && d.State == Enrolled }},
		{"reject", (*Gateway).Reject, func(d Device) bool { return d.Rejected && !d.Enrolled && d.State == Pending }},
		{"revoke", (*Gateway).Revoke, func(d Device) bool { return d.Revoked && !d.Enrolled && d.State == Pending }},
	} {
		t.Run(tc.name, func(t *testing.T) { testDecisionSurvivesRestart(t, tc.decision, tc.check) })
	}
}

func testDecisionSurvivesRestart(t *testing.T, decision func(*Gateway, string) error, check func(Device) bool) {
	st := newStore(t)
	gw := newGateway(t, Config{Store: st, Pairing: PairingManual})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.barrier()
	dev.hangUp()
	if err := gw.flush(); err != nil { // the device as the background writer would have stored it
		t.Fatal(err)
	}
	if err := decision(gw, "board-1"); err != nil {
		t.Fatal(err)
	}
	// No Close: a second gateway reads what the first wrote so far.
	gw2 := newGateway(t, Config{Store: st, Pairing: PairingManual})
	if d := mustDevice(t, gw2, "board-1"); !check(d) {
		t.Errorf("after the decision and a crash: %+v", d)
	}
}

// TestClose: a closed gateway serves no session, ends its event streams and
// says it is not ready.
func TestClose(t *testing.T) {
	gw := newGateway(t, Config{})
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	dev.enroll()
	before := subscribe(t, gw)
	if !gw.Ready() {
		t.Error("a new gateway is not ready")
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	dev.expectEnd()
	if err := gw.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if gw.Ready() {
		t.Error("a closed gateway is ready")
	}
	timeout := time.After(waitLimit)
	for open := true; open; {
		select {
		case _, open = <-before:
		case <-timeout:
			t.Fatal("a subscription made before Close is still open")
		}
	}
	after, stop := gw.Subscribe()
	defer stop()
	select {
	case e, ok := <-after:
		if ok {
			t.Errorf("a subscription made after Close has event %+v", e)
		}
	default:
		t.Error("a subscription made after Close is open")
	}
	if _, err := dial(t, gw, id, "b"); err == nil {
		t.Error("a closed gateway made a session")
	}
	// The registry is still readable.
	if d := mustDevice(t, gw, "board-1"); !d.Enrolled {
		t.Errorf("after Close: %+v", d)
	}
}

// TestServeAfterClose: Serve refuses at once, and closes the connection.
func TestServeAfterClose(t *testing.T) {
	gw := newGateway(t, Config{})
	gw.Close()
	devEnd, gwEnd := net.Pipe()
	defer devEnd.Close()
	if err := gw.Serve(context.Background(), gwEnd, "b"); !errors.Is(err, ErrClosed) {
		t.Errorf("Serve: %v, want ErrClosed", err)
	}
	if _, err := devEnd.Read(make([]byte, 1)); err == nil {
		t.Error("the connection is still open")
	}
}

// TestWaitFor: WaitFor returns as soon as the condition holds, and gives up
// when its context ends.
func TestWaitFor(t *testing.T) {
	gw := newGateway(t, Config{})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.enroll()

	expired, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		ref     string
		cond    func(Device) bool
		wantErr []error // nil: no error
	}{
		{"holds already", cancelled, "board-1", inState(Enrolled), nil},
		{"never holds, deadline", expired, "board-1", inState(Connected), []error{context.DeadlineExceeded}},
		{"never holds, cancelled", cancelled, "board-1", inState(Connected), []error{context.Canceled}},
		{"unknown device", cancelled, "board-9", inState(Pending), []error{ErrUnknownDevice, context.Canceled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := gw.WaitFor(tc.ctx, tc.ref, tc.cond)
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("WaitFor: %v, want %v", err, want)
				}
			}
			if tc.wantErr == nil && (err != nil || d.State != Enrolled) {
				t.Errorf("WaitFor: %+v, %v", d, err)
			}
			if tc.wantErr != nil && tc.ref == "board-1" && !strings.Contains(err.Error(), "still Enrolled") {
				t.Errorf("WaitFor: %v, want the state it is still in", err)
			}
		})
	}

	// A change wakes a waiter.
	woke := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_, err := gw.WaitFor(ctx, "board-1", func(d Device) bool { return d.Heartbeats == 2 })
		woke <- err
	}()
	dev.heartbeat(1)
	dev.heartbeat(2) // no state change, but a change
	if err := <-woke; err != nil {
		t.Error(err)
	}
}

// TestEventsDropped: a subscriber that does not read loses events, counted,
// and does not slow the gateway.
func TestEventsDropped(t *testing.T) {
	gw := newGateway(t, Config{})
	subscribe(t, gw) // never read
	for range subscriberBuffer + 5 {
		gw.emit(Event{Kind: EventDeviceError, Detail: "x"})
	}
	if got := gw.Status().EventsDropped; got != 5 {
		t.Errorf("EventsDropped %d, want 5", got)
	}
}
