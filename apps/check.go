package apps

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"wasmbed-lab/boards"
)

// Capabilities a board gives apps (boards/gen/describe.go).
const (
	CapMemory = "wasm-memory" // bytes of linear memory
	CapModule = "wasm-module" // bytes of module
)

// CheckError says why an app cannot run, on one board or on any.
type CheckError struct {
	App      string
	Board    string // empty when the problems hold on every board
	Problems []string
}

func (e *CheckError) Error() string {
	where := e.App
	if e.Board != "" {
		where += " on " + e.Board
	}
	return "app check: " + where + ": " + strings.Join(e.Problems, "; ")
}

// App is a compiled app with what Check needs to judge it per board.
type App struct {
	Name     string
	Size     int
	Pages    uint32 // its memory's initial pages (0 without a memory)
	HasMem   bool
	Need     uint32 // the wasmbed.memory section's bytes, or 0
	DataEnd  uint64 // where its data segments end in memory
	Problems []string
}

// Inspect compiles an app with wazero, as WebAssembly 1.0 only, and checks
// what holds on every board: every import is a host function of the ABI
// with its type, and the app exports run: () -> (). app names it in
// errors (its file name).
func Inspect(ctx context.Context, app string, module []byte) (*App, error) {
	m := &App{Name: app, Size: len(module)}
	lay, err := precheck(module)
	if err != nil {
		return nil, &CheckError{App: app, Problems: []string{"not a WebAssembly 1.0 module the lab supports: " + err.Error()}}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV1))
	defer rt.Close(ctx)
	compiled, err := rt.CompileModule(ctx, module)
	if err != nil {
		return nil, &CheckError{App: app, Problems: []string{"not a WebAssembly 1.0 module the lab supports: " + err.Error()}}
	}
	if m.Need, err = lay.need, lay.needErr; err != nil {
		m.Problems = append(m.Problems, err.Error())
	}
	for _, imp := range lay.imports {
		if imp.kind != 0 {
			m.Problems = append(m.Problems, fmt.Sprintf("imports %s %s.%s: apps import only host functions from %q",
				kindName(imp.kind), imp.module, imp.name, Module))
		}
	}
	for _, f := range compiled.ImportedFunctions() {
		module, name, _ := f.Import()
		abi, ok := Lookup(name)
		switch {
		case module != Module:
			m.Problems = append(m.Problems, fmt.Sprintf("imports %s.%s: apps import only from %q", module, name, Module))
		case !ok:
			m.Problems = append(m.Problems, fmt.Sprintf("imports %s.%s: no such host function (see docs/abi.md)", module, name))
		case wazeroSignature(f.ParamTypes(), f.ResultTypes()) != abi.Signature():
			m.Problems = append(m.Problems, fmt.Sprintf("imports %s.%s as %s, but it is %s", module, name,
				wazeroType(f.ParamTypes(), f.ResultTypes()), abi.WasmType()))
		}
	}
	run, ok := compiled.ExportedFunctions()[Entry]
	if !ok {
		m.Problems = append(m.Problems, fmt.Sprintf("exports no function %q (the entry point: void %s(void))", Entry, Entry))
	} else if len(run.ParamTypes()) != 0 || len(run.ResultTypes()) != 0 {
		m.Problems = append(m.Problems, fmt.Sprintf("exports %s as %s, but it must be () -> ()", Entry,
			wazeroType(run.ParamTypes(), run.ResultTypes())))
	}
	m.Pages, m.HasMem, m.DataEnd = lay.pages, lay.hasMem, lay.dataEnd
	return m, nil
}

// Fits checks what depends on the board: the module's size and its memory.
func (m *App) Fits(b boards.Board) error {
	problems := append([]string(nil), m.Problems...)
	maxModule, okModule := b.Capability(CapModule)
	maxMemory, okMemory := b.Capability(CapMemory)
	if !okModule || !okMemory {
		problems = append(problems, "the board runs no apps (it has no wasm-memory capability: too little RAM)")
	} else {
		if uint64(m.Size) > maxModule {
			problems = append(problems, fmt.Sprintf("the module is %d bytes, the board takes at most %d", m.Size, maxModule))
		}
		declared := uint64(m.Pages) * 65536
		mapped := declared
		if m.Need != 0 && uint64(m.Need) < declared {
			mapped = uint64(m.Need)
		}
		if m.DataEnd > mapped {
			problems = append(problems, fmt.Sprintf("its data ends at byte %d, beyond the %d bytes it declares", m.DataEnd, mapped))
		}
		switch {
		case mapped <= maxMemory:
		case maxMemory < 65536 && m.Need == 0:
			problems = append(problems, fmt.Sprintf("the memory is %s of 64 KiB, and the board gives apps %d bytes: "+
				"declare what the app needs (MEMORY_<app> in apps/Makefile) to run in reduced-memory mode", m.pagesText(), maxMemory))
		default:
			problems = append(problems, fmt.Sprintf("the app needs %d bytes of memory, the board gives apps %d", mapped, maxMemory))
		}
	}
	if len(problems) > 0 {
		return &CheckError{App: m.Name, Board: b.Name, Problems: problems}
	}
	return nil
}

// Check is Inspect, then Fits the board.
func Check(ctx context.Context, app string, module []byte, b boards.Board) error {
	m, err := Inspect(ctx, app, module)
	if err != nil {
		return err
	}
	return m.Fits(b)
}

// wazeroSignature is a function type in the firmware's notation ("ii:i").
func wazeroSignature(params, results []api.ValueType) string {
	letter := func(v api.ValueType) string {
		switch v {
		case api.ValueTypeI64:
			return "I"
		case api.ValueTypeI32:
			return "i"
		}
		return "?"
	}
	var b strings.Builder
	for _, p := range params {
		b.WriteString(letter(p))
	}
	b.WriteString(":")
	for _, r := range results {
		b.WriteString(letter(r))
	}
	return b.String()
}

func wazeroType(params, results []api.ValueType) string {
	names := func(vs []api.ValueType) string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = api.ValueTypeName(v)
		}
		return strings.Join(out, ", ")
	}
	return "(" + names(params) + ") -> (" + names(results) + ")"
}

func kindName(kind byte) string {
	switch kind {
	case 1:
		return "a table"
	case 2:
		return "a memory"
	case 3:
		return "a global"
	}
	return "a function"
}

// CheckBoards checks an app for each of bs and writes one line per board:
// "ok", or why not. It returns the first board's error when there is one
// board, and otherwise an error when the app fits none of them.
func CheckBoards(ctx context.Context, w io.Writer, app string, module []byte, bs []boards.Board) error {
	m, err := Inspect(ctx, app, module)
	if err != nil {
		return err
	}
	var first error
	fits := 0
	for _, b := range bs {
		err := m.Fits(b)
		if err == nil {
			fits++
			fmt.Fprintf(w, "%-18s ok: %d bytes, memory %s\n", b.Name, m.Size, m.memoryText())
			continue
		}
		if first == nil {
			first = err
		}
		fmt.Fprintf(w, "%-18s %s\n", b.Name, strings.Join(err.(*CheckError).Problems, "; "))
	}
	switch {
	case len(bs) == 1:
		return first
	case fits == 0:
		return &CheckError{App: app, Problems: []string{"it fits no board"}}
	}
	return nil
}

func (m *App) pagesText() string {
	if m.Pages == 1 {
		return "1 page"
	}
	return fmt.Sprintf("%d pages", m.Pages)
}

func (m *App) memoryText() string {
	if m.Need != 0 {
		return fmt.Sprintf("%d bytes declared (of %s)", m.Need, m.pagesText())
	}
	return m.pagesText()
}
