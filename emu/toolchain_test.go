package emu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequireToolNamesTheDebianPackage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tests := []struct{ tool, want string }{
		{"qemu-system-arm", `emu: qemu-system-arm not found: install it with "apt-get install --no-install-recommends qemu-system-arm" (or run "make deps")`},
		{"arm-none-eabi-gcc", `"apt-get install --no-install-recommends gcc-arm-none-eabi"`},
		{"dtc", "device-tree-compiler"},
		{"wat2wasm", "wabt"},
		{"wasm-ld", "install --no-install-recommends lld"},
		{"no-such-tool", "emu: no-such-tool not found in PATH"},
	}
	for _, tt := range tests {
		err := RequireTool(tt.tool)
		var missing *MissingToolError
		if !errors.As(err, &missing) || missing.Tool != tt.tool {
			t.Fatalf("RequireTool(%q) = %v, want a *MissingToolError", tt.tool, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("RequireTool(%q) = %q, want it to contain %q", tt.tool, err, tt.want)
		}
	}
	_, err := Start(context.Background(), Spec{Board: an385, Firmware: "fw.elf"})
	var missing *MissingToolError
	if !errors.As(err, &missing) || missing.Tool != "qemu-system-arm" {
		t.Errorf("Start without QEMU = %v, want RequireTool's error", err)
	}
}

func TestCompileDTS(t *testing.T) {
	if err := RequireTool("dtc"); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.dts")
	os.WriteFile(good, []byte("/dts-v1/;\n/ { model = \"emu test\"; };\n"), 0o644)
	dtb, err := CompileDTS(context.Background(), good)
	if err != nil {
		t.Fatal(err)
	}
	if len(dtb) < 4 || string(dtb[:4]) != "\xd0\x0d\xfe\xed" {
		t.Fatalf("not a DTB: % x", dtb[:min(len(dtb), 8)])
	}
	bad := filepath.Join(dir, "bad.dts")
	os.WriteFile(bad, []byte("/dts-v1/;\n/ { model = ; };\n"), 0o644)
	_, err = CompileDTS(context.Background(), bad)
	if err == nil || !strings.HasPrefix(err.Error(), "emu: dtc ") || !strings.Contains(err.Error(), "bad.dts:2") {
		t.Fatalf("CompileDTS(bad) = %v, want dtc's message naming the line", err)
	}
}

func TestMake(t *testing.T) {
	if err := RequireTool("make"); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte("ok:\n\t@echo fine\nfail:\n\t@echo the compiler said no; exit 3\n"), 0o644)
	if err := Make(context.Background(), dir, "ok"); err != nil {
		t.Fatal(err)
	}
	err := Make(context.Background(), dir, "fail")
	if err == nil || !strings.Contains(err.Error(), "the compiler said no") || !strings.HasPrefix(err.Error(), "emu: make -C ") {
		t.Fatalf("Make(fail) = %v, want the output in the error", err)
	}
}
