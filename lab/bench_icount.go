package lab

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"wasmbed-lab/boards"
)

// ICountBoard is the board BenchWasmICount measures on.
const ICountBoard = "mps2-an385"

// ICountResult is what one benchmark kernel's run(N) costs the
// interpreter on the device.
type ICountResult struct {
	Kernel   string
	N        uint32
	Checksum uint32 // what run(N) returned
	// Instructions the guest executed for the call (wasm_thread_call and
	// the slices of wasm_thread_run), counted by QEMU with -icount
	// shift=0: within 40, the resolution of the 25 MHz counter read.
	Instructions uint64
	Fuel         uint64 // the interpreter's fuel for the call: calls and back edges
}

// BenchWasmICount measures each benchmark kernel (apps/build/bench/NAME.wasm)
// in the firmware's interpreter on mps2-an385 under -icount shift=0: it
// builds the bench image (make -C firmware bench-images, which builds the
// kernels when they are missing), boots it once and reads its report. The
// image runs a loop of known length first, and the measurement is refused
// unless that loop counts as the instructions it has.
func BenchWasmICount(ctx context.Context, root string) ([]ICountResult, error) {
	bd, err := boards.Lookup(ICountBoard)
	if err != nil {
		return nil, err
	}
	if err := BuildTestImages(ctx, root, BenchImagesTarget); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	run, err := RunTestImage(ctx, bd, TestImagePath(root, bd, "bench"), "-icount", "shift=0")
	if err != nil {
		return nil, err
	}
	if run.Exit.Code != 0 || run.Exit.Signal != "" {
		return nil, fmt.Errorf("lab: %s: bench image %s%s", bd.Name, run.Exit, imageConsoleTail(run.Console))
	}
	return parseICount(run.Console)
}

var (
	icountKernelRE = regexp.MustCompile(`^icount: kernel=(\S+) n=(\d+) result=(\d+) cycles=(\d+) hz=(\d+) fuel=(\d+)$`)
	icountCalibRE  = regexp.MustCompile(`^icount: calibrate loop=(\d+) cycles=(\d+) hz=(\d+)$`)
)

// calibrationSlack is how far a calibration loop may be from two
// instructions per iteration: two reads of the counter, each within a
// cycle (40 instructions at 25 MHz).
const calibrationSlack = 80

// parseICount reads the bench image's report: calibration lines, then one
// line per kernel. Every number is a decimal the image printed.
func parseICount(console string) ([]ICountResult, error) {
	type loop struct{ n, instructions uint64 }
	var loops []loop
	var results []ICountResult
	for _, line := range strings.Split(strings.ReplaceAll(console, "\r", ""), "\n") {
		if m := icountCalibRE.FindStringSubmatch(line); m != nil {
			n, cycles, hz := icountUint(m[1]), icountUint(m[2]), icountUint(m[3])
			loops = append(loops, loop{n, cyclesToNanos(cycles, hz)})
		} else if m := icountKernelRE.FindStringSubmatch(line); m != nil {
			results = append(results, ICountResult{
				Kernel:       m[1],
				N:            uint32(icountUint(m[2])),
				Checksum:     uint32(icountUint(m[3])),
				Instructions: cyclesToNanos(icountUint(m[4]), icountUint(m[5])),
				Fuel:         icountUint(m[6]),
			})
		}
	}
	if len(loops) < 2 {
		return nil, fmt.Errorf("lab: bench image: %d calibration loops in its report, want 2%s", len(loops), imageConsoleTail(console))
	}
	// Two loops: their difference cancels the cost of reading the counter.
	a, b := loops[0], loops[len(loops)-1]
	want := 2 * (b.n - a.n)
	got := b.instructions - a.instructions
	if b.n <= a.n || got+calibrationSlack < want || got > want+calibrationSlack {
		return nil, fmt.Errorf("lab: bench image: a loop of %d instructions counted as %d: is -icount shift=0 in effect?", want, got)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("lab: bench image: no kernel in its report%s", imageConsoleTail(console))
	}
	return results, nil
}

func icountUint(s string) uint64 {
	v, _ := strconv.ParseUint(s, 10, 64) // the regexps admit digits only
	return v
}

// cyclesToNanos converts counter cycles at hz to nanoseconds, which under
// -icount shift=0 are instructions, without overflowing.
func cyclesToNanos(cycles, hz uint64) uint64 {
	if hz == 0 {
		return 0
	}
	return cycles/hz*1e9 + cycles%hz*1e9/hz
}
