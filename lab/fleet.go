package lab

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// BoardInfo is one of the lab's boards as a fleet view shows it.
type BoardInfo struct {
	Name       string // the device's name
	Board      string // the kind of board
	On         bool   // powered on
	LinkFaulty bool   // faults are injected on its link
}

// Boards lists every board the lab has had, in the order they were added,
// powered off ones included.
func (l *Lab) Boards() []BoardInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]BoardInfo, 0, len(l.known))
	for _, k := range l.known {
		info := BoardInfo{Name: k.name, Board: k.opts.Board.Name}
		if b, on := l.boards[k.name]; on {
			info.On, info.LinkFaulty = true, b.LinkFaulty()
		}
		out = append(out, info)
	}
	return out
}

// APIAddr is where the lab's API listens, or "" when it does not.
func (l *Lab) APIAddr() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.api == nil {
		return ""
	}
	return l.api.Addr()
}

// CAFingerprint is the start of the SHA-256 of the gateway CA's
// certificate, which every device pins: enough to tell two labs apart.
func (l *Lab) CAFingerprint() string {
	gw := l.Gateway()
	if gw == nil {
		return ""
	}
	sum := sha256.Sum256(gw.Trust().GatewayCA.DER)
	parts := make([]string, 8)
	for i := range parts {
		parts[i] = fmt.Sprintf("%02X", sum[i])
	}
	return strings.Join(parts, ":")
}
