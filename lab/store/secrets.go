package store

import (
	"bytes"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Secret returns a copy of the secret stored under name ("gateway-ca",
// "device-ca", "gateway-server", ...), or false when there is none.
func (s *Store) Secret(name string) ([]byte, bool, error) {
	var value []byte
	err := s.view("read secret "+name, bucketSecrets, func(b *bolt.Bucket) error {
		value = bytes.Clone(b.Get([]byte(name)))
		return nil
	})
	return value, value != nil, err
}

// PutSecret stores value under name, replacing any previous value.
func (s *Store) PutSecret(name string, value []byte) error {
	return s.update("write secret "+name, bucketSecrets, func(b *bolt.Bucket) error {
		if name == "" {
			return errors.New("empty name")
		}
		return b.Put([]byte(name), value)
	})
}
