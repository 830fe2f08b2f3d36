package gen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"wasmbed-lab/emu"
)

// TestGeneratedFilesAreFresh fails when a .dts changed and `make gen` was
// not run, so the committed registry, headers and linker regions always
// match the devicetrees.
func TestGeneratedFilesAreFresh(t *testing.T) {
	if err := emu.RequireTool("dtc"); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join("..", "..")
	files, err := Generate(context.Background(), root, emu.CompileDTS)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("generated only %d files", len(files))
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale or missing: run `make gen`", path)
		}
	}
}
