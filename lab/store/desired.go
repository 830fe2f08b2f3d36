package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Desired is the app a device should run: the gateway reconciles what the
// device reports against it.
type Desired struct {
	App     string    `json:"app"`     // its name, as deployed
	SHA256  string    `json:"sha256"`  // hex of its bytes' SHA-256, the key in the modules bucket
	Restart string    `json:"restart"` // restart policy
	Since   time.Time `json:"since"`
}

// PutDesired records that device id should run module, in one transaction
// with the module's bytes (kept once per content, however many devices
// run it). Modules no device wants any more are deleted.
func (s *Store) PutDesired(id string, d Desired, module []byte) error {
	sum := sha256.Sum256(module)
	if d.SHA256 != hex.EncodeToString(sum[:]) {
		return fmt.Errorf("store: desired app for %s: sha256 %s is not the module's", id, d.SHA256)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if id == "" {
			return errEmptyID
		}
		if err := tx.Bucket([]byte(bucketModules)).Put([]byte(d.SHA256), module); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket([]byte(bucketDesired)), []byte(id), d); err != nil {
			return err
		}
		return dropUnwanted(tx)
	})
	if err != nil {
		return fmt.Errorf("store: write desired app for %s: %w", id, err)
	}
	return nil
}

// DeleteDesired records that device id should run no app.
func (s *Store) DeleteDesired(id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket([]byte(bucketDesired)).Delete([]byte(id)); err != nil {
			return err
		}
		return dropUnwanted(tx)
	})
	if err != nil {
		return fmt.Errorf("store: delete desired app for %s: %w", id, err)
	}
	return nil
}

// AllDesired returns every device's desired app, by device ID.
func (s *Store) AllDesired() (map[string]Desired, error) {
	out := map[string]Desired{}
	err := s.view("list desired apps", bucketDesired, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, _ []byte) error {
			var d Desired
			if _, err := getJSON(b, k, &d); err != nil {
				return fmt.Errorf("device %s: %w", k, err)
			}
			out[string(k)] = d
			return nil
		})
	})
	return out, err
}

// ErrNoModule says the store holds no module with that SHA-256.
var ErrNoModule = errors.New("store: no such module")

// Module returns the module whose SHA-256 is sum (hex).
func (s *Store) Module(sum string) ([]byte, error) {
	var out []byte
	err := s.view("read module "+sum, bucketModules, func(b *bolt.Bucket) error {
		v := b.Get([]byte(sum))
		if v == nil {
			return ErrNoModule
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// dropUnwanted deletes the modules no desired app names.
func dropUnwanted(tx *bolt.Tx) error {
	wanted := map[string]bool{}
	desired := tx.Bucket([]byte(bucketDesired))
	if err := desired.ForEach(func(k, _ []byte) error {
		var d Desired
		if _, err := getJSON(desired, k, &d); err != nil {
			return err
		}
		wanted[d.SHA256] = true
		return nil
	}); err != nil {
		return err
	}
	modules := tx.Bucket([]byte(bucketModules))
	var drop [][]byte
	if err := modules.ForEach(func(k, _ []byte) error {
		if !wanted[string(k)] {
			drop = append(drop, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range drop {
		if err := modules.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
