package gateway

import (
	"errors"
	"strings"
	"testing"

	"wasmbed-lab/lab/proto"
)

// TestManualPairing: an unknown device's request waits, unanswered and
// Pending, for an operator; Approve answers the waiting session at once,
// Reject answers EnrollmentRejected and ends the session, and every later
// request is rejected until an Approve.
func TestManualPairing(t *testing.T) {
	// ref picks how the operator names the device.
	for _, ref := range []struct {
		name string
		of   func(Device) string
	}{
		{"by name", func(d Device) string { return d.Name }},
		{"by id", func(d Device) string { return d.ID }},
	} {
		t.Run("approve "+ref.name, func(t *testing.T) {
			gw := newGateway(t, Config{Pairing: PairingManual})
			events := subscribe(t, gw)
			dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
			dev.send(proto.EnrollmentRequest{})
			dev.barrier() // handled, and not answered
			d := mustDevice(t, gw, "board-1")
			if d.State != Pending || d.Enrolled {
				t.Fatalf("waiting for approval: %+v", d)
			}
			expectEvents(t, events, "Pending -> Pending")
			expectNoEvent(t, events)

			if err := gw.Approve(ref.of(d)); err != nil {
				t.Fatal(err)
			}
			dev.expectAccepted()
			expectEvents(t, events, "approve", "Pending -> Enrolled")
			if d := mustDevice(t, gw, d.ID); d.State != Enrolled || !d.Enrolled || d.Rejected {
				t.Errorf("approved: %+v", d)
			}
			dev.heartbeat(1)
			expectEvents(t, events, "Enrolled -> Connected")
		})

		t.Run("reject "+ref.name, func(t *testing.T) {
			gw := newGateway(t, Config{Pairing: PairingManual})
			id := newIdentity(t, gw, "board-1")
			dev := connect(t, gw, id, "b")
			dev.send(proto.EnrollmentRequest{})
			dev.barrier()
			d := mustDevice(t, gw, "board-1")
			if err := gw.Reject(ref.of(d)); err != nil {
				t.Fatal(err)
			}
			if r, _ := recv[proto.EnrollmentRejected](dev); r.Reason == "" {
				t.Error("EnrollmentRejected without a reason")
			}
			dev.expectEnd()
			if d := mustDevice(t, gw, d.ID); d.State != Pending || d.Enrolled || !d.Rejected {
				t.Errorf("rejected: %+v", d)
			}

			// Every later request is rejected too, in any pairing mode...
			for _, p := range []Pairing{PairingManual, PairingAuto} {
				if err := gw.SetPairing(p); err != nil {
					t.Fatal(err)
				}
				dev = connect(t, gw, id, "b")
				dev.send(proto.EnrollmentRequest{})
				recv[proto.EnrollmentRejected](dev)
				dev.send(proto.Heartbeat{Seq: 1})
				dev.expectError(proto.CodeNotEnrolled)
				dev.hangUp()
			}

			// ...until an operator approves it: no session waits, so its
			// next request is accepted.
			if err := gw.Approve(d.ID); err != nil {
				t.Fatal(err)
			}
			if d := mustDevice(t, gw, d.ID); d.State != Enrolled || !d.Enrolled || d.Rejected {
				t.Errorf("approved without a session: %+v", d)
			}
			dev = connect(t, gw, id, "b")
			dev.enroll()
			dev.heartbeat(1)
		})
	}
}

// TestEnrolledDeviceNeedsNoApproval: in manual pairing an enrolled device's
// request is answered at once.
func TestEnrolledDeviceNeedsNoApproval(t *testing.T) {
	gw := newGateway(t, Config{})
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	dev.enroll()
	dev.hangUp()
	if err := gw.SetPairing(PairingManual); err != nil {
		t.Fatal(err)
	}
	dev = connect(t, gw, id, "b")
	dev.enroll()
	dev.heartbeat(1)
}

// TestApproveBeforeRequest: a device approved while connected but before
// its request is enrolled when the request comes.
func TestApproveBeforeRequest(t *testing.T) {
	gw := newGateway(t, Config{Pairing: PairingManual})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.barrier()
	if err := gw.Approve("board-1"); err != nil {
		t.Fatal(err)
	}
	dev.barrier() // Approve did not answer a request never sent
	dev.enroll()
	dev.heartbeat(1)
}

// TestRevoke: the session ends, the key is refused at every handshake
// after, and the device cannot be approved again.
func TestRevoke(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pairing Pairing
		prepare func(*fakeDevice)
	}{
		{"connected", PairingAuto, func(d *fakeDevice) { d.enroll(); d.heartbeat(1) }},
		{"enrolled", PairingAuto, func(d *fakeDevice) { d.enroll() }},
		{"waiting for approval", PairingManual, func(d *fakeDevice) { d.send(proto.EnrollmentRequest{}); d.barrier() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := newGateway(t, Config{Pairing: tc.pairing})
			id := newIdentity(t, gw, "board-1")
			dev := connect(t, gw, id, "b")
			tc.prepare(dev)
			events := subscribe(t, gw)
			if err := gw.Revoke("board-1"); err != nil {
				t.Fatal(err)
			}
			dev.expectEnd()
			expectEvents(t, events, "revoke")
			d := mustDevice(t, gw, "board-1")
			if !d.Revoked || d.Enrolled {
				t.Errorf("revoked: %+v", d)
			}
			if st := gw.Status(); st.Sessions != 0 || st.Refused != 0 {
				t.Errorf("status after revoke: %+v", st)
			}
			drain(events)

			// A new handshake with the same key fails: the device hears an
			// alert and the gateway counts a refusal.
			again, err := dial(t, gw, id, "b")
			if err == nil {
				err, _ = again.expectEnd()
			}
			if err == nil || !strings.Contains(err.Error(), "remote error: tls: ") {
				t.Errorf("handshake of a revoked key: %v, want a TLS alert", err)
			}
			got := expectEvents(t, events, "refused")
			if got[0].Name != "b" || !strings.Contains(got[0].Detail, "revoked") {
				t.Errorf("refused event %+v", got[0])
			}
			if st := gw.Status(); st.Refused != 1 || st.Handshakes != 1 || st.Sessions != 0 {
				t.Errorf("status after a refused handshake: %+v", st)
			}

			if err := gw.Approve("board-1"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "revoked") {
				t.Errorf("Approve of a revoked device: %v, want ErrRefused", err)
			}
			if d := mustDevice(t, gw, "board-1"); !d.Revoked || d.Enrolled {
				t.Errorf("after the refused Approve: %+v", d)
			}
			// Another key of the same lab is still welcome.
			connect(t, gw, newIdentity(t, gw, "board-2"), "b").barrier()
		})
	}
}

func drain(ch <-chan Event) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// TestUnknownDevice: every operation on a device ref that names nothing
// fails with ErrUnknownDevice.
func TestUnknownDevice(t *testing.T) {
	gw := newGateway(t, Config{})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.enroll()
	for _, tc := range []struct {
		name string
		op   func(string) error
	}{
		{"Device", func(ref string) error { _, err := gw.Device(ref); return err }},
		{"Approve", gw.Approve},
		{"Reject", gw.Reject},
		{"Revoke", gw.Revoke},
	} {
		for _, ref := range []string{"board-9", "", "00000000-0000-8000-8000-000000000000", "BOARD-1"} {
			if err := tc.op(ref); !errors.Is(err, ErrUnknownDevice) {
				t.Errorf("%s(%q): %v, want ErrUnknownDevice", tc.name, ref, err)
			}
		}
	}
	dev.heartbeat(1) // nothing happened to the device that exists
}

// TestAmbiguousName: two keys with the same common name are two devices;
// their name does not pick one, their IDs do.
func TestAmbiguousName(t *testing.T) {
	gw := newGateway(t, Config{Pairing: PairingManual})
	ids := []string{}
	for range 2 {
		id := newIdentity(t, gw, "twin")
		dev := connect(t, gw, id, "b")
		dev.barrier()
		ids = append(ids, deviceID(t, id))
	}
	if ids[0] == ids[1] {
		t.Fatal("two keys, one ID")
	}
	for _, tc := range []struct {
		name string
		op   func(string) error
	}{
		{"Device", func(ref string) error { _, err := gw.Device(ref); return err }},
		{"Approve", gw.Approve},
		{"Reject", gw.Reject},
		{"Revoke", gw.Revoke},
	} {
		if err := tc.op("twin"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "ambiguous") {
			t.Errorf("%s(twin): %v, want ErrRefused for an ambiguous name", tc.name, err)
		}
	}
	for _, id := range ids {
		if d := mustDevice(t, gw, id); d.ID != id || d.Name != "twin" || d.Enrolled || d.Revoked || d.Rejected {
			t.Errorf("Device(%s): %+v", id, d)
		}
	}
	if err := gw.Approve(ids[1]); err != nil {
		t.Fatal(err)
	}
	devs := gw.Devices()
	if len(devs) != 2 || devs[0].ID > devs[1].ID || devs[0].Enrolled == devs[1].Enrolled {
		t.Errorf("Devices: %+v, want both twins by ID, one enrolled", devs)
	}
}
