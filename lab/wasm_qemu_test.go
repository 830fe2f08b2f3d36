package lab

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

var specVerdictRE = regexp.MustCompile(`(?m)^(\d+) passed, (\d+) failed\r?$`)

// TestSpecImagesOnQEMU runs the WebAssembly spec subset (specgen's
// DefaultScripts) through the firmware's interpreter on both spec boards in
// real QEMU: the image must exit with status 0 through semihosting and
// report "N passed, 0 failed" with N > 0, leaving no module out for want of
// arena (the largest, br_table's, needs 4.5 KiB of tables).
func TestSpecImagesOnQEMU(t *testing.T) {
	root := requireSourceRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	t.Cleanup(cancel) // after the parallel subtests
	if err := BuildTestImages(ctx, root, SpecImagesTarget); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mps2-an385", "olimex-stm32-h405"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bd, err := boards.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			run, err := RunTestImage(ctx, bd, TestImagePath(root, bd, "spec"))
			if err != nil {
				t.Fatal(err)
			}
			m := specVerdictRE.FindStringSubmatch(run.Console)
			if m == nil {
				t.Fatalf("no verdict line; exit %v%s", run.Exit, imageConsoleTail(run.Console))
			}
			passed, _ := strconv.Atoi(m[1])
			if failures := specFailLines(run.Console); m[2] != "0" || len(failures) > 0 {
				t.Errorf("%s passed, %s failed:\n%s", m[1], m[2], strings.Join(failures, "\n"))
			}
			if passed == 0 {
				t.Error("nothing passed")
			}
			if strings.Contains(run.Console, "left out on this board") {
				t.Errorf("%s (%d KiB of RAM) left modules out:\n%s", bd.Name, bd.RAM.Size>>10, specReportLines(run.Console))
			}
			if run.Exit.Code != 0 || run.Exit.Signal != "" {
				t.Errorf("exit %v, want status 0 (stderr: %s)", run.Exit, strings.TrimSpace(run.Exit.StderrTail))
			}
			t.Logf("%s passed in %v; %s", m[1], run.Took.Round(time.Millisecond), specReportLines(run.Console))
		})
	}
}

func specFailLines(console string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(console, "\r", ""), "\n") {
		if strings.HasPrefix(l, "FAIL ") || strings.HasPrefix(l, "*** fault") {
			out = append(out, l)
		}
	}
	return out
}

// specReportLines are the image's own "spec:" lines (what it ran and left out).
func specReportLines(console string) string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(console, "\r", ""), "\n") {
		if strings.HasPrefix(l, "spec: ") {
			out = append(out, strings.TrimPrefix(l, "spec: "))
		}
	}
	return strings.Join(out, "; ")
}

// TestBenchWasmICount measures the kernels under -icount and checks one
// checksum against what wasmrun, the same interpreter on the host, prints.
func TestBenchWasmICount(t *testing.T) {
	root := requireSourceRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	results, err := BenchWasmICount(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	kernels := map[string]ICountResult{}
	for _, r := range results {
		t.Logf("%-7s n=%-5d checksum=%-10d instructions=%d fuel=%d", r.Kernel, r.N, r.Checksum, r.Instructions, r.Fuel)
		if r.Instructions == 0 {
			t.Errorf("%s: no instructions counted", r.Kernel)
		}
		kernels[r.Kernel] = r
	}
	if len(kernels) != 7 {
		t.Errorf("%d kernels measured, want 7", len(kernels))
	}

	// Every kernel's result on the device is the host interpreter's.
	if err := emu.Make(ctx, filepath.Join(root, "firmware"), "build/native/wasmrun"); err != nil {
		t.Fatal(err)
	}
	wasmrun := filepath.Join(root, "firmware", "build", "native", "wasmrun")
	for name, k := range kernels {
		out, _, err := emu.RunTool(ctx, wasmrun, filepath.Join(root, "apps", "build", "bench", name+".wasm"),
			"--invoke", "run", strconv.FormatUint(uint64(k.N), 10))
		if err != nil {
			t.Fatal(err)
		}
		if want := "i32:" + strconv.FormatUint(uint64(k.Checksum), 10); strings.TrimSpace(string(out)) != want {
			t.Errorf("%s(%d) on the device gave %s, wasmrun %s", name, k.N, want, strings.TrimSpace(string(out)))
		}
	}
}

func TestParseICount(t *testing.T) {
	const report = "spec: 7 scripts, 14 commands, 0 left out\r\n" +
		"icount: calibrate loop=1000000 cycles=50000 hz=25000000\r\n" +
		"icount: calibrate loop=3000000 cycles=150001 hz=25000000\r\n" +
		"icount: kernel=fib n=20 result=6765 cycles=237892 hz=25000000 fuel=15127\r\n" +
		"16 passed, 0 failed\r\n"
	got, err := parseICount(report)
	if err != nil {
		t.Fatal(err)
	}
	want := ICountResult{Kernel: "fib", N: 20, Checksum: 6765, Instructions: 237892 * 40, Fuel: 15127}
	if len(got) != 1 || got[0] != want {
		t.Errorf("parseICount = %+v, want [%+v]", got, want)
	}
	for name, bad := range map[string]string{
		"no calibration":   "icount: kernel=fib n=20 result=6765 cycles=237892 hz=25000000 fuel=15127\n",
		"wrong count":      strings.Replace(report, "cycles=150001", "cycles=90000", 1),
		"no kernel":        strings.Replace(report, "icount: kernel", "other", 1),
		"loops reversed":   strings.Replace(strings.Replace(report, "loop=3000000", "loop=1", 1), "loop=1000000", "loop=3000000", 1),
		"host clock (1ns)": strings.ReplaceAll(report, "hz=25000000", "hz=1000000000"),
	} {
		if _, err := parseICount(bad); err == nil {
			t.Errorf("%s: parseICount accepted it", name)
		}
	}
}

func TestCyclesToNanos(t *testing.T) {
	for _, c := range []struct{ cycles, hz, want uint64 }{
		{1, 25000000, 40},
		{0, 25000000, 0},
		{168000000, 168000000, 1e9},
		{1 << 40, 25000000, (1 << 40) * 40},
		{5, 0, 0},
	} {
		if got := cyclesToNanos(c.cycles, c.hz); got != c.want {
			t.Errorf("cyclesToNanos(%d, %d) = %d, want %d", c.cycles, c.hz, got, c.want)
		}
	}
}

func requireSourceRoot(t *testing.T) string {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}
