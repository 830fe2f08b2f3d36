package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
	"wasmbed-lab/lab/gateway"
)

// ConnectResult is boot-to-Connected for one board: from starting the
// emulator to the gateway's first heartbeat from the enrolled device.
type ConnectResult struct {
	Board  string
	Median time.Duration
	Max    time.Duration
}

// HeartbeatFleetResult is a fleet heartbeating through one gateway.
type HeartbeatFleetResult struct {
	QEMU, Native int
	Interval     time.Duration
	Window       time.Duration
	Connected    int           // devices Connected when the window began
	Missed       uint64        // heartbeat intervals missed during the window, all devices
	Heartbeats   uint64        // heartbeats received during the window
	LabCPU       float64       // the lab process (gateway, links, TLS), percent of one core
	Ramp         time.Duration // from the first boot until every device was Connected
}

// openBenchLab opens a lab on a fresh state directory; done closes it and
// removes the directory.
func openBenchLab(ctx context.Context, opts BenchOptions, cfg gateway.Config) (l *Lab, done func(), err error) {
	dir, err := os.MkdirTemp("", "wasmbed-bench-")
	if err != nil {
		return nil, nil, err
	}
	if l, err = Open(Options{StateDir: dir, Root: opts.Root, Gateway: cfg}); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return l, func() {
		l.Close(context.WithoutCancel(ctx))
		os.RemoveAll(dir)
	}, nil
}

// openBenchFleet opens a bench lab and boots n boards of one kind, named
// prefix-00 and on, connected and heartbeating.
func openBenchFleet(ctx context.Context, opts BenchOptions, board, prefix string, n int) (l *Lab, names []string, done func(), err error) {
	bd, err := boards.Lookup(board)
	if err != nil {
		return nil, nil, nil, err
	}
	image, err := EnsureFirmware(ctx, opts.Root, bd)
	if err != nil {
		return nil, nil, nil, err
	}
	if l, done, err = openBenchLab(ctx, opts, gateway.Config{}); err != nil {
		return nil, nil, nil, err
	}
	names = make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s-%02d", prefix, i)
		opts.progress("bench: %s fleet: booting %s (%s)", prefix, names[i], board)
		if _, err := l.AddBoard(ctx, names[i], BoardOptions{Board: bd, Firmware: image}); err != nil {
			done()
			return nil, nil, nil, err
		}
	}
	if err := waitConnected(ctx, l, names); err != nil {
		done()
		return nil, nil, nil, err
	}
	return l, names, done, nil
}

// benchConnect boots each board boots times into one lab and times it to
// Connected.
func benchConnect(ctx context.Context, opts BenchOptions) ([]ConnectResult, error) {
	l, done, err := openBenchLab(ctx, opts, gateway.Config{})
	if err != nil {
		return nil, err
	}
	defer done()
	var results []ConnectResult
	for _, bd := range boards.All() {
		if !bd.Has("tls") {
			continue
		}
		var times []time.Duration
		for i := 0; i < opts.Boots; i++ {
			opts.progress("bench: %s boot-to-Connected %d/%d", bd.Name, i+1, opts.Boots)
			d, err := timeToConnected(ctx, l, bd, fmt.Sprintf("bench-%s-%d", bd.Name, i))
			if err != nil {
				return results, err
			}
			times = append(times, d)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		results = append(results, ConnectResult{Board: bd.Name, Median: times[len(times)/2], Max: times[len(times)-1]})
	}
	return results, nil
}

func timeToConnected(ctx context.Context, l *Lab, bd boards.Board, name string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	image, err := EnsureFirmware(ctx, l.opts.Root, bd)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	b, err := l.AddBoard(ctx, name, BoardOptions{Board: bd, Firmware: image})
	if err != nil {
		return 0, err
	}
	defer l.PowerOff(context.WithoutCancel(ctx), name)
	if _, err := l.Gateway().WaitFor(ctx, name, func(d gateway.Device) bool { return d.State == gateway.Connected }); err != nil {
		return 0, b.Explain("connected", err)
	}
	return time.Since(start), nil
}

// benchHeartbeatFleet boots qemu QEMU boards (cycling through the types
// that run TLS) and native native boards into one lab, waits until all are
// Connected, then counts missed heartbeats and the lab's CPU over window.
func benchHeartbeatFleet(ctx context.Context, opts BenchOptions, qemu, native int, window time.Duration) (HeartbeatFleetResult, error) {
	res := HeartbeatFleetResult{QEMU: qemu, Native: native, Interval: time.Second, Window: window}
	l, done, err := openBenchLab(ctx, opts, gateway.Config{Heartbeat: res.Interval})
	if err != nil {
		return res, err
	}
	defer done()

	var specs []boards.Board
	var nativeBoard boards.Board
	for _, bd := range boards.All() {
		switch {
		case bd.IsNative():
			nativeBoard = bd
		case bd.Has("tls"):
			specs = append(specs, bd)
		}
	}
	var fleet []boards.Board
	for i := 0; i < qemu; i++ {
		fleet = append(fleet, specs[i%len(specs)])
	}
	for i := 0; i < native; i++ {
		fleet = append(fleet, nativeBoard)
	}
	images := map[string]string{}
	for _, bd := range fleet {
		if images[bd.Name] == "" {
			if images[bd.Name], err = EnsureFirmware(ctx, opts.Root, bd); err != nil {
				return res, err
			}
		}
	}

	opts.progress("bench: booting %d QEMU and %d native boards", qemu, native)
	start := time.Now()
	rampCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, len(fleet))
	names := make([]string, len(fleet))
	// Starts in flight: a start is mostly CPU (fork, exec, QEMU's init),
	// so more than the cores only makes every handshake slower.
	sem := make(chan struct{}, runtime.NumCPU())
	for i, bd := range fleet {
		names[i] = fmt.Sprintf("fleet-%03d-%s", i, bd.Name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			_, errs[i] = l.AddBoard(rampCtx, names[i], BoardOptions{Board: bd, Firmware: images[bd.Name]})
			<-sem
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("lab: heartbeat fleet: %w", err)
	}
	opts.progress("bench: %d boards started after %v", len(fleet), time.Since(start).Round(time.Millisecond))
	if err := waitAllConnected(rampCtx, l, names); err != nil {
		return res, err
	}
	res.Ramp = time.Since(start)

	gw := l.Gateway()
	before := gw.Devices()
	for _, d := range before {
		if d.State == gateway.Connected {
			res.Connected++
		}
	}
	opts.progress("bench: %d devices Connected after %v; heartbeating for %v", res.Connected, res.Ramp.Round(time.Millisecond), window)
	cpu0, err := emu.ProcessCPUTime(os.Getpid())
	if err != nil {
		return res, err
	}
	t0 := time.Now()
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return res, ctx.Err()
	}
	cpu1, err := emu.ProcessCPUTime(os.Getpid())
	if err != nil {
		return res, err
	}
	res.LabCPU = 100 * float64(cpu1-cpu0) / float64(time.Since(t0))
	after := map[string]gateway.Device{}
	for _, d := range gw.Devices() {
		after[d.ID] = d
	}
	for _, d := range before {
		a := after[d.ID]
		res.Missed += a.Missed - d.Missed
		res.Heartbeats += a.Heartbeats - d.Heartbeats
	}
	return res, nil
}

// waitAllConnected polls the registry until every named device is
// Connected: one look per tick, rather than a waiter per device.
func waitAllConnected(ctx context.Context, l *Lab, names []string) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		up := map[string]bool{}
		for _, d := range l.Gateway().Devices() {
			up[d.Name] = d.State == gateway.Connected
		}
		var waiting []string
		for _, n := range names {
			if !up[n] {
				waiting = append(waiting, n)
			}
		}
		if len(waiting) == 0 {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			b, _ := l.Board(waiting[0])
			err := fmt.Errorf("%d devices not Connected: %w", len(waiting), ctx.Err())
			if b != nil {
				err = b.Explain(waiting[0]+" connected", err)
			}
			return fmt.Errorf("lab: heartbeat fleet: %w", err)
		}
	}
}
