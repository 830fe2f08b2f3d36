package emu

import (
	"context"
	"encoding/json"
	"os"
	"syscall"
)

// signalControl drives the native board with signals: its firmware
// re-executes itself on SIGUSR1 (keeping its pid, as a board keeps its
// serial port across a reset).
type signalControl struct{ proc *os.Process }

func (s signalControl) reset(context.Context) error  { return s.proc.Signal(syscall.SIGUSR1) }
func (s signalControl) resume(context.Context) error { return s.proc.Signal(syscall.SIGCONT) }

// pause stops the process and waits until it has stopped.
func (s signalControl) pause(ctx context.Context) error {
	if err := s.proc.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	return waitStopped(ctx, s.proc.Pid)
}

// quit sends SIGTERM, and SIGCONT so that a paused board receives it.
func (s signalControl) quit(context.Context) error {
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return s.proc.Signal(syscall.SIGCONT)
}

func (s signalControl) qmp(context.Context, string, any) (json.RawMessage, error) {
	return nil, errNoQMP
}

func (s signalControl) close() {}
