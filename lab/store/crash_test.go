package store

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// crashChildEnv, when set to a state directory, makes TestCrashSafety run as
// the child process that writes devices until it is killed.
const crashChildEnv = "WASMBED_STORE_CRASH_CHILD"

const (
	crashAckPrefix = "acked "
	crashKillAfter = 50 // acknowledged writes before the parent kills the child
)

// TestCrashSafety kills a writing process with SIGKILL and checks that every
// write it had acknowledged is in the file.
func TestCrashSafety(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}

	dir := t.TempDir()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashSafety$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// Every line read, including those after the kill, was printed after
	// PutDevice returned nil.
	var acked []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		id, ok := strings.CutPrefix(lines.Text(), crashAckPrefix)
		if !ok {
			continue
		}
		acked = append(acked, id)
		if len(acked) == crashKillAfter {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if len(acked) < crashKillAfter {
		t.Fatalf("child acknowledged only %d writes (wait: %v)\n%s", len(acked), err, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != -1 {
		t.Fatalf("child exited with status %d; it was meant to be killed mid-way\n%s", code, stderr.String())
	}

	s, err := Open(dir)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	for _, id := range acked {
		if _, ok, err := s.Device(id); err != nil || !ok {
			t.Errorf("acknowledged device %s: present %v, err %v", id, ok, err)
		}
	}
	devices, err := s.Devices()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d writes acknowledged before the kill, %d devices stored", len(acked), len(devices))
}

// crashChild writes devices to the store in dir until it is killed, printing
// each ID once PutDevice has returned.
func crashChild(dir string) {
	s, err := Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := range 1_000_000 {
		d := testDevice(fmt.Sprintf("device-%06d", i), fmt.Sprint("bench-", i))
		if err := s.PutDevice(d); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(crashAckPrefix + d.ID)
	}
	os.Exit(3) // never reached in time: the parent kills us long before
}
