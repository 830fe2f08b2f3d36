// Package apps holds the lab's side of WebAssembly apps. The host ABI the
// apps import from "wasmbed" is defined once here (abi.go); the C apps'
// header (sdk/wasmbed.h), the firmware's table (firmware/gen/abi.h) and
// the reference (docs/abi.md) are generated from it (`make gen`). An app
// declares the memory it needs in a custom section (memory_need.go), and
// Check judges it with wazero before it is deployed (check.go). The
// differential test runs every spec module and benchmark kernel in wazero
// and in the firmware's interpreter, whose results and trap kinds must
// agree.
package apps
