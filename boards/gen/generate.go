package gen

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"

	"wasmbed-lab/boards"
	"wasmbed-lab/boards/fdt"
)

// CompileFunc turns a .dts file into a DTB (emu.CompileDTS runs dtc).
type CompileFunc func(ctx context.Context, dtsPath string) ([]byte, error)

// RegistryFile is where the generated Go registry lives, relative to the root.
const RegistryFile = "boards/registry_gen.go"

// Generate compiles every boards/<name>/<name>.dts below root and returns
// the generated files, keyed by path relative to root.
func Generate(ctx context.Context, root string, compile CompileFunc) (map[string][]byte, error) {
	dtsFiles, err := filepath.Glob(filepath.Join(root, "boards", "*", "*.dts"))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	var all []boards.Board
	for _, path := range dtsFiles {
		name := filepath.Base(filepath.Dir(path))
		if filepath.Base(path) != name+".dts" {
			continue
		}
		source := filepath.ToSlash(filepath.Join("boards", name, name+".dts"))
		blob, err := compile(ctx, path)
		if err != nil {
			return nil, err
		}
		tree, err := fdt.Parse(blob)
		if err != nil {
			return nil, fmt.Errorf("gen: %s: %w", source, err)
		}
		b, err := Describe(name, tree)
		if err != nil {
			return nil, err
		}
		all = append(all, b)
		dir := filepath.Join("firmware", "gen", name)
		out[filepath.Join(dir, "board.h")] = FirmwareHeader(b, source)
		if !b.IsNative() {
			ld, err := LinkerMemory(b, source)
			if err != nil {
				return nil, err
			}
			out[filepath.Join(dir, "memory.ld")] = ld
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("gen: no board devicetrees under %s", filepath.Join(root, "boards"))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	reg, err := Registry(all)
	if err != nil {
		return nil, err
	}
	out[RegistryFile] = reg
	return out, nil
}
