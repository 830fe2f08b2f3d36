package emu

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"wasmbed-lab/boards"
)

// Boards as the registry describes them; literal so that emu's tests do
// not depend on the generated registry.
var (
	an385 = boards.Board{
		Name: "mps2-an385", Port: "cmsdk", Machine: "mps2-an385", CPU: "cortex-m3",
		Provision: boards.Region{Base: 0x3ff000, Size: 0x1000},
	}
	an505 = boards.Board{
		Name: "mps2-an505", Port: "cmsdk", Machine: "mps2-an505", CPU: "cortex-m33",
		Provision: boards.Region{Base: 0x103ff000, Size: 0x1000}, // the Secure alias
	}
	h405 = boards.Board{
		Name: "olimex-stm32-h405", Port: "stm32", Family: "stm32f4", Machine: "netduinoplus2", CPU: "cortex-m4",
	}
	native = boards.Board{
		Name: "native", Port: "native",
		Provision: boards.Region{Size: 0x1000},
	}
)

func TestQEMUArgs(t *testing.T) {
	paths := launchPaths{LinkAddr: "127.0.0.1:4321", QMPSocket: "/run/lab/qmp.sock"}
	common := func(machine, cpu string) []string {
		return []string{
			"-M", machine, "-cpu", cpu, "-nodefaults", "-display", "none",
			"-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
			"-kernel", "fw.elf",
			"-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
			"-chardev", "socket,id=link,host=127.0.0.1,port=4321,reconnect=1,nodelay=on", "-serial", "chardev:link",
			"-qmp", "unix:/run/lab/qmp.sock,server=on,wait=off", "-S",
		}
	}
	tests := []struct {
		name  string
		spec  Spec
		paths launchPaths
		want  []string
	}{
		{
			name:  "mps2-an385 plain",
			spec:  Spec{Board: an385, Firmware: "fw.elf"},
			paths: paths,
			want:  common("mps2-an385", "cortex-m3"),
		},
		{
			name:  "h405 runs as netduinoplus2",
			spec:  Spec{Board: h405, Firmware: "fw.elf"},
			paths: paths,
			want:  common("netduinoplus2", "cortex-m4"),
		},
		{
			name:  "an505 provisions at its Secure alias",
			spec:  Spec{Board: an505, Firmware: "fw.elf", Provision: []byte{1}},
			paths: launchPaths{LinkAddr: paths.LinkAddr, QMPSocket: paths.QMPSocket, ProvisionFile: "/run/lab/provision.bin"},
			want: append(common("mps2-an505", "cortex-m33"),
				"-device", "loader,file=/run/lab/provision.bin,addr=0x103ff000,force-raw=on"),
		},
		{
			name:  "semihosting and extra args come last",
			spec:  Spec{Board: an385, Firmware: "fw.elf", Semihosting: true, ExtraArgs: []string{"-device", "tmp105,id=t0,address=0x48"}},
			paths: paths,
			want: append(common("mps2-an385", "cortex-m3"),
				"-semihosting-config", "enable=on,target=native", "-device", "tmp105,id=t0,address=0x48"),
		},
		{
			name:  "commas in paths are escaped inside option lists",
			spec:  Spec{Board: an385, Firmware: "fw.elf", Provision: []byte{1}},
			paths: launchPaths{LinkAddr: paths.LinkAddr, QMPSocket: "/tmp/a,b/qmp.sock", ProvisionFile: "/tmp/a,b/provision.bin"},
			want: append(replaceArg(common("mps2-an385", "cortex-m3"),
				"unix:/run/lab/qmp.sock,server=on,wait=off", "unix:/tmp/a,,b/qmp.sock,server=on,wait=off"),
				"-device", "loader,file=/tmp/a,,b/provision.bin,addr=0x3ff000,force-raw=on"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qemuArgs(tt.spec, tt.paths)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("qemuArgs:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func replaceArg(args []string, old, new string) []string {
	for i, a := range args {
		if a == old {
			args[i] = new
		}
	}
	return args
}

func TestNativeArgs(t *testing.T) {
	tests := []struct {
		name  string
		spec  Spec
		paths launchPaths
		want  []string
	}{
		{"plain", Spec{Board: native}, launchPaths{LinkAddr: "127.0.0.1:9"}, []string{"--link", "127.0.0.1:9"}},
		{
			"provisioned, with extra flags",
			Spec{Board: native, ExtraArgs: []string{"--verbose"}},
			launchPaths{LinkAddr: "127.0.0.1:9", ProvisionFile: "/d/provision.bin"},
			[]string{"--link", "127.0.0.1:9", "--provision", "/d/provision.bin", "--verbose"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nativeArgs(tt.spec, tt.paths); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("nativeArgs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSpecCheck(t *testing.T) {
	dir := t.TempDir()
	elf := filepath.Join(dir, "fw.elf")
	exe := filepath.Join(dir, "fw")
	os.WriteFile(elf, []byte("x"), 0o644)
	os.WriteFile(exe, []byte("x"), 0o755)
	tests := []struct {
		name    string
		spec    Spec
		wantErr string // empty: valid
	}{
		{"qemu ok", Spec{Board: an385, Firmware: elf}, ""},
		{"native ok", Spec{Board: native, Firmware: exe, Provision: make([]byte, 0x1000)}, ""},
		{"no board", Spec{Firmware: elf}, "no board"},
		{"no machine", Spec{Board: boards.Board{Name: "x", Port: "cmsdk"}, Firmware: elf}, "no QEMU machine"},
		{"no firmware", Spec{Board: an385}, "no firmware"},
		{"missing firmware", Spec{Board: an385, Firmware: filepath.Join(dir, "nope")}, "no such file"},
		{"firmware is a dir", Spec{Board: an385, Firmware: dir}, "is a directory"},
		{"native not executable", Spec{Board: native, Firmware: elf}, "not executable"},
		{"no provisioning area", Spec{Board: h405, Firmware: elf, Provision: []byte{1}}, "no provisioning area"},
		{"blob too big", Spec{Board: an385, Firmware: elf, Provision: make([]byte, 0x1001)}, "holds 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.spec.check()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			case err != nil && !strings.HasPrefix(err.Error(), "emu: "):
				t.Fatalf("error %q lacks the emu: prefix", err)
			}
		})
	}
}

func TestSummarizeStderrDropsHarmlessNoise(t *testing.T) {
	tail := "qemu-system-arm: warning: nic lan9118.0 has no peer\n\nqemu-system-arm: some real problem\n"
	if got := summarizeStderr(tail); got != "qemu-system-arm: some real problem" {
		t.Fatalf("summarizeStderr = %q", got)
	}
}
