package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
)

// LEDs reads the board's LEDs (boards.Board.LEDs, in order) from the
// emulated hardware's registers through QMP: what QEMU's FPGAIO and SCC
// models hold, not what the firmware says. Boards without a QEMU model of
// their LEDs have none.
func (b *Board) LEDs(ctx context.Context) ([]bool, error) {
	out := make([]bool, len(b.Spec.LEDs))
	for i, led := range b.Spec.LEDs {
		word, err := b.readWord(ctx, led.Register)
		if err != nil {
			return nil, fmt.Errorf("lab: %s: reading LED %s: %w", b.Spec.Name, led.Label, err)
		}
		out[i] = word>>led.Bit&1 != 0
	}
	return out, nil
}

// wordLine is the monitor's answer to "x /1wx ADDR": "ADDR: 0xVALUE".
var wordLine = regexp.MustCompile(`:\s*0x([0-9a-fA-F]{1,8})\s*$`)

// readWord reads a 32-bit word as the CPU sees it. The monitor's x, not
// xp: xp reads without the CPU's security state, and AN505's peripherals,
// behind its TrustZone gates, then read as 0. M-profile CPUs have no MMU,
// so the addresses are physical either way.
func (b *Board) readWord(ctx context.Context, addr uint64) (uint32, error) {
	raw, err := b.instance().QMP(ctx, "human-monitor-command", map[string]string{"command-line": fmt.Sprintf("x /1wx 0x%x", addr)})
	if err != nil {
		return 0, err
	}
	var text string
	if err := json.Unmarshal(raw, &text); err != nil {
		return 0, fmt.Errorf("the monitor's answer %s: %w", raw, err)
	}
	m := wordLine.FindStringSubmatch(text)
	if m == nil {
		return 0, fmt.Errorf("the monitor answered %q to x at 0x%x", text, addr)
	}
	v, err := strconv.ParseUint(m[1], 16, 32)
	return uint32(v), err
}

// SetSensor sets what the board's sensor label (boards.Board.Sensors)
// measures, in its milli-unit (a TMP105: millidegrees Celsius), through
// QMP: the firmware reads it from the emulated device.
func (b *Board) SetSensor(ctx context.Context, label string, value int32) error {
	for _, s := range b.Spec.Sensors {
		if s.Label == label {
			_, err := b.instance().QMP(ctx, "qom-set", map[string]any{"path": "/machine/peripheral/" + label, "property": "temperature", "value": value})
			if err != nil {
				return fmt.Errorf("lab: %s: setting sensor %s: %w", b.Spec.Name, label, err)
			}
			return nil
		}
	}
	return fmt.Errorf("lab: %s has no sensor %q", b.Spec.Name, label)
}
