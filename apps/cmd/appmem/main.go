// Command appmem declares the bytes of linear memory an app needs, in its
// "wasmbed.memory" section (apps.WithMemoryNeed), rewriting the file:
//
//	appmem APP.wasm BYTES
//
// apps/Makefile runs it for apps that set MEMORY_<app>.
package main

import (
	"fmt"
	"os"
	"strconv"

	"wasmbed-lab/apps"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: appmem APP.wasm BYTES")
		os.Exit(2)
	}
	need, err := strconv.ParseUint(os.Args[2], 0, 32)
	if err != nil {
		fmt.Fprintf(os.Stderr, "appmem: %s: not a byte count\n", os.Args[2])
		os.Exit(2)
	}
	module, err := os.ReadFile(os.Args[1])
	if err == nil {
		module, err = apps.WithMemoryNeed(module, uint32(need))
	}
	if err == nil {
		err = os.WriteFile(os.Args[1], module, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "appmem: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
