package emu

import (
	"bufio"
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"wasmbed-lab/boards"
)

// The test binary also plays two other programs, chosen by environment:
// the native firmware (so the native board is tested without the real
// one), and a lab that starts a board and is then killed.
const (
	fakeFirmwareEnv = "EMU_TEST_FAKE_NATIVE_FIRMWARE"
	dyingLabEnv     = "EMU_TEST_DYING_LAB"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(fakeFirmwareEnv) == "1":
		fakeNativeFirmware()
	case os.Getenv(dyingLabEnv) == "1":
		dyingLab()
	default:
		os.Exit(m.Run())
	}
}

// dyingLab starts a native board, prints its pid and waits to be killed.
func dyingLab() {
	self, _ := os.Executable()
	spec := Spec{
		Board:    boards.Board{Name: "native", Port: "native"},
		Firmware: self,
		Env:      []string{dyingLabEnv + "=0", fakeFirmwareEnv + "=1"},
	}
	m, err := Start(context.Background(), spec)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(m.PID())
	select {}
}

// fakeNativeFirmware mimics the native firmware's contract: console on
// stdin/stdout, --link HOST:PORT dialled at boot, --provision FILE, and a
// re-exec of itself on SIGUSR1. It says hello on both ports, prints its
// provisioning blob, and echoes link bytes.
func fakeNativeFirmware() {
	fs := flag.NewFlagSet("fw", flag.ExitOnError)
	link := fs.String("link", "", "")
	provision := fs.String("provision", "", "")
	fs.Parse(os.Args[1:])

	resets := make(chan os.Signal, 1)
	signal.Notify(resets, syscall.SIGUSR1)
	fmt.Print("hello\n")
	if *provision != "" {
		blob, err := os.ReadFile(*provision)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fw:", err)
			os.Exit(2)
		}
		fmt.Printf("provision %s\n", hex.EncodeToString(blob))
	}
	conn, err := net.Dial("tcp", *link)
	if err != nil {
		fmt.Fprintln(os.Stderr, "fw:", err)
		os.Exit(2)
	}
	conn.Write([]byte("hello\n"))
	go io.Copy(conn, conn)
	<-resets
	self, _ := os.Executable()
	conn.Close()
	syscall.Exec(self, os.Args, os.Environ())
	os.Exit(3)
}

func TestBoardDiesWithTheLab(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	lab := exec.Command(self)
	lab.Env = append(os.Environ(), dyingLabEnv+"=1")
	out, err := lab.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lab.Start(); err != nil {
		t.Fatal(err)
	}
	defer lab.Wait()
	line, err := bufio.NewReader(out).ReadString('\n')
	pid, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		lab.Process.Kill()
		t.Fatalf("the lab printed %q (%v)", line, err)
	}
	lab.Process.Kill()
	waitFor(t, "the board to die with its lab", func() bool { return processGone(pid) })
}

// processGone reports whether pid has ended. An orphan stays a zombie
// until the init process reaps it, which can take a while in a container.
func processGone(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i > 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func nativeSpec(t *testing.T) Spec {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return Spec{
		Board:    boards.Board{Name: "native", Port: "native", Provision: boards.Region{Size: 64}},
		Firmware: self,
		Env:      []string{fakeFirmwareEnv + "=1"},
		Dir:      t.TempDir(),
	}
}

func TestNativeBoard(t *testing.T) {
	spec := nativeSpec(t)
	spec.Provision = []byte{0xca, 0xfe}
	m, console, link := startRecorded(t, spec)
	ctx := context.Background()

	console.waitCount(t, "hello\n", 1)
	console.waitCount(t, "provision cafe\n", 1)
	link.waitCount(t, "hello\n", 1)

	m.Link().Write([]byte("ping\n"))
	link.waitCount(t, "ping\n", 1)

	if err := m.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	m.Link().Write([]byte("ping\n"))
	link.stays(t, "ping\n", 2, 200*time.Millisecond)
	if err := m.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	link.waitCount(t, "ping\n", 2)

	pid := m.PID()
	if err := m.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	console.waitCount(t, "hello\n", 2)
	link.waitCount(t, "hello\n", 2)
	if st := m.LinkStats(); st.Connects != 2 {
		t.Errorf("after the reset LinkStats = %+v, want 2 connects", st)
	}
	m.Link().Write([]byte("again\n"))
	link.waitCount(t, "again\n", 1)
	if m.PID() != pid {
		t.Errorf("reset changed the pid")
	}

	stopCleanly(t, m)
	if st := m.Exit(); st.Signal != "SIGTERM" {
		t.Errorf("Stop ended the fake firmware with %+v, want SIGTERM", st)
	}
}

func TestNativeBoardLinkFaults(t *testing.T) {
	m, _, link := startRecorded(t, nativeSpec(t))
	link.waitCount(t, "hello\n", 1)

	// The echo is read from the socket, then discarded.
	m.SetLinkFaults(LinkFaultSet{FromDevice: LinkFaults{Cut: true}})
	m.Link().Write([]byte("echo\x00"))
	waitFor(t, "the cut echo", func() bool { return m.LinkStats().CutBytes == 5 })

	const delay = 20 * time.Millisecond
	m.SetLinkFaults(LinkFaultSet{ToDevice: LinkFaults{Delay: delay}, FromDevice: LinkFaults{Delay: delay}})
	start := time.Now()
	m.Link().Write([]byte("ping\x00"))
	link.waitCount(t, "ping\x00", 1)
	if d := time.Since(start); d < 2*delay {
		t.Errorf("the echo came back after %v, want at least %v", d, 2*delay)
	}
	if strings.Contains(link.String(), "echo") {
		t.Errorf("the cut echo reached the host: %q", link.String())
	}
	if st := m.LinkStats(); st.FramesToDevice != 2 || st.FramesFromDevice != 2 {
		t.Errorf("LinkStats = %+v, want 2 frames each way", st)
	}
}

func TestNativeBoardStopWhilePaused(t *testing.T) {
	m, _, _ := startRecorded(t, nativeSpec(t))
	if err := m.Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopCleanly(t, m)
}

func TestNativeBoardKillIsACrash(t *testing.T) {
	m, console, _ := startRecorded(t, nativeSpec(t))
	console.waitCount(t, "hello\n", 1)
	if err := m.Kill(); err != nil {
		t.Fatal(err)
	}
	expectCrash(t, m, "SIGKILL")
	if _, err := m.Link().Write([]byte("x")); err != ErrExited {
		t.Errorf("link write after exit: %v, want ErrExited", err)
	}
	if err := m.Reset(context.Background()); err != ErrExited {
		t.Errorf("reset after exit: %v, want ErrExited", err)
	}
	if err := m.Kill(); err != nil {
		t.Errorf("second Kill: %v", err)
	}
}

func TestNativeBoardExitingDuringStartReportsStderr(t *testing.T) {
	spec := nativeSpec(t)
	spec.Firmware = filepath.Join(t.TempDir(), "broken-fw")
	script := "#!/bin/sh\necho 'qemu-system-arm: warning: nic lan9118.0 has no peer' >&2\necho 'fw: flash is corrupt' >&2\nexit 7\n"
	if err := os.WriteFile(spec.Firmware, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Start(ctx, spec)
	want := "emu: native: start: process crashed (exit code 7) during start (stderr: fw: flash is corrupt)"
	if err == nil || err.Error() != want {
		t.Fatalf("Start = %v\nwant %s", err, want)
	}
}

func TestNativeBoardThatNeverConnectsIsKilled(t *testing.T) {
	spec := nativeSpec(t)
	spec.Firmware = filepath.Join(t.TempDir(), "silent-fw")
	pidFile := filepath.Join(t.TempDir(), "pid")
	script := "#!/bin/sh\necho $$ > " + pidFile + "\nexec sleep 30\n"
	if err := os.WriteFile(spec.Firmware, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Start(ctx, spec)
	if err == nil || !strings.Contains(err.Error(), "waiting for the link connection") {
		t.Fatalf("Start = %v, want a link timeout", err)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("the firmware (pid %d) outlived the failed start", pid)
	}
}
