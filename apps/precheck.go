package apps

import (
	"errors"
	"fmt"
)

// maxLocals bounds a function's declared locals, as the firmware does
// (firmware/wasm/module.h, WASM_MAX_LOCALS).
const maxLocals = 0xffff

// precheck walks a module's sections and every vector and byte string in
// them, refusing any count or length beyond the bytes that are left, before
// wazero sees the module: wazero v1.12 allocates a vector or a name from
// its length prefix, so a module of 20 bytes could ask for gigabytes.
// Instructions are not decoded here (a code body is skipped by its size);
// wazero validates them.
func precheck(module []byte) error {
	sections, err := splitSections(module)
	if err != nil {
		return err
	}
	for _, s := range sections {
		if s.raw[0] == 0 {
			continue // a custom section: splitSections checked its name
		}
		r := &walker{b: sectionContents(s.raw)}
		r.section(s.raw[0])
		if r.err != nil {
			return fmt.Errorf("section %d: %w", s.raw[0], r.err)
		}
	}
	return nil
}

var errShort = errors.New("a length or count runs past the section")

// walker reads a section; the first error sticks.
type walker struct {
	b   []byte
	err error
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

// leb reads an unsigned (or, skipped the same way, signed) LEB128.
func (w *walker) leb() uint64 {
	var v uint64
	for shift := 0; shift < 70; shift += 7 {
		c := w.byte()
		if w.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	w.fail(errors.New("an integer too long"))
	return 0
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

func (w *walker) limits() {
	if w.byte() == 1 {
		w.leb()
	}
	w.leb()
}

// constExpr skips a WebAssembly 1.0 constant expression and its end.
func (w *walker) constExpr() {
	switch w.byte() {
	case 0x41, 0x42, 0x23: // i32.const, i64.const, global.get
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
			w.bytes()
			w.bytes()
			switch w.byte() {
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
		case 3:
			w.leb()
		case 4:
			w.byte()
			w.limits()
		case 5:
			w.limits()
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
			w.constExpr()
			w.bytes()
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
