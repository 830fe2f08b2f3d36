package main

import (
	"errors"
	"fmt"
)

// moduleInfo is what the generator needs to know of a binary module.
type moduleInfo struct {
	imports       int
	foreignImport bool   // an import from a module other than spectest
	minPages      uint64 // its memory's initial pages, own or imported (spectest's has 1)
	ownMemory     bool
}

// parseModule reads the import and memory sections of a binary module.
func parseModule(b []byte) (moduleInfo, error) {
	var info moduleInfo
	r := &reader{b: b}
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return info, errors.New("not a binary module")
	}
	r.pos = 8
	for r.pos < len(b) && r.err == nil {
		id := r.byte()
		size := int(r.u32())
		if r.err != nil || size > len(b)-r.pos {
			return info, errors.New("truncated section")
		}
		sec := &reader{b: b[r.pos : r.pos+size]}
		r.pos += size
		switch id {
		case 2: // imports
			for n := sec.u32(); n > 0 && sec.err == nil; n-- {
				mod, _ := sec.name(), sec.name()
				info.imports++
				if mod != "spectest" {
					info.foreignImport = true
				}
				switch sec.byte() {
				case 0:
					sec.u32()
				case 1:
					sec.byte()
					sec.limits()
				case 2:
					info.minPages = sec.limits()
				case 3:
					sec.byte()
					sec.byte()
				default:
					return info, errors.New("bad import kind")
				}
			}
		case 5: // memory
			if sec.u32() > 0 {
				info.minPages, info.ownMemory = sec.limits(), true
			}
		}
		if sec.err != nil {
			return info, fmt.Errorf("section %d: %w", id, sec.err)
		}
	}
	return info, r.err
}

type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) byte() byte {
	if r.pos >= len(r.b) {
		r.err = errors.New("unexpected end")
		return 0
	}
	r.pos++
	return r.b[r.pos-1]
}

func (r *reader) u32() uint64 {
	var v uint64
	for shift := 0; shift < 35 && r.err == nil; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("bad LEB128")
	return 0
}

func (r *reader) name() string {
	n := int(r.u32())
	if r.err != nil || n > len(r.b)-r.pos {
		r.err = errors.New("bad name")
		return ""
	}
	r.pos += n
	return string(r.b[r.pos-n : r.pos])
}

// limits returns the minimum.
func (r *reader) limits() uint64 {
	flags := r.byte()
	min := r.u32()
	if flags&1 != 0 {
		r.u32()
	}
	return min
}
