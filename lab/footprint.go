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
	mapSectionLine = regexp.MustCompile(`^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.o)\s*$`)
)

// MapFootprint sums the input sections kept in an image (ld's -Map output)
// whose object file path contains one of objects, or whose section is one
// of sections (e.g. ".bss.session" for one static variable).
func MapFootprint(mapPath string, objects, sections []string) (Footprint, error) {
	f, err := os.Open(mapPath)
	if err != nil {
		return Footprint{}, fmt.Errorf("lab: link map: %w", err)
	}
	defer f.Close()
	var fp Footprint
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
			pending = m[1]
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
		if !matchesAny(m[3], objects) && !contains(sections, section) {
			continue
		}
		switch {
		case strings.HasPrefix(section, ".text"), strings.HasPrefix(section, ".rodata"):
			fp.Flash += size
		case strings.HasPrefix(section, ".data"), strings.HasPrefix(section, ".tdata"):
			fp.Flash += size
			fp.RAM += size
		case strings.HasPrefix(section, ".bss"), strings.HasPrefix(section, ".tbss"), section == "COMMON":
			fp.RAM += size
		}
	}
	if err := sc.Err(); err != nil {
		return fp, fmt.Errorf("lab: link map %s: %w", mapPath, err)
	}
	if !kept {
		return fp, fmt.Errorf("lab: %s is not a GNU ld map file", mapPath)
	}
	return fp, nil
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
