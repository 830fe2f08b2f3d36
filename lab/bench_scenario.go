package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"wasmbed-lab/lab/labfile"
)

// ScenarioBench is a headless run of a fleet: boot, enroll, deploy hello
// and see its line on every console.
type ScenarioBench struct {
	Boards  int
	Elapsed time.Duration
}

// scenarioTarget: 16 boards through the whole scenario.
const (
	scenarioBoards = 16
	scenarioTarget = 20 * time.Second
)

// benchScenario writes and runs the fleet scenario on mps2-an385 boards.
func benchScenario(ctx context.Context, opts BenchOptions) (ScenarioBench, error) {
	res := ScenarioBench{Boards: scenarioBoards}
	var text strings.Builder
	text.WriteString("name: fleet\ntimeout: 2m\nlab:\n")
	for i := 0; i < res.Boards; i++ {
		fmt.Fprintf(&text, "  - {kind: Device, metadata: {name: dev-%02d}, spec: {board: mps2-an385}}\n", i)
	}
	hello := filepath.Join(opts.Root, "apps", "build", "samples", "hello.wasm")
	fmt.Fprintf(&text, "  - {kind: Application, metadata: {name: hello}, spec: {wasm: %q, targets: {all: true}}}\nsteps:\n", hello)
	for i := 0; i < res.Boards; i++ {
		fmt.Fprintf(&text, "  - expectSerial: {device: dev-%02d, text: \"hello from dev-%02d\"}\n", i, i)
	}
	s, err := labfile.ParseScenario(filepath.Join(opts.Root, "fleet.yaml"), []byte(text.String()))
	if err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "wasmbed-bench-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	opts.progress("bench: a scenario of %d boards: enroll, deploy hello, expect its line", res.Boards)
	if opts.RunScenario == nil {
		return res, errors.New("bench: the scenario part needs BenchOptions.RunScenario")
	}
	res.Elapsed, err = opts.RunScenario(ctx, s, dir)
	return res, err
}

func writeScenarioTable(w io.Writer, s ScenarioBench) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "headless scenario\tboards\twhole run\ttarget ≤%v\t\n", scenarioTarget)
	fmt.Fprintf(tw, "boot, enroll, deploy hello, expect its line\t%d\t%s\t%s\t\n", s.Boards, ms(s.Elapsed), verdict(s.Elapsed <= scenarioTarget))
	return flushSection(w, tw)
}
