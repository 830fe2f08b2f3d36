package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"add", "add"},
		{"", ""},
		{"a\"b\\c", `a\"b\\c`},
		{"??=", `\077\077=`}, // no trigraphs
		{"\x00\n\xff", `\000\012\377`},
		{"\u00e9", `\303\251`},
	} {
		if got := cString([]byte(c.in)); got != c.want {
			t.Errorf("cString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseModule(t *testing.T) {
	header := []byte("\x00asm\x01\x00\x00\x00")
	section := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	importFunc := func(mod string) []byte {
		b := []byte{1, byte(len(mod))}
		b = append(b, mod...)
		return append(b, 5, 'p', 'r', 'i', 'n', 't', 0, 0) // func of type 0
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, c := range []struct {
		name string
		mod  []byte
		want moduleInfo
		bad  bool
	}{
		{"empty", header, moduleInfo{}, false},
		{"spectest import", cat(header, section(2, importFunc("spectest")...)), moduleInfo{imports: 1}, false},
		{"other import", cat(header, section(2, importFunc("test")...)), moduleInfo{imports: 1, foreignImport: true}, false},
		{"memory 3 5", cat(header, section(5, 1, 1, 3, 5)), moduleInfo{minPages: 3, ownMemory: true}, false},
		{"imported memory", cat(header, section(2, 1, 8, 's', 'p', 'e', 'c', 't', 'e', 's', 't', 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0, 1)),
			moduleInfo{imports: 1, minPages: 1}, false},
		{"truncated section", cat(header, []byte{5, 9, 1}), moduleInfo{}, true},
		{"not wasm", []byte("\x00asn\x01\x00\x00\x00"), moduleInfo{}, true},
	} {
		got, err := parseModule(c.mod)
		if (err != nil) != c.bad || (!c.bad && got != c.want) {
			t.Errorf("%s: parseModule = %+v, %v; want %+v (error: %v)", c.name, got, err, c.want, c.bad)
		}
	}
}

const specDir = "../../../testdata/wasm/spec"

// generate runs specgen on the default subset into a temporary file.
func generate(t *testing.T) (*gen, []byte) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(specDir, ".fetched")); err != nil {
		t.Skip("the spec suite is not fetched: make testdata/wasm/spec/.fetched")
	}
	g := newGen(1, 1)
	for _, name := range DefaultScripts {
		if err := g.addScript(specDir, name); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "spec_data.c")
	if err := g.write(out, "test"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return g, b
}

func TestDefaultScripts(t *testing.T) {
	g, first := generate(t)
	kept := 0
	for _, s := range g.scripts {
		kept += s.kept
	}
	if len(g.scripts) != len(DefaultScripts) || kept < 10000 {
		t.Errorf("%d scripts, %d commands kept", len(g.scripts), kept)
	}
	// Every growers entry names an assertion that exists: its line was hit.
	if n := g.skipped[skipGrow]; n != len(growers) {
		t.Errorf("%d assertions left out as growers, the table has %d", n, len(growers))
	}
	if _, second := generate(t); !bytes.Equal(first, second) {
		t.Error("two runs wrote different files")
	}
	if !strings.Contains(string(first), "const uint32_t spec_slice = 1;") {
		t.Error("scripts are not run in slices of 1")
	}
}
