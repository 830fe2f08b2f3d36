// Package wast reads the scripts wabt's wast2json makes of the WebAssembly
// spec suite (testdata/wasm/spec): one JSON file per .wast, its commands in
// order, modules beside it as .wasm files. The differential test (apps) and
// the boards' spec image generator (firmware/tools/specgen) read them here.
package wast

import (
	"encoding/json"
	"fmt"
	"os"
)

type Script struct {
	Commands []Command `json:"commands"`
}

// Command is one command: module, register, action or assert_*.
type Command struct {
	Type       string  `json:"type"`
	Line       int     `json:"line"`     // in the .wast
	Filename   string  `json:"filename"` // its module, beside the script
	Name       string  `json:"name"`     // a module's "$M"
	Text       string  `json:"text"`     // an assertion's expected message
	ModuleType string  `json:"module_type"`
	Action     *Action `json:"action"`
	Expected   []Value `json:"expected"`
}

// Action is an invoke or a get.
type Action struct {
	Type   string  `json:"type"`
	Module string  `json:"module"`
	Field  string  `json:"field"`
	Args   []Value `json:"args"`
}

// Value is a typed value: its bits in decimal, or a NaN class
// ("nan:canonical", "nan:arithmetic").
type Value struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Load reads the script at path.
func Load(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Script
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("wast: %s: %w", path, err)
	}
	return &s, nil
}
