// Package gen turns board devicetrees into the board registry, the
// firmware's board headers and its linker memory regions.
//
// The devicetree is the single source of truth: every fact about a board
// that Go or C needs is read from its DTB here, and nowhere else.
package gen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"wasmbed-lab/boards"
	"wasmbed-lab/boards/fdt"
)

// Describe builds a registry entry from a board's parsed devicetree.
func Describe(name string, root *fdt.Node) (boards.Board, error) {
	d := describer{name: name, root: root}
	b := boards.Board{Name: name}
	b.Model = d.str(root, "model")
	b.Port = d.str(root, "wasmbed,port")
	if !b.IsNative() {
		b.Machine = d.str(root, "wasmbed,qemu-machine")
	}
	b.MachineNote, _ = root.String("wasmbed,qemu-note")
	b.Family = b.Port
	root.Walk(func(n *fdt.Node) {
		for _, c := range n.Strings("compatible") {
			if strings.HasPrefix(c, "st,stm32f") && strings.HasSuffix(c, "-rcc") {
				b.Family = strings.TrimSuffix(strings.TrimPrefix(c, "st,"), "-rcc")
			}
		}
	})

	cpu := root.Find("/cpus/cpu@0")
	if cpu == nil {
		d.fail("no /cpus/cpu@0 node")
	} else {
		compat := d.str(cpu, "compatible")
		b.CPU = compat[strings.IndexByte(compat, ',')+1:]
		b.ClockHz = d.u32(cpu, "clock-frequency")
	}
	root.Walk(func(n *fdt.Node) {
		if n.Compatible("arm,v7m-nvic") || n.Compatible("arm,v8m-nvic") {
			b.IRQLines = d.u32(n, "arm,num-irqs")
		}
		if n.Compatible("arm,armv7m-systick") {
			b.SysTickHz = b.ClockHz
			if hz, ok := n.U32("clock-frequency"); ok {
				b.SysTickHz = hz
			}
		}
	})
	if b.IRQLines == 0 && !b.IsNative() {
		d.fail("no NVIC node with arm,num-irqs")
	}

	chosen := root.Child("chosen")
	if chosen == nil {
		d.fail("no /chosen node")
		return b, d.err
	}
	if !b.IsNative() {
		b.Code = d.region(d.chosen(chosen, "wasmbed,code"))
	}
	b.RAM = d.region(d.chosen(chosen, "wasmbed,sram"))
	b.Provision = d.region(d.chosen(chosen, "wasmbed,provision"))
	b.Console = d.uart(d.chosen(chosen, "wasmbed,console"), 0)
	b.Link = d.uart(d.chosen(chosen, "wasmbed,link"), 1)

	sensorBus := map[int]uint64{} // sensor index -> its bus's base
	root.Walk(func(n *fdt.Node) {
		switch {
		case n.Compatible("wasmbed,register-leds"):
			for _, c := range n.Children {
				b.LEDs = append(b.LEDs, boards.LED{Label: c.Name, Register: uint64(d.u32(c, "wasmbed,register")), Bit: d.u32(c, "wasmbed,bit")})
			}
		case n.Compatible("wasmbed,register-buttons"):
			for _, c := range n.Children {
				b.Buttons = append(b.Buttons, boards.Button{Label: c.Name, Register: uint64(d.u32(c, "wasmbed,register")), Bit: d.u32(c, "wasmbed,bit")})
			}
		case n.Compatible("arm,pl022"), n.Compatible("st,stm32-spi"):
			compat := "arm,pl022"
			if n.Compatible("st,stm32-spi") {
				compat = "st,stm32-spi"
			}
			b.SPI = append(b.SPI, boards.SPIBus{Label: d.str(n, "label"), Compatible: compat, Base: d.region(n).Base})
		case n.Compatible("arm,versatile-i2c"):
			bus := boards.I2CBus{Label: d.str(n, "label"), Compatible: "arm,versatile-i2c", Base: d.region(n).Base}
			b.I2C = append(b.I2C, bus)
			for _, c := range n.Children {
				if c.Compatible("ti,tmp105") {
					sensorBus[len(b.Sensors)] = bus.Base
					b.Sensors = append(b.Sensors, boards.Sensor{Label: d.str(c, "label"), Model: "tmp105", Address: d.u32(c, "reg")})
				}
			}
		}
	})
	sort.Slice(b.I2C, func(i, j int) bool { return b.I2C[i].Base < b.I2C[j].Base })
	sort.Slice(b.SPI, func(i, j int) bool { return b.SPI[i].Label < b.SPI[j].Label })
	for i := range b.Sensors {
		b.Sensors[i].Bus = slices.IndexFunc(b.I2C, func(bus boards.I2CBus) bool { return bus.Base == sensorBus[i] })
		// QEMU attaches a -device without bus= to the last I2C bus it
		// made, which on these machines is the one at the highest address.
		if b.Sensors[i].Bus != len(b.I2C)-1 {
			d.fail("sensor %s: QEMU can attach it only to the last I2C bus (%s)", b.Sensors[i].Label, b.I2C[len(b.I2C)-1].Label)
		}
	}
	b.Capabilities = capabilities(b)
	return b, d.err
}

// tlsBuffers sizes the firmware's TLS session (firmware/tls/tls.h): In is
// the largest record the device takes, Out holds its whole second flight,
// which stays there until the link acknowledges it.
// MsgIn and MsgOut size the protocol client's message buffers
// (firmware/core/client.h): the largest message received, length prefix
// included (1100 holds a DeployChunk), and the largest sent (400 holds an
// AppEvent with the longest topic and data).
type tlsBuffers struct {
	In, Out       uint32
	MsgIn, MsgOut uint32
}

// A board with tlsRAM gets the large buffers, one with at least tlsMinRAM
// the small ones. crypto/tls sends one handshake message per record; with
// the lab's Ed25519 certificates its largest is the Certificate, 412 bytes,
// and the device's second flight (ChangeCipherSpec, Certificate,
// CertificateVerify, Finished) is 564 bytes for "board-stm32vldiscovery";
// the gateway's application data to a small board stays under 300 bytes.
// Measured on stm32vldiscovery (8 KiB) with the small buffers: the session
// takes 1.9 KiB, all static data 4.5 KiB, the handshake's stack peak is
// 1.6 KiB, and 1.9 KiB stay free.
const (
	tlsRAM    = 32 << 10
	tlsMinRAM = 8 << 10
)

var (
	tlsLarge = tlsBuffers{In: 2048, Out: 1024, MsgIn: 1100, MsgOut: 400}
	tlsSmall = tlsBuffers{In: 512, Out: 640, MsgIn: 300, MsgOut: 200}
)

// tlsSizing is the board's TLS session sizing; ok is false when the board
// has too little RAM for a session (no "tls" capability).
func tlsSizing(b boards.Board) (buf tlsBuffers, ok bool) {
	switch {
	case b.RAM.Size >= tlsRAM:
		return tlsLarge, true
	case b.RAM.Size >= tlsMinRAM:
		return tlsSmall, true
	}
	return tlsBuffers{}, false
}

// wasmLimits bounds what one app may take on a board (firmware/wasm/
// runtime.h): Memory is the linear memory's bytes, Module the largest
// module, Arena the module's and instance's tables, Stack the value stack
// in 8-byte slots and Frames the call depth. A board whose Memory is under
// one 64 KiB page runs apps in reduced-memory mode: an app declares the
// bytes it needs in a "wasmbed.memory" custom section, at most Memory.
type wasmLimits struct {
	Memory, Module, Arena uint32
	Stack, Frames         uint32
}

// Sized from the RAM: a board with at least 1 MiB gives apps four pages;
// one with 128 KiB one page. A board under tlsRAM runs no apps: its TLS
// session leaves about 1.9 KiB, and an app's smallest buffers (768-byte
// module, 256 bytes of memory, tables, stacks and its event queue) with the
// interpreter's stack need more: on stm32vldiscovery the image overflows
// its 8 KiB by half a KiB before any stack.
var (
	wasmLarge  = wasmLimits{Memory: 4 * 65536, Module: 64 << 10, Arena: 8 << 10, Stack: 2048, Frames: 256}
	wasmMedium = wasmLimits{Memory: 65536, Module: 32 << 10, Arena: 4 << 10, Stack: 1024, Frames: 128}
)

// wasmSizing is the board's app limits; ok is false when it runs no apps.
func wasmSizing(b boards.Board) (lim wasmLimits, ok bool) {
	switch {
	case b.RAM.Size >= 1<<20:
		return wasmLarge, true
	case b.RAM.Size >= 128<<10:
		return wasmMedium, true
	}
	return wasmLimits{}, false
}

func capabilities(b boards.Board) []string {
	caps := []string{"console", "link"}
	if _, ok := tlsSizing(b); ok {
		caps = append(caps, "tls")
	}
	if w, ok := wasmSizing(b); ok {
		caps = append(caps, fmt.Sprintf("wasm-memory:%d", w.Memory), fmt.Sprintf("wasm-module:%d", w.Module))
		if w.Memory < 65536 {
			caps = append(caps, "wasm-reduced")
		}
	}
	counted := map[string]int{"leds": len(b.LEDs), "buttons": len(b.Buttons), "i2c": len(b.I2C), "spi": len(b.SPI), "sensors": len(b.Sensors)}
	for name, n := range counted {
		if n > 0 {
			caps = append(caps, fmt.Sprintf("%s:%d", name, n))
		}
	}
	sort.Strings(caps)
	return caps
}

// describer reads properties and keeps the first error, so Describe reads
// top to bottom instead of checking every property.
type describer struct {
	name string
	root *fdt.Node
	err  error
}

func (d *describer) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("gen: board %s: %s", d.name, fmt.Sprintf(format, args...))
	}
}

func (d *describer) str(n *fdt.Node, prop string) string {
	s, ok := n.String(prop)
	if !ok {
		d.fail("node %q lacks string property %q", n.Name, prop)
	}
	return s
}

func (d *describer) u32(n *fdt.Node, prop string) uint32 {
	v, ok := n.U32(prop)
	if !ok {
		d.fail("node %q lacks one-cell property %q", n.Name, prop)
	}
	return v
}

func (d *describer) chosen(chosen *fdt.Node, prop string) *fdt.Node {
	path := d.str(chosen, prop)
	n := d.root.Find(path)
	if n == nil && path != "" {
		d.fail("chosen %s points at %q, which does not exist", prop, path)
	}
	return n
}

// region reads a one-address-cell, one-size-cell reg property.
func (d *describer) region(n *fdt.Node) boards.Region {
	if n == nil {
		return boards.Region{}
	}
	reg, ok := n.Cells("reg")
	if !ok || len(reg) != 2 {
		d.fail("node %q needs reg = <base size>", n.Name)
		return boards.Region{}
	}
	return boards.Region{Base: uint64(reg[0]), Size: uint64(reg[1])}
}

func (d *describer) uart(n *fdt.Node, serial int) boards.UART {
	if n == nil {
		return boards.UART{}
	}
	u := boards.UART{Compatible: d.str(n, "compatible"), Serial: serial}
	if n.Has("reg") {
		u.Base = d.region(n).Base
	}
	if irqs, ok := n.Cells("interrupts"); ok {
		u.IRQs = irqs
	}
	return u
}
