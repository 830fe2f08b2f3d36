package apps

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"wasmbed-lab/apps/wast"
)

// ---- The spec scripts (wabt's wast2json output) ----

// The script's types, by their names here.
type (
	specCommand = wast.Command
	specValue   = wast.Value
)

// parseValue reads a script value: its bits, or its NaN class.
func parseValue(v specValue) (value, error) {
	size := 64
	switch v.Type {
	case "i32", "f32":
		size = 32
	case "i64", "f64":
	default:
		return value{}, fmt.Errorf("value type %q is not WebAssembly 1.0", v.Type)
	}
	if strings.HasPrefix(v.Type, "f") {
		switch v.Value {
		case "nan:canonical":
			return value{typ: v.Type, nan: nanCanonical}, nil
		case "nan:arithmetic":
			return value{typ: v.Type, nan: nanArithmetic}, nil
		}
	}
	bits, err := strconv.ParseUint(v.Value, 10, size)
	if err != nil {
		return value{}, fmt.Errorf("%s value %q: %w", v.Type, v.Value, err)
	}
	return value{typ: v.Type, bits: bits}, nil
}

// moduleRun is one module and the calls made on its one instance, in order.
type moduleRun struct {
	script string // the spec script, or "" for a benchmark
	path   string
	calls  []call
}

type call struct {
	line  int // in the script's .wast
	field string
	args  []uint64
	want  expectation
}

// where names a call for a report: script line and module file.
func (m moduleRun) where(c call) string {
	if m.script == "" {
		return filepath.Base(m.path)
	}
	return fmt.Sprintf("%s:%d (%s)", m.script, c.line, filepath.Base(m.path))
}

// scriptPlan is what one script gives the test.
type scriptPlan struct {
	runs    []moduleRun
	skipped map[string]int // modules left out, by reason
	leftOut map[string]int // commands left out, by reason
}

// Why modules and commands are left out.
const (
	skipLinked       = `imports from a module other than "spectest"`
	leftOutSkipped   = "invokes of a skipped module"
	leftOutEarlier   = "invokes of an earlier module, after the next module command"
	leftOutGet       = `"get" actions (globals)`
	leftOutStartTrap = "assert_trap on instantiation"
	leftOutLinked    = "invokes of a registered module after another module tried to link to it"
)

// planScript reads one script: each module command that imports only from
// "spectest" becomes a run, with the assert_return, assert_trap,
// assert_exhaustion and action commands that invoke it before the next
// module command. Modules importing anything else are skipped: they link to
// modules the script registered, and this harness gives each module its own
// wazero runtime and wasmrun process, so there is nothing to link them to.
// For the same reason the calls on a registered module end where another
// module tries to link to it: a start function that traps leaves its data
// and elements written into the registered module's memory and table.
func planScript(dir, file string) (scriptPlan, error) {
	plan := scriptPlan{skipped: map[string]int{}, leftOut: map[string]int{}}
	s, err := wast.Load(filepath.Join(dir, file))
	if err != nil {
		return plan, err
	}
	current, currentName := -1, "" // current indexes plan.runs; -1: skipped, or none yet
	registered, linkedTo := false, false
	for _, c := range s.Commands {
		switch c.Type {
		case "module":
			current, currentName, registered, linkedTo = -1, c.Name, false, false
			path := filepath.Join(dir, c.Filename)
			bin, err := os.ReadFile(path)
			if err != nil {
				return plan, err
			}
			imports, err := importModules(bin)
			if err != nil {
				return plan, fmt.Errorf("%s: %w", path, err)
			}
			if importsOnly(imports, "spectest") {
				plan.runs = append(plan.runs, moduleRun{script: file, path: path})
				current = len(plan.runs) - 1
			} else {
				plan.skipped[skipLinked]++
			}
		case "register":
			registered = registered || c.Name == "" || c.Name == currentName
		case "assert_unlinkable", "assert_uninstantiable":
			linkedTo = linkedTo || registered
		case "assert_return", "assert_trap", "assert_exhaustion", "action":
			switch {
			case c.Action == nil:
				plan.leftOut[leftOutStartTrap]++
				linkedTo = linkedTo || registered
			case c.Action.Type != "invoke":
				plan.leftOut[leftOutGet]++
			case c.Action.Module != "" && c.Action.Module != currentName:
				plan.leftOut[leftOutEarlier]++
			case current < 0:
				plan.leftOut[leftOutSkipped]++
			case linkedTo:
				plan.leftOut[leftOutLinked]++
			default:
				cl, err := newCall(c)
				if err != nil {
					return plan, fmt.Errorf("%s:%d: %w", file, c.Line, err)
				}
				plan.runs[current].calls = append(plan.runs[current].calls, cl)
			}
		}
	}
	return plan, nil
}

func importsOnly(modules []string, name string) bool {
	for _, m := range modules {
		if m != name {
			return false
		}
	}
	return true
}

func newCall(c specCommand) (call, error) {
	cl := call{line: c.Line, field: c.Action.Field}
	for _, a := range c.Action.Args {
		v, err := parseValue(a)
		if err != nil {
			return cl, err
		}
		if v.nan != nanNone {
			return cl, errors.New("a NaN class as an argument")
		}
		cl.args = append(cl.args, v.bits)
	}
	switch c.Type {
	case "assert_return":
		cl.want.checked = true
		for _, e := range c.Expected {
			v, err := parseValue(e)
			if err != nil {
				return cl, err
			}
			cl.want.results = append(cl.want.results, v)
		}
	case "assert_trap", "assert_exhaustion":
		cl.want.checked = true
		cl.want.message = c.Text
		if cl.want.trap = trapKindOf(c.Text, true); cl.want.trap == trapUnknown {
			return cl, fmt.Errorf("unknown trap text %q", c.Text)
		}
	}
	return cl, nil
}

// importModules returns the module name of each import of a binary module
// (read by precheck, as app check reads apps).
func importModules(bin []byte) ([]string, error) {
	lay, err := precheck(bin)
	if err != nil {
		return nil, err
	}
	var modules []string
	for _, imp := range lay.imports {
		modules = append(modules, imp.module)
	}
	return modules, nil
}

func uleb(n int) []byte {
	var out []byte
	for {
		b := byte(n & 0x7f)
		if n >>= 7; n == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

func wasmVec(items ...[]byte) []byte {
	out := uleb(len(items))
	for _, it := range items {
		out = append(out, it...)
	}
	return out
}

func wasmSection(id byte, items ...[]byte) []byte {
	body := wasmVec(items...)
	return append(append([]byte{id}, uleb(len(body))...), body...)
}

func wasmExport(name string, kind, index byte) []byte {
	return append(append(uleb(len(name)), name...), kind, index)
}

// spectestModule is the spec suite's "spectest" module as wasmrun provides
// it: print functions that print nothing, immutable globals of 666 and
// 666.6, a funcref table of 10..20 and a memory of 1..2 pages. wazero's host
// modules export only functions, so it is a wasm module, written out here;
// its text is wazero's internal/integration_test/spectest/testdata/spectest.wat.
func spectestModule() []byte {
	const i32, i64, f32, f64 = 0x7f, 0x7e, 0x7d, 0x7c
	prints := []struct {
		name   string
		params []byte
	}{
		{"print", nil}, {"print_i32", []byte{i32}}, {"print_i64", []byte{i64}}, {"print_f32", []byte{f32}},
		{"print_f64", []byte{f64}}, {"print_i32_f32", []byte{i32, f32}}, {"print_f64_f64", []byte{f64, f64}},
	}
	var types, funcs, bodies, exports [][]byte
	for i, p := range prints {
		types = append(types, append(append([]byte{0x60}, wasmVec(byteItems(p.params)...)...), 0)) // no results
		funcs = append(funcs, []byte{byte(i)})
		bodies = append(bodies, []byte{2, 0, 0x0b}) // size 2: no locals, end
		exports = append(exports, wasmExport(p.name, 0, byte(i)))
	}
	globals := [][]byte{
		{i32, 0, 0x41, 0x9a, 0x05, 0x0b}, // i32.const 666 (signed LEB128)
		{i64, 0, 0x42, 0x9a, 0x05, 0x0b}, // i64.const 666
		append(binary.LittleEndian.AppendUint32([]byte{f32, 0, 0x43}, math.Float32bits(666.6)), 0x0b),
		append(binary.LittleEndian.AppendUint64([]byte{f64, 0, 0x44}, math.Float64bits(666.6)), 0x0b),
	}
	for i, name := range []string{"global_i32", "global_i64", "global_f32", "global_f64"} {
		exports = append(exports, wasmExport(name, 3, byte(i)))
	}
	exports = append(exports, wasmExport("table", 1, 0), wasmExport("memory", 2, 0))
	out := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range [][]byte{
		wasmSection(1, types...),
		wasmSection(3, funcs...),
		wasmSection(4, []byte{0x70, 1, 10, 20}), // funcref, min 10, max 20
		wasmSection(5, []byte{1, 1, 2}),         // min 1, max 2 pages
		wasmSection(6, globals...),
		wasmSection(7, exports...),
		wasmSection(10, bodies...),
	} {
		out = append(out, s...)
	}
	return out
}

func byteItems(bs []byte) [][]byte {
	items := make([][]byte, len(bs))
	for i := range bs {
		items[i] = bs[i : i+1]
	}
	return items
}

func TestImportModules(t *testing.T) {
	imp := func(module, name string, desc ...byte) []byte {
		return append(append(append(uleb(len(module)), module...), append(uleb(len(name)), name...)...), desc...)
	}
	linked := append([]byte("\x00asm\x01\x00\x00\x00"), wasmSection(2,
		imp("spectest", "print_i32", 0, 1),           // func, type 1
		imp("spectest", "table", 1, 0x70, 1, 10, 20), // funcref table 10..20
		imp("Mm", "mem", 2, 0, 1),                    // memory 1..
		imp("spectest", "global_i32", 3, 0x7f, 0),    // const i32
	)...)
	tests := []struct {
		name    string
		bin     []byte
		want    []string
		wantErr bool
	}{
		{"spectest module", spectestModule(), nil, false},
		{"four imports", linked, []string{"spectest", "spectest", "Mm", "spectest"}, false},
		{"truncated", linked[:len(linked)-3], nil, true},
		{"not wasm", []byte("\x00asx\x01\x00\x00\x00"), nil, true},
	}
	for _, tt := range tests {
		got, err := importModules(tt.bin)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("%s: importModules = %q, %v; want %q, error: %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
