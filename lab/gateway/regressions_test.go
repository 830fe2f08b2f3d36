package gateway

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/proto"
)

// Regression tests: each shows a gateway bug found while the unit tests
// were written, now fixed.

// TestRegressionRevokeDuringHandshake: a Revoke between the handshake's certificate
// check (verify) and attach lets the revoked key in: its session is served,
// it enrolls (automatic pairing) and becomes Connected while Revoked.
func TestRegressionRevokeDuringHandshake(t *testing.T) {
	gw := newGateway(t, Config{})
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	dev.enroll()
	dev.hangUp()

	// The operator revokes the device just after crypto/tls checked its
	// certificate (on a UART link the rest of the handshake takes a while).
	verify := gw.tls.VerifyConnection
	revoked := make(chan error, 1)
	gw.tls.VerifyConnection = func(cs tls.ConnectionState) error {
		err := verify(cs)
		if err == nil {
			revoked <- gw.Revoke("board-1")
		}
		return err
	}
	refused := gw.Status().Refused
	dev, err := dial(t, gw, id, "b")
	if err := <-revoked; err != nil {
		t.Fatal(err)
	}
	if err == nil {
		dev.expectEnd()
	}
	if d := mustDevice(t, gw, "board-1"); d.Enrolled || d.State == Connected || d.Sessions != 1 {
		t.Errorf("a key revoked during its handshake was served: %+v", d)
	}
	if gw.Status().Refused != refused+1 {
		t.Errorf("refused %d, want %d", gw.Status().Refused, refused+1)
	}
}

// TestRegressionRevokeDuringEnrollment: accept writes a snapshot of the device
// taken before the store write and sets Enrolled after it, so a Revoke
// that lands while the enrollment is being written is undone in memory
// (Revoked and Enrolled, and the device hears EnrollmentAccepted), and,
// when accept's write lands second, in the store too.
func TestRegressionRevokeDuringEnrollment(t *testing.T) {
	st := newStore(t)
	gw := newGateway(t, Config{Store: st})
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	dev.barrier()

	release := holdStore(t, st)
	dev.send(proto.EnrollmentRequest{})
	waitFor(t, gw, "board-1", inState(Enrolling))
	revoked := make(chan error, 1)
	go func() { revoked <- gw.Revoke("board-1") }()
	time.Sleep(20 * time.Millisecond) // Revoke waits behind the enrollment being written
	release()
	if err := <-revoked; err != nil {
		t.Fatal(err)
	}
	dev.waitServed()
	if d := mustDevice(t, gw, "board-1"); d.Enrolled || !d.Revoked {
		t.Errorf("revoked during its enrollment: Enrolled %v, Revoked %v; want not enrolled", d.Enrolled, d.Revoked)
	}
	if rec, _, _ := st.Device(deviceID(t, id)); rec.Enrolled || !rec.Revoked {
		t.Errorf("stored: Enrolled %v, Revoked %v", rec.Enrolled, rec.Revoked)
	}
}

// TestRegressionApproveRequestWithMsgID0: session.awaiting uses msg_id 0 for "no
// request waiting", but 0 is a valid msg_id (docs/protocol.md §3): a
// waiting EnrollmentRequest sent with msg_id 0 is not answered by Approve.
func TestRegressionApproveRequestWithMsgID0(t *testing.T) {
	gw := newGateway(t, Config{Pairing: PairingManual})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.sendID(0, proto.EnrollmentRequest{})
	dev.barrier()
	if err := gw.Approve("board-1"); err != nil {
		t.Fatal(err)
	}
	dev.send(proto.Heartbeat{Seq: 1}) // answered after the enrollment, if any
	if env := dev.next(); !isMsg[proto.DeviceUUID](env) {
		t.Fatalf("after Approve the waiting session got %s, want DeviceUuid", proto.Dump(env))
	}
}

func isMsg[T proto.Message](env proto.Envelope) bool {
	_, ok := env.Msg.(T)
	return ok
}

// TestRegressionStateAfterDecisionInSession: Reject or Revoke of a device with no
// session leaves it Pending, but with a session it stays Enrolled (or goes
// Connected -> Disconnected when the session ends), though not enrolled
// any more; a rejected device's next session then shows Disconnected.
func TestRegressionStateAfterDecisionInSession(t *testing.T) {
	for _, tc := range []struct {
		name     string
		decision func(*Gateway, string) error
		beat     bool
	}{
		{"reject connected", (*Gateway).Reject, true},
		{"reject enrolled", (*Gateway).Reject, false},
		{"revoke connected", (*Gateway).Revoke, true},
		{"revoke enrolled", (*Gateway).Revoke, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := newGateway(t, Config{})
			dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
			dev.enroll()
			if tc.beat {
				dev.heartbeat(1)
			}
			if err := tc.decision(gw, "board-1"); err != nil {
				t.Fatal(err)
			}
			dev.waitServed()
			if d := mustDevice(t, gw, "board-1"); d.State != Pending {
				t.Errorf("%s: state %s (Enrolled %v), want Pending as without a session", tc.name, d.State, d.Enrolled)
			}
		})
	}
}

// TestRegressionStoredStateAfterEnrollment: accept writes the record while the
// device is still Enrolling (automatic pairing) or Pending (approved), then
// moves it to Enrolled and marks it clean: the store keeps the old state,
// and a gateway that restarts without Close finds the enrolled device
// Pending.
func TestRegressionStoredStateAfterEnrollment(t *testing.T) {
	for _, pairing := range []Pairing{PairingAuto, PairingManual} {
		t.Run(pairing.String(), func(t *testing.T) {
			st := newStore(t)
			gw := newGateway(t, Config{Store: st, Pairing: pairing})
			id := newIdentity(t, gw, "board-1")
			dev := connect(t, gw, id, "b")
			if pairing == PairingManual {
				dev.send(proto.EnrollmentRequest{})
				dev.barrier()
				if err := gw.Approve("board-1"); err != nil {
					t.Fatal(err)
				}
				dev.expectAccepted()
			} else {
				dev.enroll()
			}
			if err := gw.flush(); err != nil { // what the background writer does
				t.Fatal(err)
			}
			if rec, _, _ := st.Device(deviceID(t, id)); rec.State != "Enrolled" {
				t.Errorf("stored state %q, want Enrolled (in memory: %s)", rec.State, mustDevice(t, gw, "board-1").State)
			}
			gw2 := newGateway(t, Config{Store: st, Pairing: pairing})
			if d := mustDevice(t, gw2, "board-1"); d.State == Pending && d.Enrolled {
				t.Errorf("after a crash: Pending and enrolled")
			}
		})
	}
}

// TestRegressionCloseLosesSessionEnds: Close does not wait for the sessions it
// ends, so their last state changes ("Connected -> Disconnected: session
// ended") usually come after its final flush: they never reach the audit
// log or the registry, and Serve may still run (and touch the store) after
// Close returned. A race: each round loses the event most of the time.
func TestRegressionCloseLosesSessionEnds(t *testing.T) {
	st := newStore(t)
	lost := 0
	const rounds = 5
	for round := range rounds {
		gw := newGateway(t, Config{Store: st})
		dev := connect(t, gw, newIdentity(t, gw, fmt.Sprintf("board-%d", round)), "b")
		dev.enroll()
		dev.heartbeat(1)
		var last uint64 // the audit log's last event before Close
		if before, _ := st.Events(0, 0); len(before) > 0 {
			last = before[len(before)-1].Seq
		}
		if err := gw.Close(); err != nil {
			t.Fatal(err)
		}
		dev.waitServed()
		events, err := st.Events(last, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range events {
			found = found || e.Detail == "Connected -> Disconnected: session ended"
		}
		if !found {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("the audit log lacks the session's end after %d of %d Closes", lost, rounds)
	}
}

// TestRegressionFailedDecisionTakesEffect: decide changes the device in memory
// before writing it, and does not undo the change when the write fails:
// Approve returns an error, yet the device is enrolled.
func TestRegressionFailedDecisionTakesEffect(t *testing.T) {
	st := newStore(t)
	gw := newGateway(t, Config{Store: st, Pairing: PairingManual})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.barrier()
	st.Close()
	if err := gw.Approve("board-1"); err == nil {
		t.Fatal("Approve succeeded without a store")
	}
	if d := mustDevice(t, gw, "board-1"); d.Enrolled {
		t.Errorf("an Approve that failed enrolled the device: %+v", d)
	}
}

// TestRegressionNotEnrolledCode: docs/protocol.md §4: in Pending "any message other
// than EnrollmentRequest, PublicKey or DeviceInfo gets Error 3"; the gateway
// answers application messages from a Pending device with 7.
func TestRegressionNotEnrolledCode(t *testing.T) {
	gw := newGateway(t, Config{Pairing: PairingManual})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	for _, m := range []proto.Message{
		proto.ApplicationStatus{}, proto.ApplicationDeployAck{}, proto.ApplicationStopAck{},
	} {
		dev.send(m)
		if e, _ := recv[proto.GatewayError](dev); e.Code != proto.CodeNotEnrolled {
			t.Errorf("%T from a Pending device: error %s, want not_enrolled", m, e.Code)
		}
	}
}

// TestRegressionErrorMsgID: docs/protocol.md §3: an Error answering a message
// that cannot be decoded carries "the msg_id of the offending message when
// it could read one"; the gateway always sends 0, because proto's decoder
// drops the msg_id with the error.
func TestRegressionErrorMsgID(t *testing.T) {
	gw := newGateway(t, Config{})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.enroll()
	for _, tc := range []struct {
		name  string
		input []byte
	}{
		{"unknown tag", frame(0x83, 0x00, 0x09, 0x81, 0x08)},
		{"missing field", frame(0x83, 0x00, 0x09, 0x81, 0x00)},
	} {
		dev.write(tc.input)
		if _, id := recv[proto.GatewayError](dev); id != 9 {
			t.Errorf("%s: error with msg_id %d, want 9", tc.name, id)
		}
	}
}

// TestRegressionRefusalAlert: a revoked key is refused with the alert
// crypto/tls sends for any VerifyConnection error, bad_certificate, as
// verify's comment says.
func TestRegressionRefusalAlert(t *testing.T) {
	gw := newGateway(t, Config{})
	id := newIdentity(t, gw, "board-1")
	connect(t, gw, id, "b").barrier()
	if err := gw.Revoke("board-1"); err != nil {
		t.Fatal(err)
	}
	dev, err := dial(t, gw, id, "b")
	if err == nil {
		err, _ = dev.expectEnd()
	}
	if err == nil || !strings.Contains(err.Error(), "bad certificate") {
		t.Errorf("refused with %v, want bad_certificate", err)
	}
}
