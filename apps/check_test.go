package apps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
)

// wat compiles WebAssembly text with wabt's wat2wasm.
func wat(t *testing.T, text string) []byte {
	t.Helper()
	dir := t.TempDir()
	src, out := filepath.Join(dir, "app.wat"), filepath.Join(dir, "app.wasm")
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := emu.RunTool(context.Background(), "wat2wasm", src, "-o", out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const goodApp = `(module
  (import "wasmbed" "log" (func (param i32 i32) (result i32)))
  (import "wasmbed" "time_ms" (func (result i64)))
  (memory (export "memory") 1)
  (func (export "run")))`

// small is a board that gives apps less than a page, as the firmware's
// reduced-memory mode allows (no board of the registry does today).
var small = boards.Board{Name: "small-board", Capabilities: []string{"wasm-memory:256", "wasm-module:768", "wasm-reduced"}}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	an385, _ := boards.Lookup("mps2-an385")
	stm32vl, _ := boards.Lookup("stm32vldiscovery")
	good := wat(t, goodApp)
	declared := func(b []byte, need uint32) []byte {
		out, err := WithMemoryNeed(b, need)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name   string
		module []byte
		board  boards.Board
		want   string // a problem's text, or "" when it fits
	}{
		{"fits a large board", good, an385, ""},
		{"a board without apps", declared(good, 200), stm32vl, "the board runs no apps"},
		{"a page on a small board", good, small, "declare what the app needs"},
		{"reduced-memory mode", declared(good, 200), small, ""},
		{"needs more than a small board gives", declared(good, 1000), small, "needs 1000 bytes of memory, the board gives apps 256"},
		{"too big for a small board", wat(t, `(module (memory 1) (data (i32.const 0) "`+strings.Repeat("x", 800)+`") (func (export "run")))`),
			small, "the module is"},
		{"wrong signature", wat(t, `(module (import "wasmbed" "log" (func (param i32) (result i32))) (func (export "run")))`),
			an385, "imports wasmbed.log as (i32) -> (i32), but it is (i32, i32) -> (i32)"},
		{"unknown host function", wat(t, `(module (import "wasmbed" "fork" (func)) (func (export "run")))`),
			an385, "no such host function"},
		{"another module", wat(t, `(module (import "env" "puts" (func)) (func (export "run")))`),
			an385, `apps import only from "wasmbed"`},
		{"an imported memory", wat(t, `(module (import "wasmbed" "mem" (memory 1)) (func (export "run")))`),
			an385, "imports a memory wasmbed.mem"},
		{"no entry point", wat(t, `(module (func (export "main")))`), an385, `exports no function "run"`},
		{"an entry point with a parameter", wat(t, `(module (func (export "run") (param i32)))`), an385, "must be () -> ()"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check(ctx, "app.wasm", c.module, c.board)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ce *CheckError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want a problem containing %q", err, c.want)
			}
			if ce.App != "app.wasm" || !strings.Contains(err.Error(), "app.wasm") {
				t.Errorf("the error does not name the app: %v", err)
			}
			if ce.Board != "" && !strings.Contains(err.Error(), c.board.Name) {
				t.Errorf("the error does not name the board: %v", err)
			}
		})
	}
}

func TestCheckRefusesWhatIsNotWebAssembly10(t *testing.T) {
	ctx := context.Background()
	an385, _ := boards.Lookup("mps2-an385")
	signExt := wat(t, `(module (func (export "run") (drop (i32.extend8_s (i32.const 1)))))`)
	for name, module := range map[string][]byte{
		"garbage":        []byte("not wasm at all"),
		"truncated":      wat(t, goodApp)[:20],
		"sign-extension": signExt,
	} {
		err := Check(ctx, "app.wasm", module, an385)
		if err == nil || !strings.Contains(err.Error(), "not a WebAssembly 1.0 module") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestCheckBoards(t *testing.T) {
	ctx := context.Background()
	good := wat(t, goodApp)
	var out strings.Builder
	// Every board: it fits some, so no error; a line per board.
	if err := CheckBoards(ctx, &out, "app.wasm", good, boards.All()); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(out.String(), "\n"); lines != len(boards.All()) ||
		!strings.Contains(out.String(), "mps2-an385         ok: ") || !strings.Contains(out.String(), "stm32vldiscovery   the board runs no apps") {
		t.Errorf("report:\n%s", out.String())
	}
	// One board it does not fit: its error.
	if err := CheckBoards(ctx, &out, "app.wasm", good, []boards.Board{small}); err == nil {
		t.Error("no error for the one board it does not fit")
	}
	// A module that fits no board.
	bad := wat(t, `(module (func (export "main")))`)
	if err := CheckBoards(ctx, &out, "app.wasm", bad, boards.All()); err == nil || !strings.Contains(err.Error(), "fits no board") {
		t.Errorf("got %v", err)
	}
}

func TestCheckData(t *testing.T) {
	app := wat(t, `(module (memory 1) (data (i32.const 200) "0123456789") (func (export "run")))`)
	for need, want := range map[uint32]string{210: "", 209: "its data ends at byte 210, beyond the 209 bytes it declares"} {
		declared, err := WithMemoryNeed(app, need)
		if err != nil {
			t.Fatal(err)
		}
		err = Check(context.Background(), "app.wasm", declared, small)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("need %d: got %v, want %q", need, err, want)
		}
	}
}

// TestSamplesPassCheck builds the sample apps (make -C apps samples) and
// checks each: every one fits the MPS2 boards; the small ones would run on
// a board giving apps 256 bytes, in reduced-memory mode, the others are
// refused there with the capability error.
func TestSamplesPassCheck(t *testing.T) {
	ctx := context.Background()
	if err := emu.Make(ctx, ".", "samples"); err != nil {
		t.Fatal(err)
	}
	an385, _ := boards.Lookup("mps2-an385")
	smallApps := map[string]bool{"hello": true, "blink": true, "trap": true, "spin": true}
	for _, name := range []string{"hello", "blink", "thermostat", "counter", "echo", "probe", "compute", "trap", "spin", "chatter"} {
		module, err := os.ReadFile(filepath.Join("build", "samples", name+".wasm"))
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(ctx, name+".wasm", module, an385); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		err = Check(ctx, name+".wasm", module, small)
		switch {
		case smallApps[name] && err != nil:
			t.Errorf("%s should run on %s in reduced-memory mode: %v", name, small.Name, err)
		case !smallApps[name] && (err == nil || !strings.Contains(err.Error(), "the board gives apps 256 bytes")):
			t.Errorf("%s on %s: got %v, want the memory capability error", name, small.Name, err)
		}
	}
}
