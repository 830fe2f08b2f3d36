package lab

import (
	"context"
	"strings"
	"testing"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
	"wasmbed-lab/lab/gateway"
)

// TestPowerByName: a board powered off stays in the lab's list, its
// operations say it is off and how to fix that, and it powers on again
// with the options it had.
func TestPowerByName(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	bd, _ := boards.Lookup("mps2-an385")
	starts := 0
	start := func(ctx context.Context, spec emu.Spec) (emu.Instance, error) {
		starts++
		if spec.Firmware != "fake.elf" || len(spec.Provision) == 0 {
			t.Errorf("started with %+v", spec)
		}
		return emu.NewFake(spec), nil
	}
	ctx := context.Background()
	if _, err := l.AddBoard(ctx, "b1", BoardOptions{Board: bd, Firmware: "fake.elf", Start: start}); err != nil {
		t.Fatal(err)
	}
	if err := l.PowerOff(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if got := l.Boards(); len(got) != 1 || got[0] != (BoardInfo{Name: "b1", Board: "mps2-an385"}) {
		t.Fatalf("boards after power off: %+v", got)
	}
	for name, err := range map[string]error{
		"reset":   l.Reset(ctx, "b1"),
		"console": l.WriteConsole("b1", []byte("x")),
		"kill":    l.Kill("b1"),
	} {
		if err == nil || !strings.Contains(err.Error(), "b1 is powered off: power it on first") {
			t.Errorf("%s on a board powered off: %v", name, err)
		}
	}
	if err := l.Reset(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `no board named "nope"`) {
		t.Errorf("reset of an unknown board: %v", err)
	}
	if _, err := l.PowerOn(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.PowerOn(ctx, "b1"); err == nil || !strings.Contains(err.Error(), "powered on already") {
		t.Errorf("powering on twice: %v", err)
	}
	if got := l.Boards(); len(got) != 1 || !got[0].On || starts != 2 {
		t.Errorf("boards after power on: %+v, %d starts", got, starts)
	}
	if err := l.CutLink("b1", 0); err != nil || !l.Boards()[0].LinkFaulty {
		t.Errorf("a cut link: %v, %+v", err, l.Boards())
	}
	if err := l.ClearLinkFaults("b1"); err != nil || l.Boards()[0].LinkFaulty {
		t.Errorf("a mended link: %v, %+v", err, l.Boards())
	}
}
