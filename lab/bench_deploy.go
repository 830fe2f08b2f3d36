package lab

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// DeployBench is how long deploys take, from the call to the device's
// acknowledgement (the module sent in chunks over TLS and the link,
// checked, loaded and started): apps of each size to one board, and to a
// fleet at once, on one kind of board.
type DeployBench struct {
	Board string
	Fleet int
	Rows  []DeployRow
}

// deployBoards are the kinds measured: a CMSDK UART and an STM32 USART.
var deployBoards = []string{"olimex-stm32-h405", "mps2-an385"}

// DeployRow is one app size.
type DeployRow struct {
	Bytes int
	One   time.Duration // median to one board
	Fleet time.Duration // median of the last acknowledgement, to every board at once
}

// The deploy bench's sizes, fleet and repeats.
var (
	deploySizes   = []int{1 << 10, 8 << 10, 32 << 10}
	deployFleet   = 16
	deployRepeats = 3
)

// deployTarget: an 8 KiB app to the whole fleet.
const deployTarget = time.Second

// paddedApp is a valid app of exactly size bytes (at least 64): run does
// nothing, and a custom section "pad" fills the rest.
func paddedApp(size int) []byte {
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0,
		1, 4, 1, 0x60, 0, 0, // type: () -> ()
		3, 2, 1, 0, // one function of type 0
		7, 7, 1, 3, 'r', 'u', 'n', 0, 0, // exported as run
		10, 4, 1, 2, 0, 0x0b, // its body: end
	}
	// Section 0: LEB128 length, then name "pad" and the padding; the
	// length's own size depends on the length, so try each.
	for lebLen := 1; lebLen <= 5; lebLen++ {
		body := size - len(m) - 1 - lebLen
		if body < 4 {
			break
		}
		leb := appendLEB(nil, uint32(body))
		if len(leb) != lebLen {
			continue
		}
		out := append(append(append(m, 0), leb...), 3, 'p', 'a', 'd')
		return append(out, make([]byte, body-4)...)
	}
	panic(fmt.Sprintf("paddedApp: no module of %d bytes", size))
}

func appendLEB(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// benchDeploys runs benchDeploy on each of deployBoards.
func benchDeploys(ctx context.Context, opts BenchOptions) ([]DeployBench, error) {
	var out []DeployBench
	for _, board := range deployBoards {
		d, err := benchDeploy(ctx, opts, board)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// benchDeploy boots a fleet of one kind of board and deploys apps of each
// size to one, then to all at once.
func benchDeploy(ctx context.Context, opts BenchOptions, board string) (DeployBench, error) {
	res := DeployBench{Board: board, Fleet: deployFleet}
	l, names, done, err := openBenchFleet(ctx, opts, board, "deploy", res.Fleet)
	if err != nil {
		return res, err
	}
	defer done()
	for _, size := range deploySizes {
		app := paddedApp(size)
		row := DeployRow{Bytes: size}
		var one, fleet []time.Duration
		for i := 0; i < deployRepeats; i++ {
			opts.progress("bench: deploy %d B to 1 %s, %d/%d", size, board, i+1, deployRepeats)
			d, err := timeDeploys(ctx, l, names[:1], app)
			if err != nil {
				return res, err
			}
			one = append(one, d)
			opts.progress("bench: deploy %d B to %d %s, %d/%d", size, res.Fleet, board, i+1, deployRepeats)
			if d, err = timeDeploys(ctx, l, names, app); err != nil {
				return res, err
			}
			fleet = append(fleet, d)
		}
		row.One, row.Fleet = median(one), median(fleet)
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// timeDeploys deploys app to every device at once and times the last
// acknowledgement.
func timeDeploys(ctx context.Context, l *Lab, names []string, app []byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	start := time.Now()
	outcomes := l.Gateway().DeployMany(ctx, names, "bench.wasm", app, "")
	elapsed := time.Since(start)
	for _, o := range outcomes {
		if o.Err != nil {
			return 0, o.Err
		}
	}
	return elapsed, nil
}

func writeDeployTable(w io.Writer, ds []DeployBench) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "deploy\tapp\tto 1 board\tto %d at once\ttarget (8 KiB to %d) ≤%v\tlink throughput\t\n", deployFleet, deployFleet, deployTarget)
	for _, d := range ds {
		for _, r := range d.Rows {
			target := "-"
			if r.Bytes == 8<<10 {
				target = verdict(r.Fleet <= deployTarget)
			}
			fmt.Fprintf(tw, "%s\t%d KiB\t%s\t%s\t%s\t%.1f KB/s\t\n", d.Board, r.Bytes>>10, ms(r.One), ms(r.Fleet), target,
				float64(r.Bytes)/r.One.Seconds()/1000)
		}
	}
	fmt.Fprintln(tw, "\nlink throughput: module bytes per second of a deploy to one board (TLS, the protocol and link framing on top)")
	return flushSection(w, tw)
}
