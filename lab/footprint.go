package lab

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Footprint is what some of a firmware image costs, from its link map.
type Footprint struct {
	Flash uint64 // code, read-only data, and initial values of data
	RAM   uint64 // data and bss
}

var (
	mapSectionOnly = regexp.MustCompile(`^ (\.\S+)\s*$`)
	// The object is a file or an archive member, "libgcc.a(_arm_muldf3.o)".
	mapSectionLine = regexp.MustCompile(`^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o\)?)\s*$`)
)

// MapFootprint sums the input sections kept in an image (ld's -Map output)
// whose object file path contains one of objects, or whose section is one
// of sections (e.g. ".bss.session" for one static variable).
func MapFootprint(mapPath string, objects, sections []string) (Footprint, error) {
	kept, err := keptSections(mapPath)
	var fp Footprint
	for _, s := range kept {
		if matchesAny(s.Object, objects) || contains(sections, s.Name) {
			fp.add(s)
		}
	}
	return fp, err
}

// add counts one input section where it lives.
func (fp *Footprint) add(s mapSection) {
	switch {
	case strings.HasPrefix(s.Name, ".text"), strings.HasPrefix(s.Name, ".rodata"):
		fp.Flash += s.Size
	case strings.HasPrefix(s.Name, ".data"), strings.HasPrefix(s.Name, ".tdata"):
		fp.Flash += s.Size
		fp.RAM += s.Size
	case strings.HasPrefix(s.Name, ".bss"), strings.HasPrefix(s.Name, ".tbss"), s.Name == "COMMON":
		fp.RAM += s.Size
	}
}

// mapSection is one input section a link kept.
type mapSection struct {
	Name   string // e.g. ".text.wasm_load"
	Object string // the object file, or an archive member: "libgcc.a(_arm_muldf3.o)"
	Size   uint64
}

// keptSections reads the input sections a link kept from its map (ld's
// -Map output).
func keptSections(mapPath string) ([]mapSection, error) {
	f, err := os.Open(mapPath)
	if err != nil {
		return nil, fmt.Errorf("lab: link map: %w", err)
	}
	defer f.Close()
	var out []mapSection
	kept, pending := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "Linker script and memory map") {
			kept = true // what comes before lists discarded sections
			continue
		}
		if !kept {
			continue
		}
		if m := mapSectionOnly.FindStringSubmatch(line); m != nil {
			pending = m[1] // a long name: its address and size follow on the next line
			continue
		}
		m := mapSectionLine.FindStringSubmatch(line)
		if m == nil {
			pending = ""
			continue
		}
		section := m[1]
		if section == "" {
			section = pending
		}
		pending = ""
		size, _ := strconv.ParseUint(m[2], 16, 64)
		out = append(out, mapSection{Name: section, Object: m[3], Size: size})
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("lab: link map %s: %w", mapPath, err)
	}
	if !kept {
		return out, fmt.Errorf("lab: %s is not a GNU ld map file", mapPath)
	}
	return out, nil
}

func matchesAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
