package boards

import (
	"sort"
	"strings"
	"testing"
)

func TestRegistryHasEveryBoard(t *testing.T) {
	want := []string{"mps2-an385", "mps2-an386", "mps2-an500", "mps2-an505", "native", "olimex-stm32-h405", "stm32vldiscovery"}
	if got := strings.Join(Names(), " "); got != strings.Join(want, " ") {
		t.Fatalf("boards = %s", got)
	}
	for _, b := range All() {
		if b.Console.Serial != 0 || b.Link.Serial != 1 {
			t.Errorf("%s: console/link must be serial0/serial1", b.Name)
		}
		if !b.Has("console") || !b.Has("link") || !sort.StringsAreSorted(b.Capabilities) {
			t.Errorf("%s: capabilities %v", b.Name, b.Capabilities)
		}
		if b.RAM.Size == 0 || b.Provision.Size == 0 || b.ClockHz == 0 {
			t.Errorf("%s: incomplete entry %+v", b.Name, b)
		}
		if !b.IsNative() && (b.Machine == "" || b.Code.Size == 0 || b.IRQLines == 0) {
			t.Errorf("%s: QEMU board without machine, code region or IRQs", b.Name)
		}
	}
}

func TestRegistryFacts(t *testing.T) {
	h405, err := Lookup("olimex-stm32-h405")
	if err != nil {
		t.Fatal(err)
	}
	if h405.Machine != "netduinoplus2" || !strings.Contains(h405.MachineNote, "8.0") {
		t.Errorf("h405 must run on netduinoplus2 and say why: %q %q", h405.Machine, h405.MachineNote)
	}
	vld, _ := Lookup("stm32vldiscovery")
	if vld.RAM.Size != 8<<10 || vld.Has("leds") {
		t.Errorf("stm32vldiscovery: RAM %d, caps %v", vld.RAM.Size, vld.Capabilities)
	}
	an505, _ := Lookup("mps2-an505")
	if an505.Code.Base != 0x10000000 || an505.Console.Base != 0x50200000 {
		t.Errorf("AN505 must use the Secure aliases: %+v", an505)
	}
	an385, _ := Lookup("mps2-an385")
	if !an385.Has("i2c") || len(an385.LEDs) == 0 {
		t.Errorf("AN385 lacks I2C or LEDs: %v", an385.Capabilities)
	}
}

func TestLookupUnknownListsKnownBoards(t *testing.T) {
	_, err := Lookup("mps3-an547")
	if err == nil || !strings.Contains(err.Error(), "mps2-an385") || !strings.Contains(err.Error(), `"mps3-an547"`) {
		t.Errorf("error %v should name the board and list the known ones", err)
	}
}
