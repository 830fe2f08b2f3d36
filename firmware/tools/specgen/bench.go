package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Calibration loops: two, so their difference cancels the fixed cost.
var calibrationLoops = []uint32{1000000, 3000000}

// addBench adds the calibration loops, then for each kernel NAME=N a
// script named NAME, its module DIR/NAME.wasm and the measured call run(N).
func (g *gen) addBench(dir string, kernels []string) error {
	if len(kernels) == 0 {
		return errors.New("-bench needs kernels NAME=N")
	}
	g.cmds = append(g.cmds, cmd{kind: kindScript, ref: g.str("calibrate")})
	for _, n := range calibrationLoops {
		g.cmds = append(g.cmds, cmd{kind: kindCalibrate, words: len(g.words)})
		g.words = append(g.words, n)
	}
	for _, k := range kernels {
		name, arg, ok := strings.Cut(k, "=")
		n, err := strconv.ParseUint(arg, 10, 32)
		if !ok || err != nil || name == "" {
			return fmt.Errorf("kernel %q: want NAME=N", k)
		}
		path := filepath.Join(dir, name+".wasm")
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := parseModule(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if info.imports != 0 {
			return fmt.Errorf("%s: a kernel imports nothing", path)
		}
		if info.minPages > uint64(g.memPages) {
			return fmt.Errorf("%s: needs %d pages of memory, the image gives %d", path, info.minPages, g.memPages)
		}
		g.cmds = append(g.cmds,
			cmd{kind: kindScript, ref: g.str(name)},
			cmd{kind: kindModule, ref: g.module(b)},
			cmd{kind: kindMeasure, ref: g.str("run"), nargs: 1, words: len(g.words)})
		g.words = append(g.words, uint32(n))
		g.scripts = append(g.scripts, scriptStats{name: name, kept: 2})
	}
	return nil
}
