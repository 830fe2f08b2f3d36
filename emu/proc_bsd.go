//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package emu

import (
	"context"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// The termios ioctls, which differ between Linux and the BSDs.
const (
	ioctlGetTermios = unix.TIOCGETA
	ioctlSetTermios = unix.TIOCSETA
)

// boardProcAttr puts a board in its own session. Only Linux can also tie
// the child's life to the lab's (Pdeathsig).
func boardProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

// killGroupOnCancel runs a tool in its own process group and kills the
// group when its context ends.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}

// waitStopped cannot observe the stop without /proc: there, Pause returns
// once SIGSTOP is sent.
func waitStopped(context.Context, int) error { return nil }
