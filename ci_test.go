package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"wasmbed-lab/lab"
)

// TestCIExitCodes: `wasmbed-lab --ci` exits 2 for a wrong or missing file,
// before it boots anything, 0 when every scenario passes and 1 when a step
// fails.
func TestCIExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	native := "lab:\n  - {kind: Device, metadata: {name: a}, spec: {board: native}}\n"
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no scenario", nil, lab.ExitBadInput},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, lab.ExitBadInput},
		{"unknown step", []string{write("bad.yaml", native+"steps:\n  - jump: {}\n")}, lab.ExitBadInput},
		{"unknown board", []string{write("board.yaml", "lab:\n  - {kind: Device, metadata: {name: a}, spec: {board: pdp-11}}\nsteps:\n  - sleep: 1s\n")}, lab.ExitBadInput},
		{"unknown flag", []string{"--colour"}, lab.ExitBadInput},
		{"pass", []string{write("pass.yaml", native+"steps:\n  - waitFor: {device: a, state: Connected}\n"),
			"--junit", filepath.Join(dir, "junit.xml")}, lab.ExitPass},
		{"fail", []string{write("fail.yaml", native+"steps:\n  - expectSerial: {device: a, text: never}\n    timeout: 1s\n")}, lab.ExitFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := run(context.Background(), append([]string{"--ci"}, tc.args...)); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); err != nil {
		t.Errorf("no JUnit report: %v", err)
	}
}
