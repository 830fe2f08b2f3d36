package gateway

import (
	"crypto/sha256"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Device is a snapshot of one device as the gateway knows it.
type Device struct {
	ID        string    `json:"id"`   // UUID derived from the key
	Name      string    `json:"name"` // from the certificate's common name
	Board     string    `json:"board"`
	State     State     `json:"state"`
	Enrolled  bool      `json:"enrolled"`
	Rejected  bool      `json:"rejected"` // refused by an operator; Approve lifts it
	Revoked   bool      `json:"revoked"`  // refused at the handshake from now on
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Since     time.Time `json:"since"` // when State was entered

	Sessions   uint64        `json:"sessions"`   // TLS sessions established
	Heartbeats uint64        `json:"heartbeats"` // received, all sessions
	Missed     uint64        `json:"missed"`     // heartbeat intervals that passed without one
	RTT        time.Duration `json:"rtt_ns"`     // the device's latest heartbeat round trip
	UptimeMs   uint64        `json:"uptime_ms"`
	FreeRAM    uint64        `json:"free_ram"`
	Counters   []uint64      `json:"counters,omitempty"` // the latest heartbeat's, see proto.Counter*

	FirmwareVersion string   `json:"firmware_version,omitempty"`
	Capabilities    []string `json:"capabilities,omitempty"`
	RAM             uint64   `json:"ram,omitempty"`

	TLS SessionTLS `json:"tls"` // the latest session's, as the gateway negotiated it

	App        App    `json:"app"`
	appDone    uint64 // deploys finished, for Deploy's wait
	appDoneSHA string // the content of the latest
	appRefused bool   // which the device refused
}

// SessionTLS is what a device's TLS session negotiated.
type SessionTLS struct {
	Version   string        `json:"version,omitempty"` // e.g. "TLS 1.3"
	Cipher    string        `json:"cipher,omitempty"`
	Handshake time.Duration `json:"handshake_ns,omitempty"` // the gateway's side: first byte to Finished
}

// Status is the gateway as a whole.
type Status struct {
	Pairing     Pairing        `json:"pairing"`
	Heartbeat   time.Duration  `json:"heartbeat_ns"`
	MissedLimit int            `json:"missed_limit"`
	Started     time.Time      `json:"started"`
	Sessions    int            `json:"sessions"` // TLS sessions up now
	Devices     map[string]int `json:"devices"`  // count per state name
	Handshakes  uint64         `json:"handshakes"`
	Refused     uint64         `json:"refused"` // handshakes refused (revoked, bad certificate, timeout)
	// EventsDropped counts events a subscriber that fell behind lost.
	EventsDropped uint64 `json:"events_dropped"`
}

// Errors callers branch on (the HTTP API maps them to status codes).
var (
	ErrUnknownDevice = errors.New("gateway: unknown device")
	ErrClosed        = errors.New("gateway: closed")
	// ErrRefused wraps an operator decision the device's record forbids
	// (e.g. approving a revoked key) or an ambiguous device name.
	ErrRefused = errors.New("gateway: refused")
)

// DeviceID is the UUID (version 8, RFC 9562) made of the SHA-256 of a
// certificate's SubjectPublicKeyInfo: stable for as long as the key is.
func DeviceID(spki []byte) uuid.UUID {
	var id uuid.UUID
	copy(id[:], DeviceIDBytes(spki))
	return id
}

// DeviceIDBytes is DeviceID as the 16 bytes a DeviceUuid message carries.
func DeviceIDBytes(spki []byte) []byte {
	sum := sha256.Sum256(spki)
	id := sum[:16]
	id[6] = id[6]&0x0f | 0x80 // version 8
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id
}
