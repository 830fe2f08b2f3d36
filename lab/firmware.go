package lab

import (
	"context"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
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

// ImageBuildID reads the GNU build id of a firmware image (ELF), as hex:
// the banner prints its first 8 bytes, which tells which image is running.
func ImageBuildID(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("lab: firmware image: %w", err)
	}
	defer f.Close()
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOTE {
			continue
		}
		data, err := s.Data()
		if err != nil {
			return "", fmt.Errorf("lab: firmware image %s: %w", path, err)
		}
		if id, ok := gnuBuildID(data, f.ByteOrder); ok {
			return id, nil
		}
	}
	return "", fmt.Errorf("lab: firmware image %s has no GNU build id (link with --build-id)", path)
}

// gnuBuildID walks ELF notes: namesz, descsz, type, name and desc padded to 4.
func gnuBuildID(notes []byte, order binary.ByteOrder) (string, bool) {
	for len(notes) >= 12 {
		namesz, descsz, typ := order.Uint32(notes), order.Uint32(notes[4:]), order.Uint32(notes[8:])
		nameEnd := 12 + (uint64(namesz)+3)&^3
		descEnd := nameEnd + (uint64(descsz)+3)&^3
		if descEnd > uint64(len(notes)) {
			return "", false
		}
		if typ == 3 && namesz == 4 && string(notes[12:15]) == "GNU" { // NT_GNU_BUILD_ID
			return hex.EncodeToString(notes[nameEnd : nameEnd+uint64(descsz)]), true
		}
		notes = notes[descEnd:]
	}
	return "", false
}
