package apps

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// ---- What a call did ----

// trapKind is a trap both engines can name; each engine's messages map onto it.
type trapKind int

const (
	trapNone trapKind = iota
	trapUnreachable
	trapMemory
	trapDivideByZero
	trapIntegerOverflow
	trapInvalidConversion
	trapIndirectCallType
	// An undefined or an uninitialized table element: wazero reports both
	// as "invalid table access", so the two kinds are one here.
	trapTableAccess
	trapStackExhausted
	trapFuel // wasmrun's fuel limit per call; wazero has none
	trapHost // a host function failed
	trapUnknown
)

var trapKindNames = [...]string{
	trapNone:              "no trap",
	trapUnreachable:       "unreachable",
	trapMemory:            "out of bounds memory access",
	trapDivideByZero:      "integer divide by zero",
	trapIntegerOverflow:   "integer overflow",
	trapInvalidConversion: "invalid conversion to integer",
	trapIndirectCallType:  "indirect call type mismatch",
	trapTableAccess:       "undefined or uninitialized element",
	trapStackExhausted:    "call stack exhausted",
	trapFuel:              "fuel exhausted",
	trapHost:              "host function failed",
	trapUnknown:           "unknown trap",
}

func (k trapKind) String() string { return trapKindNames[k] }

// specTrapTexts are the reference interpreter's trap messages: the
// firmware's wasm_trap_message (firmware/wasm/numeric.c) prints them, the
// scripts' assert_trap texts abbreviate them, and wazero shares most.
var specTrapTexts = []struct {
	text string
	kind trapKind
}{
	{"unreachable", trapUnreachable},
	{"out of bounds memory access", trapMemory},
	{"integer divide by zero", trapDivideByZero},
	{"integer overflow", trapIntegerOverflow},
	{"invalid conversion to integer", trapInvalidConversion},
	{"indirect call type mismatch", trapIndirectCallType},
	{"undefined element", trapTableAccess},
	{"uninitialized element", trapTableAccess},
	{"call stack exhausted", trapStackExhausted},
	{"fuel exhausted", trapFuel},
	{"host function failed", trapHost},
}

// trapKindOf names the trap of an engine's message (exact) or of a
// script's text (by prefix either way, as the reference interpreter's
// script runner matches: "uninitialized" and "uninitialized element 7"
// both mean "uninitialized element").
func trapKindOf(text string, prefix bool) trapKind {
	for _, t := range specTrapTexts {
		if text == t.text || prefix && text != "" && (strings.HasPrefix(t.text, text) || strings.HasPrefix(text, t.text)) {
			return t.kind
		}
	}
	return trapUnknown
}

// wazeroTrapTexts are wazero's messages (internal/wasmruntime) that are not
// the spec's own.
var wazeroTrapTexts = map[string]trapKind{
	"invalid table access": trapTableAccess,
	"stack overflow":       trapStackExhausted,
}

type nanClass int

const (
	nanNone nanClass = iota
	nanCanonical
	nanArithmetic
)

// value is one result as raw bits; nan is set only in a script's
// expectation, where any NaN of that class matches.
type value struct {
	typ  string // i32, i64, f32 or f64
	bits uint64
	nan  nanClass
}

func (v value) String() string {
	switch v.nan {
	case nanCanonical:
		return v.typ + ":nan:canonical"
	case nanArithmetic:
		return v.typ + ":nan:arithmetic"
	}
	return v.typ + ":" + strconv.FormatUint(v.bits, 10)
}

// inNaNClass reports whether v is a NaN of the class: canonical is the
// quiet NaN with an empty payload, either sign; arithmetic any quiet NaN.
func inNaNClass(v value, class nanClass) bool {
	var exponent, quiet, sign uint64
	switch {
	case v.typ == "f32" && v.bits <= math.MaxUint32:
		exponent, quiet, sign = 0x7f800000, 1<<22, 1<<31
	case v.typ == "f64":
		exponent, quiet, sign = 0x7ff0000000000000, 1<<51, 1<<63
	default:
		return false
	}
	switch class {
	case nanCanonical:
		return v.bits&^sign == exponent|quiet
	case nanArithmetic:
		return v.bits&exponent == exponent && v.bits&quiet != 0
	}
	return false
}

// outcome is what an engine made of a call, or of instantiating a module.
type outcome struct {
	trap    trapKind // trapNone: it returned results
	results []value
	message string // the engine's trap message, or why it failed
	failed  bool   // the engine could not make the call: a harness or engine error
}

func (o outcome) String() string {
	switch {
	case o.failed:
		return "error: " + o.message
	case o.trap != trapNone && o.message == o.trap.String():
		return fmt.Sprintf("trap %q", o.message)
	case o.trap != trapNone:
		return fmt.Sprintf("trap %q (%s)", o.message, o.trap)
	case len(o.results) == 0:
		return "no result"
	}
	parts := make([]string, len(o.results))
	for i, v := range o.results {
		parts[i] = v.String()
	}
	return strings.Join(parts, ",")
}

// expectation is what the script asserts about a call; nothing when not
// checked ("action" commands, the benchmarks): then only the engines agree.
type expectation struct {
	checked bool
	outcome
}

// ---- The oracle: wazero's interpreter ----

type oracle struct {
	rt  wazero.Runtime
	mod api.Module
}

// startOracle instantiates bin in a fresh runtime of its own, after the
// spectest module; the outcome says whether instantiation trapped or failed.
func startOracle(ctx context.Context, bin []byte) (*oracle, outcome) {
	cfg := wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV1).WithCloseOnContextDone(true)
	o := &oracle{rt: wazero.NewRuntimeWithConfig(ctx, cfg)}
	if _, err := o.rt.InstantiateWithConfig(ctx, spectestModule(), wazero.NewModuleConfig().WithName("spectest")); err != nil {
		return o, outcome{failed: true, message: "spectest: " + err.Error()}
	}
	// No start functions but the module's own: wazero also calls "_start" by default.
	mod, err := o.rt.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName("").WithStartFunctions())
	if err != nil {
		return o, wazeroOutcome(err)
	}
	o.mod = mod
	return o, outcome{}
}

func (o *oracle) call(ctx context.Context, name string, args []uint64) outcome {
	fn := o.mod.ExportedFunction(name)
	if fn == nil {
		return outcome{failed: true, message: fmt.Sprintf("no exported function %q", name)}
	}
	res, err := fn.Call(ctx, args...)
	if err != nil {
		return wazeroOutcome(err)
	}
	types := fn.Definition().ResultTypes()
	var out outcome
	for i, bits := range res {
		typ := api.ValueTypeName(types[i])
		if typ == "i32" || typ == "f32" {
			bits = uint64(uint32(bits)) // wazero's API defines only the low 32 bits
		}
		out.results = append(out.results, value{typ: typ, bits: bits})
	}
	return out
}

func (o *oracle) close(ctx context.Context) error {
	return o.rt.Close(context.WithoutCancel(ctx))
}

// wazeroOutcome reads a trap from wazero's error: "wasm error: TEXT" and a
// stack trace; any other error is a failure.
func wazeroOutcome(err error) outcome {
	msg := err.Error()
	_, text, ok := strings.Cut(msg, "wasm error: ")
	if !ok {
		return outcome{failed: true, message: msg}
	}
	text, _, _ = strings.Cut(text, "\n")
	kind, ok := wazeroTrapTexts[text]
	if !ok {
		kind = trapKindOf(text, false)
	}
	return outcome{trap: kind, message: text}
}

// ---- The interpreter under test: wasmrun --batch ----

type interpreter struct {
	cmd     *exec.Cmd
	stdout  *bufio.Reader
	stderr  bytes.Buffer
	written chan struct{} // closed when the input writer is done
	waited  bool
	waitErr error
}

// startInterpreter starts `wasmrun FILE --batch` with every call's line as
// its input, written by a goroutine that wait() waits for; the outcome says
// whether instantiation trapped or failed. The input goes in whole, not
// call by call, because wasmrun does not flush "instantiated" until it has
// answered its first call (or reached the end of its input).
func startInterpreter(ctx context.Context, wasmrun, path string, calls []call) (*interpreter, outcome) {
	p := &interpreter{cmd: exec.CommandContext(ctx, wasmrun, path, "--batch"), written: make(chan struct{})}
	p.cmd.Stderr = &p.stderr
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, outcome{failed: true, message: err.Error()}
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, outcome{failed: true, message: err.Error()}
	}
	if err := p.cmd.Start(); err != nil {
		return nil, outcome{failed: true, message: err.Error()}
	}
	p.stdout = bufio.NewReader(stdout)
	go func() {
		defer close(p.written)
		defer stdin.Close()
		// An error means wasmrun stopped reading: the outcome lines say why.
		_, _ = io.WriteString(stdin, batchInput(calls))
	}()
	line, err := p.stdout.ReadString('\n')
	if err != nil {
		return p, p.ended(err)
	}
	if line == "instantiated\n" {
		return p, outcome{}
	}
	return p, parseInterpreterLine(strings.TrimSuffix(line, "\n"))
}

// batchInput is one "HEXNAME BITS..." line per call.
func batchInput(calls []call) string {
	var b strings.Builder
	for _, c := range calls {
		if c.field == "" {
			b.WriteString("-")
		}
		b.WriteString(hex.EncodeToString([]byte(c.field)))
		for _, a := range c.args {
			b.WriteString(" " + strconv.FormatUint(a, 10))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// next reads the outcome of the next call.
func (p *interpreter) next() outcome {
	line, err := p.stdout.ReadString('\n')
	if err != nil {
		return p.ended(err)
	}
	return parseInterpreterLine(strings.TrimSuffix(line, "\n"))
}

// ended says why the process stopped answering, stderr and all.
func (p *interpreter) ended(err error) outcome {
	werr := p.wait()
	return outcome{failed: true, message: fmt.Sprintf("wasmrun stopped answering (%v; exit: %v): %s",
		err, werr, strings.TrimSpace(p.stderr.String()))}
}

func (p *interpreter) wait() error {
	if !p.waited {
		p.waited = true
		p.waitErr = p.cmd.Wait()
		<-p.written
	}
	return p.waitErr
}

// close waits for the process; an error if it did not exit cleanly.
func (p *interpreter) close() error {
	if p == nil {
		return nil
	}
	if err := p.wait(); err != nil {
		return fmt.Errorf("wasmrun: %w: %s", err, strings.TrimSpace(p.stderr.String()))
	}
	return nil
}

// parseInterpreterLine reads one outcome line of wasmrun --batch: "ok",
// "TYPE:BITS", "trap: MESSAGE (function F, offset 0xO)" or "error: ...".
func parseInterpreterLine(line string) outcome {
	if line == "ok" {
		return outcome{}
	}
	if text, ok := strings.CutPrefix(line, "trap: "); ok {
		if i := strings.LastIndex(text, " (function "); i >= 0 {
			text = text[:i]
		}
		return outcome{trap: trapKindOf(text, false), message: text}
	}
	typ, bits, _ := strings.Cut(line, ":")
	n, err := strconv.ParseUint(bits, 10, 64)
	switch {
	case strings.HasPrefix(line, "error: "), err != nil:
		return outcome{failed: true, message: fmt.Sprintf("wasmrun said %q", line)}
	case typ != "i32" && typ != "i64" && typ != "f32" && typ != "f64":
		return outcome{failed: true, message: fmt.Sprintf("wasmrun said %q: unknown type", line)}
	}
	return outcome{results: []value{{typ: typ, bits: n}}}
}
