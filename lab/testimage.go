package lab

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

// Test images are firmware built for tests only (firmware/test/image/):
// one runs, prints its report on the console and ends QEMU through
// semihosting, its verdict the exit status. firmware/Makefile builds them
// with these targets, never with all.
const (
	// SpecImagesTarget builds the WebAssembly spec suite image
	// (TestImagePath "spec") for mps2-an385 and olimex-stm32-h405.
	SpecImagesTarget = "spec-images"
	// BenchImagesTarget builds the benchmark kernels image (TestImagePath
	// "bench") for mps2-an385, and the kernels first when they are missing.
	BenchImagesTarget = "bench-images"
)

// TestImagePath is where firmware/Makefile puts a board's test image
// ("spec" or "bench").
func TestImagePath(root string, b boards.Board, name string) string {
	return filepath.Join(root, "firmware", "build", b.Name, name+"-image.elf")
}

// BuildTestImages runs `make -C firmware TARGET`, which rebuilds only what
// is out of date.
func BuildTestImages(ctx context.Context, root, target string) error {
	for _, tool := range []string{"make", "arm-none-eabi-gcc", "go"} {
		if err := emu.RequireTool(tool); err != nil {
			return fmt.Errorf("lab: test images (make -C firmware %s): %w", target, err)
		}
	}
	if err := emu.Make(ctx, filepath.Join(root, "firmware"), target); err != nil {
		return fmt.Errorf("lab: test images: %w", err)
	}
	return nil
}

// TestImageRun is how a test image ended.
type TestImageRun struct {
	Console string         // everything it printed
	Exit    emu.ExitStatus // Code is the verdict: 0 passes
	Took    time.Duration  // from start to exit
}

// RunTestImage boots a test image on a QEMU board with semihosting, and
// extra QEMU arguments (e.g. -icount), and waits until it exits. The error
// says the image did not run to its end (it could not start, or ctx ended
// first); a failing verdict is in the result.
func RunTestImage(ctx context.Context, bd boards.Board, image string, qemuArgs ...string) (TestImageRun, error) {
	begin := time.Now()
	m, err := emu.Start(ctx, emu.Spec{Board: bd, Firmware: image, Semihosting: true, ExtraArgs: qemuArgs})
	if err != nil {
		return TestImageRun{}, fmt.Errorf("lab: %s: test image: %w", bd.Name, err)
	}
	var console bytes.Buffer
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		io.Copy(&console, m.Console()) // ends once the board exited and its output is read
	}()
	select {
	case <-m.Done():
	case <-ctx.Done():
		m.Stop(context.WithoutCancel(ctx))
		<-drained
		return TestImageRun{Console: console.String()}, fmt.Errorf("lab: %s: test image %s did not exit: %w%s",
			bd.Name, filepath.Base(image), ctx.Err(), imageConsoleTail(console.String()))
	}
	<-drained
	return TestImageRun{Console: console.String(), Exit: m.Exit(), Took: time.Since(begin)}, nil
}

// imageConsoleTail is the last lines of a console, to explain a failure.
func imageConsoleTail(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r", ""))
	if s == "" {
		return " (no console output)"
	}
	return "\nlast console lines:\n  " + strings.ReplaceAll(lastLines(s, 5), " | ", "\n  ")
}
