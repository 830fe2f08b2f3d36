package gateway

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"wasmbed-lab/lab/store"
)

// Config says how a gateway runs. Zero values take the defaults.
type Config struct {
	Store            *store.Store // required: the registry and the lab's PKI
	Pairing          Pairing
	Heartbeat        time.Duration    // interval devices are told to keep; default 1 s
	MissedLimit      int              // heartbeat intervals missed before Unreachable; default 3
	HandshakeTimeout time.Duration    // default 10 s
	Now              func() time.Time // default time.Now
}

const (
	DefaultHeartbeat   = time.Second
	DefaultMissedLimit = 3
	flushInterval      = 2 * time.Second // how often counters reach the store
)

// Gateway serves device sessions and keeps the registry.
type Gateway struct {
	cfg     Config
	store   *store.Store
	trust   *Trust
	tls     *tls.Config
	events  Hub
	started time.Time
	stop    chan struct{}
	wg      sync.WaitGroup

	// decideMu serializes operator decisions and enrollments, each a
	// store write followed by the change in memory.
	decideMu sync.Mutex

	mu         sync.Mutex
	conns      map[net.Conn]struct{} // being served, handshakes included
	serving    sync.WaitGroup        // Serve calls in flight
	devices    map[string]*device    // by ID
	byName     map[string][]*device  // names are not unique; they never change
	sessions   map[*session]struct{}
	pairing    Pairing
	handshakes uint64
	refused    uint64
	closed     bool
	changed    chan struct{} // closed and renewed on every change, for WaitFor
	audit      []store.Event // events not yet in the store
}

// device is the gateway's live record of one device.
type device struct {
	Device
	spki      []byte
	session   *session // the current one, if any
	lastBeat  time.Time
	missedRun uint64 // intervals missed since the last heartbeat
	dirty     bool   // changed since last written to the store
	app       appTrack
}

// New opens a gateway on the store: it loads (or makes) the lab's PKI and
// the registry. Devices that were up when the last gateway stopped are
// Disconnected until they come back.
func New(cfg Config) (*Gateway, error) {
	if cfg.Store == nil {
		return nil, errors.New("gateway: no store")
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = DefaultHeartbeat
	}
	if cfg.MissedLimit <= 0 {
		cfg.MissedLimit = DefaultMissedLimit
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gateway{
		cfg:      cfg,
		store:    cfg.Store,
		started:  cfg.Now(),
		stop:     make(chan struct{}),
		devices:  map[string]*device{},
		byName:   map[string][]*device{},
		conns:    map[net.Conn]struct{}{},
		sessions: map[*session]struct{}{},
		pairing:  cfg.Pairing,
		changed:  make(chan struct{}),
	}
	var err error
	if g.trust, err = loadTrust(g.store, g.started); err != nil {
		return nil, err
	}
	g.tls = g.trust.serverConfig(g.verify)
	if err := g.store.PutSetting("pairing", g.pairing); err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if err := g.load(); err != nil {
		return nil, err
	}
	if err := g.loadDesired(); err != nil {
		return nil, err
	}
	g.wg.Add(1)
	go g.background()
	return g, nil
}

func (g *Gateway) now() time.Time { return g.cfg.Now() }

// load reads the registry.
func (g *Gateway) load() error {
	recs, err := g.store.Devices()
	if err != nil {
		return fmt.Errorf("gateway: loading the registry: %w", err)
	}
	for _, r := range recs {
		d := &device{Device: fromRecord(r), spki: r.PublicKey}
		switch d.State {
		case Connected, Unreachable:
			d.State, d.dirty = Disconnected, true
		case Enrolling:
			d.State, d.dirty = Pending, true
		}
		g.addLocked(d)
	}
	return nil
}

// Trust is the lab's PKI (e.g. for tools that act as a device).
func (g *Gateway) Trust() *Trust { return g.trust }

// Serve runs one device session over conn (a link session's byte stream)
// until it ends, and closes conn. board is the board the link belongs to.
func (g *Gateway) Serve(ctx context.Context, conn net.Conn, board string) error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		conn.Close()
		return ErrClosed
	}
	g.conns[conn] = struct{}{}
	g.serving.Add(1)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.conns, conn)
		g.mu.Unlock()
		g.serving.Done()
	}()
	tc := tls.Server(conn, g.tls)
	hctx, cancel := context.WithTimeout(ctx, g.cfg.HandshakeTimeout)
	began := time.Now()
	err := tc.HandshakeContext(hctx)
	took := time.Since(began)
	cancel()
	if err != nil {
		tc.Close()
		g.mu.Lock()
		g.refused++
		g.mu.Unlock()
		g.emit(Event{Kind: EventRefused, Name: board, Detail: err.Error()})
		return fmt.Errorf("gateway: %s: handshake: %w", board, err)
	}
	s := &session{g: g, conn: tc, raw: conn, board: board, done: make(chan struct{})}
	cs := tc.ConnectionState()
	s.tls = SessionTLS{Version: tls.VersionName(cs.Version), Cipher: tls.CipherSuiteName(cs.CipherSuite), Handshake: took}
	if err := g.attach(s, cs.PeerCertificates[0]); err != nil {
		tc.Close()
		if errors.Is(err, ErrRefused) {
			g.emit(Event{Kind: EventRefused, Name: board, Detail: err.Error()})
		}
		return err
	}
	defer g.detach(s)
	return s.run(ctx)
}

// verify runs inside the handshake: a revoked key is refused there, with a
// bad_certificate alert from crypto/tls. attach checks again, for a key
// revoked while its handshake ran.
func (g *Gateway) verify(cert *x509.Certificate) error {
	id := DeviceID(cert.RawSubjectPublicKeyInfo).String()
	g.mu.Lock()
	d, ok := g.devices[id]
	revoked := ok && d.Revoked
	g.mu.Unlock()
	if revoked {
		return fmt.Errorf("gateway: device %s (%s) is revoked", id, cert.Subject.CommonName)
	}
	return nil
}

// attach records a new session for the certificate's device, ending any
// older session of the same device (the newest wins).
func (g *Gateway) attach(s *session, cert *x509.Certificate) error {
	spki := cert.RawSubjectPublicKeyInfo
	id := DeviceID(spki).String()
	now := g.now()
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return ErrClosed
	}
	g.handshakes++
	d, ok := g.devices[id]
	if ok && d.Revoked {
		g.refused++
		g.mu.Unlock()
		return fmt.Errorf("%w: device %s (%s) is revoked", ErrRefused, id, d.Name)
	}
	if !ok {
		d = &device{Device: Device{ID: id, Name: cert.Subject.CommonName, State: Pending, FirstSeen: now, Since: now}, spki: spki}
		g.addLocked(d)
	}
	old := d.session
	d.session = s
	d.app.known, d.app.stopSent = false, false // the next heartbeat says what it runs
	d.Board = s.board
	d.TLS = s.tls
	d.Sessions++
	d.LastSeen = now
	d.dirty = true
	s.dev = d
	g.sessions[s] = struct{}{}
	if !ok {
		g.emitLocked(Event{Kind: EventState, Device: id, Name: d.Name, From: Pending, To: Pending, Detail: "new device"})
	}
	g.mu.Unlock()
	if old != nil {
		old.close()
	}
	return nil
}

// detach ends a session's hold on its device.
func (g *Gateway) detach(s *session) {
	g.mu.Lock()
	delete(g.sessions, s)
	d := s.dev
	if d.session == s {
		d.session = nil
		switch {
		case !d.Enrolled:
			g.setState(d, Pending, "session ended") // e.g. rejected, revoked, or cut during enrollment
		case d.State == Connected || d.State == Unreachable:
			g.setState(d, Disconnected, "session ended")
		}
	}
	g.mu.Unlock()
}

// setState moves d to st and emits the change; the caller holds g.mu. It
// reports whether anything changed.
func (g *Gateway) setState(d *device, st State, detail string) bool {
	if d.State == st {
		return false
	}
	g.emitLocked(Event{Kind: EventState, Device: d.ID, Name: d.Name, From: d.State, To: st, Detail: detail})
	d.State = st
	d.Since = g.now()
	d.dirty = true
	return true
}

// emitLocked publishes e, queues it for the audit log and wakes WaitFor;
// the caller holds g.mu, so whoever sees a state has been sent its event.
func (g *Gateway) emitLocked(e Event) {
	if e.Time.IsZero() {
		e.Time = g.now()
	}
	if e.Kind != EventAppLog && e.Kind != EventAppPublish { // the audit log keeps decisions and changes, not app output
		g.audit = append(g.audit, store.Event{Time: e.Time, Device: e.Device, Kind: e.Kind, Detail: auditDetail(e)})
	}
	g.events.Publish(e) // never blocks: a subscriber that is behind loses it
	g.notifyLocked()
}

func (g *Gateway) emit(e Event) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.emitLocked(e)
}

func auditDetail(e Event) string {
	if e.Kind == EventState {
		s := e.From.String() + " -> " + e.To.String()
		if e.Detail != "" {
			s += ": " + e.Detail
		}
		return s
	}
	return e.Detail
}

func (g *Gateway) notifyLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// Subscribe returns the event stream and a function that ends it.
func (g *Gateway) Subscribe() (<-chan Event, func()) { return g.events.Subscribe() }

// Devices lists every known device, by name.
func (g *Gateway) Devices() []Device {
	g.mu.Lock()
	out := make([]Device, 0, len(g.devices))
	for _, d := range g.devices {
		out = append(out, d.snapshot())
	}
	g.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Device finds a device by ID or by name.
func (g *Gateway) Device(ref string) (Device, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	d, err := g.findLocked(ref)
	if err != nil {
		return Device{}, err
	}
	return d.snapshot(), nil
}

func (g *Gateway) addLocked(d *device) {
	g.devices[d.ID] = d
	g.byName[d.Name] = append(g.byName[d.Name], d)
}

func (g *Gateway) findLocked(ref string) (*device, error) {
	if d, ok := g.devices[ref]; ok {
		return d, nil
	}
	switch named := g.byName[ref]; len(named) {
	case 0:
		return nil, fmt.Errorf("%w %q", ErrUnknownDevice, ref)
	case 1:
		return named[0], nil
	}
	return nil, fmt.Errorf("%w: device name %q is ambiguous: use its id", ErrRefused, ref)
}

func (d *device) snapshot() Device {
	s := d.Device
	s.Counters = append([]uint64(nil), d.Counters...)
	s.Capabilities = append([]string(nil), d.Capabilities...)
	return s
}

// WaitFor waits until the device named by ref (ID or name) satisfies cond,
// and returns it.
func (g *Gateway) WaitFor(ctx context.Context, ref string, cond func(Device) bool) (Device, error) {
	for {
		g.mu.Lock()
		d, err := g.findLocked(ref)
		var snap Device
		if err == nil {
			snap = d.snapshot()
		}
		changed := g.changed
		g.mu.Unlock()
		if err == nil && cond(snap) {
			return snap, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if err != nil {
				return snap, fmt.Errorf("%w: %w", err, ctx.Err())
			}
			return snap, fmt.Errorf("gateway: device %s still %s: %w", snap.Name, snap.State, ctx.Err())
		}
	}
}

// Status describes the gateway.
func (g *Gateway) Status() Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := Status{
		Pairing: g.pairing, Heartbeat: g.cfg.Heartbeat, MissedLimit: g.cfg.MissedLimit,
		Started: g.started, Sessions: len(g.sessions), Devices: map[string]int{},
		Handshakes: g.handshakes, Refused: g.refused,
	}
	for _, s := range States() {
		st.Devices[s.String()] = 0
	}
	for _, d := range g.devices {
		st.Devices[d.State.String()]++
	}
	st.EventsDropped = g.events.Dropped()
	return st
}

// Ready says whether the gateway serves sessions.
func (g *Gateway) Ready() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.closed
}

// SetPairing changes the pairing mode and remembers it.
func (g *Gateway) SetPairing(p Pairing) error {
	if err := g.store.PutSetting("pairing", p); err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	g.mu.Lock()
	g.pairing = p
	g.mu.Unlock()
	return nil
}

// Close ends every session (each device then says hello again, to the next
// gateway), writes what the store lacks and stops. It does not close the
// store.
func (g *Gateway) Close() error {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil
	}
	g.closed = true
	sessions := make([]*session, 0, len(g.sessions))
	for s := range g.sessions {
		sessions = append(sessions, s)
	}
	conns := make([]net.Conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.notifyLocked()
	g.mu.Unlock()
	for _, s := range sessions {
		s.close() // close_notify first: the device starts over at once
	}
	for _, c := range conns {
		c.Close() // and handshakes in progress
	}
	g.serving.Wait() // every session's end is recorded before the last flush
	close(g.stop)
	g.wg.Wait()
	err := g.flush()
	g.events.Close()
	return err
}
