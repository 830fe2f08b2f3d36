// Command wasmbed-lab runs a lab of emulated microcontroller boards that
// boot our own firmware. main.go only parses flags and wires packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"wasmbed-lab/apps"
	"wasmbed-lab/boards"
	"wasmbed-lab/lab"
	"wasmbed-lab/lab/api"
	"wasmbed-lab/lab/gateway"
)

const usage = `usage: wasmbed-lab COMMAND [flags]

commands:
  up [flags]                   run a lab: boards, gateway and HTTP API; print its events
  boards [--json]              list the boards the lab can run
  boot BOARD [--check]         boot one board with its console on this terminal
                               (--check: wait for the banner, print it, exit)
  bench [flags]                measure boot time, idle CPU, fleet boots, TLS, the
                               gateway and the wasm interpreter (--only PARTS)
  app check APP.wasm [--board B]
                               check an app against the ABI and the boards
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
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

func cmdUp(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	state := fs.String("state", "", "state directory (default $XDG_STATE_HOME/wasmbed-lab or ~/.local/state/wasmbed-lab)")
	fleet := fs.String("boards", "", "comma-separated boards to run (default: one of each)")
	pairing := fs.String("pairing", "auto", "auto: any device the lab provisioned enrolls; manual: approve each new one")
	heartbeat := fs.Duration("heartbeat", gateway.DefaultHeartbeat, "heartbeat interval devices keep")
	missed := fs.Int("missed", gateway.DefaultMissedLimit, "heartbeats missed before a device is Unreachable")
	addr := fs.String("api", api.DefaultAddr, "HTTP API address")
	remote := fs.Bool("api-remote", false, "allow an API address other machines can reach")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	mode, err := gateway.ParsePairing(*pairing)
	if err != nil {
		return usageError{err.Error()}
	}
	bs := lab.DefaultFleet()
	if *fleet != "" {
		if bs, err = lab.ParseFleet(*fleet); err != nil {
			return usageError{err.Error()}
		}
	}
	if *state == "" {
		if *state, err = lab.DefaultStateDir(); err != nil {
			return err
		}
	}
	l, err := lab.Open(lab.Options{StateDir: *state, Gateway: gateway.Config{Pairing: mode, Heartbeat: *heartbeat, MissedLimit: *missed}})
	if err != nil {
		return err
	}
	defer l.Close(context.WithoutCancel(ctx))
	events, stop := l.Subscribe()
	defer stop()
	srv, tokenPath, err := l.StartAPI(*addr, *remote)
	if err != nil {
		return err
	}
	fmt.Printf("wasmbed-lab: state in %s; API on http://%s (token in %s); Ctrl-C stops\n", *state, srv.Addr(), tokenPath)
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
