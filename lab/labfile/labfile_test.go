package labfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lab writes a lab file beside an app module, for the wasm paths.
func lab(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blink.wasm"), []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lab.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const good = `kind: Device
metadata: {name: kitchen, labels: {floor: "1"}}
spec: {board: mps2-an385}
---
kind: Device
metadata: {name: cellar}
spec: {board: native}
---
kind: Application
metadata: {name: blink}
spec:
  wasm: blink.wasm
  targets: {labels: {floor: "1"}}
  restart: on-failure
  config: {period: "500"}
---
kind: Gateway
metadata: {name: gateway}
spec: {pairing: manual, heartbeat: 250ms, missedLimit: 5, api: "127.0.0.1:0"}
`

func TestGood(t *testing.T) {
	path := lab(t, good)
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Devices) != 2 || l.Devices[0].Board != "mps2-an385" || l.Devices[0].Labels["floor"] != "1" || l.Devices[1].Line != 5 {
		t.Errorf("devices %+v", l.Devices)
	}
	a := l.Apps[0]
	if a.Wasm != filepath.Join(filepath.Dir(path), "blink.wasm") || a.Restart != "on-failure" || a.Config["period"] != "500" {
		t.Errorf("app %+v", a)
	}
	if ds := a.Devices(l); len(ds) != 1 || ds[0].Name != "kitchen" {
		t.Errorf("blink's devices: %+v", ds)
	}
	if g := l.Gateway; g.Pairing != "manual" || g.Heartbeat != 250*time.Millisecond || g.MissedLimit != 5 || g.API != "127.0.0.1:0" {
		t.Errorf("gateway %+v", g)
	}
}

// TestErrors: each problem names the file, the line and the reason.
func TestErrors(t *testing.T) {
	device := "kind: Device\nmetadata: {name: a}\nspec: {board: mps2-an385}\n---\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown kind", "kind: Robot\nmetadata: {name: r}\n", `:1: unknown kind "Robot" (want Device, Application or Gateway)`},
		{"unknown top key", "kind: Device\nmetdata: {name: a}\n", `:2: unknown key "metdata" (a document has apiVersion, kind, metadata and spec)`},
		{"unknown spec key", "kind: Device\nmetadata: {name: a}\nspec:\n  board: native\n  bord: x\n", `:5: unknown key "bord" (known here: board)`},
		{"unknown nested key", device + "kind: Application\nmetadata: {name: b}\nspec:\n  wasm: blink.wasm\n  targets:\n    device: [a]\n",
			`:10: unknown key "device" (known here: all, devices, labels)`},
		{"unknown board", "kind: Device\nmetadata: {name: a}\nspec:\n  board: pdp-11\n", `:4: Device a: boards: unknown board "pdp-11" (known: mps2-an385`},
		{"missing board", "kind: Device\nmetadata: {name: a}\nspec: {}\n", `:1: Device a: spec.board is missing`},
		{"no name", "kind: Device\nspec: {board: native}\n", `:1: Device without metadata.name`},
		{"bad name", "kind: Device\nmetadata: {name: \"a b\"}\nspec: {board: native}\n", `:1: Device name "a b"`},
		{"duplicate", device + device, `:5: duplicate Device name "a" (first at line 1)`},
		{"missing file", device + "kind: Application\nmetadata: {name: b}\nspec:\n  targets: {all: true}\n  wasm: gone.wasm\n",
			`:9: Application b: no module at `},
		{"two ways", device + "kind: Application\nmetadata: {name: b}\nspec: {wasm: blink.wasm, targets: {all: true, devices: [a]}}\n",
			`:7: Application b: spec.targets names devices one way`},
		{"unknown target", device + "kind: Application\nmetadata: {name: b}\nspec: {wasm: blink.wasm, targets: {devices: [z]}}\n",
			`:5: Application b: target device "z" is not in the lab`},
		{"bad restart", device + "kind: Application\nmetadata: {name: b}\nspec: {wasm: blink.wasm, targets: {all: true}, restart: sometimes}\n",
			`:7: Application b: restart "sometimes"`},
		{"wrong type", "kind: Gateway\nmetadata: {name: g}\nspec: {missedLimit: lots}\n", `:3: cannot unmarshal`},
		{"bad heartbeat", device + "kind: Gateway\nmetadata: {name: g}\nspec: {heartbeat: soon}\n", `:7: Gateway: heartbeat "soon"`},
		{"two gateways", device + "kind: Gateway\nmetadata: {name: g}\n---\nkind: Gateway\nmetadata: {name: h}\n", `:8: a second Gateway`},
		{"not YAML", "kind: [Device\n", `lab.yaml:`},
		{"no devices", "kind: Gateway\nmetadata: {name: g}\n", `lab.yaml: no Device`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(lab(t, tc.text))
			var e *Error
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errorsAs(err, &e) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil || !strings.Contains(err.Error(), "none.yaml") {
		t.Errorf("a missing lab file: %v", err)
	}
}

func errorsAs(err error, e **Error) bool {
	var ok bool
	*e, ok = err.(*Error)
	return ok
}

func TestDefault(t *testing.T) {
	l := Default()
	if len(l.Devices) != 7 || l.Devices[0].Name != l.Devices[0].Board {
		t.Errorf("default lab %+v", l.Devices)
	}
}
