package emu

import (
	"fmt"
	"io"
	"os"

	"wasmbed-lab/boards"
)

// Spec says which board to start, with what, and where its files go.
type Spec struct {
	Board boards.Board
	// Firmware is the ELF image for a QEMU board, the executable for the
	// native board.
	Firmware string
	// Provision, when not empty, is written to the board's provisioning area
	// (Board.Provision) before the CPU starts: by QEMU's generic
	// loader, or as the file given to the native firmware's --provision.
	// QEMU writes it again on every reset.
	Provision []byte
	// Dir is a private working directory for the QMP socket and the
	// provisioning file; it is created with mode 0700. When empty, a
	// temporary directory is used and removed when the board exits.
	Dir string
	// Semihosting enables Arm semihosting (test images only: it lets the
	// guest exit with a verdict). Ignored for the native board.
	Semihosting bool
	// ExtraArgs are appended to the command line: QEMU options (e.g.
	// "-device", "tmp105,id=t0,address=0x48"), or firmware flags for the
	// native board.
	ExtraArgs []string
	// Env is added to the child's environment.
	Env []string
	// Stderr, when set, receives the child's stderr as it comes. The last
	// few KiB are kept in ExitStatus.StderrTail either way.
	Stderr io.Writer
}

func (s Spec) name() string {
	if s.Board.Name != "" {
		return s.Board.Name
	}
	return s.Board.Machine
}

// provisionAddr is where QEMU's loader writes the provisioning blob.
func (s Spec) provisionAddr() uint64 {
	return s.Board.Provision.Base
}

// check reports a spec that cannot start, before anything is created.
func (s Spec) check() error {
	if s.name() == "" {
		return fmt.Errorf("emu: spec has no board")
	}
	if !s.Board.IsNative() && s.Board.Machine == "" {
		return fmt.Errorf("emu: %s: board has no QEMU machine", s.name())
	}
	if s.Firmware == "" {
		return fmt.Errorf("emu: %s: no firmware given", s.name())
	}
	fi, err := os.Stat(s.Firmware)
	if err != nil {
		return fmt.Errorf("emu: %s: firmware: %w", s.name(), err)
	}
	if fi.IsDir() {
		return fmt.Errorf("emu: %s: firmware %s is a directory", s.name(), s.Firmware)
	}
	if s.Board.IsNative() && fi.Mode()&0o111 == 0 {
		return fmt.Errorf("emu: %s: firmware %s is not executable", s.name(), s.Firmware)
	}
	if len(s.Provision) > 0 {
		area := s.Board.Provision
		if area.Size == 0 {
			return fmt.Errorf("emu: %s: board has no provisioning area", s.name())
		}
		if uint64(len(s.Provision)) > area.Size {
			return fmt.Errorf("emu: %s: provisioning blob is %d bytes, the board's area holds %d", s.name(), len(s.Provision), area.Size)
		}
	}
	return nil
}
