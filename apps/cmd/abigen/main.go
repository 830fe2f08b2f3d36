// Command abigen writes the files that follow from the host ABI
// (apps/abi.go): the C apps' header, the firmware's table and the
// reference in docs/. Run it from the repository root (`make gen`).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"wasmbed-lab/apps"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	files := apps.GenerateABI()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := filepath.Join(*root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "abigen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "abigen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", p)
	}
}
