package lab

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Banner is what a board prints on its console when it boots:
//
//	wasmbed-fw 0.1.0 build=9f2c1a0b3d4e5f60 board=mps2-an385 cpu=cortex-m3 clock=25000000Hz ram=4096KiB
type Banner struct {
	Version string
	BuildID string // first 8 bytes of the image's GNU build id, hex
	Board   string
	CPU     string
	ClockHz uint64
	RAMKiB  uint64
}

var bannerRE = regexp.MustCompile(`wasmbed-fw (\S+) build=([0-9a-f]*) board=(\S+) cpu=(\S+) clock=(\d+)Hz ram=(\d+)KiB`)

// ParseBanner finds and decodes a banner in a line of console output.
func ParseBanner(line string) (Banner, error) {
	m := bannerRE.FindStringSubmatch(line)
	if m == nil {
		return Banner{}, fmt.Errorf("lab: not a banner: %q", strings.TrimSpace(line))
	}
	clock, err := strconv.ParseUint(m[5], 10, 64)
	if err != nil {
		return Banner{}, fmt.Errorf("lab: banner clock %q: %w", m[5], err)
	}
	ram, err := strconv.ParseUint(m[6], 10, 64)
	if err != nil {
		return Banner{}, fmt.Errorf("lab: banner ram %q: %w", m[6], err)
	}
	return Banner{Version: m[1], BuildID: m[2], Board: m[3], CPU: m[4], ClockHz: clock, RAMKiB: ram}, nil
}

// IsBanner reports whether a console line holds a banner.
func IsBanner(line string) bool { return bannerRE.MatchString(line) }

func (b Banner) String() string {
	return fmt.Sprintf("wasmbed-fw %s build=%s board=%s cpu=%s clock=%dHz ram=%dKiB",
		b.Version, b.BuildID, b.Board, b.CPU, b.ClockHz, b.RAMKiB)
}
