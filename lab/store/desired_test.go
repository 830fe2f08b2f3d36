package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func desiredFor(name string, module []byte) Desired {
	sum := sha256.Sum256(module)
	return Desired{App: name, SHA256: hex.EncodeToString(sum[:]), Restart: "never", Since: time.Unix(1, 0).UTC()}
}

// TestDesired: each device's desired app survives a reopen, modules are
// kept once per content, and a module no device wants is deleted.
func TestDesired(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	blink, counter := []byte("blink bytes"), []byte("counter bytes")
	for id, put := range map[string]struct {
		name   string
		module []byte
	}{"dev-a": {"blink.wasm", blink}, "dev-b": {"blink.wasm", blink}, "dev-c": {"counter.wasm", counter}} {
		if err := s.PutDesired(id, desiredFor(put.name, put.module), put.module); err != nil {
			t.Fatal(err)
		}
	}
	// The hash must be the module's.
	bad := desiredFor("x.wasm", blink)
	if err := s.PutDesired("dev-d", bad, counter); err == nil || !strings.Contains(err.Error(), "is not the module's") {
		t.Errorf("a wrong hash: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.AllDesired()
	if err != nil || len(all) != 3 || all["dev-a"] != desiredFor("blink.wasm", blink) || all["dev-c"].App != "counter.wasm" {
		t.Fatalf("after a reopen: %v, %v", all, err)
	}
	if got, err := s.Module(all["dev-b"].SHA256); err != nil || string(got) != string(blink) {
		t.Errorf("Module: %q, %v", got, err)
	}
	// counter's only device stops wanting it: its bytes go; blink's stay
	// while one device still wants them.
	if err := s.DeleteDesired("dev-c"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Module(all["dev-c"].SHA256); !errors.Is(err, ErrNoModule) {
		t.Errorf("counter's module after its last device let it go: %v", err)
	}
	if err := s.DeleteDesired("dev-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Module(all["dev-b"].SHA256); err != nil {
		t.Errorf("blink's module while dev-b wants it: %v", err)
	}
}
