package lab

import (
	"encoding/binary"
	"testing"
)

func TestParseBanner(t *testing.T) {
	line := "\twasmbed-fw 0.1.0 build=a4acbdb3b1710221 board=mps2-an385 cpu=cortex-m3 clock=25000000Hz ram=4096KiB"
	b, err := ParseBanner(line)
	if err != nil {
		t.Fatal(err)
	}
	want := Banner{Version: "0.1.0", BuildID: "a4acbdb3b1710221", Board: "mps2-an385", CPU: "cortex-m3", ClockHz: 25000000, RAMKiB: 4096}
	if b != want {
		t.Errorf("got %+v, want %+v", b, want)
	}
	if got := b.String(); got != line[1:] {
		t.Errorf("String() = %q", got)
	}
	for _, bad := range []string{"", "wasmbed-fw", "wasmbed-fw 0.1.0 build=zz board=x cpu=y clock=1Hz ram=1KiB", "clock=25MHz"} {
		if _, err := ParseBanner(bad); err == nil {
			t.Errorf("ParseBanner(%q) succeeded", bad)
		}
	}
}

func TestGNUBuildIDNotes(t *testing.T) {
	// A note section with an unrelated note first, then the build id.
	le := func(v uint32) []byte { return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)} }
	var notes []byte
	notes = append(notes, le(4)...)
	notes = append(notes, le(4)...)
	notes = append(notes, le(1)...)
	notes = append(notes, "GNU\x00"...)
	notes = append(notes, 1, 2, 3, 4)
	notes = append(notes, le(4)...)
	notes = append(notes, le(3)...)
	notes = append(notes, le(3)...)
	notes = append(notes, "GNU\x00"...)
	notes = append(notes, 0xab, 0xcd, 0xef, 0)
	id, ok := gnuBuildID(notes, binary.LittleEndian)
	if !ok || id != "abcdef" {
		t.Errorf("got %q %v", id, ok)
	}
	if _, ok := gnuBuildID(notes[:20], binary.LittleEndian); ok {
		t.Error("truncated notes gave an id")
	}
}
