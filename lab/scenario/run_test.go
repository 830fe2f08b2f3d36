package scenario

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab"
	"wasmbed-lab/lab/labfile"
)

// runScenario parses text (the samples' folder is its folder, so apps are
// named by file) and runs it on real boards.
func runScenario(t *testing.T, text string) Result {
	t.Helper()
	root, err := lab.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	native, _ := boards.Lookup("native")
	if _, err := os.Stat(lab.FirmwarePath(root, native)); err != nil {
		t.Fatalf("native firmware not built (%v): run `make firmware` or `make test`", err)
	}
	file := filepath.Join(root, "apps", "build", "samples", "scenario.yaml")
	s, err := labfile.ParseScenario(file, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), s, Options{Root: root, StateDir: t.TempDir(),
		Progress: func(format string, args ...any) { t.Logf(format, args...) }})
	return res
}

const twoNative = `lab:
  - {kind: Device, metadata: {name: a}, spec: {board: native}}
  - {kind: Device, metadata: {name: b}, spec: {board: native}}
  - {kind: Application, metadata: {name: hello}, spec: {wasm: hello.wasm, targets: {all: true}}}
  - {kind: Gateway, metadata: {name: gw}, spec: {heartbeat: 250ms}}
`

// TestScenarioRuns: a scenario's steps on real (native) boards: the lab's
// Application, serial, deploys, published data, the API, a reset and a
// power cycle.
func TestScenarioRuns(t *testing.T) {
	res := runScenario(t, twoNative+`timeout: 60s
failOn: ["HardFault"]
steps:
  - waitFor: {device: a, state: Connected}
  - expectSerial: {device: a, regex: "hello from (a)"}
  - deploy: {app: counter.wasm, to: [a]}
  - expectPublished: {device: a, topic: counter}
  - http: {path: /v1/devices/a, status: 200, contains: '"want":"counter.wasm"'}
  - fault: {device: a, reset: true}
  - waitFor: {device: a, state: Running}
  - expectPublished: {device: a, topic: counter}
  - fault: {device: b, power: "off"}
  - fault: {device: b, power: "on"}
  - waitFor: {device: b, state: Connected}
  - writeSerial: {device: b, text: "version\r"}
  - expectSerial: {device: b, text: "0.1.0"}
  - sleep: 100ms
`)
	if res.Err != nil || res.Code != ExitPass || len(res.Steps) != 14 {
		t.Fatalf("code %d, %d steps: %v", res.Code, len(res.Steps), res.Err)
	}
}

// TestScenarioFails: a failed expectation, a failOn match and the global
// timeout end the run with their codes and say where.
func TestScenarioFails(t *testing.T) {
	for _, tc := range []struct {
		name, steps string
		code        int
		want        []string
	}{
		{"expectation", "steps:\n  - expectSerial: {device: b, text: never printed}\n    timeout: 2s\n", ExitFail,
			[]string{"step 1 (line 7) expectSerial b /never printed/", "last console lines:"}},
		{"failOn", "failOn: ['hello from b']\nsteps:\n  - sleep: 3s\n", ExitFail,
			[]string{"step 1 (line 8) sleep", `b's console matched a failOn pattern: "app hello.wasm: hello from b"`}},
		{"timeout", "timeout: 2s\nsteps:\n  - sleep: 10s\n", ExitTimeout, []string{"timeout of 2s passed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runScenario(t, twoNative+tc.steps)
			if res.Code != tc.code || res.Err == nil {
				t.Fatalf("code %d, want %d: %v", res.Code, tc.code, res.Err)
			}
			for _, w := range tc.want {
				if !strings.Contains(res.Err.Error(), w) {
					t.Errorf("%v\ndoes not say %q", res.Err, w)
				}
			}
		})
	}
}
