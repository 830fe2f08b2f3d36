package apps

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// MemorySection is the custom section in which an app declares the bytes
// of linear memory it needs (one LEB128 u32): a board that cannot hold a
// 64 KiB page maps only those (reduced-memory mode, firmware/wasm/runtime.h).
const MemorySection = "wasmbed.memory"

var wasmHeader = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// WithMemoryNeed returns module with a "wasmbed.memory" section saying
// need bytes, in place of any it had.
func WithMemoryNeed(module []byte, need uint32) ([]byte, error) {
	if need == 0 {
		return nil, errors.New("apps: a memory need of 0 bytes")
	}
	sections, err := splitSections(module)
	if err != nil {
		return nil, err
	}
	out := bytes.Clone(wasmHeader)
	for _, s := range sections {
		if s.custom != MemorySection {
			out = append(out, s.raw...)
		}
	}
	body := binary.AppendUvarint(nil, uint64(len(MemorySection)))
	body = append(body, MemorySection...)
	body = binary.AppendUvarint(body, uint64(need))
	out = append(out, 0)
	out = binary.AppendUvarint(out, uint64(len(body)))
	return append(out, body...), nil
}

// MemoryNeed is the bytes an app's "wasmbed.memory" section declares, or 0.
func MemoryNeed(module []byte) (uint32, error) {
	sections, err := splitSections(module)
	if err != nil {
		return 0, err
	}
	for _, s := range sections {
		if s.custom == MemorySection {
			return parseNeed(s.payload)
		}
	}
	return 0, nil
}

// parseNeed reads a "wasmbed.memory" section's contents: one non-zero u32.
func parseNeed(payload []byte) (uint32, error) {
	v, n := binary.Uvarint(payload)
	if n <= 0 || n != len(payload) || v == 0 || v > 0xffffffff {
		return 0, fmt.Errorf("apps: section %s does not hold one non-zero u32", MemorySection)
	}
	return uint32(v), nil
}

type section struct {
	raw     []byte // id, size and contents
	custom  string // a custom section's name
	payload []byte // a custom section's contents after its name
}

// splitSections cuts a module into its sections, reading only their sizes
// (and custom sections' names).
func splitSections(module []byte) ([]section, error) {
	if !bytes.HasPrefix(module, wasmHeader) {
		return nil, errors.New("apps: not a WebAssembly 1.0 module (bad magic or version)")
	}
	var out []section
	rest := module[len(wasmHeader):]
	for len(rest) > 0 {
		start := rest
		id := rest[0]
		size, n := binary.Uvarint(rest[1:])
		if n <= 0 || size > uint64(len(rest)-1-n) {
			return nil, fmt.Errorf("apps: section %d at offset %d runs past the module", id, len(module)-len(rest))
		}
		contents := rest[1+n : 1+n+int(size)]
		rest = rest[1+n+int(size):]
		s := section{raw: start[:len(start)-len(rest)]}
		if id == 0 {
			nameLen, k := binary.Uvarint(contents)
			if k <= 0 || nameLen > uint64(len(contents)-k) {
				return nil, errors.New("apps: a custom section's name runs past it")
			}
			s.custom = string(contents[k : k+int(nameLen)])
			s.payload = contents[k+int(nameLen):]
		}
		out = append(out, s)
	}
	return out, nil
}
