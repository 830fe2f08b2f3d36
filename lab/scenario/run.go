package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/labfile"
)

// Exit codes of a headless run.
const (
	ExitPass           = 0
	ExitFail           = 1   // a step failed
	ExitBadInput       = 2   // a lab or scenario file is wrong
	ExitInfrastructure = 3   // QEMU, the toolchain or a port
	ExitTimeout        = 124 // the scenario's own timeout
)

// Result is how a scenario went.
type Result struct {
	Name    string
	Start   time.Time
	Steps   []StepResult
	Err     error // the first failure, with where and what
	Code    int
	Elapsed time.Duration
}

// StepResult is one step's outcome; a step that did not run has no Start.
type StepResult struct {
	Index   int // from 1
	Step    labfile.Step
	Start   time.Time
	Elapsed time.Duration
	Err     error
}

// Options says how RunScenario runs.
type Options struct {
	Root     string                           // the project root; lab.FindRoot when empty
	StateDir string                           // a fresh directory of the caller's
	Progress func(format string, args ...any) // one line per step, or nil
	// Artifacts, when set, is where each board's console transcript and
	// the lab's event log are written at the end.
	Artifacts string
}

// infraError marks a failure of the machine, not of the firmware.
type infraError struct{ error }

func (e infraError) Unwrap() error { return e.error }

// RunScenario boots the scenario's lab, deploys its Applications and runs
// its steps in order; the first failure ends it.
func Run(ctx context.Context, s *labfile.Scenario, opts Options) Result {
	start := time.Now()
	res := Result{Name: s.Name, Start: start}
	ctx, cancel := context.WithTimeoutCause(ctx, s.Timeout, fmt.Errorf("scenario %s: its timeout of %v passed", s.Name, s.Timeout))
	defer cancel()
	r := &runner{s: s, opts: opts, cursors: map[string]int{}, published: map[string]int{}, sessionsAt: map[string]uint64{}}
	if r.opts.Progress == nil {
		r.opts.Progress = func(string, ...any) {}
	}
	err := r.setup(ctx)
	if err == nil {
		err = r.steps(ctx, &res)
	}
	for i := len(res.Steps); i < len(s.Steps); i++ { // not run: reported as skipped
		res.Steps = append(res.Steps, StepResult{Index: i + 1, Step: s.Steps[i]})
	}
	if r.lab != nil {
		if opts.Artifacts != "" {
			if aerr := r.writeArtifacts(opts.Artifacts); aerr != nil && err == nil {
				err = infraError{aerr}
			}
		}
		r.lab.Close(context.WithoutCancel(ctx))
	}
	res.Elapsed = time.Since(start)
	res.Err = err
	var infra infraError
	switch {
	case err == nil:
		res.Code = ExitPass
	case errors.As(err, &infra):
		res.Code = ExitInfrastructure
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.Code = ExitTimeout
	default:
		res.Code = ExitFail
	}
	return res
}

type runner struct {
	s    *labfile.Scenario
	opts Options
	lab  *lab.Lab
	// Where each device's console and published data were last matched:
	// an expectation looks at what came after.
	cursors   map[string]int
	mu        sync.Mutex
	events    []gateway.Event // the lab's, since the start
	published map[string]int  // device -> index into events
	// sessionsAt is a device's session count at its latest fault: a wait
	// for a state reached through a session needs a newer one, so it does
	// not pass on what the gateway knew before the fault.
	sessionsAt map[string]uint64
	failed     chan error // a failOn match
	token      string
	apiAddr    string
}

// setup opens the lab, boots its devices and deploys its Applications.
func (r *runner) setup(ctx context.Context) error {
	g := r.s.Lab.Gateway
	pairing, err := gateway.ParsePairing(orDefault(g.Pairing, "auto"))
	if err != nil {
		return err
	}
	if r.lab, err = lab.Open(lab.Options{StateDir: r.opts.StateDir, Root: r.opts.Root, Gateway: gateway.Config{
		Pairing: pairing, Heartbeat: g.Heartbeat, MissedLimit: g.MissedLimit,
	}}); err != nil {
		return infraError{err}
	}
	events, _ := r.lab.Subscribe() // ends when the lab closes
	go func() {
		for e := range events {
			r.mu.Lock()
			r.events = append(r.events, e)
			r.mu.Unlock()
		}
	}()
	srv, _, err := r.lab.StartAPI(orDefault(g.API, "127.0.0.1:0"), false)
	if err != nil {
		return infraError{err}
	}
	r.apiAddr, r.token = srv.Addr(), srv.Token()
	r.failed = make(chan error, 1)
	for _, d := range r.s.Lab.Devices {
		r.opts.Progress("boot %s (%s)", d.Name, d.Board)
		if err := r.boot(ctx, d); err != nil {
			return err
		}
	}
	for _, a := range r.s.Lab.Apps {
		for _, d := range a.Devices(r.s.Lab) {
			r.opts.Progress("deploy %s to %s (the lab's Application)", a.Name, d.Name)
			if err := r.deploy(ctx, a.Wasm, filepath.Base(a.Wasm), a.Restart, d.Name, labfile.DefaultStepTimeout); err != nil {
				return fmt.Errorf("the lab's Application %s: %w", a.Name, err)
			}
		}
	}
	return nil
}

// boot starts a device's board and watches it.
func (r *runner) boot(ctx context.Context, d labfile.Device) error {
	bd, err := boards.Lookup(d.Board) // checked when the lab was read
	if err != nil {
		return err
	}
	b, err := r.lab.AddBoard(ctx, d.Name, lab.BoardOptions{Board: bd})
	if err != nil {
		return infraError{err}
	}
	r.booted(ctx, d.Name, b)
	return nil
}

// booted watches a board that just started (again, after a power off)
// for failOn patterns, on its new console.
func (r *runner) booted(ctx context.Context, name string, b *lab.Board) {
	r.cursors[name] = 0
	go r.watch(ctx, name, b)
}

// writeArtifacts writes each board's console and the lab's events.
func (r *runner) writeArtifacts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range r.s.Lab.Devices {
		board, on := r.lab.Board(d.Name)
		if !on {
			continue // powered off: its console went with it
		}
		var b strings.Builder
		for _, l := range board.Console().Lines(0) {
			b.WriteString(l.Stamped("15:04:05.000") + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, d.Name+".console.log"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	var b strings.Builder
	r.mu.Lock()
	for _, e := range r.events {
		b.WriteString(lab.FormatEvent(e) + "\n")
	}
	r.mu.Unlock()
	return os.WriteFile(filepath.Join(dir, "gateway.log"), []byte(b.String()), 0o644)
}

// watch fails the run when a console line matches a failOn pattern.
func (r *runner) watch(ctx context.Context, device string, b *lab.Board) {
	if len(r.s.FailOn) == 0 {
		return
	}
	line, err := b.Console().WaitFor(ctx, 0, func(text string) bool {
		for _, re := range r.s.FailOn {
			if re.MatchString(text) {
				return true
			}
		}
		return false
	})
	if err == nil {
		select {
		case r.failed <- fmt.Errorf("%s's console matched a failOn pattern: %q", device, line.Text):
		default:
		}
	}
}

func (r *runner) steps(ctx context.Context, res *Result) error {
	for i, st := range r.s.Steps {
		sr := StepResult{Index: i + 1, Step: st, Start: time.Now()}
		r.opts.Progress("step %d (line %d): %s", sr.Index, st.Line, st)
		sctx, cancel := context.WithTimeout(ctx, st.Timeout)
		err := r.step(sctx, st)
		cancel()
		if err == nil {
			select {
			case err = <-r.failed:
			default:
			}
		}
		sr.Elapsed = time.Since(sr.Start)
		if err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("%w (%v)", err, context.Cause(ctx))
			}
			sr.Err = fmt.Errorf("scenario %s, step %d (line %d) %s: %w", r.s.Name, sr.Index, st.Line, st, err)
		}
		res.Steps = append(res.Steps, sr)
		if sr.Err != nil {
			return sr.Err
		}
	}
	return nil
}

// step runs one step within ctx (the step's timeout).
func (r *runner) step(ctx context.Context, st labfile.Step) error {
	gw := r.lab.Gateway()
	switch {
	case st.WaitFor != nil:
		w := st.WaitFor
		fresh := func(d gateway.Device) bool { return d.Sessions > r.sessionsAt[w.Device] }
		_, err := r.waitDevice(ctx, w.Device, "state "+w.State, func(d gateway.Device) bool {
			switch {
			case d.State.String() == w.State:
				return fresh(d) || d.State != gateway.Enrolled && d.State != gateway.Connected
			case d.State == gateway.Connected && d.App.State == w.State:
				return fresh(d)
			}
			return false
		})
		return err
	case st.Deploy != nil:
		path, name, restart := st.Deploy.App, filepath.Base(st.Deploy.App), st.Deploy.Restart
		targets := st.Deploy.To
		for _, a := range r.s.Lab.Apps {
			if a.Name == st.Deploy.App {
				path, name = a.Wasm, filepath.Base(a.Wasm)
				restart = orDefault(restart, a.Restart)
				if len(targets) == 0 {
					for _, d := range a.Devices(r.s.Lab) {
						targets = append(targets, d.Name)
					}
				}
			}
		}
		for _, d := range targets {
			err := r.deploy(ctx, path, name, restart, d, 0)
			want := st.Deploy.ExpectError
			switch {
			case want == "" && err != nil:
				return err
			case want != "" && err == nil:
				return fmt.Errorf("%s took %s, but the step expects it refused with %q", d, name, want)
			case want != "" && !strings.Contains(err.Error(), want):
				return fmt.Errorf("%s refused %s with %q, not with %q", d, name, err, want)
			}
		}
		return nil
	case st.Stop != nil:
		for _, d := range st.Stop.To {
			if err := gw.Stop(d); err != nil {
				return err
			}
		}
		return nil
	case st.ExpectSerial != nil:
		e := st.ExpectSerial
		b, err := r.lab.Running(e.Device)
		if err != nil {
			return err
		}
		line, err := b.Console().WaitFor(ctx, r.cursors[e.Device], e.Regexp().MatchString)
		if err != nil {
			return b.Explain(fmt.Sprintf("no console line matching /%s/", e.Regexp()), err)
		}
		r.cursors[e.Device] = line.N + 1
		return nil
	case st.WriteSerial != nil:
		return r.lab.WriteConsole(st.WriteSerial.Device, []byte(st.WriteSerial.Text))
	case st.ExpectPublished != nil:
		return r.expectPublished(ctx, st.ExpectPublished)
	case st.Fault != nil:
		return r.fault(ctx, st.Fault)
	case st.SetSensor != nil:
		b, err := r.lab.Running(st.SetSensor.Device)
		if err != nil {
			return err
		}
		return b.SetSensor(ctx, st.SetSensor.Sensor, st.SetSensor.Value)
	case st.HTTP != nil:
		return r.http(ctx, st.HTTP)
	}
	select {
	case <-time.After(st.Sleep):
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// explain adds the board's last console lines to a failed wait on it.
func (r *runner) explain(name, what string, err error) error {
	if b, ok := r.lab.Board(name); ok {
		return b.Explain(what, err)
	}
	return fmt.Errorf("lab: %s: %s: %w (the board is powered off)", name, what, err)
}

// waitDevice waits until the device satisfies cond.
func (r *runner) waitDevice(ctx context.Context, name, what string, cond func(gateway.Device) bool) (gateway.Device, error) {
	d, err := r.lab.WaitFor(ctx, name, cond)
	if err != nil {
		return d, r.explain(name, what, err)
	}
	return d, nil
}

// deploy deploys the module at path to device once it is enrolled.
func (r *runner) deploy(ctx context.Context, path, name, restart, device string, within time.Duration) error {
	if within > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, within)
		defer cancel()
	}
	module, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if _, err := r.waitDevice(ctx, device, "connected, for a deploy", func(d gateway.Device) bool {
		return d.State == gateway.Connected && d.Heartbeats > 0
	}); err != nil {
		return err
	}
	res, err := r.lab.Gateway().Deploy(ctx, device, name, module, restart)
	if err != nil {
		return err
	}
	r.opts.Progress("  %s: %s (%d bytes) in %v", device, name, res.Bytes, res.Latency.Round(time.Millisecond))
	return nil
}

func (r *runner) expectPublished(ctx context.Context, e *labfile.ExpectPublished) error {
	for {
		r.mu.Lock()
		for i := r.published[e.Device]; i < len(r.events); i++ {
			ev := r.events[i]
			if ev.Kind == gateway.EventAppPublish && ev.Name == e.Device && ev.Topic == e.Topic &&
				(e.Data == "" || string(ev.Data) == e.Data) {
				r.published[e.Device] = i + 1
				r.mu.Unlock()
				return nil
			}
		}
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return r.explain(e.Device, fmt.Sprintf("nothing published on %q matching %q", e.Topic, e.Data), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (r *runner) fault(ctx context.Context, f *labfile.Fault) error {
	if f.GatewayRestart {
		for _, d := range r.s.Lab.Devices {
			r.noteSessions(d.Name)
		}
		return r.lab.RestartGateway()
	}
	if f.Reset || f.Kill || f.Power != "" {
		r.noteSessions(f.Device)
	}
	if f.Power == "on" {
		b, err := r.lab.PowerOn(ctx, f.Device)
		if err != nil {
			return err
		}
		r.booted(ctx, f.Device, b)
		return nil
	}
	switch {
	case f.Reset:
		return r.lab.Reset(ctx, f.Device)
	case f.Kill:
		return r.lab.Kill(f.Device)
	case f.Power == "off":
		return r.lab.PowerOff(ctx, f.Device)
	case f.LinkCut != "":
		return r.lab.CutLink(f.Device, f.CutFor())
	case f.LinkCorrupt != 0:
		return r.lab.CorruptLink(f.Device, f.LinkCorrupt)
	}
	return r.lab.DelayLink(f.Device, f.DelayBy())
}

// noteSessions notes the device's session count before a fault.
func (r *runner) noteSessions(device string) {
	if gw := r.lab.Gateway(); gw != nil {
		if d, err := gw.Device(device); err == nil {
			r.sessionsAt[device] = d.Sessions
		}
	}
}

func (r *runner) http(ctx context.Context, h *labfile.HTTPCheck) error {
	req, err := http.NewRequestWithContext(ctx, h.Method, "http://"+r.apiAddr+h.Path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if h.Status != 0 && resp.StatusCode != h.Status {
		return fmt.Errorf("%s %s answered %s, want %d: %s", h.Method, h.Path, resp.Status, h.Status, strings.TrimSpace(string(body)))
	}
	if h.Contains != "" && !strings.Contains(string(body), h.Contains) {
		return fmt.Errorf("%s %s: the answer does not contain %q: %s", h.Method, h.Path, h.Contains, strings.TrimSpace(string(body)))
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
