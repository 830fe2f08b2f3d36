package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "wasmbed-lab/"

// packageImports maps each package directory to the imports of its non-test
// files.
func packageImports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "." || d.Name() == "testdata" || d.Name() == "firmware") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[dir] = append(out[dir], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 5 {
		t.Fatalf("found only %d packages", len(out))
	}
	return out
}

func isStd(path string) bool {
	return !strings.Contains(strings.Split(path, "/")[0], ".") && !strings.HasPrefix(path, module)
}

// TestDependencyRules enforces the layering in DESIGN.md.
func TestDependencyRules(t *testing.T) {
	for dir, imports := range packageImports(t) {
		for _, imp := range imports {
			switch {
			case (imp == module+"ui" || strings.HasPrefix(imp, module+"ui/")) && dir != ".":
				t.Errorf("%s imports %s: only the command imports ui", dir, imp)
			case (dir == "ui" || strings.HasPrefix(dir, "ui/")) && strings.HasPrefix(imp, module+"emu"):
				t.Errorf("%s imports %s: ui goes through lab, never emu", dir, imp)
			case (dir == "lab/link" || dir == "lab/proto") && !isStd(imp) && imp != "github.com/fxamacker/cbor/v2":
				t.Errorf("%s imports %s: codecs use only the standard library and the CBOR codec", dir, imp)
			case dir != "emu" && (imp == "os/exec" || imp == "github.com/creack/pty"):
				t.Errorf("%s imports %s: only emu starts processes", dir, imp)
			}
		}
	}
}
