package apps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// moduleTimeout bounds one module's run in both engines, so a hang
	// fails the test instead of stalling it.
	moduleTimeout = 20 * time.Second
	// problemsPerModule caps the report of one module that goes wrong.
	problemsPerModule = 5
)

// benchArgs are the values of N each benchmark kernel's run(N) gets: small,
// the test is about agreement, not speed.
var benchArgs = []uint64{0, 1, 5, 10}

// TestInterpreterMatchesWazero runs every spec module (that links to
// "spectest" at most) and every benchmark kernel in wazero, the oracle, and
// in the firmware's interpreter (wasmrun --batch): every call must give the
// same results bit for bit, or the same kind of trap.
func TestInterpreterMatchesWazero(t *testing.T) {
	root := repoRoot(t)
	wasmrun := filepath.Join(root, "firmware", "build", "native", "wasmrun")
	if _, err := os.Stat(wasmrun); err != nil {
		prerequisiteMissing(t, wasmrun, "make -C firmware build/native/wasmrun")
	}
	t.Run("spec", func(t *testing.T) {
		start := time.Now()
		dir := filepath.Join(root, "testdata", "wasm", "spec")
		scripts, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(scripts) == 0 {
			prerequisiteMissing(t, dir, "make testdata/wasm/spec/.fetched")
		}
		var runs []moduleRun
		skipped, leftOut := map[string]int{}, map[string]int{}
		for _, s := range scripts {
			plan, err := planScript(dir, filepath.Base(s))
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, plan.runs...)
			addCounts(skipped, plan.skipped)
			addCounts(leftOut, plan.leftOut)
		}
		if len(runs) == 0 {
			t.Fatalf("no module to compare in %d scripts", len(scripts))
		}
		modules, calls := compareAll(t, wasmrun, runs)
		t.Logf("%d scripts: %d modules and %d calls compared in %v", len(scripts), modules, calls,
			time.Since(start).Round(time.Millisecond))
		t.Logf("modules skipped: %s", formatCounts(skipped))
		t.Logf("commands left out: %s", formatCounts(leftOut))
	})
	t.Run("bench", func(t *testing.T) {
		start := time.Now()
		dir := filepath.Join(root, "apps", "build", "bench")
		kernels, _ := filepath.Glob(filepath.Join(dir, "*.wasm"))
		if len(kernels) == 0 {
			prerequisiteMissing(t, dir, "make -C apps bench")
		}
		var runs []moduleRun
		for _, k := range kernels {
			m := moduleRun{path: k}
			for _, n := range benchArgs {
				m.calls = append(m.calls, call{field: "run", args: []uint64{n}})
			}
			runs = append(runs, m)
		}
		modules, calls := compareAll(t, wasmrun, runs)
		t.Logf("%d kernels and %d calls of run(N), N in %v, compared in %v", modules, calls, benchArgs,
			time.Since(start).Round(time.Millisecond))
	})
}

// repoRoot is the directory holding go.mod, above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// prerequisiteMissing skips in -short runs and fails otherwise: `make test`
// builds the prerequisites before the Go tests run.
func prerequisiteMissing(t *testing.T, path, target string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s is missing; build it with `%s`", path, target)
	}
	t.Fatalf("%s is missing; build it with `%s` (or run with -short to skip)", path, target)
}

// compareAll compares the runs on runtime.NumCPU() workers and returns how
// many modules and calls it compared; each problem is a test error.
func compareAll(t *testing.T, wasmrun string, runs []moduleRun) (modules, calls int) {
	work := make(chan moduleRun)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for m := range work {
				n, problems := compareModule(t.Context(), wasmrun, m)
				mu.Lock()
				modules, calls = modules+1, calls+n
				mu.Unlock()
				for i, p := range problems {
					if i == problemsPerModule {
						t.Errorf("%s: and %d more problems", m.path, len(problems)-i)
						break
					}
					t.Error(p)
				}
			}
		})
	}
	for _, m := range runs {
		work <- m
	}
	close(work)
	wg.Wait()
	return modules, calls
}

// compareModule runs m's calls on one instance in each engine and returns
// how many calls it compared and what went wrong.
func compareModule(ctx context.Context, wasmrun string, m moduleRun) (compared int, problems []string) {
	ctx, cancel := context.WithTimeout(ctx, moduleTimeout)
	defer cancel()
	bin, err := os.ReadFile(m.path)
	if err != nil {
		return 0, []string{err.Error()}
	}
	o, oracleStart := startOracle(ctx, bin)
	defer o.close(ctx)
	p, ourStart := startInterpreter(ctx, wasmrun, m.path, m.calls)
	instantiates := expectation{checked: true}
	if err := compareCall(instantiates, oracleStart, ourStart); err != nil {
		problems = append(problems, fmt.Sprintf("%s: instantiating: %v", m.path, err))
	}
	if len(problems) == 0 && ourStart.trap == trapNone {
		for _, c := range m.calls {
			want, got := o.call(ctx, c.field, c.args), p.next()
			compared++
			if err := compareCall(c.want, want, got); err != nil {
				problems = append(problems, fmt.Sprintf("%s: invoke %q%v: %v", m.where(c), c.field, c.args, err))
			}
			if got.failed {
				break // wasmrun is gone, or out of step
			}
		}
	}
	if err := p.close(); err != nil && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("%s: %v", m.path, err))
	}
	return compared, problems
}

// compareCall checks that the oracle gives what the script expects (when
// it expects something) and that the interpreter gives what the oracle
// does: the same trap kind, or the same results bit for bit, except that
// where the script asks for a NaN class, each must give a NaN of it.
func compareCall(want expectation, oracle, ours outcome) error {
	nans := make([]nanClass, len(want.results))
	for i, v := range want.results {
		nans[i] = v.nan
	}
	var problems []string
	if d := differs(want.outcome, oracle, nans); want.checked && d != "" {
		problems = append(problems, fmt.Sprintf("the oracle disagrees with the script (%s): oracle %s, script %s",
			d, oracle, want.outcome))
	}
	if d := differs(oracle, ours, nans); d != "" {
		problems = append(problems, fmt.Sprintf("the interpreter differs from the oracle (%s): interpreter %s, oracle %s",
			d, ours, oracle))
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// differs says how got differs from ref, or "" if it does not.
func differs(ref, got outcome, nans []nanClass) string {
	switch {
	case ref.failed || got.failed:
		return "an engine failed"
	case ref.trap != got.trap:
		return fmt.Sprintf("%s, want %s", got.trap, ref.trap)
	case got.trap != trapNone:
		return ""
	case len(got.results) != len(ref.results):
		return fmt.Sprintf("%d results, want %d", len(got.results), len(ref.results))
	}
	for i, g := range got.results {
		r := ref.results[i]
		switch {
		case g.typ != r.typ:
			return fmt.Sprintf("result %d is %s, want %s", i, g.typ, r.typ)
		case i < len(nans) && nans[i] != nanNone:
			if !inNaNClass(g, nans[i]) {
				return fmt.Sprintf("result %d is %s, want %s", i, g, value{typ: g.typ, nan: nans[i]})
			}
		case g.bits != r.bits:
			return fmt.Sprintf("result %d is %s, want %s", i, g, r)
		}
	}
	return ""
}

func addCounts(total, counts map[string]int) {
	for k, n := range counts {
		total[k] += n
	}
}

func formatCounts(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
	}
	return strings.Join(parts, ", ")
}

// A comparison that cannot fail proves nothing: each wrong outcome here
// must be reported.
func TestCompareCall(t *testing.T) {
	i32 := func(bits uint64) outcome { return outcome{results: []value{{typ: "i32", bits: bits}}} }
	f32 := func(bits uint64) outcome { return outcome{results: []value{{typ: "f32", bits: bits}}} }
	expect := func(o outcome) expectation { return expectation{checked: true, outcome: o} }
	canonicalF32 := expect(outcome{results: []value{{typ: "f32", nan: nanCanonical}}})
	arithmeticF32 := expect(outcome{results: []value{{typ: "f32", nan: nanArithmetic}}})
	tests := []struct {
		name          string
		want          expectation
		oracle, ours  outcome
		wantReported  bool
		wantSubstring string
	}{
		{"same result", expect(i32(7)), i32(7), i32(7), false, ""},
		{"wrong result", expect(i32(7)), i32(7), i32(8), true, "interpreter i32:8, oracle i32:7"},
		{"wrong type", expect(i32(7)), i32(7), outcome{results: []value{{typ: "i64", bits: 7}}}, true, "is i64"},
		{"missing result", expect(i32(7)), i32(7), outcome{}, true, "0 results, want 1"},
		{"unchecked action, same", expectation{}, i32(1), i32(1), false, ""},
		{"unchecked action, different", expectation{}, i32(1), i32(2), true, "interpreter differs"},
		{"oracle disagrees with the script", expect(i32(7)), i32(6), i32(6), true, "oracle disagrees"},
		{"same trap kind, other words", expect(trap(trapTableAccess, "uninitialized")),
			trap(trapTableAccess, "invalid table access"), trap(trapTableAccess, "uninitialized element"), false, ""},
		{"different trap kind", expect(trap(trapDivideByZero, "integer divide by zero")),
			trap(trapDivideByZero, "integer divide by zero"), trap(trapIntegerOverflow, "integer overflow"), true,
			"integer overflow, want integer divide by zero"},
		{"trap instead of a result", expect(i32(7)), i32(7), trap(trapUnreachable, "unreachable"), true, "want no trap"},
		{"result instead of a trap", expect(trap(trapMemory, "out of bounds memory access")),
			trap(trapMemory, "out of bounds memory access"), i32(0), true, "no trap, want out of bounds"},
		{"interpreter failed", expect(i32(7)), i32(7), outcome{failed: true, message: "gone"}, true, "error: gone"},
		{"canonical NaNs, other signs", canonicalF32, f32(0x7fc00000), f32(0xffc00000), false, ""},
		{"arithmetic NaN for a canonical one", canonicalF32, f32(0x7fc00000), f32(0x7fc00001), true,
			"want f32:nan:canonical"},
		{"signalling NaN for an arithmetic one", arithmeticF32, f32(0x7fc00001), f32(0x7f800001), true,
			"want f32:nan:arithmetic"},
		{"arithmetic NaNs, other payloads", arithmeticF32, f32(0x7fc00001), f32(0x7fc00002), false, ""},
		{"unasserted NaNs compare bits", expectation{}, f32(0x7fc00000), f32(0x7fc00001), true, "want f32:2143289344"},
		{"32-bit NaN with high bits", canonicalF32, f32(0x7fc00000), f32(1<<32 | 0x7fc00000), true, "nan:canonical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := compareCall(tt.want, tt.oracle, tt.ours)
			if (err != nil) != tt.wantReported {
				t.Fatalf("compareCall = %v, want reported: %v", err, tt.wantReported)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantSubstring) {
				t.Errorf("compareCall = %v, want it to say %q", err, tt.wantSubstring)
			}
		})
	}
}

// Each engine's words for a trap, and the scripts', map onto the kinds.
func TestTrapKinds(t *testing.T) {
	wazeroErr := func(text string) error {
		return fmt.Errorf("wasm error: %s\nwasm stack trace:\n\t.f()", text)
	}
	tests := []struct {
		name string
		got  outcome
		want outcome
	}{
		{"wazero unreachable", wazeroOutcome(wazeroErr("unreachable")), trap(trapUnreachable, "unreachable")},
		{"wazero table", wazeroOutcome(wazeroErr("invalid table access")),
			trap(trapTableAccess, "invalid table access")},
		{"wazero stack", wazeroOutcome(wazeroErr("stack overflow")), trap(trapStackExhausted, "stack overflow")},
		{"wazero conversion", wazeroOutcome(wazeroErr("invalid conversion to integer")),
			trap(trapInvalidConversion, "invalid conversion to integer")},
		{"wazero start trap", wazeroOutcome(errors.New("module[] function[start] failed: wasm error: integer divide by zero\nwasm stack trace:")),
			trap(trapDivideByZero, "integer divide by zero")},
		{"wazero compile error", wazeroOutcome(errors.New("invalid function[0]: type mismatch")),
			outcome{failed: true, message: "invalid function[0]: type mismatch"}},
		{"ours undefined", parseInterpreterLine("trap: undefined element (function 2, offset 0x1f)"),
			trap(trapTableAccess, "undefined element")},
		{"ours uninitialized", parseInterpreterLine("trap: uninitialized element (function 0, offset 0x0)"),
			trap(trapTableAccess, "uninitialized element")},
		{"ours stack", parseInterpreterLine("trap: call stack exhausted (function 1, offset 0x5)"),
			trap(trapStackExhausted, "call stack exhausted")},
		{"ours host", parseInterpreterLine("trap: host.fail was called (function 3, offset 0x2)"),
			trap(trapUnknown, "host.fail was called")},
		{"ours result", parseInterpreterLine("i32:4294967295"), outcome{results: []value{{typ: "i32", bits: 1<<32 - 1}}}},
		{"ours no result", parseInterpreterLine("ok"), outcome{}},
		{"ours error", parseInterpreterLine("error: no such export, or bad arguments"),
			outcome{failed: true, message: `wasmrun said "error: no such export, or bad arguments"`}},
		{"ours garbage", parseInterpreterLine("v128:1"), outcome{failed: true, message: `wasmrun said "v128:1": unknown type`}},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for text, want := range map[string]trapKind{
		"uninitialized": trapTableAccess, "uninitialized element 7": trapTableAccess, "undefined": trapTableAccess,
		"indirect call": trapIndirectCallType, "call stack exhausted": trapStackExhausted, "unreachable": trapUnreachable,
		"": trapUnknown, "unlinkable": trapUnknown,
	} {
		if got := trapKindOf(text, true); got != want {
			t.Errorf("script text %q: got %s, want %s", text, got, want)
		}
	}
}

func trap(k trapKind, msg string) outcome { return outcome{trap: k, message: msg} }
