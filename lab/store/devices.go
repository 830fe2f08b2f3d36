package store

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Device is one entry of the device registry, keyed by ID.
type Device struct {
	ID         string    `json:"id"`         // UUID string derived from the key; the primary key
	PublicKey  []byte    `json:"public_key"` // SubjectPublicKeyInfo DER of the device certificate
	Name       string    `json:"name"`
	Board      string    `json:"board"`
	State      string    `json:"state"` // gateway's device state name, e.g. "Connected"
	Enrolled   bool      `json:"enrolled"`
	Rejected   bool      `json:"rejected"` // refused by an operator until approved
	Revoked    bool      `json:"revoked"`
	FirstSeen  time.Time `json:"first_seen"`
	LastSeen   time.Time `json:"last_seen"`
	Sessions   uint64    `json:"sessions"`
	Heartbeats uint64    `json:"heartbeats"`
	Missed     uint64    `json:"missed"`
}

var errEmptyID = errors.New("empty device id")

// PutDevice inserts d or replaces the device with the same ID.
func (s *Store) PutDevice(d Device) error {
	return s.update("write device "+d.ID, bucketDevices, func(b *bolt.Bucket) error {
		return putDevice(b, d)
	})
}

// Device returns the device with the given ID, or false when there is none.
func (s *Store) Device(id string) (Device, bool, error) {
	var d Device
	var found bool
	err := s.view("read device "+id, bucketDevices, func(b *bolt.Bucket) (err error) {
		found, err = getJSON(b, []byte(id), &d)
		return err
	})
	if err != nil {
		return Device{}, false, err
	}
	return d, found, nil
}

// Devices returns every device, sorted by Name, then ID.
func (s *Store) Devices() ([]Device, error) {
	var devices []Device
	err := s.view("list devices", bucketDevices, func(b *bolt.Bucket) error {
		return b.ForEach(func(k, _ []byte) error {
			var d Device
			if _, err := getJSON(b, k, &d); err != nil {
				return fmt.Errorf("device %s: %w", k, err)
			}
			devices = append(devices, d)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(devices, func(a, b Device) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return devices, nil
}

// DeleteDevice removes the device with the given ID; removing an absent
// device is not an error.
func (s *Store) DeleteDevice(id string) error {
	return s.update("delete device "+id, bucketDevices, func(b *bolt.Bucket) error {
		return b.Delete([]byte(id))
	})
}

// UpdateDevice reads the device with the given ID, lets fn change it, and
// writes it back, all in one transaction. When the device is absent, fn gets
// a zero Device with only ID set and ok false. If fn returns an error,
// nothing is written and UpdateDevice returns that error, wrapped. fn must
// not change the ID.
func (s *Store) UpdateDevice(id string, fn func(d *Device, ok bool) error) (Device, error) {
	var d Device
	err := s.update("update device "+id, bucketDevices, func(b *bolt.Bucket) error {
		ok, err := getJSON(b, []byte(id), &d)
		if err != nil {
			return err
		}
		d.ID = id
		if err := fn(&d, ok); err != nil {
			return err
		}
		if d.ID != id {
			return fmt.Errorf("id changed to %q", d.ID)
		}
		return putDevice(b, d)
	})
	if err != nil {
		return Device{}, err
	}
	return d, nil
}

func putDevice(b *bolt.Bucket, d Device) error {
	if d.ID == "" {
		return errEmptyID
	}
	return putJSON(b, []byte(d.ID), d)
}
