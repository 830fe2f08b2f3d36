package proto

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestGoodRoundTrip(t *testing.T) {
	for _, c := range goodCases {
		enc, err := Encode(c.msgID, c.msg)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		e, err := Decode(c.msg.Direction(), enc)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if e.MsgID != c.msgID || Dump(e) != Dump(Envelope{MsgID: c.msgID, Msg: c.msg}) {
			t.Errorf("%s: decodes to %s", c.name, Dump(e))
		}
		r, err := ReadMessage(bytes.NewReader(enc), c.msg.Direction())
		if err != nil || Dump(r) != Dump(e) {
			t.Errorf("%s: ReadMessage gives %s, %v", c.name, Dump(r), err)
		}
	}
}

func TestAccept(t *testing.T) {
	for _, c := range acceptCases {
		e, err := Decode(c.dir, prefixed(c.env))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if want := Dump(Envelope{MsgID: c.msgID, Msg: c.msg}); Dump(e) != want {
			t.Errorf("%s: decodes to %s, want %s", c.name, Dump(e), want)
		}
	}
}

// checkErrorText: lower case, prefixed, and says something.
func checkErrorText(t *testing.T, name string, err error) {
	t.Helper()
	s := err.Error()
	rest, ok := strings.CutPrefix(s, "proto: ")
	if !ok || rest == "" || strings.ToLower(rest) != rest && !strings.Contains(rest, "UTF-8") && !strings.Contains(rest, "CBOR") {
		t.Errorf("%s: error text %q", name, s)
	}
}

func TestBad(t *testing.T) {
	for _, c := range badCases {
		_, err := Decode(c.dir, c.input())
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
			continue
		}
		checkErrorText(t, c.name, err)
		t.Logf("%-40s %v", c.name, err)
	}
}

func TestReadMessage(t *testing.T) {
	a := mustEncode(1, HeartbeatAck{Seq: 1})
	b := mustEncode(2, DeployCommit{AppID: appA})
	r := bytes.NewReader(append(append([]byte{}, a...), b...))
	for i, want := range []uint64{1, 2} {
		e, err := ReadMessage(r, FromGateway)
		if err != nil || e.MsgID != want {
			t.Fatalf("message %d: %+v, %v", i, e, err)
		}
	}
	if _, err := ReadMessage(r, FromGateway); err != io.EOF {
		t.Fatalf("at end: %v, want io.EOF", err)
	}
	if _, err := ReadMessage(bytes.NewReader(a[:len(a)-1]), FromGateway); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated: %v", err)
	}
	if _, err := ReadMessage(bytes.NewReader(a[:2]), FromGateway); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated prefix: %v", err)
	}
	// A huge length is refused from the prefix alone: the reader has no more.
	var pe *Error
	if _, err := ReadMessage(bytes.NewReader([]byte{0x7f, 0xff, 0xff, 0xff}), FromGateway); !errors.As(err, &pe) || pe.Code != CodeTooLarge {
		t.Fatalf("huge length: %v", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		m    Message
	}{
		{"chunk over max", DeployChunk{Data: make([]byte, MaxChunk+1)}},
		{"invalid UTF-8", EnrollmentRejected{Reason: "\xff"}},
		{"invalid UTF-8 in app", Heartbeat{Apps: []AppStatus{{Detail: "\xc3"}}}},
		{"envelope too large", DeviceInfo{Board: strings.Repeat("x", MaxEnvelope)}},
		{"nil", nil},
	} {
		if _, err := Encode(0, c.m); err == nil || !strings.HasPrefix(err.Error(), "proto: ") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Pointers encode like values; nil slices like empty ones.
	a, _ := Encode(3, &Heartbeat{})
	b, _ := Encode(3, Heartbeat{Counters: []uint64{}, Apps: []AppStatus{}})
	if !bytes.Equal(a, b) || len(a) == 0 {
		t.Errorf("%x vs %x", a, b)
	}
}

func TestTagTables(t *testing.T) {
	for dir, types := range messageTypes {
		for tag, m := range types {
			if m.Tag() != Tag(tag) || m.Direction() != Direction(dir) {
				t.Errorf("%T: tag %d direction %d, listed at %d %d", m, m.Tag(), m.Direction(), tag, dir)
			}
		}
	}
}
