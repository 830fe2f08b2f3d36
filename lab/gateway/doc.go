// Package gateway is the lab's end of every device session: a crypto/tls
// server (TLS 1.3 only, client certificate required) over each board's link,
// enrollment with a pairing mode, heartbeats, the device states of
// docs/protocol.md section 4, and the registry kept in lab/store.
//
// A device is known by its key: its ID is a UUID derived from the
// SubjectPublicKeyInfo of its certificate, so a board that resets or a
// gateway that restarts finds the same device again.
package gateway
