package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

// FindRoot locates the wasmbed-lab source tree, which holds the firmware
// images: $WASMBED_ROOT, else the first parent of the working directory or
// of the executable that has firmware/ and boards/.
func FindRoot() (string, error) {
	if root := os.Getenv("WASMBED_ROOT"); root != "" {
		if !isRoot(root) {
			return "", fmt.Errorf("lab: WASMBED_ROOT=%s has no firmware/Makefile and boards/", root)
		}
		return root, nil
	}
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, dir := range starts {
		for {
			if isRoot(dir) {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("lab: cannot find the wasmbed-lab source tree (firmware/ and boards/): run from inside it or set WASMBED_ROOT")
}

func isRoot(dir string) bool {
	_, errFw := os.Stat(filepath.Join(dir, "firmware", "Makefile"))
	_, errBoards := os.Stat(filepath.Join(dir, "boards"))
	return errFw == nil && errBoards == nil
}

// FirmwarePath is where `make firmware` puts a board's image.
func FirmwarePath(root string, b boards.Board) string {
	if b.IsNative() {
		return filepath.Join(root, "firmware", "build", "native", "wasmbed-fw")
	}
	return filepath.Join(root, "firmware", "build", b.Name, "wasmbed-fw.elf")
}

// EnsureFirmware returns the board's image, building it first when it is
// missing.
func EnsureFirmware(ctx context.Context, root string, b boards.Board) (string, error) {
	path := FirmwarePath(root, b)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	compiler := "arm-none-eabi-gcc"
	if b.IsNative() {
		compiler = "gcc"
	}
	for _, tool := range []string{"make", compiler} {
		if err := emu.RequireTool(tool); err != nil {
			return "", fmt.Errorf("lab: firmware for %s is not built (%s) and cannot be: %w", b.Name, path, err)
		}
	}
	if err := emu.Make(ctx, filepath.Join(root, "firmware"), "BOARD="+b.Name); err != nil {
		return "", fmt.Errorf("lab: building firmware for %s: %w (try `make firmware`)", b.Name, err)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("lab: firmware for %s: make ran but %s is missing", b.Name, path)
	}
	return path, nil
}
