package emu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/digitalocean/go-qemu/qmp"
)

// qmpClient runs QMP commands on one QEMU with a context.
//
// go-qemu's SocketMonitor has no context: a command that does not answer
// (QEMU's main loop stuck) blocks forever. qmpClient runs each command in a
// goroutine it waits for; when ctx ends first it disconnects the monitor,
// which makes the command return, and dials a fresh one for the next
// command (an abandoned answer would otherwise be read as the next one's).
type qmpClient struct {
	path   string
	sem    chan struct{} // one command or connect at a time; a channel so waiting honours ctx
	closed chan struct{}
	once   sync.Once
	wg     sync.WaitGroup // connects that outlived their ctx

	mon *qmp.SocketMonitor // guarded by sem
}

func newQMPClient(path string) *qmpClient {
	return &qmpClient{path: path, sem: make(chan struct{}, 1), closed: make(chan struct{})}
}

func (c *qmpClient) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		select {
		case <-c.closed:
			<-c.sem
			return ErrExited
		default:
			return nil
		}
	case <-c.closed:
		return ErrExited
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *qmpClient) release() { <-c.sem }

// connect dials the QMP socket, retrying while QEMU has not created it yet,
// and does the capabilities handshake.
func (c *qmpClient) connect(ctx context.Context) error {
	if err := c.acquire(ctx); err != nil {
		return err
	}
	defer c.release()
	return c.connectLocked(ctx)
}

func (c *qmpClient) connectLocked(ctx context.Context) error {
	if c.mon != nil {
		return nil
	}
	var mon *qmp.SocketMonitor
	for {
		var err error
		mon, err = qmp.NewSocketMonitor("unix", c.path, time.Second)
		if err == nil {
			break
		}
		select {
		case <-c.closed:
			return ErrExited
		case <-ctx.Done():
			return fmt.Errorf("qmp: dial %s: %w (last error: %v)", c.path, ctx.Err(), err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// The handshake cannot be interrupted without racing inside go-qemu, so
	// when ctx ends first the connect is left to finish on its own (it does
	// once QEMU answers or exits) and the monitor is then discarded.
	result := make(chan error, 1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		err := mon.Connect()
		result <- err
		if err != nil {
			mon.Disconnect()
		}
	}()
	select {
	case err := <-result:
		if err != nil {
			return fmt.Errorf("qmp: handshake: %w", err)
		}
		c.mon = mon
		return nil
	case <-ctx.Done():
	case <-c.closed:
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := <-result; err == nil {
			mon.Disconnect()
		}
	}()
	if ctx.Err() != nil {
		return fmt.Errorf("qmp: handshake: %w", ctx.Err())
	}
	return ErrExited
}

// run executes one command and returns its "return" value.
func (c *qmpClient) run(ctx context.Context, execute string, args any) (json.RawMessage, error) {
	cmd, err := json.Marshal(qmp.Command{Execute: execute, Args: args})
	if err != nil {
		return nil, fmt.Errorf("qmp: %s: %w", execute, err)
	}
	if err := c.acquire(ctx); err != nil {
		return nil, fmt.Errorf("qmp: %s: %w", execute, err)
	}
	defer c.release()
	if err := c.connectLocked(ctx); err != nil {
		return nil, fmt.Errorf("qmp: %s: %w", execute, err)
	}
	done := make(chan qmpReply, 1)
	mon := c.mon
	go func() {
		raw, err := mon.Run(cmd)
		done <- qmpReply{raw, err}
	}()
	var r qmpReply
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("qmp: %s: %w", execute, c.abandon(done, ctx.Err()))
	case <-c.closed:
		return nil, fmt.Errorf("qmp: %s: %w", execute, c.abandon(done, ErrExited))
	}
	if r.err != nil {
		if connectionLost(r.err) {
			c.mon.Disconnect()
			c.mon = nil // the next command dials again
			return nil, fmt.Errorf("qmp: %s: connection lost: %w", execute, r.err)
		}
		return nil, fmt.Errorf("qmp: %s: %w", execute, r.err)
	}
	var resp struct {
		Return json.RawMessage `json:"return"`
	}
	if err := json.Unmarshal(r.raw, &resp); err != nil {
		return nil, fmt.Errorf("qmp: %s: bad reply: %w", execute, err)
	}
	return resp.Return, nil
}

// abandon gives up on a running command: disconnecting makes it return,
// and the next command dials a fresh monitor. Called with sem held.
func (c *qmpClient) abandon(done <-chan qmpReply, why error) error {
	c.mon.Disconnect()
	<-done
	c.mon = nil
	return why
}

// close disconnects and waits for connects still in flight; call it once
// QEMU has exited (a pending handshake ends when the socket closes).
func (c *qmpClient) close() {
	c.once.Do(func() { close(c.closed) })
	c.sem <- struct{}{} // no command runs any more: they all watch closed
	if c.mon != nil {
		c.mon.Disconnect()
		c.mon = nil
	}
	<-c.sem
	c.wg.Wait()
}

// connectionLost tells a broken monitor connection from an error QEMU
// answered: go-qemu reports a closed connection as an empty JSON reply.
func connectionLost(err error) bool {
	var syntax *json.SyntaxError
	var op *net.OpError
	return errors.As(err, &syntax) || errors.As(err, &op) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed)
}

type qmpReply struct {
	raw []byte
	err error
}

// qmpControl drives a QEMU board over QMP.
type qmpControl struct{ c *qmpClient }

// waitLinkChardev waits until QEMU itself counts the link chardev as
// connected. Our accept returns when the kernel completes QEMU's connect,
// but QEMU registers the connection later in its main loop, and bytes the
// guest writes before that are dropped: releasing the CPU any earlier loses
// them. Until then query-chardev names the chardev "disconnected:...".
func (q qmpControl) waitLinkChardev(ctx context.Context) error {
	for {
		raw, err := q.c.run(ctx, "query-chardev", nil)
		if err != nil {
			return err
		}
		var chardevs []struct {
			Label    string `json:"label"`
			Filename string `json:"filename"`
		}
		if err := json.Unmarshal(raw, &chardevs); err != nil {
			return fmt.Errorf("emu: query-chardev: %w", err)
		}
		for _, c := range chardevs {
			if c.Label == "link" && !strings.HasPrefix(c.Filename, "disconnected:") {
				return nil
			}
		}
		select {
		case <-time.After(2 * time.Millisecond):
		case <-ctx.Done():
			return fmt.Errorf("emu: QEMU never registered the link connection: %w", ctx.Err())
		}
	}
}

func (q qmpControl) reset(ctx context.Context) error  { return q.do(ctx, "system_reset") }
func (q qmpControl) pause(ctx context.Context) error  { return q.do(ctx, "stop") }
func (q qmpControl) resume(ctx context.Context) error { return q.do(ctx, "cont") }

// quit asks QEMU to exit. QEMU may close the socket before it answers, so
// only a timeout is reported.
func (q qmpControl) quit(ctx context.Context) error {
	err := q.do(ctx, "quit")
	if err != nil && ctx.Err() == nil {
		return nil
	}
	return err
}

func (q qmpControl) qmp(ctx context.Context, execute string, args any) (json.RawMessage, error) {
	return q.c.run(ctx, execute, args)
}

func (q qmpControl) do(ctx context.Context, execute string) error {
	_, err := q.c.run(ctx, execute, nil)
	return err
}

func (q qmpControl) close() { q.c.close() }

// errNoQMP is returned for QMP commands on the native board and a Fake.
var errNoQMP = errors.New("emu: this board has no QMP monitor (it is not a QEMU board)")
