package emu

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildTestImage assembles testdata/<name>.S for the MPS2 boards into a
// temporary ELF, or skips when the tools are missing.
func buildTestImage(t *testing.T, name string) string {
	t.Helper()
	for _, tool := range []string{qemuBinary, "arm-none-eabi-gcc"} {
		if err := RequireTool(tool); err != nil {
			t.Skipf("integration test needs %s: %v", tool, err)
		}
	}
	elf := filepath.Join(t.TempDir(), name+".elf")
	cmd := exec.Command("arm-none-eabi-gcc", "-mcpu=cortex-m3", "-mthumb", "-nostdlib", "-nostartfiles",
		"-T", filepath.Join("testdata", "hello.ld"), "-o", elf, filepath.Join("testdata", name+".S"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	return elf
}

// syncBuffer is a bytes.Buffer safe for the stderr copier and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestQEMUBoard(t *testing.T) {
	var stderr syncBuffer
	spec := Spec{
		Board:     an385,
		Firmware:  buildTestImage(t, "hello"),
		Provision: []byte{0xde, 0xad, 0xbe, 0xef},
		Dir:       t.TempDir(),
		Stderr:    &stderr,
	}
	m, console, link := startRecorded(t, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	t.Run("hello on both ports", func(t *testing.T) {
		console.waitCount(t, "hello\n", 1)
		link.waitCount(t, "hello\n", 1)
	})
	t.Run("link echo", func(t *testing.T) {
		m.Link().Write([]byte("ping\n"))
		link.waitCount(t, "ping\n", 1)
		if st := m.LinkStats(); st.ToDevice != 5 || st.Connects != 1 || st.Dropped != 0 {
			t.Errorf("LinkStats = %+v", st)
		}
	})
	t.Run("provisioning blob in RAM", func(t *testing.T) {
		out, err := m.HumanMonitorCommand(ctx, "xp /4xb 0x3ff000")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "0xde 0xad 0xbe 0xef") {
			t.Errorf("provisioning area holds %q", out)
		}
	})
	t.Run("pause and resume", func(t *testing.T) {
		if err := m.Pause(ctx); err != nil {
			t.Fatal(err)
		}
		m.Link().Write([]byte("paused\n"))
		link.stays(t, "paused\n", 1, 200*time.Millisecond)
		if err := m.Resume(ctx); err != nil {
			t.Fatal(err)
		}
		link.waitCount(t, "paused\n", 1)
	})
	t.Run("reset boots again", func(t *testing.T) {
		if err := m.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		console.waitCount(t, "hello\n", 2)
		link.waitCount(t, "hello\n", 2)
	})
	t.Run("stop", func(t *testing.T) {
		stopCleanly(t, m)
		if _, err := os.Stat(spec.Dir); err != nil {
			t.Errorf("Stop removed the caller's Dir: %v", err)
		}
	})
	if !strings.Contains(m.Exit().StderrTail, stderr.String()) {
		t.Errorf("StderrTail %q does not end with what Spec.Stderr got %q", m.Exit().StderrTail, stderr.String())
	}
}

func TestQEMUKillIsACrash(t *testing.T) {
	m, console, _ := startRecorded(t, Spec{Board: an385, Firmware: buildTestImage(t, "hello")})
	console.waitCount(t, "hello\n", 1)
	if err := m.Kill(); err != nil {
		t.Fatal(err)
	}
	expectCrash(t, m, "SIGKILL")
	console.ended(t)
}

func TestQEMUSemihostingExitCode(t *testing.T) {
	m, _, _ := startRecorded(t, Spec{Board: an385, Firmware: buildTestImage(t, "exit3"), Semihosting: true})
	select {
	case <-m.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the image did not exit")
	}
	if st := m.Exit(); st.Code != 3 || !st.Crashed {
		t.Fatalf("Exit = %+v, want exit code 3 reported as a crash", st)
	}
}

func TestQEMUStartFailureQuotesQEMU(t *testing.T) {
	spec := Spec{Board: an385, Firmware: buildTestImage(t, "hello"), ExtraArgs: []string{"-device", "nonexistent"}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Start(ctx, spec)
	want := "emu: mps2-an385: start: process crashed (exit code 1) during start (stderr: qemu-system-arm: -device nonexistent: 'nonexistent' is not a valid device model name)"
	if err == nil || err.Error() != want {
		t.Fatalf("Start = %v\nwant %s", err, want)
	}
}

func TestQEMUGuestLockupIsACrash(t *testing.T) {
	buildTestImage(t, "hello") // skips when the tools are missing
	// Not an ELF: QEMU loads it raw at 0, so the vector table is garbage.
	garbage := filepath.Join(t.TempDir(), "garbage.bin")
	os.WriteFile(garbage, []byte("not an image"), 0o644)
	m, _, _ := startRecorded(t, Spec{Board: an385, Firmware: garbage})
	select {
	case <-m.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("QEMU did not exit")
	}
	st := m.Exit()
	if !st.Crashed || !strings.Contains(st.StderrTail, "Lockup") {
		t.Fatalf("Exit = %+v, want a crash with QEMU's lockup report", st)
	}
}

func TestQEMUStopKillsAnUnresponsiveQEMU(t *testing.T) {
	m, console, _ := startRecorded(t, Spec{Board: an385, Firmware: buildTestImage(t, "hello")})
	console.waitCount(t, "hello\n", 1)
	syscall.Kill(m.PID(), syscall.SIGSTOP) // QMP cannot answer any more
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("Stop took %v with a 300 ms context", d)
	}
	if st := m.Exit(); !st.Requested || st.Crashed || st.Signal != "SIGKILL" {
		t.Errorf("Exit = %+v, want a requested exit by SIGKILL", st)
	}
}

func TestQEMUMonitorRecoversFromATimedOutCommand(t *testing.T) {
	m, console, _ := startRecorded(t, Spec{Board: an385, Firmware: buildTestImage(t, "hello")})
	console.waitCount(t, "hello\n", 1)
	syscall.Kill(m.PID(), syscall.SIGSTOP)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	err := m.Reset(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Reset on a frozen QEMU = %v, want a deadline error", err)
	}
	syscall.Kill(m.PID(), syscall.SIGCONT)
	// The next command dials a fresh monitor. (The abandoned reset may
	// still run: QEMU reads it once it runs again.)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := m.Reset(ctx); err != nil {
		t.Fatalf("Reset after the freeze: %v", err)
	}
	console.waitCount(t, "hello\n", 2)
}
