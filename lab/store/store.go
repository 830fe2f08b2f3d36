package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	fileName    = "state.db"
	lockTimeout = time.Second

	// schemaVersion is the layout this package writes. Open refuses files
	// with a newer one rather than misreading them.
	schemaVersion = 1
	schemaKey     = "schema"
)

// Bucket names. The schema version lives in bucketMeta.
const (
	bucketMeta     = "meta"
	bucketSecrets  = "secrets"
	bucketDevices  = "devices"
	bucketSettings = "settings"
	bucketEvents   = "events"
	bucketDesired  = "desired" // device ID -> Desired
	bucketModules  = "modules" // SHA-256 -> the app's bytes
)

var buckets = []string{bucketMeta, bucketSecrets, bucketDevices, bucketSettings, bucketEvents, bucketDesired, bucketModules}

// Store is the lab's state file. Its methods are safe for concurrent use.
type Store struct {
	db        *bolt.DB
	path      string
	maxEvents uint64 // MaxEvents; tests lower it
}

// Open opens DIR/state.db, creating the directory (0700) and the file (0600)
// if needed. If another process holds the file, Open fails after a second.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: create state directory: %w", err)
	}
	path := filepath.Join(dir, fileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return nil, openError(dir, path, err)
	}
	s := &Store{db: db, path: path, maxEvents: MaxEvents}
	if err := db.Update(initSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// openError explains why bbolt could not open path.
func openError(dir, path string, err error) error {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("store: open %s: still locked after %v; another wasmbed-lab is probably using the state directory %s: %w",
			path, lockTimeout, dir, err)
	case errors.Is(err, bolt.ErrInvalid), errors.Is(err, bolt.ErrChecksum), errors.Is(err, bolt.ErrVersionMismatch):
		return fmt.Errorf("store: open %s: corrupt or not a wasmbed-lab state file: %w", path, err)
	case errors.As(err, &pathErr) && pathErr.Path == path:
		return fmt.Errorf("store: %w", err) // already names the file
	default:
		return fmt.Errorf("store: open %s: %w", path, err)
	}
}

// initSchema creates the buckets and records the schema version of a new
// file, or checks the version of an existing one.
func initSchema(tx *bolt.Tx) error {
	for _, name := range buckets {
		if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	meta := tx.Bucket([]byte(bucketMeta))
	var version int
	found, err := getJSON(meta, []byte(schemaKey), &version)
	switch {
	case err != nil:
		return fmt.Errorf("read schema version: %w", err)
	case !found:
		return putJSON(meta, []byte(schemaKey), schemaVersion)
	case version > schemaVersion:
		return fmt.Errorf("schema version %d is newer than this wasmbed-lab supports (%d); use a newer wasmbed-lab or another state directory",
			version, schemaVersion)
	}
	return nil
}

// Close closes the file and releases its lock.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the path of the state file.
func (s *Store) Path() string { return s.path }

// update runs fn in one write transaction on bucket, prefixing any error
// with op.
func (s *Store) update(op, bucket string, fn func(b *bolt.Bucket) error) error {
	err := s.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte(bucket))) })
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// view runs fn in one read transaction on bucket, prefixing any error with op.
func (s *Store) view(op, bucket string, fn func(b *bolt.Bucket) error) error {
	err := s.db.View(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte(bucket))) })
	if err != nil {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return nil
}

// putJSON stores v, JSON-encoded, under key.
func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// getJSON decodes the value under key into v and reports whether it was
// present. Decoding copies, so v never aliases the transaction's memory.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	return true, json.Unmarshal(data, v)
}
