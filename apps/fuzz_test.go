package apps

import (
	"bytes"
	"context"
	"testing"
	"time"

	"wasmbed-lab/boards"
)

// FuzzInspect feeds any bytes to what reads an app before it is deployed:
// the section walkers (custom sections, imports, memory, data) and the
// wazero-backed Inspect. Nothing may panic; an app Inspect accepts has a
// size and a consistent memory declaration.
func FuzzInspect(f *testing.F) {
	module := append(bytes.Clone(wasmHeader), 0, 2, 1, 'x', 1, 4, 1, 0x60, 0, 0)
	f.Add(module)
	if with, err := WithMemoryNeed(module, 300); err == nil {
		f.Add(with)
	}
	// (import "wasmbed" "log" (func)), a memory of 1 page, data at 128.
	f.Add(append(bytes.Clone(wasmHeader),
		1, 4, 1, 0x60, 0, 0,
		2, 15, 1, 7, 'w', 'a', 's', 'm', 'b', 'e', 'd', 3, 'l', 'o', 'g', 0, 0,
		5, 3, 1, 0, 1,
		11, 8, 1, 0, 0x41, 0x80, 0x01, 0x0b, 1, 'z'))
	board, _ := boards.Lookup("stm32vldiscovery")
	f.Fuzz(func(t *testing.T, b []byte) {
		need, errNeed := MemoryNeed(b)
		if with, err := WithMemoryNeed(b, 77); err == nil {
			if n, err := MemoryNeed(with); err != nil || n != 77 {
				t.Fatalf("WithMemoryNeed then MemoryNeed: %d, %v", n, err)
			}
		}
		_, _ = precheck(b)
		start := time.Now()
		app, err := Inspect(context.Background(), "fuzz.wasm", b)
		if d := time.Since(start); d > 5*time.Second { // a slow check is a way to stall the gateway
			t.Fatalf("Inspect took %v", d)
		}
		if err != nil {
			return
		}
		if app.Size != len(b) || (errNeed == nil && app.Need != need) {
			t.Fatalf("Inspect: size %d of %d, need %d of %d", app.Size, len(b), app.Need, need)
		}
		_ = app.Fits(board)
	})
}
