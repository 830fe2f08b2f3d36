// Package fdt reads flattened devicetree blobs (DTB), as dtc writes them.
//
// It parses the structure block into a tree of nodes with raw property
// values and offers the few typed accessors the board generator needs. The
// parser reads through bounds-checked offsets and returns an error, never
// panics, on a malformed blob.
package fdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

const (
	magic = 0xd00dfeed

	tokenBeginNode = 1
	tokenEndNode   = 2
	tokenProp      = 3
	tokenNop       = 4
	tokenEnd       = 9

	maxDepth = 64
)

// Node is one devicetree node.
type Node struct {
	Name     string // with unit address, e.g. "serial@40004000"; "" for the root
	Props    map[string][]byte
	Children []*Node
}

var errTruncated = errors.New("fdt: truncated blob")

// Parse decodes a DTB and returns its root node.
func Parse(blob []byte) (*Node, error) {
	if len(blob) < 40 {
		return nil, errTruncated
	}
	be := binary.BigEndian
	if be.Uint32(blob[0:]) != magic {
		return nil, fmt.Errorf("fdt: bad magic %#x", be.Uint32(blob[0:]))
	}
	total := uint64(be.Uint32(blob[4:]))
	if total > uint64(len(blob)) {
		return nil, errTruncated
	}
	if total < 40 {
		return nil, fmt.Errorf("fdt: totalsize %d is smaller than the header", total)
	}
	blob = blob[:total]
	structOff, stringsOff := uint64(be.Uint32(blob[8:])), uint64(be.Uint32(blob[12:]))
	stringsSize, structSize := uint64(be.Uint32(blob[32:])), uint64(be.Uint32(blob[36:]))
	if structOff+structSize > total || stringsOff+stringsSize > total {
		return nil, errTruncated
	}
	p := parser{data: blob[structOff : structOff+structSize], strs: blob[stringsOff : stringsOff+stringsSize]}
	return p.tree()
}

type parser struct {
	data []byte
	strs []byte
	off  uint64
}

func (p *parser) u32() (uint32, error) {
	if p.off+4 > uint64(len(p.data)) {
		return 0, errTruncated
	}
	v := binary.BigEndian.Uint32(p.data[p.off:])
	p.off += 4
	return v, nil
}

func (p *parser) align() { p.off = (p.off + 3) &^ 3 }

func (p *parser) cstring(b []byte, at uint64) (string, uint64, error) {
	if at > uint64(len(b)) {
		return "", 0, errTruncated
	}
	n := bytes.IndexByte(b[at:], 0)
	if n < 0 {
		return "", 0, errTruncated
	}
	return string(b[at : at+uint64(n)]), at + uint64(n) + 1, nil
}

func (p *parser) tree() (*Node, error) {
	var stack []*Node
	var root *Node
	for {
		tok, err := p.u32()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokenBeginNode:
			name, next, err := p.cstring(p.data, p.off)
			if err != nil {
				return nil, err
			}
			p.off = next
			p.align()
			n := &Node{Name: name, Props: map[string][]byte{}}
			switch {
			case len(stack) > 0:
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, n)
			case root != nil:
				return nil, errors.New("fdt: more than one root node")
			default:
				root = n
			}
			if len(stack) >= maxDepth {
				return nil, errors.New("fdt: nodes nested too deep")
			}
			stack = append(stack, n)
		case tokenEndNode:
			if len(stack) == 0 {
				return nil, errors.New("fdt: unbalanced end of node")
			}
			stack = stack[:len(stack)-1]
		case tokenProp:
			if len(stack) == 0 {
				return nil, errors.New("fdt: property outside a node")
			}
			size, err := p.u32()
			if err != nil {
				return nil, err
			}
			nameOff, err := p.u32()
			if err != nil {
				return nil, err
			}
			if p.off+uint64(size) > uint64(len(p.data)) {
				return nil, errTruncated
			}
			name, _, err := p.cstring(p.strs, uint64(nameOff))
			if err != nil {
				return nil, err
			}
			stack[len(stack)-1].Props[name] = p.data[p.off : p.off+uint64(size)]
			p.off += uint64(size)
			p.align()
		case tokenNop:
		case tokenEnd:
			if root == nil || len(stack) != 0 {
				return nil, errors.New("fdt: structure ends inside a node")
			}
			return root, nil
		default:
			return nil, fmt.Errorf("fdt: unknown token %#x at offset %d", tok, p.off-4)
		}
	}
}

// Find returns the node at an absolute path such as "/soc/serial@40004000".
func (n *Node) Find(path string) *Node {
	cur := n
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if part == "" {
			continue
		}
		var next *Node
		for _, c := range cur.Children {
			if c.Name == part {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

// Child returns the direct child with the given name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Walk calls fn for n and every descendant, depth first.
func (n *Node) Walk(fn func(*Node)) {
	fn(n)
	for _, c := range n.Children {
		c.Walk(fn)
	}
}

// Has reports whether the property exists (boolean properties are empty).
func (n *Node) Has(prop string) bool {
	_, ok := n.Props[prop]
	return ok
}

// String returns a string property (the first one of a string list).
func (n *Node) String(prop string) (string, bool) {
	list := n.Strings(prop)
	if len(list) == 0 {
		return "", false
	}
	return list[0], true
}

// Strings returns a string-list property.
func (n *Node) Strings(prop string) []string {
	v, ok := n.Props[prop]
	if !ok || len(v) == 0 || v[len(v)-1] != 0 {
		return nil
	}
	return strings.Split(string(v[:len(v)-1]), "\x00")
}

// Cells returns a property as big-endian 32-bit cells.
func (n *Node) Cells(prop string) ([]uint32, bool) {
	v, ok := n.Props[prop]
	if !ok || len(v)%4 != 0 {
		return nil, false
	}
	out := make([]uint32, len(v)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(v[4*i:])
	}
	return out, true
}

// U32 returns a single-cell property.
func (n *Node) U32(prop string) (uint32, bool) {
	c, ok := n.Cells(prop)
	if !ok || len(c) != 1 {
		return 0, false
	}
	return c[0], true
}

// Compatible reports whether the node's compatible list contains s.
func (n *Node) Compatible(s string) bool {
	for _, c := range n.Strings("compatible") {
		if c == s {
			return true
		}
	}
	return false
}
