// Package scenario runs headless scenarios (`wasmbed-lab --ci`): it boots
// a scenario's lab with package lab, runs its steps against real boards,
// and writes the results as JUnit XML and `go test -json` events.
package scenario
