package lab

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"text/tabwriter"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
	"wasmbed-lab/lab/labfile"
)

// BenchOptions sets what Bench measures.
type BenchOptions struct {
	Root       string
	Boots      int           // boots per board for boot-to-banner
	IdleWindow time.Duration // CPU sampling window per idle board
	Fleets     []int         // fleet sizes booted all at once
	FleetLimit time.Duration // the target: every banner within this time
	Progress   io.Writer     // progress lines, or nil
	// The heartbeat fleet: this many QEMU and native boards heartbeating
	// every second through one gateway for Window (none when both are 0).
	HeartbeatQEMU, HeartbeatNative int
	HeartbeatWindow                time.Duration
	// Only, when not empty, names the parts to run (BenchParts).
	Only []string
	// RunScenario runs a headless scenario in a fresh state directory
	// (lab/scenario's Run; that package builds on this one) and says how
	// long it took; the scenario part needs it.
	RunScenario func(ctx context.Context, s *labfile.Scenario, stateDir string) (time.Duration, error)
	// RunUI runs the terminal UI over l until ctx ends, drawing to no
	// terminal (package ui builds on this one); the ui part needs it.
	RunUI func(ctx context.Context, l *Lab) error
}

// BenchParts are the parts of Bench, in the order they run.
var BenchParts = []string{"boards", "fleets", "tls", "connect", "heartbeat", "wasm", "deploy", "scenario", "ui"}

func (o BenchOptions) runs(part string) bool {
	return len(o.Only) == 0 || slices.Contains(o.Only, part)
}

// BenchResult holds the figures for one board.
type BenchResult struct {
	Board      string
	BootMedian time.Duration
	BootMax    time.Duration
	IdleCPU    float64       // percent of one core
	LinkRTT    time.Duration // a PING after the idle window: the board was asleep
}

// FleetResult is one fleet boot.
type FleetResult struct {
	Size      int
	Banners   int
	AllWithin time.Duration // time until the last banner
}

// BenchReport is everything Bench measured.
type BenchReport struct {
	Boards []BenchResult
	Fleets []FleetResult
	TLS    []TLSCost
	// Connect is boot-to-Connected per board; Heartbeat the fleet run.
	Connect   []ConnectResult
	Heartbeat *HeartbeatFleetResult
	// Wasm is the interpreter against native code, and its flash.
	Wasm *WasmBench
	// Deploy is deploy latency to one board and a fleet, per kind of board.
	Deploy []DeployBench
	// Scenario is a fleet's headless run.
	Scenario *ScenarioBench
	// UI is the TUI's cost and hot redeploys.
	UI *UIBench
}

// Bench measures boot-to-banner time and idle host CPU for every board, how
// long fleets of growing size take to boot together, what the firmware's
// TLS handshake costs on each QEMU board that runs it, boot-to-Connected
// through the gateway, a large fleet heartbeating, the WebAssembly
// interpreter against native code on the benchmark kernels, and deploys.
func Bench(ctx context.Context, opts BenchOptions) (BenchReport, error) {
	var r BenchReport
	var err error
	if opts.runs("boards") {
		if r.Boards, err = benchBoards(ctx, opts); err != nil {
			return r, err
		}
	}
	for _, n := range opts.Fleets {
		if !opts.runs("fleets") {
			break
		}
		f, err := benchFleet(ctx, opts, n)
		if err != nil {
			return r, err
		}
		r.Fleets = append(r.Fleets, f)
	}
	for _, bd := range boards.All() {
		if !bd.Has("tls") || bd.IsNative() || !opts.runs("tls") {
			continue
		}
		opts.progress("bench: %s TLS handshake under -icount", bd.Name)
		c, err := benchTLS(ctx, opts.Root, bd)
		if err != nil {
			return r, err
		}
		r.TLS = append(r.TLS, c)
	}
	if opts.runs("connect") {
		if r.Connect, err = benchConnect(ctx, opts); err != nil {
			return r, err
		}
	}
	if opts.runs("heartbeat") && opts.HeartbeatQEMU+opts.HeartbeatNative > 0 {
		h, err := benchHeartbeatFleet(ctx, opts, opts.HeartbeatQEMU, opts.HeartbeatNative, opts.HeartbeatWindow)
		if err != nil {
			return r, err
		}
		r.Heartbeat = &h
	}
	if opts.runs("wasm") {
		w, err := benchWasm(ctx, opts)
		if err != nil {
			return r, err
		}
		r.Wasm = &w
	}
	if opts.runs("deploy") {
		if r.Deploy, err = benchDeploys(ctx, opts); err != nil {
			return r, err
		}
	}
	if opts.runs("scenario") {
		sc, err := benchScenario(ctx, opts)
		if err != nil {
			return r, err
		}
		r.Scenario = &sc
	}
	if opts.runs("ui") {
		u, err := benchUI(ctx, opts)
		if err != nil {
			return r, err
		}
		r.UI = &u
	}
	return r, nil
}

func benchBoards(ctx context.Context, opts BenchOptions) ([]BenchResult, error) {
	var results []BenchResult
	for _, bd := range boards.All() {
		r, err := benchBoard(ctx, opts, bd)
		if err != nil {
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

func (o BenchOptions) progress(format string, args ...any) {
	if o.Progress != nil {
		fmt.Fprintf(o.Progress, format+"\n", args...)
	}
}

func benchBoard(ctx context.Context, opts BenchOptions, bd boards.Board) (BenchResult, error) {
	image, err := EnsureFirmware(ctx, opts.Root, bd)
	if err != nil {
		return BenchResult{}, err
	}
	r := BenchResult{Board: bd.Name}
	var boots []time.Duration
	for i := 0; i < opts.Boots; i++ {
		opts.progress("bench: %s boot %d/%d", bd.Name, i+1, opts.Boots)
		d, err := timeToBanner(ctx, bd, image)
		if err != nil {
			return r, err
		}
		boots = append(boots, d)
	}
	sort.Slice(boots, func(i, j int) bool { return boots[i] < boots[j] })
	r.BootMedian, r.BootMax = boots[len(boots)/2], boots[len(boots)-1]

	opts.progress("bench: %s idle CPU over %v", bd.Name, opts.IdleWindow)
	r.IdleCPU, r.LinkRTT, err = idleCPU(ctx, bd, image, opts.IdleWindow)
	return r, err
}

func timeToBanner(ctx context.Context, bd boards.Board, image string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	start := time.Now()
	b, err := StartBoard(ctx, BoardOptions{Board: bd, Firmware: image})
	if err != nil {
		return 0, err
	}
	defer b.Stop(context.WithoutCancel(ctx))
	_, line, err := b.WaitBanner(ctx, 0)
	if err != nil {
		return 0, err
	}
	return line.Time.Sub(start), nil
}

// idleCPU boots a board, lets it settle with its link up, samples the host
// CPU its process uses over window, then pings it awake.
func idleCPU(ctx context.Context, bd boards.Board, image string, window time.Duration) (float64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, window+20*time.Second)
	defer cancel()
	b, err := StartBoard(ctx, BoardOptions{Board: bd, Firmware: image})
	if err != nil {
		return 0, 0, err
	}
	defer b.Stop(context.WithoutCancel(ctx))
	if err := b.WaitLinkUp(ctx); err != nil {
		return 0, 0, err
	}
	time.Sleep(time.Second) // let boot work finish before sampling
	before, err := emu.ProcessCPUTime(b.PID())
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
	after, err := emu.ProcessCPUTime(b.PID())
	if err != nil {
		return 0, 0, err
	}
	cpu := 100 * float64(after-before) / float64(time.Since(start))
	rtt, err := b.Ping(ctx)
	return cpu, rtt, err
}

// benchFleet boots n QEMU boards at once, cycling through the board types,
// and measures the time until the last banner.
func benchFleet(ctx context.Context, opts BenchOptions, n int) (FleetResult, error) {
	opts.progress("bench: fleet of %d boards", n)
	var qemuBoards []boards.Board
	images := map[string]string{}
	for _, bd := range boards.All() {
		if bd.IsNative() {
			continue
		}
		image, err := EnsureFirmware(ctx, opts.Root, bd)
		if err != nil {
			return FleetResult{}, err
		}
		qemuBoards = append(qemuBoards, bd)
		images[bd.Name] = image
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	res := FleetResult{Size: n}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var running []*Board
	start := time.Now()
	var firstErr error
	for i := 0; i < n; i++ {
		bd := qemuBoards[i%len(qemuBoards)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := StartBoard(ctx, BoardOptions{Board: bd, Firmware: images[bd.Name]})
			if err == nil {
				mu.Lock()
				running = append(running, b)
				mu.Unlock()
				var line Line
				if _, line, err = b.WaitBanner(ctx, 0); err == nil {
					mu.Lock()
					res.Banners++
					if d := line.Time.Sub(start); d > res.AllWithin {
						res.AllWithin = d
					}
					mu.Unlock()
				}
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var stops sync.WaitGroup
	for _, b := range running {
		stops.Add(1)
		go func() {
			defer stops.Done()
			b.Stop(context.WithoutCancel(ctx))
		}()
	}
	stops.Wait()
	if res.Banners < n && firstErr != nil {
		return res, fmt.Errorf("lab: fleet of %d: %d banners: %w", n, res.Banners, firstErr)
	}
	return res, nil
}

// WriteBenchTable prints the figures with the targets they are held to;
// parts that did not run are left out.
func WriteBenchTable(w io.Writer, r BenchReport, fleetLimit time.Duration) error {
	if len(r.Boards) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "board\tboot→banner median\tmax\tidle CPU (% core)\ttarget ≤0.2%\tlink RTT from idle\t")
		for _, r := range r.Boards {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%s\t%s\t\n", r.Board, ms(r.BootMedian), ms(r.BootMax), r.IdleCPU, verdict(r.IdleCPU <= 0.2), ms(r.LinkRTT))
		}
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if len(r.Fleets) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "fleet size\tbanners\tlast banner after\ttarget ≤%v\t\n", fleetLimit)
		largest := 0
		for _, f := range r.Fleets {
			ok := f.Banners == f.Size && f.AllWithin <= fleetLimit
			if ok && f.Size > largest {
				largest = f.Size
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t\n", f.Size, f.Banners, ms(f.AllWithin), verdict(ok))
		}
		fmt.Fprintf(tw, "\nlargest fleet booted with every banner within %v: %d boards\n", fleetLimit, largest)
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if len(r.TLS) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "TLS handshake\tinstructions\ttarget ≤15M\tflash\ttarget ≤24KiB\tstatic RAM\tstack peak\tRAM total\ttarget ≤8KiB\t")
		for _, c := range r.TLS {
			total := c.StaticRAM + c.StackPeak
			fmt.Fprintf(tw, "%s\t%.2fM\t%s\t%d B\t%s\t%d B\t%d B\t%d B\t%s\t\n", c.Board, float64(c.Instructions)/1e6,
				verdict(c.Instructions <= 15_000_000), c.Flash, verdict(c.Flash <= 24<<10), c.StaticRAM, c.StackPeak, total, verdict(total <= 8<<10))
		}
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if len(r.Connect) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "board\tboot→Connected median\tmax\ttarget ≤250 ms (mps2-an385)\t")
		for _, c := range r.Connect {
			target := "-"
			if c.Board == "mps2-an385" {
				target = verdict(c.Median <= 250*time.Millisecond)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", c.Board, ms(c.Median), ms(c.Max), target)
		}
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if h := r.Heartbeat; h != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "heartbeat fleet\tconnected\tall connected after\theartbeats\tmissed\ttarget 0\tlab CPU (% core)\ttarget <10%\t")
		fmt.Fprintf(tw, "%d QEMU + %d native, every %v for %v\t%d\t%s\t%d\t%d\t%s\t%.1f\t%s\t\n", h.QEMU, h.Native, h.Interval, h.Window,
			h.Connected, ms(h.Ramp), h.Heartbeats, h.Missed, verdict(h.Missed == 0 && h.Connected == h.QEMU+h.Native), h.LabCPU, verdict(h.LabCPU < 10))
		if err := flushSection(w, tw); err != nil {
			return err
		}
	}
	if r.Wasm != nil {
		if err := writeWasmTables(w, *r.Wasm); err != nil {
			return err
		}
	}
	if len(r.Deploy) > 0 {
		if err := writeDeployTable(w, r.Deploy); err != nil {
			return err
		}
	}
	if r.Scenario != nil {
		if err := writeScenarioTable(w, *r.Scenario); err != nil {
			return err
		}
	}
	if r.UI != nil {
		return writeUITable(w, *r.UI)
	}
	return nil
}

// flushSection ends one table of the report and the blank line after it.
func flushSection(w io.Writer, tw *tabwriter.Writer) error {
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
