package lab

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

// Runs per kernel: the interpreter is some 10-50× slower, so fewer of it.
const (
	wasmNativeRuns = 5
	wasmInterpRuns = 3
)

// Targets the wasm part is held to.
const (
	WasmSlowdownTarget = 20.0     // geometric mean of wasm time / native time
	WasmFlashTarget    = 24 << 10 // the interpreter's code on a board
)

// WasmBench is the interpreter against native code on the benchmark
// kernels (apps/bench), and what the interpreter costs in flash per board.
type WasmBench struct {
	Kernels []WasmKernel
	ICount  []ICountResult // guest instructions per kernel on ICountBoard
	Flash   []WasmFlash
}

// WasmKernel is one kernel at its default N: the median times of
// bench-native and of wasmrun (the run(N) call alone in both), and what
// the module costs the runtime in RAM.
type WasmKernel struct {
	Name     string
	N        uint32
	Checksum uint32
	Native   time.Duration
	Wasm     time.Duration
	Fuel     uint64
	Memory   WasmMemory
}

// Slowdown is how many times longer the interpreter takes than native code.
func (k WasmKernel) Slowdown() float64 { return float64(k.Wasm) / float64(k.Native) }

// WasmMemory is wasmrun's memory line: the module's size and what running
// it cost in RAM besides its bytes and its linear memory.
type WasmMemory struct {
	Module, Tables, LoadPeak, Instance uint64 // bytes
	StackSlots, Frames                 uint64 // high-water marks
}

// Sizes of the interpreter's stack slot and call frame (struct wasm_frame
// in firmware/wasm/runtime.h), the same on the host and on Cortex-M.
const (
	wasmSlotBytes  = 8
	wasmFrameBytes = 16
)

// Overhead is the runtime's RAM for the module: its tables, the instance,
// and the peaks of the value stack and the call frames.
func (m WasmMemory) Overhead() uint64 {
	return m.Tables + m.Instance + m.StackSlots*wasmSlotBytes + m.Frames*wasmFrameBytes
}

// MeetsTarget says whether the overhead is at most 2 KiB plus a quarter of
// the module's size.
func (m WasmMemory) MeetsTarget() bool { return 4*m.Overhead() <= 4*2048+m.Module }

// WasmFlash is the interpreter's flash on one board: its objects (loader,
// validator, numeric core, interpreter, instances) compiled with the
// board's flags, and the libgcc routines they call.
type WasmFlash struct {
	Board, CPU string
	Objects    uint64 // code, read-only data and initial data of firmware/wasm/*.o
	// Linked is the same once linked: the link merges equal strings
	// across the objects, and pads for alignment.
	Linked uint64
	// Rebuilt: build/<board>/obj/wasm was out of date, so the objects were
	// compiled into a temporary directory for this measurement.
	Rebuilt bool
	Libgcc  []LibgccMember // what linking the objects pulls in from libgcc
}

// LibgccMember is one member of libgcc.a a link pulled in.
type LibgccMember struct {
	Name  string // e.g. "_arm_addsubdf3"
	Flash uint64
}

// SoftFloat says whether the member is a soft-float routine (its name
// mentions a double or single float mode: df, sf), rather than a 64-bit
// integer helper.
func (m LibgccMember) SoftFloat() bool {
	return strings.Contains(m.Name, "df") || strings.Contains(m.Name, "sf")
}

// LibgccFlash sums the members, soft-float and the rest.
func (f WasmFlash) LibgccFlash() (softFloat, other uint64) {
	for _, m := range f.Libgcc {
		if m.SoftFloat() {
			softFloat += m.Flash
		} else {
			other += m.Flash
		}
	}
	return softFloat, other
}

// Total is the linked objects and libgcc together.
func (f WasmFlash) Total() uint64 {
	sf, other := f.LibgccFlash()
	return f.Linked + sf + other
}

// Geomean is the geometric mean of the kernels' slowdowns.
func (w WasmBench) Geomean() float64 {
	var s []float64
	for _, k := range w.Kernels {
		s = append(s, k.Slowdown())
	}
	return geomean(s)
}

func geomean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, x := range xs {
		sum += math.Log(x)
	}
	return math.Exp(sum / float64(len(xs)))
}

// benchWasm builds the kernels and wasmrun (make knows whether they are up
// to date), runs every kernel natively and in the interpreter, then
// measures the interpreter's flash on each QEMU board.
func benchWasm(ctx context.Context, opts BenchOptions) (WasmBench, error) {
	var w WasmBench
	fw := filepath.Join(opts.Root, "firmware")
	apps := filepath.Join(opts.Root, "apps")
	opts.progress("bench: building wasmrun and the benchmark kernels")
	if err := emu.Make(ctx, fw, "build/native/wasmrun"); err != nil {
		return w, err
	}
	if err := emu.Make(ctx, apps, "bench"); err != nil {
		return w, err
	}
	wasmrun := filepath.Join(fw, "build", "native", "wasmrun")
	dir := filepath.Join(apps, "build", "bench")
	native := filepath.Join(dir, "bench-native")

	out, _, err := emu.RunTool(ctx, native, "--list")
	if err != nil {
		return w, fmt.Errorf("lab: wasm bench: %w", err)
	}
	kernels, err := parseKernelList(out)
	if err != nil {
		return w, err
	}
	for _, k := range kernels {
		r, err := benchKernel(ctx, opts, native, wasmrun, filepath.Join(dir, k.Name+".wasm"), k)
		if err != nil {
			return w, err
		}
		w.Kernels = append(w.Kernels, r)
	}
	opts.progress("bench: the kernels in the interpreter on " + ICountBoard + " under -icount")
	if w.ICount, err = BenchWasmICount(ctx, opts.Root); err != nil {
		return w, err
	}
	w.Flash, err = interpreterFlash(ctx, opts)
	return w, err
}

// kernelSpec is one line of `bench-native --list`.
type kernelSpec struct {
	Name string
	N    uint32
}

// benchKernel runs one kernel natively and in the interpreter, one run at
// a time, and takes the medians.
func benchKernel(ctx context.Context, opts BenchOptions, native, wasmrun, module string, k kernelSpec) (WasmKernel, error) {
	r := WasmKernel{Name: k.Name, N: k.N}
	n := strconv.FormatUint(uint64(k.N), 10)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var times []time.Duration
	for i := range wasmNativeRuns {
		opts.progress("bench: %s(%d) native %d/%d", k.Name, k.N, i+1, wasmNativeRuns)
		out, _, err := emu.RunTool(ctx, native, k.Name, n)
		if err != nil {
			return r, fmt.Errorf("lab: wasm bench: %w", err)
		}
		sum, d, err := parseNativeRun(out, k)
		if err != nil {
			return r, err
		}
		if i > 0 && sum != r.Checksum {
			return r, fmt.Errorf("lab: wasm bench: %s N=%d: native checksums differ between runs: %d and %d", k.Name, k.N, r.Checksum, sum)
		}
		r.Checksum = sum
		times = append(times, d)
	}
	r.Native = median(times)

	times = times[:0]
	for i := range wasmInterpRuns {
		opts.progress("bench: %s(%d) wasm %d/%d", k.Name, k.N, i+1, wasmInterpRuns)
		stdout, stderr, err := emu.RunTool(ctx, wasmrun, module, "--invoke", "run", n)
		if err != nil {
			return r, fmt.Errorf("lab: wasm bench: %w", err)
		}
		run, err := parseWasmRun(stdout, stderr)
		if err != nil {
			return r, fmt.Errorf("lab: wasm bench: %s N=%d: %w", k.Name, k.N, err)
		}
		if run.Checksum != r.Checksum {
			return r, fmt.Errorf("lab: wasm bench: %s N=%d: checksum mismatch: wasm %d, native %d", k.Name, k.N, run.Checksum, r.Checksum)
		}
		r.Fuel, r.Memory = run.Fuel, run.Memory
		times = append(times, run.Time)
	}
	r.Wasm = median(times)
	return r, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// parseKernelList reads `bench-native --list`: "NAME DEFAULT_N" per line.
func parseKernelList(out []byte) ([]kernelSpec, error) {
	var ks []kernelSpec
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		n, err := strconv.ParseUint(f[len(f)-1], 10, 32)
		if len(f) != 2 || err != nil {
			return nil, fmt.Errorf("lab: wasm bench: bench-native --list: bad line %q", sc.Text())
		}
		ks = append(ks, kernelSpec{Name: f[0], N: uint32(n)})
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("lab: wasm bench: bench-native --list listed no kernels")
	}
	return ks, nil
}

// parseNativeRun reads `bench-native NAME N`: "NAME N CHECKSUM NANOSECONDS".
func parseNativeRun(out []byte, k kernelSpec) (uint32, time.Duration, error) {
	line := strings.TrimSpace(string(out))
	f := strings.Fields(line)
	if len(f) == 4 && f[0] == k.Name && f[1] == strconv.FormatUint(uint64(k.N), 10) {
		sum, err1 := strconv.ParseUint(f[2], 10, 32)
		ns, err2 := strconv.ParseInt(f[3], 10, 64)
		if err1 == nil && err2 == nil && ns > 0 {
			return uint32(sum), time.Duration(ns), nil
		}
	}
	return 0, 0, fmt.Errorf("lab: wasm bench: bench-native %s %d: want \"NAME N CHECKSUM NANOSECONDS\", got %q", k.Name, k.N, line)
}

// wasmRun is what one `wasmrun FILE --invoke run N` reported.
type wasmRun struct {
	Checksum uint32
	Time     time.Duration
	Fuel     uint64
	Memory   WasmMemory
}

var (
	wasmTimeRE   = regexp.MustCompile(`^time: ([0-9.]+) ms, fuel (\d+), yields \d+$`)
	wasmMemoryRE = regexp.MustCompile(`^memory: module (\d+) B, tables (\d+) B \(load peak (\d+) B\), instance (\d+) B, stack peak (\d+) slots, (\d+) frames$`)
)

// parseWasmRun reads wasmrun --invoke's result ("i32:CHECKSUM" on stdout)
// and its time and memory lines (on stderr).
func parseWasmRun(stdout, stderr []byte) (wasmRun, error) {
	var r wasmRun
	result := strings.TrimSpace(string(stdout))
	v, ok := strings.CutPrefix(result, "i32:")
	sum, err := strconv.ParseUint(v, 10, 32)
	if !ok || err != nil {
		return r, fmt.Errorf("wasmrun: want an i32 result, got %q", result)
	}
	r.Checksum = uint32(sum)
	var sawTime, sawMemory bool
	for _, line := range strings.Split(string(stderr), "\n") {
		line = strings.TrimSpace(line)
		if m := wasmTimeRE.FindStringSubmatch(line); m != nil {
			ms, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return r, fmt.Errorf("wasmrun: bad time line %q", line)
			}
			r.Time = time.Duration(ms * float64(time.Millisecond))
			r.Fuel, _ = strconv.ParseUint(m[2], 10, 64)
			sawTime = true
		}
		if m := wasmMemoryRE.FindStringSubmatch(line); m != nil {
			var n [6]uint64
			for i := range n {
				n[i], _ = strconv.ParseUint(m[i+1], 10, 64)
			}
			r.Memory = WasmMemory{Module: n[0], Tables: n[1], LoadPeak: n[2], Instance: n[3], StackSlots: n[4], Frames: n[5]}
			sawMemory = true
		}
	}
	if !sawTime || !sawMemory {
		return r, fmt.Errorf("wasmrun: no time and memory lines in %q", strings.TrimSpace(string(stderr)))
	}
	return r, nil
}

// interpreterFlash measures the interpreter's flash on every QEMU board.
// The firmware's link drops the interpreter with --gc-sections while
// nothing calls it yet, so the measure is its objects (build/<board>/obj/
// wasm/*.o), and a link of those objects alone with libgcc, keeping every
// global symbol they define: it merges their equal strings and tells which
// libgcc members they pull in. That link also uses --gc-sections, as the
// firmware's does: libgcc has weak multiply-only members (_arm_muldf3)
// that a strong definition beside division (_arm_muldivdf3) replaces.
// picolibc's memset and memcmp, which the firmware links anyway, are left
// out.
func interpreterFlash(ctx context.Context, opts BenchOptions) ([]WasmFlash, error) {
	fw := filepath.Join(opts.Root, "firmware")
	srcs, err := filepath.Glob(filepath.Join(fw, "wasm", "*.c"))
	if err != nil || len(srcs) == 0 {
		return nil, fmt.Errorf("lab: wasm bench: no interpreter sources in %s", filepath.Join(fw, "wasm"))
	}
	tmp, err := os.MkdirTemp("", "wasmbed-bench-wasm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var out []WasmFlash
	for _, bd := range boards.All() {
		if bd.IsNative() {
			continue
		}
		opts.progress("bench: %s interpreter flash", bd.Name)
		f, err := boardInterpreterFlash(ctx, fw, tmp, bd, srcs)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}

func boardInterpreterFlash(ctx context.Context, fw, tmp string, bd boards.Board, srcs []string) (WasmFlash, error) {
	f := WasmFlash{Board: bd.Name, CPU: bd.CPU}
	// Make targets, relative to firmware/ under its BUILD directory.
	objects := func(build string) []string {
		var objs []string
		for _, src := range srcs {
			objs = append(objs, filepath.Join(build, bd.Name, "obj", "wasm", strings.TrimSuffix(filepath.Base(src), ".c")+".o"))
		}
		return objs
	}
	objs := objects("build")
	fresh, err := emu.MakeUpToDate(ctx, fw, objs...)
	if err != nil {
		return f, fmt.Errorf("lab: wasm bench: %s: %w", bd.Name, err)
	}
	if fresh {
		for i := range objs {
			objs[i] = filepath.Join(fw, objs[i])
		}
	} else {
		// Compile them aside rather than half-update the firmware's build.
		f.Rebuilt = true
		objs = objects(tmp)
		if err := emu.Make(ctx, fw, append([]string{"BUILD=" + tmp}, objs...)...); err != nil {
			return f, fmt.Errorf("lab: wasm bench: %s: %w", bd.Name, err)
		}
	}
	args := []string{"-mthumb", "-mcpu=" + bd.CPU, "-mfloat-abi=soft", "-nostdlib",
		"-Wl,-e,0", "-Wl,--gc-sections", "-Wl,--unresolved-symbols=ignore-all"}
	for _, o := range objs {
		n, globals, err := elfFlash(o)
		if err != nil {
			return f, err
		}
		f.Objects += n
		for _, g := range globals {
			args = append(args, "-Wl,--undefined="+g) // a root for --gc-sections
		}
	}

	mapPath := filepath.Join(tmp, bd.Name+"-libgcc.map")
	elfPath := filepath.Join(tmp, bd.Name+"-libgcc.elf")
	args = append(args, "-Wl,-Map="+mapPath, "-o", elfPath)
	args = append(append(args, objs...), "-lgcc")
	if _, _, err := emu.RunTool(ctx, "arm-none-eabi-gcc", args...); err != nil {
		return f, fmt.Errorf("lab: wasm bench: %s: linking the interpreter with libgcc: %w", bd.Name, err)
	}
	if f.Libgcc, err = libgccMembers(mapPath); err != nil {
		return f, err
	}
	// The map lists merged strings at their sizes before merging, so the
	// interpreter's part is the image less libgcc's.
	image, _, err := elfFlash(elfPath)
	if err != nil {
		return f, err
	}
	sf, other := f.LibgccFlash()
	f.Linked = image - sf - other
	return f, nil
}

// elfFlash is what an object file or image puts in flash, its allocated
// read-only sections (code, constants, unwind tables) and the initial
// values of its data, as arm-none-eabi-size counts text and data; and the
// global symbols it defines.
func elfFlash(path string) (uint64, []string, error) {
	ef, err := elf.Open(path)
	if err != nil {
		return 0, nil, fmt.Errorf("lab: wasm bench: %w", err)
	}
	defer ef.Close()
	var n uint64
	for _, s := range ef.Sections {
		if s.Flags&elf.SHF_ALLOC != 0 && s.Type != elf.SHT_NOBITS {
			n += s.Size
		}
	}
	syms, err := ef.Symbols()
	if err != nil {
		return 0, nil, fmt.Errorf("lab: wasm bench: %s: %w", path, err)
	}
	var globals []string
	for _, s := range syms {
		if elf.ST_BIND(s.Info) == elf.STB_GLOBAL && s.Section != elf.SHN_UNDEF {
			globals = append(globals, s.Name)
		}
	}
	return n, globals, nil
}

var libgccMemberRE = regexp.MustCompile(`/libgcc\.a\((\S+)\.o\)$`)

// libgccMembers sums the flash of each libgcc member a link kept, from its
// map, in the order the map lists them.
func libgccMembers(mapPath string) ([]LibgccMember, error) {
	kept, err := keptSections(mapPath)
	if err != nil {
		return nil, err
	}
	var members []LibgccMember
	for _, s := range kept {
		m := libgccMemberRE.FindStringSubmatch(s.Object)
		if m == nil {
			continue
		}
		var fp Footprint
		fp.add(s)
		if strings.HasPrefix(s.Name, ".ARM.exidx") || strings.HasPrefix(s.Name, ".ARM.extab") {
			fp.Flash += s.Size // unwind tables (of _udivmoddi4, in C)
		}
		if fp.Flash == 0 {
			continue
		}
		i := slices.IndexFunc(members, func(x LibgccMember) bool { return x.Name == m[1] })
		if i < 0 {
			members = append(members, LibgccMember{Name: m[1]})
			i = len(members) - 1
		}
		members[i].Flash += fp.Flash
	}
	return members, nil
}

// writeWasmTables prints the kernels with the geometric mean, then the
// interpreter's flash per board.
func writeWasmTables(w io.Writer, r WasmBench) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "wasm kernel\tN\tnative\twasm\tslowdown\tmodule\tRAM overhead (% of module)\ttarget ≤2KiB+25%\t")
	for _, k := range r.Kernels {
		m := k.Memory
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.1f×\t%d B\t%d B (%.0f%%)\t%s\t\n", k.Name, k.N, ms(k.Native), ms(k.Wasm), k.Slowdown(),
			m.Module, m.Overhead(), 100*float64(m.Overhead())/float64(m.Module), verdict(m.MeetsTarget()))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Kernels) > 0 {
		g := r.Geomean()
		fmt.Fprintf(w, "geomean slowdown: %.1f× (target ≤ %.0f×; wasm3 ≈ 14× on such a set): %s\n",
			g, WasmSlowdownTarget, verdict(g <= WasmSlowdownTarget))
	}
	if _, err := fmt.Fprintln(w); err != nil {
		return err
	}
	if len(r.ICount) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "on %s (-icount shift=0)\tN\tresult\tguest instructions\tfuel\t\n", ICountBoard)
		for _, k := range r.ICount {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", k.Kernel, k.N, k.Checksum, k.Instructions, k.Fuel)
		}
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if len(r.Flash) == 0 {
		return nil
	}

	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "interpreter flash\tCPU\tobjects\tlinked\t+ libgcc soft-float\t+ libgcc other\t= total\ttarget ≤24KiB\t")
	rebuilt := false
	for _, f := range r.Flash {
		name := f.Board
		if f.Rebuilt {
			name, rebuilt = name+" *", true
		}
		sf, other := f.LibgccFlash()
		fmt.Fprintf(tw, "%s\t%s\t%d B\t%d B\t%d B\t%d B\t%d B\t%s\t\n", name, f.CPU, f.Objects, f.Linked, sf, other, f.Total(), verdict(f.Total() <= WasmFlashTarget))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rebuilt {
		fmt.Fprintln(w, "* build/<board>/obj/wasm is out of date (make firmware): measured on objects compiled aside for this run")
	}
	// The members, once for each set of boards that pulls in the same.
	var order []string
	byList := map[string][]string{}
	for _, f := range r.Flash {
		var parts []string
		for _, m := range f.Libgcc {
			parts = append(parts, fmt.Sprintf("%s %d B", m.Name, m.Flash))
		}
		list := strings.Join(parts, ", ")
		if _, ok := byList[list]; !ok {
			order = append(order, list)
		}
		byList[list] = append(byList[list], f.Board)
	}
	for _, list := range order {
		fmt.Fprintf(w, "libgcc for %s: %s\n", strings.Join(byList[list], ", "), list)
	}
	_, err := fmt.Fprintln(w)
	return err
}
