package apps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"wasmbed-lab/emu"
)

// TestABIFilesAreFresh fails when apps/abi.go changed and `make gen` was not
// run, so the C header, the firmware's table and the reference match it.
func TestABIFilesAreFresh(t *testing.T) {
	root := filepath.Join("..")
	files := GenerateABI()
	if len(files) != 3 {
		t.Fatalf("generated %d files, want 3", len(files))
	}
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale or missing: run `make gen`", path)
		}
	}
}

func TestABIIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range ABI {
		if seen[f.Name] {
			t.Errorf("%s defined twice", f.Name)
		}
		seen[f.Name] = true
		if f.Doc == "" || (f.Result != 0) != (f.CResult != "") {
			t.Errorf("%s: doc or C result missing", f.Name)
		}
		for _, p := range f.Params {
			if p.Name == "" || p.C == "" || (p.Type != I32 && p.Type != I64) {
				t.Errorf("%s: parameter %+v", f.Name, p)
			}
		}
		for _, e := range f.Errors {
			if strings.HasPrefix(e.String(), "errno(") || e >= 0 {
				t.Errorf("%s: error %d is not a listed failure", f.Name, e)
			}
		}
	}
	for name, want := range map[string]string{"log": "ii:i", "time_ms": ":I", "sensor_read": "ii:i", "publish": "iiii:i"} {
		if f, ok := Lookup(name); !ok || f.Signature() != want {
			t.Errorf("%s: signature %q, want %q", name, f.Signature(), want)
		}
	}
	if _, ok := Lookup("fork"); ok {
		t.Error("Lookup found a function the ABI lacks")
	}
}

func TestMemoryNeed(t *testing.T) {
	// A module: the header, a custom section "x", a type section.
	module := append(bytes.Clone(wasmHeader), 0, 2, 1, 'x', 1, 4, 1, 0x60, 0, 0)
	if n, err := MemoryNeed(module); err != nil || n != 0 {
		t.Fatalf("MemoryNeed of a module without the section = %d, %v", n, err)
	}
	with, err := WithMemoryNeed(module, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := MemoryNeed(with); err != nil || n != 1000 {
		t.Fatalf("MemoryNeed = %d, %v; want 1000", n, err)
	}
	// Declaring again replaces, and the other sections stay as they were.
	again, err := WithMemoryNeed(with, 100)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := MemoryNeed(again); n != 100 || !bytes.HasPrefix(again, module) || len(again) != len(with)-1 {
		t.Fatalf("redeclared: need %d, %d bytes (had %d)", n, len(again), len(with))
	}
	for _, bad := range [][]byte{nil, []byte("\x00asm\x02\x00\x00\x00"), append(bytes.Clone(wasmHeader), 1, 9, 0)} {
		if _, err := WithMemoryNeed(bad, 10); err == nil {
			t.Errorf("WithMemoryNeed(%x) accepted a broken module", bad)
		}
	}
	if _, err := WithMemoryNeed(module, 0); err == nil {
		t.Error("a need of 0 bytes was accepted")
	}
}

// TestSDKHeaderMatchesABI compiles a C app that uses every function of
// sdk/wasmbed.h for wasm32 and checks, with wazero, that each import the
// compiler wrote has the module, name and type the ABI says.
func TestSDKHeaderMatchesABI(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	src.WriteString("#include \"wasmbed.h\"\nvoid *used[] = {\n")
	for _, f := range ABI {
		fmt.Fprintf(&src, "\t(void *)wasmbed_%s,\n", f.Name)
	}
	src.WriteString("};\nvoid *volatile sink;\n")
	src.WriteString("void run(void) { for (unsigned i = 0; i < sizeof used / sizeof used[0]; i++) sink = used[i]; }\n")
	c := filepath.Join(dir, "all.c")
	if err := os.WriteFile(c, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	wasm := filepath.Join(dir, "all.wasm")
	ld, err := wasmLinker()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := emu.RunTool(context.Background(), "clang", "--target=wasm32", "-mcpu=mvp", "-O2", "-ffreestanding",
		"-nostdlib", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", filepath.Join("sdk"), "-fuse-ld="+ld,
		"-Wl,--no-entry", "-Wl,--export=run", "-Wl,--export-table", "-o", wasm, c); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV1))
	defer rt.Close(ctx)
	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	imports := mod.ImportedFunctions()
	if len(imports) != len(ABI) {
		t.Fatalf("the app imports %d functions, the ABI has %d", len(imports), len(ABI))
	}
	for _, imp := range imports {
		module, name, _ := imp.Import()
		f, ok := Lookup(name)
		if module != Module || !ok {
			t.Errorf("import %s.%s is not in the ABI", module, name)
			continue
		}
		if got := wazeroSignature(imp.ParamTypes(), imp.ResultTypes()); got != f.Signature() {
			t.Errorf("%s: the header gives %s, the ABI %s", name, got, f.Signature())
		}
	}
}

// wasmLinker is the path of wasm-ld (Debian's lld), which clang takes by path.
func wasmLinker() (string, error) {
	for _, name := range []string{"wasm-ld", "wasm-ld-14"} {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("wasm-ld not found: install the Debian package lld (make deps)")
}
