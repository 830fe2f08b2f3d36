package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"wasmbed-lab/emu"
	"wasmbed-lab/lab/api"
	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/store"
)

// Options says how to open a lab.
type Options struct {
	StateDir string         // the store lives here
	Root     string         // the project root, for firmware images; FindRoot when empty
	Gateway  gateway.Config // Store is filled in by Open
}

// Lab is a fleet of boards and the gateway they talk to, over one store.
type Lab struct {
	opts  Options
	store *store.Store
	ctx   context.Context // ends every session
	stop  context.CancelFunc
	// events is the lab's event stream: every gateway's events, one after
	// the other, so a subscriber outlives gateway restarts.
	events    gateway.Hub
	following sync.WaitGroup // forwarders from each gateway to events

	mu       sync.Mutex
	gw       *gateway.Gateway // nil while restarting
	api      *api.Server      // nil until StartAPI
	boards   map[string]*Board
	known    []knownBoard // every board added, in order, powered on or not
	sessions sync.WaitGroup
}

// knownBoard is a board the lab has had: what it takes to power it on.
type knownBoard struct {
	name string
	opts BoardOptions // as the caller gave them
}

// Open opens the lab's store and starts its gateway.
func Open(opts Options) (*Lab, error) {
	if opts.Root == "" {
		root, err := FindRoot()
		if err != nil {
			return nil, err
		}
		opts.Root = root
	}
	st, err := store.Open(opts.StateDir)
	if err != nil {
		return nil, err
	}
	opts.Gateway.Store = st
	gw, err := gateway.New(opts.Gateway)
	if err != nil {
		st.Close()
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	l := &Lab{opts: opts, store: st, ctx: ctx, stop: stop, gw: gw, boards: map[string]*Board{}}
	l.follow(gw)
	return l, nil
}

// follow forwards gw's events to the lab's stream until gw closes.
func (l *Lab) follow(gw *gateway.Gateway) {
	events, _ := gw.Subscribe() // ends when gw closes
	l.following.Add(1)
	go func() {
		defer l.following.Done()
		for e := range events {
			l.events.Publish(e)
		}
	}()
}

// Subscribe returns the lab's event stream, which outlives gateway
// restarts, and a function that ends it.
func (l *Lab) Subscribe() (<-chan gateway.Event, func()) { return l.events.Subscribe() }

// Gateway is the running gateway, nil while it restarts.
func (l *Lab) Gateway() *gateway.Gateway {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.gw
}

// WaitFor waits until device name satisfies cond, across gateway restarts
// (the gateway's WaitFor, on whichever gateway runs).
func (l *Lab) WaitFor(ctx context.Context, name string, cond func(gateway.Device) bool) (gateway.Device, error) {
	for {
		if gw := l.Gateway(); gw != nil {
			d, err := gw.WaitFor(ctx, name, cond)
			if err == nil || ctx.Err() != nil {
				return d, err
			}
		}
		select { // restarting, or this gateway closed meanwhile
		case <-ctx.Done():
			return gateway.Device{}, fmt.Errorf("lab: no gateway: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// RestartGateway stops the gateway, ending every session, and starts a new
// one on the same store: the devices come back by themselves.
func (l *Lab) RestartGateway() error {
	l.mu.Lock()
	old := l.gw
	l.gw = nil
	l.mu.Unlock()
	cfg := l.opts.Gateway
	if old != nil {
		cfg.Pairing = old.Status().Pairing // an operator's change outlives the restart
		if err := old.Close(); err != nil {
			return err
		}
	}
	gw, err := gateway.New(cfg)
	if err != nil {
		return err
	}
	l.follow(gw)
	l.mu.Lock()
	l.gw = gw
	l.mu.Unlock()
	l.events.Publish(gateway.Event{Time: time.Now(), Kind: gateway.EventGateway, Detail: "restarted"})
	return nil
}

// AddBoard provisions a board as device name and boots it; its link
// sessions go to the gateway. opts.Board is required; Firmware, Provision,
// OnSession and SessionReady are filled in.
func (l *Lab) AddBoard(ctx context.Context, name string, opts BoardOptions) (*Board, error) {
	given := opts
	l.mu.Lock()
	_, dup := l.boards[name]
	gw := l.gw
	l.mu.Unlock()
	if dup {
		return nil, fmt.Errorf("lab: a board named %q is already running", name)
	}
	if gw == nil {
		return nil, errors.New("lab: the gateway is restarting; try again")
	}
	var err error
	if opts.Firmware == "" {
		if opts.Firmware, err = EnsureFirmware(ctx, l.opts.Root, opts.Board); err != nil {
			return nil, err
		}
	}
	if opts.Provision, err = gw.Provision(name); err != nil {
		return nil, err
	}
	boardName := opts.Board.Name
	if opts.Restart == (emu.RestartPolicy{}) {
		opts.Restart = emu.DefaultRestartPolicy() // a crashed board comes back
	}
	opts.OnEvent = func(e emu.Event) {
		if detail := lifecycleText(e); detail != "" {
			l.events.Publish(gateway.Event{Time: time.Now(), Kind: gateway.EventBoard, Name: name, Detail: detail})
		}
	}
	opts.SessionReady = func() bool { return l.Gateway() != nil }
	opts.OnSession = func(conn net.Conn) {
		gw := l.Gateway()
		if gw == nil {
			conn.Close()
			return
		}
		l.sessions.Add(1)
		defer l.sessions.Done()
		gw.Serve(l.ctx, conn, boardName) // its outcome is in the gateway's events
	}
	b, err := StartBoard(ctx, opts)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.boards[name] = b
	if i := l.knownIndex(name); i < 0 {
		l.known = append(l.known, knownBoard{name, given})
	} else {
		l.known[i].opts = given
	}
	l.mu.Unlock()
	return b, nil
}

func (l *Lab) knownIndex(name string) int {
	for i, k := range l.known {
		if k.name == name {
			return i
		}
	}
	return -1
}

// PowerOn boots a board the lab had before and powered off, with the same
// identity and options.
func (l *Lab) PowerOn(ctx context.Context, name string) (*Board, error) {
	l.mu.Lock()
	i := l.knownIndex(name)
	_, on := l.boards[name]
	var opts BoardOptions
	if i >= 0 {
		opts = l.known[i].opts
	}
	l.mu.Unlock()
	switch {
	case i < 0:
		return nil, fmt.Errorf("lab: no board named %q", name)
	case on:
		return nil, fmt.Errorf("lab: %s is powered on already", name)
	}
	return l.AddBoard(ctx, name, opts)
}

// Board is a running board by device name.
func (l *Lab) Board(name string) (*Board, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.boards[name]
	return b, ok
}

// Close stops every board and the gateway, and closes the store.
func (l *Lab) Close(ctx context.Context) error {
	l.mu.Lock()
	bs := make([]*Board, 0, len(l.boards))
	for _, b := range l.boards {
		bs = append(bs, b)
	}
	l.boards = map[string]*Board{}
	gw, srv := l.gw, l.api
	l.gw, l.api = nil, nil
	l.mu.Unlock()
	errs := make([]error, len(bs), len(bs)+3)
	if srv != nil {
		errs = append(errs, srv.Close(ctx))
	}
	var wg sync.WaitGroup
	for i, b := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = b.Stop(ctx)
		}()
	}
	wg.Wait()
	l.stop()
	if gw != nil {
		errs = append(errs, gw.Close())
	}
	l.sessions.Wait()
	l.following.Wait()
	l.events.Close()
	errs = append(errs, l.store.Close())
	return errors.Join(errs...)
}

// PowerOff stops a board, as pulling its power would; PowerOn boots it
// again. The device stays in the registry.
func (l *Lab) PowerOff(ctx context.Context, name string) error {
	b, err := l.Running(name)
	if err != nil {
		return err
	}
	l.mu.Lock()
	delete(l.boards, name)
	l.mu.Unlock()
	return b.Stop(ctx)
}
