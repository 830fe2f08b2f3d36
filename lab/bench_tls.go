package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/pki"
)

// TLSCost is what the firmware's TLS client costs on one board.
type TLSCost struct {
	Board string
	// Instructions the guest executed inside the TLS engine for one full
	// mutual handshake, counted by QEMU with -icount shift=0 (one
	// instruction is one nanosecond of guest time).
	Instructions uint64
	Flash        uint64 // crypto and TLS code and constants
	StaticRAM    uint64 // crypto and TLS data plus the session's buffers
	StackPeak    uint64 // deepest main stack use by then
}

var connectedRE = regexp.MustCompile(`tls: connected .* cpu_us=(\d+) ram=\d+ stack_peak=(\d+)`)

// benchTLS boots a board with -icount shift=0 and a provisioning blob, runs
// one handshake against crypto/tls over the link and reads the firmware's
// report of it.
func benchTLS(ctx context.Context, root string, bd boards.Board) (TLSCost, error) {
	cost := TLSCost{Board: bd.Name}
	image, err := EnsureFirmware(ctx, root, bd)
	if err != nil {
		return cost, err
	}
	fp, err := MapFootprint(filepath.Join(filepath.Dir(image), "wasmbed-fw.map"),
		[]string{"/obj/crypto/", "/obj/tls/"}, []string{".bss.session"})
	if err != nil {
		return cost, err
	}
	cost.Flash, cost.StaticRAM = fp.Flash, fp.RAM

	tr, err := gateway.NewTrust(time.Now())
	if err != nil {
		return cost, err
	}
	id, err := tr.DeviceCA.NewIdentity("bench-"+bd.Name, pki.ClientAuth, time.Now())
	if err != nil {
		return cost, err
	}
	blob, err := tr.ProvisionBlob(id, time.Second)
	if err != nil {
		return cost, err
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	b, err := StartBoard(ctx, BoardOptions{
		Board: bd, Firmware: image, Provision: blob,
		EmulatorArgs: []string{"-icount", "shift=0"},
		OnSession: func(conn net.Conn) {
			tc := tls.Server(conn, tr.ServerConfig())
			tc.Handshake()
			<-ctx.Done()
			tc.Close()
		},
	})
	if err != nil {
		return cost, err
	}
	defer b.Stop(context.WithoutCancel(ctx))
	line, err := b.Console().WaitFor(ctx, 0, func(s string) bool { return strings.Contains(s, "tls: ") && !strings.Contains(s, "tls: starting") })
	if err != nil {
		return cost, b.Explain("no TLS report", err)
	}
	m := connectedRE.FindStringSubmatch(line.Text)
	if m == nil {
		return cost, fmt.Errorf("lab: %s: handshake did not complete: %s", bd.Name, line.Text)
	}
	us, _ := strconv.ParseUint(m[1], 10, 64)
	cost.Instructions = us * 1000
	cost.StackPeak, _ = strconv.ParseUint(m[2], 10, 64)
	return cost, nil
}
