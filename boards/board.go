// Package boards is the registry of the boards the lab can run.
//
// Every entry is generated from the board's devicetree (boards/<name>/<name>.dts),
// the single source of truth that also generates the firmware's board header
// and linker memory regions. Edit the .dts and run `make gen`, never the
// generated files.
package boards

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:generate go run ./cmd/boardgen -root ..

// Board is one runnable board: what QEMU runs it as and what the hardware has.
type Board struct {
	Name  string // registry name, e.g. "mps2-an385"
	Model string // human model string from the devicetree
	Port  string // firmware port: "cmsdk", "stm32" or "native"
	// Family selects driver variants within a port, e.g. "stm32f1".
	Family string

	// Machine is QEMU's -M value; empty for the native board.
	Machine string
	// MachineNote says why Machine differs from Name, when it does.
	MachineNote string

	CPU     string // QEMU -cpu name, e.g. "cortex-m3"
	ClockHz uint32
	// IRQLines is the number of external interrupt lines of the NVIC.
	IRQLines uint32
	// SysTickHz is SysTick's clock: the reference clock when the board has
	// one (longer idle sleeps), else the CPU clock.
	SysTickHz uint32

	Code Region // where the image is linked and loaded (flash or code SRAM)
	RAM  Region // data RAM for the firmware

	// Provision is the area the lab fills with the per-boot provisioning
	// blob before the CPU starts.
	Provision Region

	Console UART // serial0
	Link    UART // serial1

	LEDs    []LED
	Buttons []Button
	I2C     []I2CBus
	SPI     []SPIBus
	Sensors []Sensor

	// Capabilities lists what apps may use on this board, as "name" or
	// "name:count" strings, sorted.
	Capabilities []string
}

// Region is a memory range.
type Region struct {
	Base uint64
	Size uint64
}

// End is the first address past the region.
func (r Region) End() uint64 { return r.Base + r.Size }

// UART is a serial port of the board.
type UART struct {
	Compatible string
	Base       uint64
	IRQs       []uint32 // rx first, then tx where the device has separate lines
	Serial     int      // QEMU -serial index
}

// LED is a single output bit in a memory-mapped register.
type LED struct {
	Label    string
	Register uint64
	Bit      uint32
}

// Button is a single input bit in a memory-mapped register.
type Button struct {
	Label    string
	Register uint64
	Bit      uint32
}

// I2CBus is an I2C controller.
type I2CBus struct {
	Label      string
	Compatible string
	Base       uint64
}

// SPIBus is an SPI controller: "arm,pl022" or "st,stm32-spi".
type SPIBus struct {
	Label      string
	Compatible string
	Base       uint64
}

// Sensor is a device on an I2C bus that apps read with sensor_read, and
// whose value the lab sets through QMP (QEMU's -device with the label as
// its id).
type Sensor struct {
	Label   string
	Model   string // the QEMU device: "tmp105" (temperature, millidegrees C)
	Bus     int    // index into I2C
	Address uint32 // 7-bit
}

// All returns every board, sorted by name.
func All() []Board {
	out := append([]Board(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Names returns every board name, sorted.
func Names() []string {
	var names []string
	for _, b := range All() {
		names = append(names, b.Name)
	}
	return names
}

// Lookup finds a board by name. The error lists the known boards.
func Lookup(name string) (Board, error) {
	for _, b := range registry {
		if b.Name == name {
			return b, nil
		}
	}
	return Board{}, fmt.Errorf("boards: unknown board %q (known: %s)", name, strings.Join(Names(), ", "))
}

// IsNative reports whether the board runs as a Linux process instead of QEMU.
func (b Board) IsNative() bool { return b.Port == "native" }

// Capability is the count of a "name:count" capability, and whether the
// board lists it.
func (b Board) Capability(name string) (uint64, bool) {
	for _, c := range b.Capabilities {
		if v, ok := strings.CutPrefix(c, name+":"); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// Has reports whether the board lists the capability (with or without a count).
func (b Board) Has(capability string) bool {
	for _, c := range b.Capabilities {
		if c == capability || strings.HasPrefix(c, capability+":") {
			return true
		}
	}
	return false
}
