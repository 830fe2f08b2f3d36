package gateway

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/proto"
)

// TestAutoPairing: in automatic pairing a new device is enrolled at once
// (DeviceUuid made of its key, then EnrollmentAccepted with the interval),
// and its first heartbeat makes it Connected.
func TestAutoPairing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		heartbeat time.Duration
		counters  []uint64 // of every heartbeat
		wantRTT   time.Duration
	}{
		{"all counters", 2500 * time.Millisecond, []uint64{10, 1, 12, 13, 2500}, 2500 * time.Microsecond},
		{"newer device, more counters", time.Second, []uint64{10, 1, 12, 13, 777, 99, 98}, 777 * time.Microsecond},
		{"older device, no round trip", 1500 * time.Millisecond, []uint64{10, 1, 12, 13}, 0},
		{"no counters", time.Minute, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := newGateway(t, Config{Heartbeat: tc.heartbeat})
			events := subscribe(t, gw)
			id := newIdentity(t, gw, "board-1")
			dev := connect(t, gw, id, "mps2-an385")

			dev.send(proto.EnrollmentRequest{})
			uuid, _ := recv[proto.DeviceUUID](dev)
			if want := DeviceIDBytes(spkiOf(t, id)); !bytes.Equal(uuid.UUID[:], want) {
				t.Errorf("DeviceUuid %x, want %x", uuid.UUID, want)
			}
			sum := sha256.Sum256(spkiOf(t, id))
			if uuid.UUID[0] != sum[0] || uuid.UUID[6]>>4 != 8 || uuid.UUID[8]>>6 != 2 {
				t.Errorf("DeviceUuid %x is not a version 8 UUID from the key's SHA-256 %x", uuid.UUID, sum[:16])
			}
			accepted, _ := recv[proto.EnrollmentAccepted](dev)
			if want := uint64(tc.heartbeat / time.Millisecond); accepted.HeartbeatMs != want {
				t.Errorf("heartbeat_ms %d, want %d", accepted.HeartbeatMs, want)
			}
			expectEvents(t, events, "Pending -> Pending", "Pending -> Enrolling", "Enrolling -> Enrolled")
			d := mustDevice(t, gw, "board-1")
			if d.ID != deviceID(t, id) || d.State != Enrolled || !d.Enrolled || d.Board != "mps2-an385" || d.Sessions != 1 {
				t.Errorf("after enrollment: %+v", d)
			}
			if d.TLS.Version != "TLS 1.3" || d.TLS.Cipher == "" || d.TLS.Handshake <= 0 {
				t.Errorf("the session's TLS: %+v", d.TLS)
			}

			const beats = 3
			for seq := uint64(1); seq <= beats; seq++ {
				dev.heartbeat(seq, tc.counters...)
			}
			expectEvents(t, events, "Enrolled -> Connected")
			expectNoEvent(t, events) // later heartbeats change no state
			d = mustDevice(t, gw, d.ID)
			if d.State != Connected || d.Heartbeats != beats || d.RTT != tc.wantRTT || d.UptimeMs != 1000*beats || d.FreeRAM != 4096 {
				t.Errorf("after %d heartbeats: %+v, want Connected, RTT %v", beats, d, tc.wantRTT)
			}
			if !slices.Equal(d.Counters, tc.counters) {
				t.Errorf("counters %v, want %v", d.Counters, tc.counters)
			}
			if st := gw.Status(); st.Handshakes != 1 || st.Sessions != 1 || st.Devices["Connected"] != 1 || st.Refused != 0 {
				t.Errorf("status %+v", st)
			}
		})
	}
}

// TestHeartbeatAckCarriesRequestID: the ack answers the heartbeat's own
// msg_id and seq, whatever they are.
func TestHeartbeatAckCarriesRequestID(t *testing.T) {
	gw := newGateway(t, Config{})
	dev := connect(t, gw, newIdentity(t, gw, "board-1"), "b")
	dev.enroll()
	for _, tc := range []struct{ msgID, seq uint64 }{
		{0, 0}, {7, 1}, {1 << 40, 3}, {^uint64(0), ^uint64(0)},
	} {
		dev.sendID(tc.msgID, proto.Heartbeat{Seq: tc.seq})
		ack, id := recv[proto.HeartbeatAck](dev)
		if ack.Seq != tc.seq || id != tc.msgID {
			t.Errorf("Heartbeat msg_id %d seq %d: ack msg_id %d seq %d", tc.msgID, tc.seq, id, ack.Seq)
		}
	}
}

// TestProtocolErrors: what the gateway answers to messages it cannot
// decode or does not expect, and whether the session survives.
func TestProtocolErrors(t *testing.T) {
	mustEncode := func(msgID uint64, m proto.Message) []byte {
		b, err := proto.Encode(msgID, m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var otherKey [32]byte
	otherKey[31] = 9
	for _, tc := range []struct {
		name     string
		enrolled bool
		input    []byte
		code     proto.ErrorCode
		msgID    uint64 // of the Error; where 0, 9 (the message's) is right too
		ends     bool
	}{
		{"heartbeat before enrollment", false, mustEncode(5, proto.Heartbeat{Seq: 1}), proto.CodeNotEnrolled, 5, false},
		{"ApplicationStatus before enrollment", false, mustEncode(6, proto.ApplicationStatus{State: 1, Detail: "running"}), proto.CodeNotEnrolled, 6, false},
		{"ApplicationDeployAck without a deploy", true, mustEncode(7, proto.ApplicationDeployAck{OK: true}), proto.CodeUnexpected, 7, false},
		{"ApplicationStopAck without a stop", true, mustEncode(8, proto.ApplicationStopAck{}), proto.CodeUnexpected, 8, false},
		{"garbage CBOR", true, frame(0xff, 0xff, 0xff), proto.CodeMalformed, 0, false},
		{"truncated CBOR", false, frame(0x83, 0x00), proto.CodeMalformed, 0, false},
		{"empty envelope", true, frame(), proto.CodeMalformed, 0, false},
		{"envelope not an array", true, frame(0x01), proto.CodeMalformed, 0, false},
		{"unknown tag", true, frame(0x83, 0x00, 0x09, 0x81, 0x09), proto.CodeUnknownTag, 0, false},
		{"version 1", true, frame(0x83, 0x01, 0x09, 0x81, 0x00), proto.CodeUnsupportedVersion, 0, false},
		{"heartbeat without fields", true, frame(0x83, 0x00, 0x09, 0x81, 0x00), proto.CodeBadField, 0, false},
		{"public key of another size", true, frame(0x83, 0x00, 0x09, 0x82, 0x02, 0x41, 0x00), proto.CodeBadField, 0, false},
		{"public key differs", false, mustEncode(11, proto.PublicKey{Key: otherKey}), proto.CodeBadField, 11, false},
		{"length over 4096", true, []byte{0x00, 0x00, 0x10, 0x01}, proto.CodeTooLarge, 0, true},
		{"length 2^32-1", false, []byte{0xff, 0xff, 0xff, 0xff}, proto.CodeTooLarge, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gw := newGateway(t, Config{})
			id := newIdentity(t, gw, "board-1")
			dev := connect(t, gw, id, "b")
			dev.nextID = 100 // clear of the msg_ids above
			if tc.enrolled {
				dev.enroll()
			}
			dev.write(tc.input)
			e, msgID := dev.expectError(tc.code)
			// An Error to a message that cannot be decoded carries its msg_id
			// when one could be read, else 0 (docs/protocol.md §3).
			if (msgID != tc.msgID && (tc.msgID != 0 || msgID != 9)) || e.Message == "" {
				t.Errorf("error %s %q with msg_id %d, want msg_id %d and a message", e.Code, e.Message, msgID, tc.msgID)
			}
			if tc.ends {
				if _, err := dev.expectEnd(); err == nil || (!strings.Contains(err.Error(), "4097") && !strings.Contains(err.Error(), "4294967295")) {
					t.Errorf("Serve returned %v, want the refused length", err)
				}
				// The device is still welcome in a new session.
				dev = connect(t, gw, id, "b")
				if !tc.enrolled {
					dev.enroll()
				}
				dev.heartbeat(1)
				return
			}
			// The session goes on: the next message is served.
			if !tc.enrolled {
				dev.enroll()
			}
			dev.heartbeat(1)
			if d := mustDevice(t, gw, "board-1"); d.State != Connected || d.Heartbeats != 1 {
				t.Errorf("after the error and a heartbeat: %+v", d)
			}
		})
	}
}

// TestMessagesWithoutAnswer: messages the gateway takes in silently.
func TestMessagesWithoutAnswer(t *testing.T) {
	gw := newGateway(t, Config{})
	events := subscribe(t, gw)
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	var key [32]byte
	copy(key[:], id.PublicKey())

	// Before enrollment: the device's own key and its description.
	dev.send(proto.PublicKey{Key: key})
	dev.send(proto.DeviceInfo{Board: "stm32vldiscovery", FirmwareVersion: "1.2.3", RAM: 8192, Capabilities: []string{"wasm", "tls"}})
	dev.barrier()
	d := mustDevice(t, gw, "board-1")
	if d.State != Pending || d.FirmwareVersion != "1.2.3" || d.RAM != 8192 || d.Board != "stm32vldiscovery" || len(d.Capabilities) != 2 {
		t.Errorf("after DeviceInfo: %+v", d)
	}

	// An Error from the device is an event of its own.
	dev.send(proto.DeviceError{Code: proto.CodeUnknownTag, Message: "tag=11"})
	dev.barrier()
	got := expectEvents(t, events, "Pending -> Pending", "device_error")
	if e := got[1]; e.Device != d.ID || e.Name != "board-1" || !strings.Contains(e.Detail, "unknown_tag") || !strings.Contains(e.Detail, "tag=11") {
		t.Errorf("device error event %+v", e)
	}
}

// TestEnrollmentIsStoredFirst: the registry records the enrollment before
// the device hears it; meanwhile the device is Enrolling.
func TestEnrollmentIsStoredFirst(t *testing.T) {
	st := newStore(t)
	gw := newGateway(t, Config{Store: st})
	id := newIdentity(t, gw, "board-1")
	dev := connect(t, gw, id, "b")
	dev.barrier() // attached

	release := holdStore(t, st)
	dev.send(proto.EnrollmentRequest{})
	waitFor(t, gw, "board-1", inState(Enrolling))
	if env, err := dev.in.next(0); err == nil {
		t.Fatalf("the device heard %s before the enrollment was stored", proto.Dump(env))
	}
	release()
	dev.expectAccepted()
	rec, ok, err := st.Device(deviceID(t, id))
	if err != nil || !ok || !rec.Enrolled || rec.Name != "board-1" {
		t.Fatalf("stored device %+v, %v, %v", rec, ok, err)
	}
}
