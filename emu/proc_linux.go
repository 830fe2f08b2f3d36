package emu

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The termios ioctls, which differ between Linux and the BSDs.
const (
	ioctlGetTermios = unix.TCGETS
	ioctlSetTermios = unix.TCSETS
)

// boardProcAttr puts a board in its own session, so a Ctrl-C meant for the
// lab does not reach it, and has the kernel kill it if the lab dies
// (QEMU-NOTES gotcha 13). Pdeathsig follows the thread that started the
// child; Go only ends threads of goroutines that exit while locked to one,
// which emu never does.
func boardProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
}

// killGroupOnCancel runs a tool (make, dtc) in its own process group and
// kills the whole group when its context ends, so make's compilers go too.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// waitStopped returns once every thread of pid is stopped (or the process
// is gone): SIGSTOP is delivered asynchronously, and Pause promises that
// the board no longer runs when it returns.
func waitStopped(ctx context.Context, pid int) error {
	for {
		if allThreadsStopped(pid) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for pid %d to stop: %w", pid, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// allThreadsStopped reads each thread's state from /proc: T (stopped), t
// (traced), Z or X (exiting) cannot run any more.
func allThreadsStopped(pid int) bool {
	taskDir := fmt.Sprintf("/proc/%d/task", pid)
	tasks, err := os.ReadDir(taskDir)
	if err != nil {
		return true // the process is gone
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join(taskDir, task.Name(), "stat"))
		if err != nil {
			continue // that thread just ended
		}
		// The state follows the command name, which is in parentheses and may contain any byte.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) {
			return false
		}
		switch stat[i+2] {
		case 'T', 't', 'Z', 'X':
		default:
			return false
		}
	}
	return true
}
