package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openTest opens a store in a fresh directory and closes it when the test
// ends.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s and opens its directory again.
func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if want := filepath.Join(dir, "state.db"); s.Path() != want {
		t.Errorf("Path() = %q, want %q", s.Path(), want)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, s.Path(): 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
}

func TestPersistsAcrossReopen(t *testing.T) {
	s := openTest(t)
	dev := Device{ID: "id-1", Name: "alpha", PublicKey: []byte{1, 2, 3}}
	if err := s.PutSecret("device-ca", []byte("key bytes")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutDevice(dev); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSetting("pairing", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(Event{Kind: "approve", Device: dev.ID}); err != nil {
		t.Fatal(err)
	}

	s = reopen(t, s)
	if secret, ok, err := s.Secret("device-ca"); err != nil || !ok || string(secret) != "key bytes" {
		t.Errorf("Secret = %q, %v, %v", secret, ok, err)
	}
	if got, ok, err := s.Device(dev.ID); err != nil || !ok || got.Name != dev.Name {
		t.Errorf("Device = %+v, %v, %v", got, ok, err)
	}
	var pairing bool
	if ok, err := s.Setting("pairing", &pairing); err != nil || !ok || !pairing {
		t.Errorf("Setting = %v, %v, %v", pairing, ok, err)
	}
	events, err := s.Events(0, 0)
	if err != nil || len(events) != 1 || events[0].Kind != "approve" {
		t.Errorf("Events = %+v, %v", events, err)
	}
	// The sequence continues where it stopped.
	if e, err := s.AppendEvent(Event{Kind: "revoke"}); err != nil || e.Seq != 2 {
		t.Errorf("AppendEvent after reopen = %+v, %v; want Seq 2", e, err)
	}
}

func TestOpenLocked(t *testing.T) {
	s := openTest(t)
	dir := filepath.Dir(s.Path())

	start := time.Now()
	_, err := Open(dir)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("second Open succeeded")
	}
	t.Log(err)
	for _, want := range []string{"store: ", s.Path(), "another wasmbed-lab is probably using"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if !errors.Is(err, bolt.ErrTimeout) {
		t.Errorf("error %v does not wrap bolt.ErrTimeout", err)
	}
	if elapsed < 900*time.Millisecond || elapsed > 5*time.Second {
		t.Errorf("second Open failed after %v, want about %v", elapsed, lockTimeout)
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s.Close()
}

func TestOpenCorrupt(t *testing.T) {
	random := func(n int, seed uint64) []byte {
		b := make([]byte, n)
		rand.NewChaCha8([32]byte{byte(seed)}).Read(b)
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"random 64KiB", random(64<<10, 1)},
		{"random 8KiB", random(8<<10, 2)},
		{"random 100B", random(100, 3)},
		{"random 1MiB", random(1<<20, 4)},
		{"zeros 64KiB", make([]byte, 64<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.db")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir)
			if err == nil {
				s.Close()
				t.Fatal("Open of a corrupt file succeeded")
			}
			t.Log(err)
			if msg := err.Error(); !strings.HasPrefix(msg, "store: ") || !strings.Contains(msg, path) {
				t.Errorf("error %q does not start with %q and name %s", msg, "store: ", path)
			}
		})
	}
}

func TestOpenNewerSchema(t *testing.T) {
	s := openTest(t)
	dir, path := filepath.Dir(s.Path()), s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	setSchema(t, path, "2")

	s, err := Open(dir)
	if err == nil {
		s.Close()
		t.Fatal("Open of a newer schema succeeded")
	}
	t.Log(err)
	for _, want := range []string{"store: ", path, "schema version 2 is newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// setSchema overwrites the schema version recorded in the file at path.
func setSchema(t *testing.T, path, version string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte(bucketMeta)).Put([]byte(schemaKey), []byte(version))
	})
	if err != nil {
		t.Fatal(err)
	}
}
