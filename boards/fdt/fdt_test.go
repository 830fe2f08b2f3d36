package fdt

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func loadDTBs(t testing.TB) map[string][]byte {
	t.Helper()
	paths, _ := filepath.Glob("testdata/*.dtb")
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	if len(out) == 0 {
		t.Fatal("no testdata/*.dtb loaded")
	}
	return out
}

func TestParseKnownBlob(t *testing.T) {
	root, err := Parse(loadDTBs(t)["sample.dtb"])
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := root.String("model"); got != "sample board" {
		t.Errorf("model = %q", got)
	}
	if got := root.Strings("compatible"); len(got) != 2 || got[1] != "vendor,family" {
		t.Errorf("compatible = %q", got)
	}
	uart := root.Find("/soc/serial@40004000")
	if uart == nil {
		t.Fatal("serial node not found")
	}
	if reg, _ := uart.Cells("reg"); len(reg) != 2 || reg[0] != 0x40004000 || reg[1] != 0x1000 {
		t.Errorf("reg = %#x", reg)
	}
	if irq, ok := uart.Cells("interrupts"); !ok || len(irq) != 2 || irq[1] != 1 {
		t.Errorf("interrupts = %v", irq)
	}
	if !uart.Compatible("arm,cmsdk-uart") || uart.Compatible("other") {
		t.Error("Compatible mismatch")
	}
	if !root.Find("/soc").Has("ranges") {
		t.Error("boolean property ranges missing")
	}
	if root.Find("/soc/nope") != nil {
		t.Error("found a node that does not exist")
	}
	if got, _ := root.Child("chosen").String("console"); got != "/soc/serial@40004000" {
		t.Errorf("chosen console = %q", got)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	good := loadDTBs(t)["sample.dtb"]
	cases := map[string][]byte{
		"empty":     nil,
		"bad magic": append([]byte{1, 2, 3, 4}, good[4:]...),
		"truncated": good[:len(good)/2],
	}
	bad := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(bad[8:], uint32(len(bad))) // struct block past the end
	cases["struct offset"] = bad
	for name, blob := range cases {
		if _, err := Parse(blob); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, b := range loadDTBs(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		root, err := Parse(blob)
		if err != nil {
			return
		}
		root.Walk(func(n *Node) {
			for p := range n.Props {
				n.Strings(p)
				n.Cells(p)
			}
		})
	})
}
