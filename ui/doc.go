// Package ui is the lab's terminal UI (bubbletea): it renders lab state and
// routes keys, and does no I/O of its own. It imports lab, never emu, and
// nothing imports it (deps_test.go enforces both).
package ui
