package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// MaxEvents is how many of the most recent events the audit log keeps.
const MaxEvents = 10000

// Event is one entry of the audit log.
type Event struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Device string    `json:"device,omitempty"` // device ID
	Kind   string    `json:"kind"`             // e.g. "state", "approve", "revoke"
	Detail string    `json:"detail,omitempty"`
}

// AppendEvent appends e to the log with the next sequence number and returns
// it as stored. Events beyond the most recent MaxEvents are deleted in the
// same transaction.
func (s *Store) AppendEvent(e Event) (Event, error) {
	err := s.update("append event", bucketEvents, func(b *bolt.Bucket) error {
		return s.appendEvent(b, &e)
	})
	if err != nil {
		return Event{}, err
	}
	return e, nil
}

func (s *Store) appendEvent(b *bolt.Bucket, e *Event) error {
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	if err := putJSON(b, seqKey(seq), e); err != nil {
		return err
	}
	if seq > s.maxEvents {
		return deleteThrough(b, seq-s.maxEvents)
	}
	return nil
}

// Batch writes devices and appends events in one transaction: one sync
// for a whole fleet's changes.
func (s *Store) Batch(devices []Device, events []Event) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		db := tx.Bucket([]byte(bucketDevices))
		for _, d := range devices {
			if err := putDevice(db, d); err != nil {
				return err
			}
		}
		eb := tx.Bucket([]byte(bucketEvents))
		for i := range events {
			if err := s.appendEvent(eb, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: batch of %d devices and %d events: %w", len(devices), len(events), err)
	}
	return nil
}

// deleteThrough deletes the events with Seq <= last. Sequence numbers are
// contiguous, so after each append this is the single oldest event.
func deleteThrough(b *bolt.Bucket, last uint64) error {
	c := b.Cursor()
	end := seqKey(last)
	// Restart from First after each Delete: once this transaction has
	// touched the leaf (the append may have), Next after Delete skips a key.
	for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// Events returns, in Seq order, the events with Seq > after, at most limit of
// them (all when limit <= 0).
func (s *Store) Events(after uint64, limit int) ([]Event, error) {
	if after == math.MaxUint64 {
		return nil, nil
	}
	var events []Event
	err := s.view("read events", bucketEvents, func(b *bolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && (limit <= 0 || len(events) < limit); k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("event key %x: %w", k, err)
			}
			events = append(events, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return events, nil
}

// seqKey is the bucket key of event seq: big-endian, so keys sort by Seq.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, seq)
}
