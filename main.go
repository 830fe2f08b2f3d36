// Command wasmbed-lab runs a lab of emulated microcontroller boards that
// boot our own firmware. main.go only parses flags and wires packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"wasmbed-lab/apps"
	"wasmbed-lab/boards"
	"wasmbed-lab/lab"
	"wasmbed-lab/lab/api"
	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/labfile"
	"wasmbed-lab/lab/scenario"
	"wasmbed-lab/ui"
)

const usage = `usage: wasmbed-lab COMMAND [flags]
       wasmbed-lab --ci SCENARIO.yaml... [--junit FILE] [--json] [--artifacts DIR]

commands:
  ui [flags]                   (the default) run a lab in the terminal UI: a pane per
                               board, keyboard deploys, hot redeploy on save (? for keys)
  up [flags]                   run a lab headless: boards, gateway and HTTP API; print its events
  boards [--json]              list the boards the lab can run
  boot BOARD [--check]         boot one board with its console on this terminal
                               (--check: wait for the banner, print it, exit)
  bench [flags]                measure boot time, idle CPU, fleet boots, TLS, the
                               gateway and the wasm interpreter (--only PARTS)
  app check APP.wasm [--board B]
                               check an app against the ABI and the boards
  deploy APP.wasm --to DEVICE|--board B|--all [--restart POLICY]
                               deploy an app to a running lab's devices and wait
                               for their answers (POLICY: never, on-failure, always)
  stop --to DEVICE|--board B|--all
                               make a running lab's devices run no app
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		args = []string{"ui"}
	}
	var err error
	switch args[0] {
	case "ui":
		err = cmdUI(ctx, args[1:])
	case "up":
		err = cmdUp(ctx, args[1:])
	case "boards":
		err = cmdBoards(args[1:])
	case "boot":
		err = cmdBoot(ctx, args[1:])
	case "bench":
		err = cmdBench(ctx, args[1:])
	case "app":
		err = cmdApp(ctx, args[1:])
	case "deploy":
		err = cmdDeploy(ctx, args[1:])
	case "stop":
		err = cmdStop(ctx, args[1:])
	case "--ci":
		return cmdCI(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(os.Stderr, "wasmbed-lab: %s\n\n%s", ue.msg, usage)
		return 2
	default:
		fmt.Fprintf(os.Stderr, "wasmbed-lab: %v\n", err)
		return 1
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func cmdBoards(args []string) error {
	fs := flag.NewFlagSet("boards", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the registry as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *asJSON {
		return lab.WriteBoardsJSON(os.Stdout, boards.All())
	}
	return lab.WriteBoardsTable(os.Stdout, boards.All())
}

func cmdApp(ctx context.Context, args []string) error {
	if len(args) < 2 || args[0] != "check" || args[1] == "" || args[1][0] == '-' {
		return usageError{"app needs: check APP.wasm [--board B]"}
	}
	fs := flag.NewFlagSet("app check", flag.ContinueOnError)
	board := fs.String("board", "", "check for this board only (default: every board)")
	if err := fs.Parse(args[2:]); err != nil {
		return usageError{err.Error()}
	}
	module, err := os.ReadFile(args[1])
	if err != nil {
		return fmt.Errorf("app check: %w", err)
	}
	targets := boards.All()
	if *board != "" {
		b, err := boards.Lookup(*board)
		if err != nil {
			return err
		}
		targets = []boards.Board{b}
	}
	return apps.CheckBoards(ctx, os.Stdout, filepath.Base(args[1]), module, targets)
}

// cmdCI runs scenarios headless and returns the exit code: 0 all passed,
// 1 a step failed, 2 a file is wrong, 3 the machine failed, 124 a
// scenario's timeout passed (the worst of the runs).
func cmdCI(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("--ci", flag.ContinueOnError)
	junit := fs.String("junit", "", "write a JUnit XML report to this file")
	asJSON := fs.Bool("json", false, "print `go test -json` events on stdout (steps go to stderr)")
	artifacts := fs.String("artifacts", "", "keep each board's console and the lab's events under this folder")
	var files []string
	for len(args) > 0 { // scenario files and flags in any order
		if err := fs.Parse(args); err != nil {
			fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: %v\n", err)
			return scenario.ExitBadInput
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) == 0 {
		fmt.Fprint(os.Stderr, "wasmbed-lab --ci: name at least one scenario file\n\n"+usage)
		return scenario.ExitBadInput
	}
	var scenarios []*labfile.Scenario
	for _, f := range files {
		s, err := labfile.LoadScenario(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: %v\n", err)
			return scenario.ExitBadInput
		}
		scenarios = append(scenarios, s)
	}
	root, err := lab.FindRoot()
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: %v\n", err)
		return scenario.ExitInfrastructure
	}
	log := os.Stdout
	if *asJSON {
		log = os.Stderr
	}
	ink := painter(colourful(log, os.Getenv))
	code := scenario.ExitPass
	var results []scenario.Result
	for _, s := range scenarios {
		state, err := os.MkdirTemp("", "wasmbed-ci-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: %v\n", err)
			return scenario.ExitInfrastructure
		}
		say := func(format string, args ...any) {
			fmt.Fprintf(log, "%s [%s] %s\n", ink.dim(time.Now().Format("15:04:05.000")), s.Name, fmt.Sprintf(format, args...))
		}
		opts := scenario.Options{Root: root, StateDir: state, Progress: say}
		if *artifacts != "" {
			opts.Artifacts = filepath.Join(*artifacts, s.Name)
		}
		r := scenario.Run(ctx, s, opts)
		os.RemoveAll(state)
		results = append(results, r)
		if r.Err != nil {
			say("%s (%v): %v", ink.red("FAIL"), r.Elapsed.Round(time.Millisecond), r.Err)
		} else {
			say("%s: %d steps in %v", ink.green("PASS"), len(r.Steps), r.Elapsed.Round(time.Millisecond))
		}
		code = worse(code, r.Code)
	}
	if *asJSON {
		if err := scenario.WriteJSON(os.Stdout, results); err != nil {
			fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: %v\n", err)
			return scenario.ExitInfrastructure
		}
	}
	if *junit != "" {
		f, err := os.Create(*junit)
		if err == nil {
			err = scenario.WriteJUnit(f, results)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "wasmbed-lab --ci: writing the JUnit report: %v\n", err)
			return scenario.ExitInfrastructure
		}
	}
	return code
}

// worse is the more serious of two exit codes: bad input, then the
// machine, then a timeout, then a failure.
func worse(a, b int) int {
	rank := map[int]int{scenario.ExitPass: 0, scenario.ExitFail: 1, scenario.ExitTimeout: 2, scenario.ExitInfrastructure: 3, scenario.ExitBadInput: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// labClient is what deploy and stop share: which lab, and which devices.
type labClient struct {
	fs     *flag.FlagSet
	state  *string
	addr   *string
	to     *string
	board  *string
	all    *bool
	client api.Client
}

func newLabClient(name string) *labClient {
	c := &labClient{fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.state = c.fs.String("state", "", "the lab's state directory, where its API token is (default as for up)")
	c.addr = c.fs.String("api", api.DefaultAddr, "the lab's API address")
	c.to = c.fs.String("to", "", "comma-separated devices (names or IDs)")
	c.board = c.fs.String("board", "", "every enrolled device of this board")
	c.all = c.fs.Bool("all", false, "every enrolled device")
	return c
}

// parse reads the flags and the token; it returns the targets.
func (c *labClient) parse(args []string) (gateway.Targets, error) {
	if err := c.fs.Parse(args); err != nil {
		return gateway.Targets{}, usageError{err.Error()}
	}
	t := gateway.Targets{Board: *c.board, All: *c.all}
	if *c.to != "" {
		t.To = strings.Split(*c.to, ",")
	}
	if !t.OneWay() {
		return t, usageError{c.fs.Name() + " needs exactly one of --to DEVICE, --board B or --all"}
	}
	state := *c.state
	if state == "" {
		var err error
		if state, err = lab.DefaultStateDir(); err != nil {
			return t, err
		}
	}
	token, err := os.ReadFile(lab.TokenPath(state))
	if err != nil {
		return t, fmt.Errorf("reading the lab's API token: %w (is a lab running with --state %s?)", err, state)
	}
	c.client = api.Client{Addr: *c.addr, Token: strings.TrimSpace(string(token))}
	return t, nil
}

// roundLatency keeps two or three significant digits: 102ms, 412µs.
func roundLatency(d time.Duration) time.Duration {
	if d >= time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// report prints one line per device; it fails when any device's did.
func report(out api.Outcomes) error {
	failed := 0
	for _, o := range out.Results {
		switch {
		case o.Error != "":
			failed++
			fmt.Printf("%-22s failed: %s\n", o.Device, o.Error)
		case o.Pending:
			fmt.Printf("%-22s pending: it gets %s when it comes back\n", o.Device, o.App)
		case o.App != "":
			fmt.Printf("%-22s ok: %s (%d bytes) in %v\n", o.Device, o.App, o.Bytes, roundLatency(o.Latency))
		default:
			fmt.Printf("%-22s ok\n", o.Device)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d devices failed", failed, len(out.Results))
	}
	return nil
}

func cmdDeploy(ctx context.Context, args []string) error {
	if len(args) < 1 || args[0] == "" || args[0][0] == '-' {
		return usageError{"deploy needs: APP.wasm --to DEVICE|--board B|--all"}
	}
	c := newLabClient("deploy")
	restart := c.fs.String("restart", gateway.RestartNever, "when the app ends: never, on-failure (after a trap) or always")
	t, err := c.parse(args[1:])
	if err != nil {
		return err
	}
	module, err := os.ReadFile(args[0])
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	out, err := c.client.Deploy(ctx, t, filepath.Base(args[0]), module, *restart)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	return report(out)
}

func cmdStop(ctx context.Context, args []string) error {
	c := newLabClient("stop")
	t, err := c.parse(args)
	if err != nil {
		return err
	}
	out, err := c.client.Stop(ctx, t)
	if err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	return report(out)
}

func cmdBoot(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("boot", flag.ContinueOnError)
	check := fs.Bool("check", false, "boot, wait for the banner and a link round trip, print them, stop")
	timeout := fs.Duration("timeout", 10*time.Second, "how long --check waits")
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		return usageError{"boot needs a BOARD (see `wasmbed-lab boards`)"}
	}
	name := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	board, err := boards.Lookup(name)
	if err != nil {
		return err
	}
	root, err := lab.FindRoot()
	if err != nil {
		return err
	}
	fw, err := lab.EnsureFirmware(ctx, root, board)
	if err != nil {
		return err
	}
	opts := lab.BoardOptions{Board: board, Firmware: fw}
	if *check {
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		r, err := lab.BootCheck(ctx, opts)
		if err != nil {
			return err
		}
		fmt.Println(r.Banner)
		fmt.Printf("%s: banner after %v, link up after %d hello(s), link round trip %v\n",
			board.Name, r.BannerAfter.Round(time.Millisecond), r.Hellos, r.LinkRTT.Round(10*time.Microsecond))
		return nil
	}
	return bootAttached(ctx, opts)
}

// bootAttached runs a board with its console on this terminal until the
// user presses Ctrl-] or the board exits.
func bootAttached(ctx context.Context, opts lab.BoardOptions) error {
	opts.ConsoleTee = os.Stdout
	b, err := lab.StartBoard(ctx, opts)
	if err != nil {
		return err
	}
	defer b.Stop(context.WithoutCancel(ctx))
	fmt.Fprintf(os.Stderr, "wasmbed-lab: %s running (pid %d); Ctrl-] quits\r\n", opts.Board.Name, b.PID())

	if term.IsTerminal(int(os.Stdin.Fd())) {
		old, err := term.MakeRaw(int(os.Stdin.Fd()))
		if err != nil {
			return fmt.Errorf("terminal: %w", err)
		}
		defer term.Restore(int(os.Stdin.Fd()), old)
	}
	detach := make(chan struct{})
	go func() { // ends with the process: a blocked stdin read cannot be cancelled
		buf := make([]byte, 256)
		for {
			n, err := os.Stdin.Read(buf)
			for i := 0; i < n; i++ {
				if buf[i] == 0x1d { // Ctrl-]
					b.WriteConsole(buf[:i])
					close(detach)
					return
				}
			}
			if n > 0 {
				b.WriteConsole(buf[:n])
			}
			if err != nil {
				return // end of input: keep the board running until interrupted
			}
		}
	}()
	select {
	case <-detach:
	case <-ctx.Done():
	case <-b.Done():
		return fmt.Errorf("%s %s", opts.Board.Name, b.Exit())
	}
	return nil
}

func cmdBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	boots := fs.Int("boots", 5, "boots per board for boot-to-banner")
	idle := fs.Duration("idle", 10*time.Second, "idle CPU sampling window per board")
	fleets := fs.String("fleets", "8,16,32,64,96", "fleet sizes booted all at once")
	limit := fs.Duration("fleet-limit", 2*time.Second, "target: every banner of a fleet within this time")
	hbQEMU := fs.Int("heartbeat-qemu", 32, "QEMU boards in the heartbeat fleet")
	hbNative := fs.Int("heartbeat-native", 200, "native boards in the heartbeat fleet")
	hbWindow := fs.Duration("heartbeat-window", time.Minute, "how long the heartbeat fleet is measured")
	only := fs.String("only", "", "comma-separated parts to run: "+strings.Join(lab.BenchParts, ","))
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	sizes, err := parseSizes(*fleets)
	if err != nil {
		return usageError{err.Error()}
	}
	var parts []string
	if *only != "" {
		for _, p := range strings.Split(*only, ",") {
			if !slices.Contains(lab.BenchParts, p) {
				return usageError{fmt.Sprintf("--only: unknown part %q (want some of %s)", p, strings.Join(lab.BenchParts, ","))}
			}
			parts = append(parts, p)
		}
	}
	root, err := lab.FindRoot()
	if err != nil {
		return err
	}
	report, err := lab.Bench(ctx, lab.BenchOptions{
		Root: root, Boots: *boots, IdleWindow: *idle, Fleets: sizes, FleetLimit: *limit, Progress: os.Stderr,
		HeartbeatQEMU: *hbQEMU, HeartbeatNative: *hbNative, HeartbeatWindow: *hbWindow, Only: parts,
		RunScenario: func(ctx context.Context, s *labfile.Scenario, stateDir string) (time.Duration, error) {
			r := scenario.Run(ctx, s, scenario.Options{Root: root, StateDir: stateDir})
			return r.Elapsed, r.Err
		},
		RunUI: func(ctx context.Context, l *lab.Lab) error { // a 200×60 terminal nobody sees
			m := ui.New(l, ui.Options{Context: ctx, Name: "bench"})
			p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(200, 60))
			_, err := p.Run()
			m.Close()
			if errors.Is(err, tea.ErrProgramKilled) {
				err = nil // ctx ended it, as asked
			}
			return err
		},
	})
	if werr := lab.WriteBenchTable(os.Stdout, report, *limit); werr != nil {
		return werr
	}
	return err
}

func parseSizes(list string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("--fleets: %q is not a positive number", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// labFlags are the flags that say which lab to run, shared by up and ui.
type labFlags struct {
	state, fleet, pairing, addr *string
	heartbeat                   *time.Duration
	missed                      *int
	remote                      *bool
}

func addLabFlags(fs *flag.FlagSet) labFlags {
	return labFlags{
		state:     fs.String("state", "", "state directory (default $XDG_STATE_HOME/wasmbed-lab or ~/.local/state/wasmbed-lab)"),
		fleet:     fs.String("boards", "", "comma-separated boards to run (default: one of each)"),
		pairing:   fs.String("pairing", "auto", "auto: any device the lab provisioned enrolls; manual: approve each new one"),
		heartbeat: fs.Duration("heartbeat", gateway.DefaultHeartbeat, "heartbeat interval devices keep"),
		missed:    fs.Int("missed", gateway.DefaultMissedLimit, "heartbeats missed before a device is Unreachable"),
		addr:      fs.String("api", api.DefaultAddr, "HTTP API address"),
		remote:    fs.Bool("api-remote", false, "allow an API address other machines can reach"),
	}
}

// open opens the lab the flags name, and says which boards to boot.
func (f labFlags) open() (*lab.Lab, []boards.Board, error) {
	mode, err := gateway.ParsePairing(*f.pairing)
	if err != nil {
		return nil, nil, usageError{err.Error()}
	}
	bs := lab.DefaultFleet()
	if *f.fleet != "" {
		if bs, err = lab.ParseFleet(*f.fleet); err != nil {
			return nil, nil, usageError{err.Error()}
		}
	}
	if *f.state == "" {
		if *f.state, err = lab.DefaultStateDir(); err != nil {
			return nil, nil, err
		}
	}
	l, err := lab.Open(lab.Options{StateDir: *f.state, Gateway: gateway.Config{Pairing: mode, Heartbeat: *f.heartbeat, MissedLimit: *f.missed}})
	return l, bs, err
}

func cmdUp(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	lf := addLabFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	l, bs, err := lf.open()
	if err != nil {
		return err
	}
	defer l.Close(context.WithoutCancel(ctx))
	events, stop := l.Subscribe()
	defer stop()
	srv, tokenPath, err := l.StartAPI(*lf.addr, *lf.remote)
	if err != nil {
		return err
	}
	fmt.Printf("wasmbed-lab: state in %s; API on http://%s (token in %s); Ctrl-C stops\n", *lf.state, srv.Addr(), tokenPath)
	if err := l.AddFleet(ctx, bs); err != nil {
		return err
	}
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return nil
			}
			fmt.Println(lab.FormatEvent(e))
		case <-ctx.Done():
			return nil
		}
	}
}

// cmdUI runs a lab in the terminal UI. The lab's log goes to lab.log in
// the state directory, never to the screen.
func cmdUI(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ui", flag.ContinueOnError)
	lf := addLabFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if !term.IsTerminal(int(os.Stdin.Fd())) || !term.IsTerminal(int(os.Stdout.Fd())) {
		return usageError{"the lab's UI needs a terminal: run `wasmbed-lab up` for a headless lab, or `wasmbed-lab --ci` for scenarios"}
	}
	l, bs, err := lf.open()
	if err != nil {
		return err
	}
	defer l.Close(context.WithoutCancel(ctx))
	logFile, err := os.OpenFile(filepath.Join(*lf.state, "lab.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	log.SetOutput(logFile)
	events, stop := l.Subscribe()
	defer stop()
	go func() {
		for e := range events {
			fmt.Fprintln(logFile, lab.FormatEvent(e))
		}
	}()
	if _, _, err := l.StartAPI(*lf.addr, *lf.remote); err != nil {
		return err
	}
	apps, err := l.WatchApps(ctx, "")
	if err != nil {
		return err
	}
	name := "default lab"
	if *lf.fleet != "" {
		name = fmt.Sprintf("%d boards", len(bs))
	}
	m := ui.New(l, ui.Options{Context: ctx, Name: name, Apps: apps, LogDir: filepath.Join(*lf.state, "consoles")})
	defer m.Close()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	go func() { // boards appear as they boot
		if err := l.AddFleet(ctx, bs); err != nil {
			p.Send(ui.Notice("", err))
		}
	}()
	if _, err := p.Run(); err != nil && ctx.Err() == nil {
		return err
	}
	return nil
}
