package emu

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// MissingToolError says a host tool is not installed and how to install it.
type MissingToolError struct {
	Tool    string
	Package string // Debian package; empty when unknown
	Err     error  // from the PATH look-up
}

func (e *MissingToolError) Error() string {
	if e.Package == "" {
		return fmt.Sprintf("emu: %s not found in PATH", e.Tool)
	}
	return fmt.Sprintf(`emu: %s not found: install it with "apt-get install --no-install-recommends %s" (or run "make deps")`, e.Tool, e.Package)
}

func (e *MissingToolError) Unwrap() error { return e.Err }

// debianPackage names the Debian package that provides a tool.
func debianPackage(tool string) string {
	switch tool {
	case "qemu-system-arm":
		return "qemu-system-arm"
	case "arm-none-eabi-gcc":
		return "gcc-arm-none-eabi"
	case "dtc":
		return "device-tree-compiler"
	case "wat2wasm":
		return "wabt"
	case "clang":
		return "clang"
	case "wasm-ld":
		return "lld"
	case "tmux":
		return "tmux"
	case "make":
		return "make"
	}
	return ""
}

// RequireTool checks that a tool is in PATH. The error is a
// *MissingToolError naming the Debian package to install.
func RequireTool(name string) error {
	if _, err := exec.LookPath(name); err != nil {
		return &MissingToolError{Tool: name, Package: debianPackage(name), Err: err}
	}
	return nil
}

// CompileDTS compiles a devicetree source to a DTB with dtc. The error
// includes dtc's messages.
func CompileDTS(ctx context.Context, dtsPath string) ([]byte, error) {
	if err := RequireTool("dtc"); err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "dtc", "-I", "dts", "-O", "dtb", "-o", "-", dtsPath)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	killGroupOnCancel(cmd)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("emu: dtc %s: %w: %s", dtsPath, err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), nil
}

// makeOutputLimit is how much of make's output a failure reports: the end,
// where the error is.
const makeOutputLimit = 16 << 10

// Make runs make in dir with args. On failure the error includes the end
// of make's output.
func Make(ctx context.Context, dir string, args ...string) error {
	if err := RequireTool("make"); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "make", append([]string{"-C", dir}, args...)...)
	killGroupOnCancel(cmd)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) > makeOutputLimit {
			out = append([]byte("…"), out[len(out)-makeOutputLimit:]...)
		}
		return fmt.Errorf("emu: make -C %s %s: %w\n%s", dir, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}
