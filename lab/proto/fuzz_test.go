package proto

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func fuzzSeeds(f *testing.F, dir Direction) {
	for _, c := range goodCases {
		if c.msg.Direction() == dir {
			f.Add(mustEncode(c.msgID, c.msg))
		}
	}
	for _, c := range acceptCases {
		if c.dir == dir {
			f.Add(prefixed(c.env))
		}
	}
	for _, c := range badCases {
		f.Add(c.input())
	}
}

// fuzzDecode: decoding never panics; it fails with a *Error, or gives a
// message whose encoding is canonical: it decodes to the same message and
// encodes again to the same bytes. ReadMessage agrees with Decode.
func fuzzDecode(t *testing.T, dir Direction, data []byte) {
	e, err := Decode(dir, data)
	r, rerr := ReadMessage(bytes.NewReader(data), dir)
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), "proto: ") {
			t.Fatalf("error %v", err)
		}
		if rerr == nil && len(data) >= 4 && pe.Code != CodeMalformed {
			t.Fatalf("Decode: %v, ReadMessage accepts", err)
		}
		return
	}
	if rerr != nil || Dump(r) != Dump(e) {
		t.Fatalf("ReadMessage: %s, %v; Decode: %s", Dump(r), rerr, Dump(e))
	}
	enc, err := Encode(e.MsgID, e.Msg)
	if err != nil {
		t.Fatalf("accepted %s does not encode: %v", Dump(e), err)
	}
	e2, err := Decode(dir, enc)
	if err != nil || Dump(e2) != Dump(e) {
		t.Fatalf("canonical form %x decodes to %s, %v; want %s", enc, Dump(e2), err, Dump(e))
	}
	enc2, err := Encode(e2.MsgID, e2.Msg)
	if err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("re-encoding is not stable: %x vs %x", enc, enc2)
	}
	if len(enc) > len(data) {
		t.Fatalf("canonical form %d bytes, longer than the input's %d", len(enc), len(data))
	}
}

func FuzzDecodeFromDevice(f *testing.F) {
	fuzzSeeds(f, FromDevice)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, FromDevice, data) })
}

func FuzzDecodeFromGateway(f *testing.F) {
	fuzzSeeds(f, FromGateway)
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, FromGateway, data) })
}
