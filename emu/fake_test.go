package emu

import (
	"context"
	"errors"
	"io"
	"math/bits"
	"testing"
	"time"
)

func TestFakeCarriesBytesBothWays(t *testing.T) {
	f := NewFake(Spec{Board: an385})
	ports := []struct {
		name         string
		host, device io.ReadWriter
	}{
		{"console", f.Console(), f.ConsoleDevice()},
		{"link", f.Link(), f.LinkDevice()},
	}
	for _, p := range ports {
		p.device.Write([]byte("from device"))
		p.host.Write([]byte("from host"))
		buf := make([]byte, 64)
		if n, _ := p.host.Read(buf); string(buf[:n]) != "from device" {
			t.Errorf("%s: host read %q", p.name, buf[:n])
		}
		if n, _ := p.device.Read(buf); string(buf[:n]) != "from host" {
			t.Errorf("%s: device read %q", p.name, buf[:n])
		}
	}
	if st := f.LinkStats(); st.FromDevice != 11 || st.ToDevice != 9 {
		t.Errorf("LinkStats = %+v", st)
	}
}

func TestFakeControls(t *testing.T) {
	ctx := context.Background()
	f := NewFake(Spec{Board: an385})
	f.OnReset(func() { f.ConsoleDevice().Write([]byte("boot\n")) })
	if err := f.Reset(ctx); err != nil || f.Resets() != 1 {
		t.Fatalf("Reset: %v, resets %d", err, f.Resets())
	}
	buf := make([]byte, 8)
	if n, _ := f.Console().Read(buf); string(buf[:n]) != "boot\n" {
		t.Errorf("after reset the console read %q", buf[:n])
	}
	f.Pause(ctx)
	if !f.Paused() {
		t.Error("not paused")
	}
	f.Resume(ctx)
	if f.Paused() {
		t.Error("still paused")
	}
}

func TestFakeExitEndsStreams(t *testing.T) {
	f := NewFake(Spec{Board: an385})
	f.LinkDevice().Write([]byte("last words"))
	f.Kill()
	<-f.Done()
	if st := f.Exit(); !st.Crashed || st.Signal != "SIGKILL" {
		t.Errorf("Exit = %+v, want a SIGKILL crash", st)
	}
	if got, err := io.ReadAll(f.Link()); err != nil || string(got) != "last words" {
		t.Errorf("link after exit: %q, %v", got, err)
	}
	if _, err := f.Link().Write([]byte("x")); !errors.Is(err, ErrExited) {
		t.Errorf("write after exit: %v", err)
	}
	if err := f.Reset(context.Background()); !errors.Is(err, ErrExited) {
		t.Errorf("reset after exit: %v", err)
	}
	f.Stop(context.Background()) // a second exit changes nothing
	if !f.Exit().Crashed {
		t.Error("Stop after the crash rewrote the exit status")
	}
}

func TestFakeLinkFaults(t *testing.T) {
	f := NewFake(Spec{Board: an385})
	f.SetLinkFaults(LinkFaultSet{
		ToDevice:   LinkFaults{Cut: true},
		FromDevice: LinkFaults{CorruptRate: 1},
		Seed:       3,
	})
	sent := []byte("frame\x00")
	f.LinkDevice().Write(sent)
	got := make([]byte, len(sent))
	if _, err := io.ReadFull(f.Link(), got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if flipped := bits.OnesCount8(got[i] ^ sent[i]); flipped != 1 {
			t.Errorf("byte %d: %#02x became %#02x, want one bit flipped", i, sent[i], got[i])
		}
	}
	f.Link().Write([]byte("cut"))
	f.SetLinkFaults(LinkFaultSet{})
	f.Link().Write([]byte("kept"))
	if n, _ := f.LinkDevice().Read(got); string(got[:n]) != "kept" {
		t.Errorf("device read %q, want %q", got[:n], "kept")
	}
	want := LinkStats{FromDevice: 6, ToDevice: 4, FramesFromDevice: 1, InjectedCorruptions: 6, CutBytes: 3, Connects: 1}
	if st := f.LinkStats(); st != want {
		t.Errorf("LinkStats = %+v\nwant %+v", st, want)
	}

	// Bytes a delay holds when the board exits are still read.
	f.SetLinkFaults(LinkFaultSet{FromDevice: LinkFaults{Delay: time.Hour}})
	f.LinkDevice().Write([]byte("last words"))
	f.Kill()
	if all, err := io.ReadAll(f.Link()); err != nil || string(all) != "last words" {
		t.Errorf("link after exit: %q, %v", all, err)
	}
}
