package emu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// toolStderrLimit is how much of a failed tool's stderr its error reports:
// the end, where the error is.
const toolStderrLimit = 4 << 10

// RunTool runs a host tool to completion and returns what it wrote: name
// is looked up in PATH (a missing tool is a *MissingToolError), or is a
// path when it contains a slash (a program the build made, such as
// wasmrun). A tool that fails or exits non-zero returns an error that
// wraps the *exec.ExitError and includes the end of its stderr; the output
// so far is returned too.
func RunTool(ctx context.Context, name string, args ...string) (stdout, stderr []byte, err error) {
	if !strings.Contains(name, "/") {
		if err := RequireTool(name); err != nil {
			return nil, nil, err
		}
	}
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	killGroupOnCancel(cmd)
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		msg := bytes.TrimSpace(errOut.Bytes())
		if len(msg) > toolStderrLimit {
			msg = append([]byte("…"), msg[len(msg)-toolStderrLimit:]...)
		}
		return out.Bytes(), errOut.Bytes(), fmt.Errorf("emu: %s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return out.Bytes(), errOut.Bytes(), nil
}

// MakeUpToDate asks make in dir whether targets are up to date (make -q),
// building nothing.
func MakeUpToDate(ctx context.Context, dir string, targets ...string) (bool, error) {
	_, _, err := RunTool(ctx, "make", append([]string{"-q", "-C", dir}, targets...)...)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &exit) && exit.ExitCode() == 1: // make -q: "not up to date"
		return false, nil
	}
	return false, err
}
