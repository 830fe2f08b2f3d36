package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/scenario"
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
		{"no scenario", nil, scenario.ExitBadInput},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, scenario.ExitBadInput},
		{"unknown step", []string{write("bad.yaml", native+"steps:\n  - jump: {}\n")}, scenario.ExitBadInput},
		{"unknown board", []string{write("board.yaml", "lab:\n  - {kind: Device, metadata: {name: a}, spec: {board: pdp-11}}\nsteps:\n  - sleep: 1s\n")}, scenario.ExitBadInput},
		{"unknown flag", []string{"--colour"}, scenario.ExitBadInput},
		{"pass", []string{write("pass.yaml", native+"steps:\n  - waitFor: {device: a, state: Connected}\n"),
			"--junit", filepath.Join(dir, "junit.xml")}, scenario.ExitPass},
		{"fail", []string{write("fail.yaml", native+"steps:\n  - expectSerial: {device: a, text: never}\n    timeout: 1s\n  - sleep: 1s\n"),
			"--junit", filepath.Join(dir, "fail.xml")}, scenario.ExitFail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := run(context.Background(), append([]string{"--ci"}, tc.args...)); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
		})
	}
	for _, report := range []string{"junit.xml", "fail.xml"} {
		validJUnit(t, filepath.Join(dir, report))
	}
}

// validJUnit checks a report against the JUnit schema Jenkins reads, which
// make fetches (see JUNIT_XSD in the Makefile).
func validJUnit(t *testing.T, report string) {
	t.Helper()
	root, err := lab.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	xsd := filepath.Join(root, "build", "junit", "jenkins-junit.xsd")
	if _, err := os.Stat(xsd); err != nil {
		t.Fatalf("no JUnit schema (make test fetches it; or run make %s): %v", filepath.Join("build", "junit", "jenkins-junit.xsd"), err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", xsd, report).CombinedOutput(); err != nil {
		text, _ := os.ReadFile(report)
		t.Errorf("%s does not validate: %v\n%s\n%s", report, err, out, text)
	}
}
