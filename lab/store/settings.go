package store

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// Setting decodes the JSON setting stored under name into v and reports
// whether it was present. When it is absent, v is left alone.
func (s *Store) Setting(name string, v any) (bool, error) {
	var found bool
	err := s.view("read setting "+name, bucketSettings, func(b *bolt.Bucket) (err error) {
		found, err = getJSON(b, []byte(name), v)
		return err
	})
	return found, err
}

// PutSetting stores v, JSON-encoded, under name.
func (s *Store) PutSetting(name string, v any) error {
	return s.update("write setting "+name, bucketSettings, func(b *bolt.Bucket) error {
		if name == "" {
			return errors.New("empty name")
		}
		return putJSON(b, []byte(name), v)
	})
}
