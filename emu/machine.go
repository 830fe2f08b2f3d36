package emu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

const (
	// defaultStartTimeout bounds Start when ctx has no deadline.
	defaultStartTimeout = 10 * time.Second
	// defaultStopTimeout is how long Stop waits for a polite exit when ctx
	// has no deadline.
	defaultStopTimeout = 3 * time.Second
	// drainGrace is how long the last console and link bytes may take to
	// drain after the process exited.
	drainGrace = 500 * time.Millisecond
	// exitGrace is how long an error during start may take to turn out to
	// be the process exiting.
	exitGrace = time.Second
	// maxUnixSocketPath is sun_path's size less the terminating NUL.
	maxUnixSocketPath = 107
)

// Machine is a running board process: QEMU, or the native firmware.
type Machine struct {
	spec    Spec
	cmd     *exec.Cmd
	control control
	console *console
	link    *linkEndpoint
	stderr  *tailWriter
	tempDir string // removed at exit; empty when the caller gave Spec.Dir

	stopping atomic.Bool
	done     chan struct{}
	exit     ExitStatus // written before done is closed
}

// control is what differs between QEMU (QMP) and native (signals) boards.
type control interface {
	reset(ctx context.Context) error
	pause(ctx context.Context) error
	resume(ctx context.Context) error
	quit(ctx context.Context) error
	qmp(ctx context.Context, execute string, args any) (json.RawMessage, error)
	close()
}

var _ Instance = (*Machine)(nil)

// Start starts a board and returns once it runs with its link connected. A
// QEMU board's CPU is held until then, so its first link bytes reach the
// caller. ctx bounds the start only (10 s when it has no deadline); the
// board runs until Stop or Kill, or until it exits.
func Start(ctx context.Context, spec Spec) (*Machine, error) {
	if !spec.Board.IsNative() {
		if err := RequireTool(qemuBinary); err != nil {
			return nil, err
		}
	}
	if err := spec.check(); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	m, err := launch(spec)
	if err != nil {
		return nil, err
	}
	if err := m.boot(ctx); err != nil {
		m.cmd.Process.Kill()
		<-m.done
		if tail := summarizeStderr(m.exit.StderrTail); tail != "" {
			return nil, fmt.Errorf("emu: %s: start: %w (stderr: %s)", spec.name(), err, tail)
		}
		return nil, fmt.Errorf("emu: %s: start: %w", spec.name(), err)
	}
	return m, nil
}

// launch prepares the working directory, the link listener and the console
// pty, and starts the process. On success, the machine's wait goroutine
// owns every resource.
func launch(spec Spec) (m *Machine, err error) {
	m = &Machine{spec: spec, done: make(chan struct{}), stderr: newTailWriter(stderrTailSize, spec.Stderr)}
	var cleanups []func()
	defer func() {
		if err != nil {
			for i := len(cleanups) - 1; i >= 0; i-- {
				cleanups[i]()
			}
		}
	}()

	paths, err := m.prepareDir()
	if m.tempDir != "" {
		cleanups = append(cleanups, func() { os.RemoveAll(m.tempDir) })
	}
	if err != nil {
		return nil, err
	}
	if m.link, err = listenLink(); err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { m.link.close(0) })
	paths.LinkAddr = m.link.addr()

	var tty *os.File
	if m.console, tty, err = openConsole(); err != nil {
		return nil, err
	}
	defer tty.Close() // the child holds its own copy; ours would hide its exit from the pty
	cleanups = append(cleanups, func() { m.console.close(0) })

	if m.cmd, err = command(spec, paths); err != nil {
		return nil, err
	}
	m.cmd.Stdin, m.cmd.Stdout, m.cmd.Stderr = tty, tty, m.stderr
	if err = m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("emu: %s: %w", spec.name(), err)
	}
	if spec.Board.IsNative() {
		m.control = signalControl{proc: m.cmd.Process}
	} else {
		m.control = qmpControl{c: newQMPClient(paths.QMPSocket)}
	}
	go m.wait()
	return m, nil
}

// prepareDir creates the working directory (a temporary one, recorded in
// m.tempDir, when the spec has none) and writes the provisioning file.
func (m *Machine) prepareDir() (launchPaths, error) {
	spec := m.spec
	dir := spec.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "emu-"+spec.name()+"-"); err != nil {
			return launchPaths{}, fmt.Errorf("emu: %s: working dir: %w", spec.name(), err)
		}
		m.tempDir = dir
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return launchPaths{}, fmt.Errorf("emu: %s: working dir: %w", spec.name(), err)
	}
	paths := launchPaths{QMPSocket: filepath.Join(dir, "qmp.sock")}
	if !spec.Board.IsNative() && len(paths.QMPSocket) > maxUnixSocketPath {
		return launchPaths{}, fmt.Errorf("emu: %s: QMP socket path %s is longer than %d bytes: use a shorter Spec.Dir", spec.name(), paths.QMPSocket, maxUnixSocketPath)
	}
	if len(spec.Provision) > 0 {
		paths.ProvisionFile = filepath.Join(dir, "provision.bin")
		if err := os.WriteFile(paths.ProvisionFile, spec.Provision, 0o600); err != nil {
			return launchPaths{}, fmt.Errorf("emu: %s: provisioning blob: %w", spec.name(), err)
		}
	}
	return paths, nil
}

// command builds the board's process: QEMU, or the native firmware itself.
func command(spec Spec, paths launchPaths) (*exec.Cmd, error) {
	var cmd *exec.Cmd
	if spec.Board.IsNative() {
		cmd = exec.Command(spec.Firmware, nativeArgs(spec, paths)...)
	} else {
		args, err := qemuArgs(spec, paths)
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(qemuBinary, args...)
	}
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.SysProcAttr = boardProcAttr()
	cmd.WaitDelay = time.Second // a stray holder of the stderr pipe cannot hang Wait
	return cmd, nil
}

// boot takes a started process to a running board: QEMU's monitor is
// connected and the CPU released only once the link is accepted.
func (m *Machine) boot(ctx context.Context) error {
	q, isQEMU := m.control.(qmpControl)
	if isQEMU {
		if err := q.c.connect(ctx); err != nil {
			return m.exitedOr(ctx, err)
		}
	}
	if err := m.link.waitConnected(ctx, m.done); err != nil {
		return m.exitedOr(ctx, err)
	}
	if isQEMU {
		if err := q.waitLinkChardev(ctx); err != nil {
			return m.exitedOr(ctx, err)
		}
		if err := q.resume(ctx); err != nil {
			// An image that ends at once (a semihosting test verdict, a
			// lockup) can take QEMU down before it answers: the board
			// started, then exited, and Exit says how.
			if m.exitsWithin(exitGrace) {
				return nil
			}
			return m.exitedOr(ctx, err)
		}
	}
	return nil
}

// exitsWithin reports whether the process exits within d.
func (m *Machine) exitsWithin(d time.Duration) bool {
	if m.exited() {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-m.done:
		return true
	case <-t.C:
		return false
	}
}

// exitedOr prefers "the process exited" to the error that the exit caused
// (a closed socket, a missing connection), giving the exit a moment to be
// reaped. A timeout is reported as itself.
func (m *Machine) exitedOr(ctx context.Context, err error) error {
	wait := exitGrace
	if ctx.Err() != nil {
		wait = 0
	}
	if m.exitsWithin(wait) {
		return fmt.Errorf("process %s during start", m.exit)
	}
	return err
}

// wait reaps the process, releases everything the machine holds, records
// the exit and closes done.
func (m *Machine) wait() {
	waitErr := m.cmd.Wait()
	st := exitStatusOf(m.cmd.ProcessState, waitErr)
	st.Requested = m.stopping.Load()
	st.Crashed = !st.Requested && (st.Signal != "" || st.Code != 0)
	m.control.close()
	m.link.close(drainGrace)
	m.console.close(drainGrace)
	st.StderrTail = m.stderr.String()
	if m.tempDir != "" {
		os.RemoveAll(m.tempDir)
	}
	m.exit = st
	close(m.done)
}

func exitStatusOf(ps *os.ProcessState, waitErr error) ExitStatus {
	if ps == nil {
		return ExitStatus{Code: -1, Signal: "unknown: " + waitErr.Error()}
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return ExitStatus{Code: -1, Signal: unix.SignalName(ws.Signal())}
	}
	return ExitStatus{Code: ps.ExitCode()}
}

// Console is the board's serial0: the master of its pty.
func (m *Machine) Console() io.ReadWriter { return m.console }

// Link is the board's serial1, stable across reconnects.
func (m *Machine) Link() io.ReadWriter { return m.link }

// LinkStats counts the link's traffic and losses so far.
func (m *Machine) LinkStats() LinkStats { return m.link.stats() }

// SetLinkFaults replaces the faults injected on the link, from the next
// bytes on. The board's socket is drained whatever the faults.
func (m *Machine) SetLinkFaults(s LinkFaultSet) { m.link.setFaults(s) }

// Reset presses the board's reset button: QMP system_reset, or SIGUSR1 for
// the native board.
func (m *Machine) Reset(ctx context.Context) error { return m.do(ctx, "reset", m.control.reset) }

// Pause freezes the CPU: QMP stop, or SIGSTOP.
func (m *Machine) Pause(ctx context.Context) error { return m.do(ctx, "pause", m.control.pause) }

// Resume undoes Pause: QMP cont, or SIGCONT.
func (m *Machine) Resume(ctx context.Context) error { return m.do(ctx, "resume", m.control.resume) }

// QMP runs a QMP command (e.g. "qom-set", "human-monitor-command") and
// returns its "return" value. The native board has none.
func (m *Machine) QMP(ctx context.Context, execute string, args any) (json.RawMessage, error) {
	if m.exited() {
		return nil, ErrExited
	}
	out, err := m.control.qmp(ctx, execute, args)
	if err != nil {
		return nil, fmt.Errorf("emu: %s: %w", m.spec.name(), err)
	}
	return out, nil
}

// HumanMonitorCommand runs a monitor command line (e.g. "xp /1wx
// 0x40028000") and returns its output.
func (m *Machine) HumanMonitorCommand(ctx context.Context, commandLine string) (string, error) {
	raw, err := m.QMP(ctx, "human-monitor-command", map[string]string{"command-line": commandLine})
	if err != nil {
		return "", err
	}
	var out string
	if err := json.Unmarshal(raw, &out); err != nil {
		return "", fmt.Errorf("emu: %s: human-monitor-command: %w", m.spec.name(), err)
	}
	return out, nil
}

func (m *Machine) do(ctx context.Context, what string, op func(context.Context) error) error {
	if m.exited() {
		return ErrExited
	}
	if err := op(ctx); err != nil {
		if m.exited() {
			return ErrExited
		}
		return fmt.Errorf("emu: %s: %s: %w", m.spec.name(), what, err)
	}
	return nil
}

// Stop asks the board to exit (QMP quit, or SIGTERM), waits until ctx is
// done (3 s when ctx has no deadline), then kills it. It returns once the
// process is reaped; the exit is reported as requested, not crashed.
func (m *Machine) Stop(ctx context.Context) error {
	if m.exited() {
		return nil
	}
	m.stopping.Store(true)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStopTimeout)
		defer cancel()
	}
	_ = m.control.quit(ctx) // a failure leaves the process running: the kill below covers it
	select {
	case <-m.done:
		return nil
	case <-ctx.Done():
	}
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("emu: %s: stop: %w", m.spec.name(), err)
	}
	<-m.done
	return nil
}

// Kill ends the board at once with SIGKILL, as fault injection: the exit
// is reported as crashed. It does not wait; see Done.
func (m *Machine) Kill() error {
	if err := m.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("emu: %s: kill: %w", m.spec.name(), err)
	}
	return nil
}

// Done is closed once the process has exited and every resource of the
// machine is released.
func (m *Machine) Done() <-chan struct{} { return m.done }

// Exit is how the process ended; the zero value until Done is closed.
func (m *Machine) Exit() ExitStatus {
	if !m.exited() {
		return ExitStatus{}
	}
	return m.exit
}

// PID is the process id of QEMU or of the native firmware.
func (m *Machine) PID() int { return m.cmd.Process.Pid }

func (m *Machine) exited() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}
