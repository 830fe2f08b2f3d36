package apps

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxLocals bounds a function's declared locals, as the firmware does
// (firmware/wasm/module.h, WASM_MAX_LOCALS).
const maxLocals = 0xffff

// layout is what precheck learns of a module on its way through it.
type layout struct {
	imports []importEntry
	pages   uint32 // the defined memory's initial pages
	hasMem  bool
	dataEnd uint64 // where the data segments with constant offsets end
	need    uint32 // the wasmbed.memory section's bytes, or 0
	needErr error  // why that section does not read
}

type importEntry struct {
	module, name string
	kind         byte
}

// precheck walks a module's sections and every vector and byte string in
// them, refusing any count or length beyond the bytes that are left, before
// wazero sees the module: wazero v1.12 allocates a vector or a name from
// its length prefix, so a module of 20 bytes could ask for gigabytes.
// Instructions are not decoded here (a code body is skipped by its size);
// wazero validates them. On the way it notes what Inspect needs.
func precheck(module []byte) (*layout, error) {
	sections, err := splitSections(module)
	if err != nil {
		return nil, err
	}
	out := &layout{}
	for _, s := range sections {
		if s.raw[0] == 0 { // a custom section: splitSections checked its name
			if s.custom == MemorySection && out.need == 0 && out.needErr == nil { // the first counts
				out.need, out.needErr = parseNeed(s.payload)
			}
			continue
		}
		r := &walker{b: sectionContents(s.raw), out: out}
		r.section(s.raw[0])
		if r.err != nil {
			return nil, fmt.Errorf("section %d: %w", s.raw[0], r.err)
		}
	}
	return out, nil
}

// sectionContents is a section without its id and size.
func sectionContents(raw []byte) []byte {
	_, n := binary.Uvarint(raw[1:])
	return raw[1+n:]
}

var errShort = errors.New("a length or count runs past the section")

// walker reads a section; the first error sticks.
type walker struct {
	b   []byte
	err error
	out *layout
}

func (w *walker) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func (w *walker) byte() byte {
	if w.err != nil || len(w.b) == 0 {
		w.fail(errShort)
		return 0
	}
	c := w.b[0]
	w.b = w.b[1:]
	return c
}

// leb reads an unsigned LEB128.
func (w *walker) leb() uint64 {
	v, _ := w.varint()
	return v
}

// sleb reads a signed LEB128.
func (w *walker) sleb() int64 {
	v, shift := w.varint()
	if shift < 64 && v&(1<<(shift-1)) != 0 {
		v |= ^uint64(0) << shift
	}
	return int64(v)
}

// varint reads a LEB128's bits and how many it had.
func (w *walker) varint() (uint64, uint) {
	var v uint64
	for shift := uint(0); shift < 70; shift += 7 {
		c := w.byte()
		if w.err != nil {
			return 0, 7
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, shift + 7
		}
	}
	w.fail(errors.New("an integer too long"))
	return 0, 7
}

// count reads a vector's count: each entry takes a byte at least.
func (w *walker) count() uint64 {
	n := w.leb()
	if n > uint64(len(w.b)) {
		w.fail(errShort)
		return 0
	}
	return n
}

func (w *walker) skip(n uint64) {
	if n > uint64(len(w.b)) {
		w.fail(errShort)
		return
	}
	w.b = w.b[n:]
}

func (w *walker) bytes() { w.skip(w.leb()) }

// name reads a length-prefixed name.
func (w *walker) name() string {
	n := w.leb()
	if n > uint64(len(w.b)) {
		w.fail(errShort)
		return ""
	}
	s := string(w.b[:n])
	w.b = w.b[n:]
	return s
}

// limits reads a minimum and an optional maximum; returns the minimum.
func (w *walker) limits() uint64 {
	hasMax := w.byte() == 1
	min := w.leb()
	if hasMax {
		w.leb()
	}
	return min
}

// constExpr reads a WebAssembly 1.0 constant expression and its end; ok
// says it is an i32.const, whose value it returns.
func (w *walker) constExpr() (v int64, ok bool) {
	switch w.byte() {
	case 0x41: // i32.const
		v, ok = w.sleb(), true
	case 0x42, 0x23: // i64.const, global.get
		w.leb()
	case 0x43:
		w.skip(4)
	case 0x44:
		w.skip(8)
	default:
		w.fail(errors.New("not a constant expression"))
	}
	if w.byte() != 0x0b {
		w.fail(errors.New("a constant expression without its end"))
	}
	return v, ok
}

func (w *walker) section(id byte) {
	if id == 8 { // start: one index
		w.leb()
		return
	}
	n := w.count()
	for i := uint64(0); i < n && w.err == nil; i++ {
		switch id {
		case 1: // type: 0x60, params, results
			w.byte()
			w.skip(w.count())
			w.skip(w.count())
		case 2: // import: module, name, description
			e := importEntry{module: w.name(), name: w.name(), kind: w.byte()}
			switch e.kind {
			case 0:
				w.leb()
			case 1:
				w.byte()
				w.limits()
			case 2:
				w.limits()
			default:
				w.skip(2)
			}
			w.out.imports = append(w.out.imports, e)
		case 3:
			w.leb()
		case 4:
			w.byte()
			w.limits()
		case 5:
			pages := w.limits()
			if i == 0 {
				w.out.pages, w.out.hasMem = uint32(pages), true
			}
		case 6:
			w.skip(2)
			w.constExpr()
		case 7: // export: name, kind, index
			w.bytes()
			w.byte()
			w.leb()
		case 9: // element: table, offset, function indices
			w.leb()
			w.constExpr()
			for k, m := uint64(0), w.count(); k < m && w.err == nil; k++ {
				w.leb()
			}
		case 10:
			w.body()
		case 11: // data: memory, offset, bytes
			w.leb()
			offset, ok := w.constExpr()
			size := w.leb()
			w.skip(size)
			if end := uint64(uint32(offset)) + size; ok && end > w.out.dataEnd {
				w.out.dataEnd = end
			}
		default:
			w.fail(fmt.Errorf("unknown section id %d", id))
		}
	}
}

// body checks a code entry's size and its local declarations.
func (w *walker) body() {
	size := w.leb()
	if size > uint64(len(w.b)) {
		w.fail(errShort)
		return
	}
	body := &walker{b: w.b[:size]}
	w.b = w.b[size:]
	var locals uint64
	for k, m := uint64(0), body.count(); k < m && body.err == nil; k++ {
		locals += body.leb()
		body.byte()
		if locals > maxLocals {
			body.fail(fmt.Errorf("more than %d locals in a function", maxLocals))
		}
	}
	if body.err != nil {
		w.fail(body.err)
	}
}
