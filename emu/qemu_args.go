package emu

import (
	"fmt"
	"net"
	"strings"
)

// qemuBinary is the emulator every QEMU board runs in.
const qemuBinary = "qemu-system-arm"

// sandboxPolicy keeps QEMU from spawning processes or raising privileges,
// which also disarms semihosting's SYS_SYSTEM (QEMU-NOTES gotcha 11).
const sandboxPolicy = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

// launchPaths are the per-instance endpoints a command line refers to.
type launchPaths struct {
	LinkAddr      string // host:port of the link listener
	QMPSocket     string // unix socket path (QEMU only)
	ProvisionFile string // empty when there is no provisioning blob
}

// qemuArgs builds QEMU's arguments. serial0 is the console on the child's
// stdio (a pty), serial1 the link, which QEMU dials and re-dials every
// second if the connection drops. The CPU starts paused (-S) until the link
// is accepted, so no early byte is lost (QEMU-NOTES gotcha 3).
func qemuArgs(spec Spec, p launchPaths) ([]string, error) {
	host, port, err := net.SplitHostPort(p.LinkAddr)
	if err != nil {
		return nil, fmt.Errorf("emu: link address %q: %w", p.LinkAddr, err)
	}
	b := spec.Board
	args := []string{"-M", b.Machine}
	if b.CPU != "" {
		args = append(args, "-cpu", b.CPU)
	}
	args = append(args,
		"-nodefaults",
		"-display", "none",
		"-sandbox", sandboxPolicy,
		"-kernel", spec.Firmware,
		"-chardev", "stdio,id=con,signal=off",
		"-serial", "chardev:con",
		"-chardev", fmt.Sprintf("socket,id=link,host=%s,port=%s,reconnect=1,nodelay=on", host, port),
		"-serial", "chardev:link",
		"-qmp", "unix:"+escapeOption(p.QMPSocket)+",server=on,wait=off",
		"-S",
	)
	if p.ProvisionFile != "" {
		args = append(args, "-device", fmt.Sprintf("loader,file=%s,addr=0x%x,force-raw=on",
			escapeOption(p.ProvisionFile), spec.Board.Provision.Base))
	}
	for _, s := range b.Sensors {
		// No bus=: the SBCon buses all name theirs "i2c", and QEMU takes
		// the last one, where the devicetree puts the sensor.
		args = append(args, "-device", fmt.Sprintf("%s,id=%s,address=0x%x", s.Model, s.Label, s.Address))
	}
	if spec.Semihosting {
		args = append(args, "-semihosting-config", "enable=on,target=native")
	}
	return append(args, spec.ExtraArgs...), nil
}

// escapeOption escapes a value inside a QEMU key=value,… option list, where
// a comma is written twice.
func escapeOption(s string) string { return strings.ReplaceAll(s, ",", ",,") }

// nativeArgs builds the native firmware's arguments: it dials the link
// itself and reads its provisioning blob from a file.
func nativeArgs(spec Spec, p launchPaths) []string {
	args := []string{"--link", p.LinkAddr}
	if p.ProvisionFile != "" {
		args = append(args, "--provision", p.ProvisionFile)
	}
	return append(args, spec.ExtraArgs...)
}
