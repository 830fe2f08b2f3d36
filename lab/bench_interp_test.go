package lab

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWasmParseRun(t *testing.T) {
	const okErr = "time: 930.067 ms, fuel 20633239, yields 0\n" +
		"memory: module 215 B, tables 120 B (load peak 184 B), instance 120 B, stack peak 43 slots, 22 frames\n"
	tests := []struct {
		name           string
		stdout, stderr string
		want           wasmRun
		wantErr        string
	}{
		{name: "ok", stdout: "i32:9227465\n", stderr: okErr, want: wasmRun{
			Checksum: 9227465, Time: 930067 * time.Microsecond, Fuel: 20633239,
			Memory: WasmMemory{Module: 215, Tables: 120, LoadPeak: 184, Instance: 120, StackSlots: 43, Frames: 22},
		}},
		{name: "top bit set", stdout: "i32:3757001788\n", stderr: okErr, want: wasmRun{
			Checksum: 3757001788, Time: 930067 * time.Microsecond, Fuel: 20633239,
			Memory: WasmMemory{Module: 215, Tables: 120, LoadPeak: 184, Instance: 120, StackSlots: 43, Frames: 22},
		}},
		{name: "other stderr lines", stdout: "i32:1", stderr: "wasmrun: note\n" + okErr + "\n", want: wasmRun{
			Checksum: 1, Time: 930067 * time.Microsecond, Fuel: 20633239,
			Memory: WasmMemory{Module: 215, Tables: 120, LoadPeak: 184, Instance: 120, StackSlots: 43, Frames: 22},
		}},
		{name: "trap", stdout: "trap: unreachable (function 1, offset 0x2a)\n", stderr: okErr, wantErr: "want an i32 result"},
		{name: "i64 result", stdout: "i64:5\n", stderr: okErr, wantErr: "want an i32 result"},
		{name: "over 32 bits", stdout: "i32:4294967296\n", stderr: okErr, wantErr: "want an i32 result"},
		{name: "no memory line", stdout: "i32:1\n", stderr: "time: 1.000 ms, fuel 1, yields 0\n", wantErr: "no time and memory lines"},
		{name: "no time line", stdout: "i32:1\n", stderr: "memory: module 1 B, tables 1 B (load peak 1 B), instance 1 B, stack peak 1 slots, 1 frames\n", wantErr: "no time and memory lines"},
		{name: "empty", wantErr: "want an i32 result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWasmRun([]byte(tt.stdout), []byte(tt.stderr))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestWasmParseNativeRun(t *testing.T) {
	fib := kernelSpec{Name: "fib", N: 35}
	tests := []struct {
		name    string
		out     string
		k       kernelSpec
		sum     uint32
		d       time.Duration
		wantErr bool
	}{
		{name: "ok", out: "fib 35 9227465 12670892\n", k: fib, sum: 9227465, d: 12670892},
		{name: "top bit set", out: "sort 50 3757001788 15368106", k: kernelSpec{"sort", 50}, sum: 3757001788, d: 15368106},
		{name: "other kernel", out: "sieve 35 9227465 12670892\n", k: fib, wantErr: true},
		{name: "other N", out: "fib 36 9227465 12670892\n", k: fib, wantErr: true},
		{name: "missing time", out: "fib 35 9227465\n", k: fib, wantErr: true},
		{name: "zero time", out: "fib 35 9227465 0\n", k: fib, wantErr: true},
		{name: "checksum over 32 bits", out: "fib 35 4294967296 1\n", k: fib, wantErr: true},
		{name: "empty", k: fib, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, d, err := parseNativeRun([]byte(tt.out), tt.k)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && (sum != tt.sum || d != tt.d) {
				t.Errorf("got %d %v, want %d %v", sum, d, tt.sum, tt.d)
			}
		})
	}
}

func TestWasmParseKernelList(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    []kernelSpec
		wantErr bool
	}{
		{name: "ok", out: "fib 35\nsieve 1000\n\nsort 50\n", want: []kernelSpec{{"fib", 35}, {"sieve", 1000}, {"sort", 50}}},
		{name: "empty", out: "", wantErr: true},
		{name: "bad N", out: "fib x\n", wantErr: true},
		{name: "extra field", out: "fib 35 1\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseKernelList([]byte(tt.out))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWasmGeomean(t *testing.T) {
	tests := []struct {
		slowdowns []float64
		want      float64
	}{
		{[]float64{20}, 20},
		{[]float64{2, 8}, 4},
		{[]float64{1, 10, 100}, 10},
		{[]float64{14, 14, 14, 14}, 14},
	}
	for _, tt := range tests {
		var w WasmBench
		for _, s := range tt.slowdowns {
			w.Kernels = append(w.Kernels, WasmKernel{Native: time.Millisecond, Wasm: time.Duration(s * float64(time.Millisecond))})
		}
		if got := w.Geomean(); math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("geomean of %v = %v, want %v", tt.slowdowns, got, tt.want)
		}
	}
	if g := (WasmBench{}).Geomean(); !math.IsNaN(g) {
		t.Errorf("geomean of nothing = %v, want NaN", g)
	}
}

func TestWasmMemoryTarget(t *testing.T) {
	tests := []struct {
		m        WasmMemory
		overhead uint64
		meets    bool
	}{
		// fib(35): 120 + 120 + 73×8 + 37×16.
		{WasmMemory{Module: 215, Tables: 120, Instance: 120, StackSlots: 73, Frames: 37}, 1416, true},
		// Exactly 2 KiB + 25% of 400 B = 2148 B.
		{WasmMemory{Module: 400, Tables: 2148}, 2148, true},
		{WasmMemory{Module: 400, Tables: 2149}, 2149, false},
		// A quarter of 401 B is 100.25 B: 2148 B still fits, 2149 B does not.
		{WasmMemory{Module: 401, Tables: 2148}, 2148, true},
		{WasmMemory{Module: 401, Tables: 2149}, 2149, false},
	}
	for _, tt := range tests {
		if got := tt.m.Overhead(); got != tt.overhead {
			t.Errorf("%+v: overhead %d, want %d", tt.m, got, tt.overhead)
		}
		if got := tt.m.MeetsTarget(); got != tt.meets {
			t.Errorf("%+v: meets target %v, want %v", tt.m, got, tt.meets)
		}
	}
}

// An excerpt of ld's map for the interpreter's objects linked with libgcc:
// members --gc-sections discarded (_arm_mulsf3) do not count.
const wasmLibgccMap = `Archive member included to satisfy reference by file (symbol)

/usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_muldf3.o)
                              /tmp/x/obj/wasm/interp.o (__aeabi_dmul)

Discarded input sections

 .text          0x00000000        0x0 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_dvmd_tls.o)
 .text          0x00000000      0x168 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_mulsf3.o)

Linker script and memory map

 .text.wasm_thread_run
                0x00008000     0x1a2c /tmp/x/obj/wasm/interp.o
 .text          0x0000d3b8      0x254 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_muldf3.o)
 .text          0x0000d774      0x378 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_addsubdf3.o)
 .text          0x0000e4bc      0x2c0 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_udivmoddi4.o)
 .text          0x0000e77c        0x4 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_dvmd_tls.o)
 .rodata        0x0000e780        0x8 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_muldf3.o)
 .ARM.exidx     0x0000fb60        0x8 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_udivmoddi4.o)
 .data          0x00010b68        0x0 /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_muldf3.o)
 .debug_info    0x00013af9       0x3c /usr/lib/gcc/arm-none-eabi/12.2.1/thumb/v7-m/nofp/libgcc.a(_arm_muldf3.o)
`

func TestWasmLibgccMembers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "libgcc.map")
	if err := os.WriteFile(path, []byte(wasmLibgccMap), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := libgccMembers(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []LibgccMember{{"_arm_muldf3", 0x254 + 8}, {"_arm_addsubdf3", 0x378}, {"_udivmoddi4", 0x2c0 + 8}, {"_dvmd_tls", 4}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	f := WasmFlash{Objects: 0x1b00, Linked: 0x1a2c, Libgcc: got}
	sf, other := f.LibgccFlash()
	if sf != 0x254+8+0x378 || other != 0x2c0+8+4 {
		t.Errorf("soft-float %d, other %d", sf, other)
	}
	if f.Total() != 0x1a2c+sf+other {
		t.Errorf("total %d", f.Total())
	}
}
