// Package store keeps the lab's persistent state in one bbolt file,
// DIR/state.db: the CA keys and certificates (secrets), the device registry,
// small settings, and an append-only audit log of events.
//
// Every write is a single bbolt transaction, which fsyncs on commit, so a
// write that has returned nil survives a crash of the process. Values read
// from the store are copies; nothing returned aliases the memory-mapped file.
//
// The file is locked while open: a second lab using the same state directory
// fails to open it after a second instead of waiting forever.
//
// Secret values never appear in errors.
package store
