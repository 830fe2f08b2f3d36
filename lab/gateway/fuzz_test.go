package gateway

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"wasmbed-lab/lab/proto"
)

// fuzzKeySeed makes the fuzzed device's key, the same in every run, so that
// a seed can hold the device's own PublicKey.
var fuzzKeySeed = [32]byte{'w', 'a', 's', 'm', 'b', 'e', 'd', '-', 'f', 'u', 'z', 'z'}

// maxFuzzInput bounds what one iteration sends: enough for a few thousand
// messages, and cheap.
const maxFuzzInput = 16 << 10

// FuzzSession writes the input as application data into an enrolled
// device's session. The gateway must not panic, must answer every message
// as the protocol says (modelled by expectedReplies), must end the session
// exactly when a length prefix is over 4096, and must go on serving: a
// valid Heartbeat is acknowledged after the input, in the same session or,
// if it ended, in a new one.
//
// One gateway and store serve every iteration of a fuzz worker; each
// iteration has its own session (a handshake costs about a millisecond).
func FuzzSession(f *testing.F) {
	gw := newGateway(f, Config{})
	id := identityFromSeed(f, gw, "fuzz", fuzzKeySeed)
	var key [32]byte
	copy(key[:], id.PublicKey())
	first := connect(f, gw, id, "fuzz")
	first.enroll()
	first.hangUp()
	uuid := proto.UUID(DeviceID(spkiOf(f, id)))
	heartbeatMs := uint64(gw.cfg.Heartbeat.Milliseconds())

	for _, seed := range fuzzSeeds(f, key) {
		f.Add(seed)
	}
	var beat uint64 // the final heartbeats' seq and msg_id, unlike any seed's
	f.Fuzz(func(t *testing.T, input []byte) {
		if len(input) > maxFuzzInput {
			input = input[:maxFuzzInput]
		}
		stream, want, ends := expectedReplies(input, key, uuid, heartbeatMs)
		dev := connect(t, gw, id, "fuzz")
		dev.write(stream)
		for i, w := range want {
			env, err := dev.in.next(waitLimit)
			for err == nil && isStop(env) {
				env, err = dev.in.next(waitLimit)
			}
			if err != nil {
				t.Fatalf("reply %d of %d (want %s): %v", i+1, len(want), w, err)
			}
			if msg := w.mismatch(env); msg != "" {
				t.Fatalf("reply %d of %d: got %s, want %s: %s", i+1, len(want), proto.Dump(env), w, msg)
			}
		}
		if ends {
			_, serveErr := dev.expectEnd()
			var perr *proto.Error
			if !errors.As(serveErr, &perr) || perr.Code != proto.CodeTooLarge {
				t.Fatalf("Serve returned %v, want the too_large error", serveErr)
			}
			dev = connect(t, gw, id, "fuzz")
		}
		beat++
		seq := 1<<63 | beat
		dev.sendID(seq, proto.Heartbeat{Seq: seq})
		ack, msgID := recv[proto.HeartbeatAck](dev)
		if ack.Seq != seq || msgID != seq {
			t.Fatalf("final ack: seq %d msg_id %d, want %d", ack.Seq, msgID, seq)
		}
		if d := mustDevice(t, gw, "fuzz"); d.State != Connected || !d.Enrolled {
			t.Fatalf("after the input: %+v", d)
		}
		dev.hangUp()
	})
}

// fuzzSeeds are valid messages, one of each kind, and a few broken streams.
func fuzzSeeds(tb testing.TB, key [32]byte) [][]byte {
	enc := func(msgID uint64, m proto.Message) []byte {
		b, err := proto.Encode(msgID, m)
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	var other [32]byte
	heartbeat := enc(1, proto.Heartbeat{Seq: 1, UptimeMs: 1000, FreeRAM: 4096, Counters: []uint64{1, 2, 3, 4, 5}})
	cat := func(parts ...[]byte) (out []byte) {
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return [][]byte{
		nil,
		heartbeat,
		enc(2, proto.EnrollmentRequest{}),
		enc(3, proto.PublicKey{Key: key}),
		enc(4, proto.PublicKey{Key: other}),
		enc(5, proto.DeviceInfo{Board: "native", FirmwareVersion: "0.1", BuildID: []byte{1, 2}, RAM: 65536, Capabilities: []string{"wasm"}}),
		enc(6, proto.DeviceError{Code: proto.CodeUnexpected, Message: "what"}),
		enc(7, proto.ApplicationStatus{State: 2, Detail: "stopped"}),
		enc(8, proto.ApplicationDeployAck{OK: false, Error: "no room"}),
		enc(9, proto.ApplicationStopAck{OK: true}),
		cat(heartbeat, enc(2, proto.EnrollmentRequest{}), heartbeat),
		heartbeat[:6],                                  // cut inside the envelope
		heartbeat[:2],                                  // cut inside the length prefix
		cat(heartbeat, []byte{0, 0, 0x10, 0x01}),       // then a length over 4096
		cat([]byte{0, 0, 0, 0}, heartbeat),             // an empty envelope first
		cat(frame(0xff, 0x00, 0x1c), heartbeat),        // not CBOR
		cat(frame(0x83, 0x01, 0x01, 0x81, 0x00)),       // version 1
		cat(frame(0x83, 0x00, 0x01, 0x81, 0x18, 0x40)), // tag 64
	}
}

// isStop says whether env is a StopApplication: the gateway sends one, in
// its own time, when a device reports an app it should not run (none
// should run here), so the model leaves them out.
func isStop(env proto.Envelope) bool {
	_, ok := env.Msg.(proto.StopApplication)
	return ok
}

// reply is what the gateway must send, as far as the protocol fixes it.
type reply struct {
	msg   proto.Message // for a GatewayError, only its code is compared
	msgID uint64
	anyID bool // the msg_id is not checked (the gateway's own, or unknown)
}

func (r reply) String() string {
	return proto.Dump(proto.Envelope{MsgID: r.msgID, Msg: r.msg})
}

// mismatch says how env differs from r, or "" when it does not.
func (r reply) mismatch(env proto.Envelope) string {
	if want, ok := r.msg.(proto.GatewayError); ok {
		got, ok := env.Msg.(proto.GatewayError)
		if !ok || got.Code != want.Code {
			return "another message"
		}
	} else if !reflect.DeepEqual(env.Msg, r.msg) {
		return "another message"
	}
	if !r.anyID && env.MsgID != r.msgID {
		return "another msg_id"
	}
	return ""
}

// expectedReplies models the gateway for an enrolled device with key. It
// cuts input into frames, completing a cut last one with zero bytes so that
// the stream ends between messages, and stops after a length prefix over
// 4096. It returns what to send, what the gateway must answer, and whether
// the gateway must then end the session.
func expectedReplies(input []byte, key [32]byte, uuid proto.UUID, heartbeatMs uint64) (stream []byte, want []reply, ends bool) {
	for rest := input; len(rest) > 0; {
		if len(rest) < 4 {
			rest = append(append([]byte(nil), rest...), make([]byte, 4-len(rest))...)
		}
		n := binary.BigEndian.Uint32(rest)
		if n > proto.MaxEnvelope {
			stream = append(stream, rest[:4]...)
			want = append(want, reply{msg: proto.GatewayError{Code: proto.CodeTooLarge}, anyID: true})
			return stream, want, true
		}
		if uint64(len(rest)-4) < uint64(n) {
			rest = append(append([]byte(nil), rest...), make([]byte, 4+int(n)-len(rest))...)
		}
		msg := rest[:4+n]
		rest = rest[4+n:]
		stream = append(stream, msg...)
		want = append(want, answer(msg, key, uuid, heartbeatMs)...)
	}
	return stream, want, false
}

// answer is what the gateway says to one whole frame.
func answer(frame []byte, key [32]byte, uuid proto.UUID, heartbeatMs uint64) []reply {
	env, err := proto.DecodeFromDevice(frame)
	if err != nil {
		var perr *proto.Error
		if !errors.As(err, &perr) {
			panic(err) // proto's contract
		}
		// The msg_id is the message's when one could be read, else 0; the
		// decoder does not say which, so it is not checked.
		return []reply{{msg: proto.GatewayError{Code: perr.Code}, anyID: true}}
	}
	errorOf := func(code proto.ErrorCode) []reply {
		return []reply{{msg: proto.GatewayError{Code: code}, msgID: env.MsgID}}
	}
	switch m := env.Msg.(type) {
	case proto.Heartbeat:
		return []reply{{msg: proto.HeartbeatAck{Seq: m.Seq}, msgID: env.MsgID}}
	case proto.EnrollmentRequest:
		return []reply{
			{msg: proto.DeviceUUID{UUID: uuid}, anyID: true},
			{msg: proto.EnrollmentAccepted{HeartbeatMs: heartbeatMs}, anyID: true},
		}
	case proto.PublicKey:
		if m.Key != key {
			return errorOf(proto.CodeBadField)
		}
	case proto.DeviceInfo, proto.DeviceError, proto.ApplicationStatus, proto.AppEvent:
	default: // ApplicationDeployAck and ApplicationStopAck: none was asked for
		return errorOf(proto.CodeUnexpected)
	}
	return nil
}
