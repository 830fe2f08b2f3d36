package apps

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
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
	if err := precheck(module); err != nil {
		return nil, &CheckError{App: app, Problems: []string{"not a WebAssembly 1.0 module the lab supports: " + err.Error()}}
	}
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV1))
	defer rt.Close(ctx)
	compiled, err := rt.CompileModule(ctx, module)
	if err != nil {
		return nil, &CheckError{App: app, Problems: []string{"not a WebAssembly 1.0 module the lab supports: " + err.Error()}}
	}
	if m.Need, err = MemoryNeed(module); err != nil {
		m.Problems = append(m.Problems, err.Error())
	}
	kinds, err := importKinds(module)
	if err != nil {
		m.Problems = append(m.Problems, err.Error())
	}
	for _, imp := range kinds {
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
	m.Pages, m.HasMem = definedMemoryPages(module)
	m.DataEnd = dataEnd(module)
	return m, nil
}

// Fits checks what depends on the board: the module's size and its memory.
func (m *App) Fits(b boards.Board) error {
	problems := append([]string(nil), m.Problems...)
	maxModule, okModule := b.Capability(CapModule)
	maxMemory, okMemory := b.Capability(CapMemory)
	if !okModule || !okMemory {
		problems = append(problems, "the board runs no apps")
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

type importEntry struct {
	module, name string
	kind         byte
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

// importKinds reads the import section of a module wazero accepted.
func importKinds(module []byte) ([]importEntry, error) {
	sections, err := splitSections(module)
	if err != nil {
		return nil, err
	}
	for _, s := range sections {
		if s.custom != "" || s.raw[0] != 2 {
			continue
		}
		r := bytes.NewReader(sectionContents(s.raw))
		count, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, errMalformed
		}
		var out []importEntry
		for i := uint64(0); i < count; i++ {
			var e importEntry
			if e.module, err = readName(r); err == nil {
				e.name, err = readName(r)
			}
			if err == nil {
				e.kind, err = r.ReadByte()
			}
			if err == nil {
				err = skipImportDesc(r, e.kind)
			}
			if err != nil {
				return nil, errMalformed
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, nil
}

var errMalformed = errors.New("a section does not decode")

func sectionContents(raw []byte) []byte {
	_, n := binary.Uvarint(raw[1:])
	return raw[1+n:]
}

func readName(r *bytes.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil || n > uint64(r.Len()) {
		return "", errMalformed
	}
	b := make([]byte, n)
	_, err = r.Read(b)
	return string(b), err
}

func skipImportDesc(r *bytes.Reader, kind byte) error {
	limits := func() error {
		flag, err := r.ReadByte()
		if err != nil {
			return err
		}
		if _, err := binary.ReadUvarint(r); err != nil {
			return err
		}
		if flag == 1 {
			_, err = binary.ReadUvarint(r)
		}
		return err
	}
	switch kind {
	case 0:
		_, err := binary.ReadUvarint(r)
		return err
	case 1:
		if _, err := r.ReadByte(); err != nil {
			return err
		}
		return limits()
	case 2:
		return limits()
	case 3:
		_, err := r.Seek(2, 1)
		return err
	}
	return errMalformed
}

// definedMemoryPages reads the memory section's initial pages.
func definedMemoryPages(module []byte) (uint32, bool) {
	sections, err := splitSections(module)
	if err != nil {
		return 0, false
	}
	for _, s := range sections {
		if s.custom != "" || s.raw[0] != 5 {
			continue
		}
		r := bytes.NewReader(sectionContents(s.raw))
		if count, err := binary.ReadUvarint(r); err != nil || count == 0 {
			return 0, false
		}
		if _, err := r.ReadByte(); err != nil {
			return 0, false
		}
		min, err := binary.ReadUvarint(r)
		return uint32(min), err == nil
	}
	return 0, false
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

// dataEnd is where the module's data segments end in memory (those whose
// offset is a constant, as a linker writes them).
func dataEnd(module []byte) uint64 {
	sections, err := splitSections(module)
	if err != nil {
		return 0
	}
	var end uint64
	for _, s := range sections {
		if s.custom != "" || s.raw[0] != 11 {
			continue
		}
		r := bytes.NewReader(sectionContents(s.raw))
		count, err := binary.ReadUvarint(r)
		for i := uint64(0); err == nil && i < count; i++ {
			var offset int64
			var size uint64
			if _, err = binary.ReadUvarint(r); err != nil { // memory index
				break
			}
			if op, _ := r.ReadByte(); op != 0x41 { // i32.const: else a global's value, unknown here
				break
			}
			if offset, err = readSLEB(r); err != nil {
				break
			}
			if op, _ := r.ReadByte(); op != 0x0b {
				break
			}
			if size, err = binary.ReadUvarint(r); err != nil || size > uint64(r.Len()) {
				break
			}
			_, err = r.Seek(int64(size), 1)
			if e := uint64(uint32(offset)) + size; e > end {
				end = e
			}
		}
	}
	return end
}

// readSLEB reads a signed LEB128 (binary.ReadVarint is zigzag, not this).
func readSLEB(r *bytes.Reader) (int64, error) {
	var v int64
	for shift := uint(0); shift < 64; shift += 7 {
		b, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		v |= int64(b&0x7f) << shift
		if b&0x80 == 0 {
			if shift+7 < 64 && b&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
	return 0, errMalformed
}
