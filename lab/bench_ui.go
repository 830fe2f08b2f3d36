package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"wasmbed-lab/emu"
	"wasmbed-lab/lab/gateway"
)

// UIBench is the fleet view's cost over a chatty fleet, and how soon a
// saved module runs on a fleet.
type UIBench struct {
	Boards      int
	Window      time.Duration
	LinesPerSec float64 // console lines the fleet printed, all boards
	// The lab's process (gateway, links, consoles) over the window, in
	// percent of one core: with the UI drawing every board, and without.
	CPUWithUI, CPUWithoutUI float64

	RedeployBoards int
	Redeploys      []time.Duration // a module saved → the new one running on every board
}

const (
	uiBoards        = 16
	uiWindow        = 30 * time.Second
	uiCPUTarget     = 25.0 // percent of one core
	redeployBoards  = 8
	redeployRepeats = 10
	redeployTarget  = 500 * time.Millisecond
)

// benchUI boots a fleet running chatter (50 lines a second each) and
// measures the lab's CPU with and without the UI, then times hot
// redeploys to part of the fleet.
func benchUI(ctx context.Context, opts BenchOptions) (UIBench, error) {
	res := UIBench{Boards: uiBoards, Window: uiWindow, RedeployBoards: redeployBoards}
	if opts.RunUI == nil {
		return res, errors.New("bench: the ui part needs BenchOptions.RunUI")
	}
	l, names, done, err := openBenchFleet(ctx, opts, "mps2-an385", "ui", res.Boards)
	if err != nil {
		return res, err
	}
	defer done()
	samples := filepath.Join(opts.Root, "apps", "build", "samples")
	if err := deployAll(ctx, l, filepath.Join(samples, "chatter.wasm"), names); err != nil {
		return res, err
	}

	opts.progress("bench: ui: the lab without the UI for %v", res.Window)
	if res.CPUWithoutUI, _, err = labCPU(ctx, l, names, res.Window, nil); err != nil {
		return res, err
	}
	opts.progress("bench: ui: the lab with the UI for %v", res.Window)
	if res.CPUWithUI, res.LinesPerSec, err = labCPU(ctx, l, names, res.Window, opts.RunUI); err != nil {
		return res, err
	}
	res.Redeploys, err = benchRedeploys(ctx, opts, l, names[:res.RedeployBoards], samples)
	return res, err
}

func waitConnected(ctx context.Context, l *Lab, names []string) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	for _, n := range names {
		if _, err := l.WaitFor(ctx, n, func(d gateway.Device) bool { return d.State == gateway.Connected && d.Heartbeats > 0 }); err != nil {
			return err
		}
	}
	return nil
}

func deployAll(ctx context.Context, l *Lab, path string, names []string) error {
	outcomes, err := l.DeployFile(ctx, path, names)
	if err != nil {
		return err
	}
	for _, o := range outcomes {
		if o.Err != nil {
			return fmt.Errorf("bench: deploy %s to %s: %w", filepath.Base(path), o.Device, o.Err)
		}
	}
	return nil
}

// labCPU is this process's CPU over window, in percent of one core, and
// the console lines the boards printed per second; ui, when set, runs the
// UI over the lab meanwhile.
func labCPU(ctx context.Context, l *Lab, names []string, window time.Duration, ui func(context.Context, *Lab) error) (cpu, lines float64, err error) {
	lineCount := func() int {
		n := 0
		for _, name := range names {
			if b, ok := l.Board(name); ok {
				n += b.Console().Next()
			}
		}
		return n
	}
	wctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()
	uiDone := make(chan error, 1)
	if ui != nil {
		go func() { uiDone <- ui(wctx, l) }()
	}
	beforeCPU, err := emu.ProcessCPUTime(os.Getpid())
	if err != nil {
		return 0, 0, err
	}
	beforeLines, start := lineCount(), time.Now()
	<-wctx.Done()
	afterCPU, err := emu.ProcessCPUTime(os.Getpid())
	if err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	if ui != nil {
		if err := <-uiDone; err != nil && ctx.Err() == nil {
			return 0, 0, fmt.Errorf("bench: the UI: %w", err)
		}
	}
	return 100 * float64(afterCPU-beforeCPU) / float64(took), float64(lineCount()-beforeLines) / took.Seconds(), ctx.Err()
}

// benchRedeploys deploys a module to names from a watched folder, then
// saves other content over it, as an editor does, and times each save
// until every device runs the new module.
func benchRedeploys(ctx context.Context, opts BenchOptions, l *Lab, names []string, samples string) ([]time.Duration, error) {
	dir, err := os.MkdirTemp("", "wasmbed-bench-apps-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var versions [][]byte
	for _, sample := range []string{"counter.wasm", "blink.wasm"} { // both run until stopped
		b, err := os.ReadFile(filepath.Join(samples, sample))
		if err != nil {
			return nil, err
		}
		versions = append(versions, b)
	}
	path := filepath.Join(dir, "bench-app.wasm")
	if err := save(path, versions[0]); err != nil {
		return nil, err
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	w, err := l.WatchApps(wctx, dir)
	if err != nil {
		return nil, err
	}
	go func() { // nobody reads the toasts here
		for range w.Redeploys() {
		}
	}()
	if err := deployAll(ctx, l, path, names); err != nil {
		return nil, err
	}
	if err := waitRunning(ctx, l, names, versions[0]); err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := 1; i <= redeployRepeats; i++ {
		opts.progress("bench: hot redeploy to %d boards, %d/%d", len(names), i, redeployRepeats)
		v := versions[i%2]
		start := time.Now()
		if err := save(path, v); err != nil {
			return out, err
		}
		if err := waitRunning(ctx, l, names, v); err != nil {
			return out, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// save writes a file as editors do: a new file renamed over the old.
func save(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// waitRunning waits until every device runs module.
func waitRunning(ctx context.Context, l *Lab, names []string, module []byte) error {
	sum := sha256.Sum256(module)
	sha := hex.EncodeToString(sum[:])
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		running := 0
		for _, d := range l.Devices() {
			if slices.Contains(names, d.Name) && d.App.WantSHA == sha && d.App.Running() {
				running++
			}
		}
		if running == len(names) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("bench: %d of %d devices run the saved module: %w", running, len(names), ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func writeUITable(w io.Writer, u UIBench) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "TUI\tboards\tfigure\ttarget\t\t\n")
	fmt.Fprintf(tw, "console lines in, all boards\t%d\t%.0f/s\t-\t\t\n", u.Boards, u.LinesPerSec)
	fmt.Fprintf(tw, "lab process CPU with the UI, %v\t%d\t%.1f %%\t≤%.0f %%\t%s\t\n", u.Window, u.Boards, u.CPUWithUI, uiCPUTarget, verdict(u.CPUWithUI <= uiCPUTarget))
	fmt.Fprintf(tw, "lab process CPU without the UI\t%d\t%.1f %%\t-\t\t\n", u.Boards, u.CPUWithoutUI)
	fmt.Fprintf(tw, "the UI's own share (the difference)\t%d\t%.1f %%\t-\t\t\n", u.Boards, u.CPUWithUI-u.CPUWithoutUI)
	if len(u.Redeploys) > 0 {
		p50 := median(u.Redeploys)
		fmt.Fprintf(tw, "file saved → running, p50 of %d\t%d\t%s\t≤%v\t%s\t\n", len(u.Redeploys), u.RedeployBoards, ms(p50), redeployTarget, verdict(p50 <= redeployTarget))
		fmt.Fprintf(tw, "file saved → running, max\t%d\t%s\t-\t\t\n", u.RedeployBoards, ms(slices.Max(u.Redeploys)))
	}
	return flushSection(w, tw)
}
