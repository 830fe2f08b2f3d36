package labfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// scenario writes a scenario beside the lab file of lab() and a module.
func scenario(t *testing.T, text string) string {
	t.Helper()
	dir := filepath.Dir(lab(t, good))
	path := filepath.Join(dir, "run.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestScenarioGood(t *testing.T) {
	s, err := LoadScenario(scenario(t, `timeout: 90s
lab: lab.yaml
failOn: ["HardFault", "panic: .*"]
steps:
  - waitFor: {device: kitchen, state: Connected}
  - deploy: {app: blink}
  - deploy: {app: blink.wasm, to: [cellar], restart: always}
  - expectSerial: {device: kitchen, regex: "hello from (\\S+)"}
    timeout: 5s
  - expectSerial: {device: kitchen, text: "a.b"}
  - writeSerial: {device: kitchen, text: "info\r"}
  - expectPublished: {device: cellar, topic: counter}
  - fault: {device: kitchen, reset: true}
  - fault: {gatewayRestart: true}
  - fault: {device: cellar, linkCorrupt: 0.01}
  - setSensor: {device: kitchen, sensor: temp0, value: 30000}
  - sleep: 250ms
  - http: {path: /v1/devices/kitchen, status: 200, contains: Connected}
  - stop: {to: [kitchen]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "run" || s.Timeout != 90*time.Second || len(s.FailOn) != 2 || len(s.Steps) != 14 || len(s.Lab.Devices) != 2 {
		t.Fatalf("scenario %+v", s)
	}
	st := s.Steps
	if st[0].Line != 5 || st[0].Timeout != DefaultStepTimeout || st[3].Timeout != 5*time.Second {
		t.Errorf("lines and timeouts: %+v %+v", st[0], st[3])
	}
	if !filepath.IsAbs(st[2].Deploy.App) || st[1].Deploy.App != "blink" {
		t.Errorf("deploys: %q %q", st[1].Deploy.App, st[2].Deploy.App)
	}
	if re := st[4].ExpectSerial.Regexp(); !re.MatchString("xa.by") || re.MatchString("axb") {
		t.Errorf("text is literal: %v", re)
	}
	if st[11].Sleep != 250*time.Millisecond || st[12].HTTP.Method != "GET" {
		t.Errorf("sleep %v, http %+v", st[11].Sleep, st[12].HTTP)
	}
	// The default lab, and an inline one.
	if s, err := ParseScenario("x.yaml", []byte("steps:\n  - sleep: 1s\n")); err != nil || len(s.Lab.Devices) != 7 {
		t.Errorf("default lab: %v", err)
	}
	inline := "lab:\n  - {kind: Device, metadata: {name: a}, spec: {board: native}}\nsteps:\n  - waitFor: {device: a, state: Enrolled}\n"
	if s, err := ParseScenario("x.yaml", []byte(inline)); err != nil || s.Lab.Devices[0].Board != "native" {
		t.Errorf("inline lab: %v", err)
	}
}

func TestScenarioErrors(t *testing.T) {
	head := "lab: lab.yaml\nsteps:\n"
	for _, tc := range []struct{ name, text, want string }{
		{"unknown top key", "lab: lab.yaml\nstep: []\n", `:2: unknown key "step"`},
		{"no steps", "lab: lab.yaml\n", `no steps`},
		{"unknown step", head + "  - jump: {}\n", `:3: unknown key "jump"`},
		{"unknown key in a step", head + "  - waitFor: {device: kitchen, state: Connected, colour: red}\n", `:3: unknown key "colour"`},
		{"two parts", head + "  - sleep: 1s\n    stop: {}\n", `:3: a step is one of`},
		{"unknown device", head + "  - waitFor: {device: attic, state: Connected}\n", `:3: device "attic" is not in the lab`},
		{"unknown state", head + "  - waitFor: {device: kitchen, state: Asleep}\n", `:3: waitFor state "Asleep"`},
		{"bad regex", head + "  - expectSerial: {device: kitchen, regex: \"(\"}\n", `:3: expectSerial regex "("`},
		{"text and regex", head + "  - expectSerial: {device: kitchen, text: a, regex: b}\n", `:3: expectSerial: give text or regex`},
		{"no module", head + "  - deploy: {app: gone.wasm, to: [kitchen]}\n", `:3: deploy: no Application "gone.wasm"`},
		{"deploy without targets", head + "  - deploy: {app: blink.wasm}\n", `:3: deploy "blink.wasm": not an Application`},
		{"two faults", head + "  - fault: {device: kitchen, reset: true, kill: true}\n", `:3: a fault is one of`},
		{"bad power", head + "  - fault: {device: kitchen, power: maybe}\n", `:3: power "maybe"`},
		{"bad rate", head + "  - fault: {device: kitchen, linkCorrupt: 2}\n", `:3: linkCorrupt 2`},
		{"bad sleep", head + "  - sleep: forever\n", `:3: sleep "forever"`},
		{"bad http", head + "  - http: {path: v1}\n", `:3: http path "v1"`},
		{"bad step timeout", head + "  - sleep: 1s\n    timeout: soon\n", `:3: step timeout "soon"`},
		{"bad failOn", "failOn: [\"(\"]\n" + head + "  - sleep: 1s\n", `:1: failOn "("`},
		{"bad lab", "lab: nowhere.yaml\nsteps:\n  - sleep: 1s\n", `nowhere.yaml`},
		{"lab's own error", "lab:\n  - {kind: Device, metadata: {name: a}, spec: {board: pdp-11}}\nsteps:\n  - sleep: 1s\n", `:2: Device a: boards: unknown board`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadScenario(scenario(t, tc.text))
			if _, ok := err.(*Error); !ok || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}
