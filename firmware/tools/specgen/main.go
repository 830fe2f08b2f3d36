// Command specgen turns WebAssembly spec scripts (wabt's wast2json output)
// or benchmark kernels into the C tables of the firmware's test image, which
// runs them with the interpreter on a board (firmware/test/image/spec_data.h
// describes the tables).
//
//	specgen -dir DIR [-memory-pages N] [-slice N] -o OUT.c [NAME...]
//	specgen -bench -dir DIR [-memory-pages N] [-slice N] -o OUT.c NAME=N...
//
// Spec mode reads DIR/NAME.json for each NAME (DefaultScripts when none is
// given) with the modules it names. It keeps what a board can run alone:
// binary modules that import nothing or only from "spectest" and whose
// memory fits N pages, the commands on them, and assert_invalid and
// assert_malformed of binary modules. It leaves out, and counts by reason,
// text-format modules, register and what needs another instance (actions
// on an earlier named module, imports of registered modules), modules whose
// memory does not fit, assertions that memory grows beyond N pages
// (growers), and uninstantiable modules with their own memory (the image
// has one memory buffer, which the current instance owns).
//
// Bench mode reads DIR/NAME.wasm for each NAME=N (a kernel exporting
// run(i32) -> i32 and importing nothing) and makes one module and one
// measured call run(N) per kernel, after two calibration loops.
//
// The output depends only on the inputs and the arguments.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"wasmbed-lab/apps/wast"
)

// DefaultScripts is the subset the test image runs. It covers the
// numerics (i32, i64, f32, f64 with comparisons, bit operations, float
// expressions and literals: on the boards, soft float), conversions,
// control flow (block, loop, if, br, br_if, br_table, return, call,
// call_indirect), memory (address, load, store, traps, endianness), traps,
// fac and more, and fits the smaller board (olimex-stm32-h405: 1 MiB of
// flash, 192 KiB of RAM) with one 64 KiB page of linear memory.
//
// Left out whole: memory_grow and memory_size (they grow memory to 803 and
// 5 pages, more than a board holds), imports, linking and elem (they
// register modules and link instances to each other), const and names
// (over 100 KiB of flash, for the loader more than the interpreter), the
// utf8-* and binary* scripts (the loader's host tests run those), and
// skip-stack-guard-page (deep recursion only, 18 KiB of module).
var DefaultScripts = []string{
	"i32", "i64", "f32", "f64", "f32_cmp", "f64_cmp", "f32_bitwise", "f64_bitwise",
	"float_exprs", "float_literals", "float_misc", "conversions", "int_exprs", "int_literals",
	"block", "loop", "if", "br", "br_if", "br_table", "return", "call", "call_indirect",
	"fac", "traps", "unreachable", "unwind", "select", "nop", "switch", "labels",
	"break-drop", "forward", "stack", "left-to-right", "func", "func_ptrs",
	"local_get", "local_set", "local_tee", "globals", "start", "type",
	"address", "align", "load", "store", "endianness", "memory", "memory_trap",
	"memory_redundancy", "float_memory", "data", "exports", "custom", "comments",
	"unreached-invalid", "inline-module",
}

func main() {
	var (
		dir   = flag.String("dir", "", "directory of the scripts (spec) or kernels (-bench)")
		out   = flag.String("o", "", "C file to write")
		pages = flag.Uint("memory-pages", 1, "linear memory the image gives, in 64 KiB pages")
		bench = flag.Bool("bench", false, "arguments are kernels NAME=N, not scripts")
		slice = flag.Uint("slice", 0, "fuel per slice of a call (0: 1 for scripts, 1000 for kernels)")
		quiet = flag.Bool("q", false, "no summary on stderr")
	)
	flag.Parse()
	if *out == "" || *dir == "" || *pages == 0 {
		fmt.Fprintln(os.Stderr, "usage: specgen [-bench] -dir DIR [-memory-pages N] [-slice N] -o OUT.c [NAME...]")
		os.Exit(2)
	}
	// Scripts are suspended at every call and back edge, as the host's
	// spectest --slice 1 is; kernels run in slices as the firmware would.
	g := newGen(uint32(*pages), 1)
	if *bench {
		g.slice = 1000
	}
	if *slice != 0 {
		g.slice = uint32(*slice)
	}
	var err error
	if *bench {
		err = g.addBench(*dir, flag.Args())
	} else {
		names := flag.Args()
		if len(names) == 0 {
			names = DefaultScripts
		}
		for _, name := range names {
			if err = g.addScript(*dir, name); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = g.write(*out, strings.Join(os.Args[1:], " "))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Fprint(os.Stderr, g.report())
	}
}

// Command kinds and expectations, as in spec_data.h.
const (
	kindScript = iota + 1
	kindModule
	kindInvalid
	kindMalformed
	kindUnlinkable
	kindUninstantiable
	kindModuleTrap
	kindReturn
	kindAction
	kindTrap
	kindGet
	kindMeasure
	kindCalibrate
)

var kindNames = map[int]string{
	kindScript: "SPEC_SCRIPT", kindModule: "SPEC_MODULE", kindInvalid: "SPEC_INVALID",
	kindMalformed: "SPEC_MALFORMED", kindUnlinkable: "SPEC_UNLINKABLE",
	kindUninstantiable: "SPEC_UNINSTANTIABLE", kindModuleTrap: "SPEC_MODULE_TRAP",
	kindReturn: "SPEC_RETURN", kindAction: "SPEC_ACTION", kindTrap: "SPEC_TRAP",
	kindGet: "SPEC_GET", kindMeasure: "SPEC_MEASURE", kindCalibrate: "SPEC_CALIBRATE",
}

const (
	expectExact = iota
	expectNaNCanonical
	expectNaNArithmetic
)

var expectNames = []string{"SPEC_EXACT", "SPEC_NAN_CANONICAL", "SPEC_NAN_ARITHMETIC"}

// Value types, as encoded.
var valtypes = map[string]byte{"i32": 0x7f, "i64": 0x7e, "f32": 0x7d, "f64": 0x7c}

// cmd is one row of spec_cmds.
type cmd struct {
	kind, nargs, typ, expect int
	ref, line                int
	words                    int
}

// gen accumulates the tables.
type gen struct {
	memPages uint32
	slice    uint32
	cmds     []cmd
	modules  [][]byte
	text     bytes.Buffer
	strs     [][2]int
	strIndex map[string]int
	words    []uint32
	scripts  []scriptStats
	skipped  map[string]int
}

type scriptStats struct {
	name    string
	kept    int // commands, script starts not counted
	skipped int
}

func newGen(memPages, slice uint32) *gen {
	return &gen{memPages: memPages, slice: slice, strIndex: map[string]int{}, skipped: map[string]int{}}
}

func (g *gen) str(s string) int {
	if i, ok := g.strIndex[s]; ok {
		return i
	}
	i := len(g.strs)
	g.strs = append(g.strs, [2]int{g.text.Len(), len(s)})
	g.text.WriteString(s)
	g.strIndex[s] = i
	return i
}

func (g *gen) module(b []byte) int {
	g.modules = append(g.modules, b)
	return len(g.modules) - 1
}

// ---- Scripts ----

// The script's types, by their names here.
type (
	command = wast.Command
	value   = wast.Value
)

// current is what the image's current instance is while a script is read.
type current struct {
	name    string // "$M", or ""
	missing string // why there is none, or ""
}

func (g *gen) addScript(dir, name string) error {
	path := filepath.Join(dir, name+".json")
	s, err := wast.Load(path)
	if err != nil {
		return err
	}
	if len(s.Commands) == 0 {
		return fmt.Errorf("%s: no commands", path)
	}
	st := scriptStats{name: name}
	g.cmds = append(g.cmds, cmd{kind: kindScript, ref: g.str(name + ".wast")})
	cur := current{missing: "no module yet"}
	for _, c := range s.Commands {
		why, err := g.addCommand(dir, name, c, &cur)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, c.Line, err)
		}
		if why != "" {
			g.skipped[why]++
			st.skipped++
			continue
		}
		st.kept++
	}
	g.scripts = append(g.scripts, st)
	return nil
}

// Reasons a command is left out.
const (
	skipText      = "text-format module"
	skipRegister  = "register (links instances)"
	skipImports   = "imports from a module other than spectest"
	skipMemory    = "memory larger than the image gives"
	skipGrow      = "grows memory beyond the image's pages"
	skipOwnMemory = "uninstantiable module with its own memory"
	skipEarlier   = "acts on an earlier named module"
)

// growers are the assertions that memory.grow succeeds (the spec lets it
// fail, these scripts assert it does not), by script:line, with the pages
// the memory must reach by then.
var growers = map[string]uint32{
	"block:283": 2, "loop:332": 2, "if:448": 2, "select:256": 2, "select:257": 4,
	"nop:381": 3, "nop:382": 15, "globals:226": 7, "local_tee:345": 41,
	"call:294": 307, "call_indirect:574": 307,
}

// addCommand adds one command of script, or returns why it leaves it out.
func (g *gen) addCommand(dir, script string, c command, cur *current) (string, error) {
	if c.Line > 0xffff {
		return "", fmt.Errorf("line %d does not fit 16 bits", c.Line)
	}
	switch c.Type {
	case "module":
		b, why, err := g.readModule(dir, c, true)
		cur.name, cur.missing = c.Name, why
		if err != nil || why != "" {
			return why, err
		}
		g.cmds = append(g.cmds, cmd{kind: kindModule, ref: g.module(b), line: c.Line})
		return "", nil
	case "register":
		return skipRegister, nil
	case "assert_invalid", "assert_malformed":
		b, why, err := g.readModule(dir, c, false)
		if err != nil || why != "" {
			return why, err
		}
		kind := kindInvalid
		if c.Type == "assert_malformed" {
			kind = kindMalformed
		}
		g.cmds = append(g.cmds, cmd{kind: kind, ref: g.module(b), line: c.Line})
		return "", nil
	case "assert_unlinkable":
		b, why, err := g.readModule(dir, c, true)
		if err != nil || why != "" {
			return why, err
		}
		g.cmds = append(g.cmds, cmd{kind: kindUnlinkable, ref: g.module(b), line: c.Line})
		return "", nil
	case "assert_uninstantiable", "assert_trap", "assert_return", "action", "assert_exhaustion":
		if c.Action != nil {
			return g.addAction(script, c, cur)
		}
		if c.Type != "assert_uninstantiable" && c.Type != "assert_trap" {
			return "", errors.New("no action")
		}
		// A module whose instantiation fails or whose start traps.
		b, why, err := g.readModule(dir, c, true)
		if err != nil || why != "" {
			return why, err
		}
		if info, _ := parseModule(b); info.ownMemory {
			return skipOwnMemory, nil
		}
		out := cmd{kind: kindUninstantiable, ref: g.module(b), line: c.Line}
		if c.Type == "assert_trap" {
			out.kind, out.words = kindModuleTrap, g.str(c.Text)
		}
		g.cmds = append(g.cmds, out)
		return "", nil
	}
	return "", fmt.Errorf("unknown command %q", c.Type)
}

// readModule reads the module c names, or says why it is left out; with
// instantiate, also what keeps the image from instantiating it.
func (g *gen) readModule(dir string, c command, instantiate bool) ([]byte, string, error) {
	if c.ModuleType == "text" {
		return nil, skipText, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, c.Filename))
	if err != nil {
		return nil, "", err
	}
	if !instantiate {
		return b, "", nil
	}
	why, err := g.runnable(c.Filename, b)
	return b, why, err
}

// runnable says why the image cannot instantiate a module, or "".
func (g *gen) runnable(name string, b []byte) (string, error) {
	info, err := parseModule(b)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if info.foreignImport {
		return skipImports, nil
	}
	if info.minPages > uint64(g.memPages) {
		return skipMemory, nil
	}
	return "", nil
}

func (g *gen) addAction(script string, c command, cur *current) (string, error) {
	a := c.Action
	if cur.missing != "" {
		return cur.missing, nil
	}
	if a.Module != "" && a.Module != cur.name {
		return skipEarlier, nil
	}
	if pages, ok := growers[fmt.Sprintf("%s:%d", script, c.Line)]; ok && pages > g.memPages {
		return skipGrow, nil
	}
	out := cmd{line: c.Line, ref: g.str(a.Field), words: len(g.words)}
	switch {
	case a.Type == "get" && c.Type == "assert_return":
		out.kind = kindGet
	case a.Type != "invoke":
		return "", fmt.Errorf("action %q in %s", a.Type, c.Type)
	case c.Type == "assert_return":
		out.kind = kindReturn
	case c.Type == "action":
		out.kind = kindAction
	default: // assert_trap, assert_exhaustion
		out.kind = kindTrap
	}
	if len(a.Args) > 255 {
		return "", fmt.Errorf("%d arguments", len(a.Args))
	}
	out.nargs = len(a.Args)
	for _, v := range a.Args {
		if _, err := g.value(v); err != nil {
			return "", err
		}
	}
	switch out.kind {
	case kindTrap:
		g.words = append(g.words, uint32(g.str(c.Text)))
	case kindReturn, kindGet:
		if len(c.Expected) > 1 {
			return "", fmt.Errorf("%d results", len(c.Expected))
		}
		if len(c.Expected) == 1 {
			exp, err := g.value(c.Expected[0])
			if err != nil {
				return "", err
			}
			out.typ, out.expect = int(valtypes[c.Expected[0].Type]), exp
		}
	}
	g.cmds = append(g.cmds, out)
	return "", nil
}

// value appends v's words and returns how it is compared.
func (g *gen) value(v value) (int, error) {
	t, ok := valtypes[v.Type]
	if !ok {
		return 0, fmt.Errorf("value type %q", v.Type)
	}
	wide := t == 0x7e || t == 0x7c
	var bits uint64
	expect := expectExact
	switch v.Value {
	case "nan:canonical":
		expect = expectNaNCanonical
	case "nan:arithmetic":
		expect = expectNaNArithmetic
	default:
		var err error
		size := 32
		if wide {
			size = 64
		}
		if bits, err = strconv.ParseUint(v.Value, 10, size); err != nil {
			return 0, fmt.Errorf("%s value %q: %w", v.Type, v.Value, err)
		}
	}
	if expect != expectExact && (t == 0x7f || t == 0x7e) {
		return 0, fmt.Errorf("NaN pattern for %s", v.Type)
	}
	g.words = append(g.words, uint32(bits))
	if wide {
		g.words = append(g.words, uint32(bits>>32))
	}
	return expect, nil
}
