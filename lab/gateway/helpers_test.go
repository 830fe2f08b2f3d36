package gateway

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"wasmbed-lab/lab/pki"
	"wasmbed-lab/lab/proto"
	"wasmbed-lab/lab/store"
)

// waitLimit bounds every wait in these tests: they wait for something to
// happen, never for time to pass (but for the sweeper's, in the missed
// heartbeat tests, which run with a short interval).
const waitLimit = 10 * time.Second

// quietHeartbeat is the interval of tests that do not want the sweeper to
// count anything as missed.
const quietHeartbeat = time.Minute

func newStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// newGateway starts a gateway on cfg.Store (a new one when nil), closed at
// cleanup before its store.
func newGateway(tb testing.TB, cfg Config) *Gateway {
	tb.Helper()
	if cfg.Store == nil {
		cfg.Store = newStore(tb)
	}
	if cfg.Heartbeat == 0 {
		cfg.Heartbeat = quietHeartbeat
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = waitLimit
	}
	gw, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { gw.Close() })
	return gw
}

// newIdentity is a device key with a certificate from gw's device CA; name
// is its common name, so the device's name.
func newIdentity(tb testing.TB, gw *Gateway, name string) *pki.Identity {
	tb.Helper()
	id, err := gw.Trust().DeviceCA.NewIdentity(name, pki.ClientAuth, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// identityFromSeed is like newIdentity with a key made from seed, so that
// the device's key is known before the gateway exists (fuzz seeds hold it).
func identityFromSeed(tb testing.TB, gw *Gateway, name string, seed [ed25519.SeedSize]byte) *pki.Identity {
	tb.Helper()
	key := ed25519.NewKeyFromSeed(seed[:])
	der, err := gw.Trust().DeviceCA.Issue(name, key.Public().(ed25519.PublicKey), pki.ClientAuth, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return &pki.Identity{Name: name, Key: key, CertDER: der}
}

// deviceID is the ID the gateway gives the identity's key.
func deviceID(tb testing.TB, id *pki.Identity) string {
	tb.Helper()
	return DeviceID(spkiOf(tb, id)).String()
}

// spkiOf is the SubjectPublicKeyInfo of the identity's certificate.
func spkiOf(tb testing.TB, id *pki.Identity) []byte {
	tb.Helper()
	cert, err := x509.ParseCertificate(id.CertDER)
	if err != nil {
		tb.Fatal(err)
	}
	return cert.RawSubjectPublicKeyInfo
}

// fakeDevice is one device session made by the test: a crypto/tls client
// with a certificate from the lab's device CA, speaking lab/proto over a
// net.Pipe to Gateway.Serve.
type fakeDevice struct {
	tb     testing.TB
	id     *pki.Identity
	conn   *tls.Conn
	nextID uint64
	in     inbox

	served   chan struct{} // closed when Serve returned
	serveErr error         // Serve's result, once served is closed
	cancel   func()        // ends Serve's context
}

// connect opens a session for id from board; the handshake must succeed.
func connect(tb testing.TB, gw *Gateway, id *pki.Identity, board string) *fakeDevice {
	tb.Helper()
	d, err := dial(tb, gw, id, board)
	if err != nil {
		tb.Fatalf("device %s: handshake: %v", id.Name, err)
	}
	return d
}

// dial opens a session for id from board and returns the client's
// handshake error. A TLS 1.3 client finishes its handshake before the
// server has checked its certificate: a refusal shows as the session's end
// (see expectEnd).
func dial(tb testing.TB, gw *Gateway, id *pki.Identity, board string) (*fakeDevice, error) {
	tb.Helper()
	devEnd, gwEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	d := &fakeDevice{tb: tb, id: id, served: make(chan struct{}), cancel: cancel}
	d.in.wake = make(chan struct{}, 1)
	go func() {
		defer close(d.served)
		d.serveErr = gw.Serve(ctx, gwEnd, board)
	}()
	d.conn = tls.Client(devEnd, gw.Trust().DeviceConfig(id))
	hctx, hcancel := context.WithTimeout(ctx, waitLimit)
	defer hcancel()
	if err := d.conn.HandshakeContext(hctx); err != nil {
		d.conn.Close()
		cancel()
		<-d.served
		return nil, err
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		d.in.readFrom(d.conn)
	}()
	tb.Cleanup(func() {
		d.conn.Close()
		cancel()
		<-d.served
		<-read
	})
	return d, nil
}

// inbox holds what the gateway sent, however much, so that the gateway
// never blocks on a slow test.
type inbox struct {
	mu   sync.Mutex
	msgs []proto.Envelope
	end  error // why the stream ended (io.EOF for a clean end); nil while it runs
	wake chan struct{}
}

func (in *inbox) readFrom(conn net.Conn) {
	for {
		env, err := proto.ReadMessage(conn, proto.FromGateway)
		in.mu.Lock()
		if err != nil {
			in.end = err
		} else {
			in.msgs = append(in.msgs, env)
		}
		in.mu.Unlock()
		select {
		case in.wake <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// next returns the next message, or the stream's end.
func (in *inbox) next(timeout time.Duration) (proto.Envelope, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		in.mu.Lock()
		if len(in.msgs) > 0 {
			env := in.msgs[0]
			in.msgs = in.msgs[1:]
			in.mu.Unlock()
			return env, nil
		}
		end := in.end
		in.mu.Unlock()
		if end != nil {
			return proto.Envelope{}, end
		}
		select {
		case <-in.wake:
		case <-deadline.C:
			return proto.Envelope{}, errTimeout
		}
	}
}

var errTimeout = errors.New("nothing from the gateway in time")

// sendID sends m with the given msg_id.
func (d *fakeDevice) sendID(msgID uint64, m proto.Message) {
	d.tb.Helper()
	b, err := proto.Encode(msgID, m)
	if err != nil {
		d.tb.Fatal(err)
	}
	d.write(b)
}

// send sends m with the session's next msg_id and returns it.
func (d *fakeDevice) send(m proto.Message) uint64 {
	d.tb.Helper()
	d.nextID++
	d.sendID(d.nextID, m)
	return d.nextID
}

// write sends raw application data.
func (d *fakeDevice) write(b []byte) {
	d.tb.Helper()
	if _, err := d.conn.Write(b); err != nil {
		d.tb.Fatalf("device %s: writing %d bytes: %v", d.id.Name, len(b), err)
	}
}

// next is the gateway's next message; the session must still be up.
func (d *fakeDevice) next() proto.Envelope {
	d.tb.Helper()
	env, err := d.in.next(waitLimit)
	if err != nil {
		d.tb.Fatalf("device %s: waiting for a message: %v", d.id.Name, err)
	}
	return env
}

// recv is the gateway's next message, which must be a T; it returns the
// message and its msg_id.
func recv[T proto.Message](d *fakeDevice) (T, uint64) {
	d.tb.Helper()
	env := d.next()
	m, ok := env.Msg.(T)
	if !ok {
		d.tb.Fatalf("device %s: got %s, want a %T", d.id.Name, proto.Dump(env), m)
	}
	return m, env.MsgID
}

// expectError waits for the gateway's next message, an Error with code.
func (d *fakeDevice) expectError(code proto.ErrorCode) (proto.GatewayError, uint64) {
	d.tb.Helper()
	e, id := recv[proto.GatewayError](d)
	if e.Code != code {
		d.tb.Fatalf("device %s: error %s (%q), want %s", d.id.Name, e.Code, e.Message, code)
	}
	return e, id
}

// expectEnd waits until the gateway ends the session, with no message
// before the end, and for Serve to return. It returns how the device's
// stream ended and Serve's error.
func (d *fakeDevice) expectEnd() (streamEnd, serveErr error) {
	d.tb.Helper()
	env, err := d.in.next(waitLimit)
	if err == nil {
		d.tb.Fatalf("device %s: got %s, want the session to end", d.id.Name, proto.Dump(env))
	}
	if errors.Is(err, errTimeout) {
		d.tb.Fatalf("device %s: the session did not end", d.id.Name)
	}
	d.waitServed()
	return err, d.serveErr
}

// waitServed waits for Serve to return (its deferred detach has run then).
func (d *fakeDevice) waitServed() {
	d.tb.Helper()
	select {
	case <-d.served:
	case <-time.After(waitLimit):
		d.tb.Fatalf("device %s: Serve did not return", d.id.Name)
	}
}

// hangUp ends the session from the device's side and waits for Serve.
func (d *fakeDevice) hangUp() {
	d.tb.Helper()
	d.conn.Close()
	d.waitServed()
}

// barrier proves that the gateway handled everything sent before it and
// answered nothing else: it sends a PublicKey with a key that is not the
// device's, whose Error 6 must be the next message.
func (d *fakeDevice) barrier() {
	d.tb.Helper()
	var wrong [32]byte
	wrong[0] = 1
	sent := d.send(proto.PublicKey{Key: wrong})
	if _, got := d.expectError(proto.CodeBadField); got != sent {
		d.tb.Fatalf("device %s: barrier error has msg_id %d, want %d", d.id.Name, got, sent)
	}
}

// enroll sends EnrollmentRequest and expects to be accepted at once.
func (d *fakeDevice) enroll() proto.DeviceUUID {
	d.tb.Helper()
	d.send(proto.EnrollmentRequest{})
	return d.expectAccepted()
}

// expectAccepted expects DeviceUuid then EnrollmentAccepted.
func (d *fakeDevice) expectAccepted() proto.DeviceUUID {
	d.tb.Helper()
	id, _ := recv[proto.DeviceUUID](d)
	recv[proto.EnrollmentAccepted](d)
	return id
}

// heartbeat sends a Heartbeat and expects its HeartbeatAck.
func (d *fakeDevice) heartbeat(seq uint64, counters ...uint64) {
	d.tb.Helper()
	sent := d.send(proto.Heartbeat{Seq: seq, UptimeMs: 1000 * seq, FreeRAM: 4096, Counters: counters})
	ack, got := recv[proto.HeartbeatAck](d)
	if ack.Seq != seq || got != sent {
		d.tb.Fatalf("device %s: ack seq %d msg_id %d, want seq %d msg_id %d", d.id.Name, ack.Seq, got, seq, sent)
	}
}

// holdStore holds the store's only write transaction until release (or
// the test's end): every write to the store waits meanwhile.
func holdStore(tb testing.TB, st *store.Store) (release func()) {
	holding, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(done) }) }
	tb.Cleanup(release)
	go st.UpdateDevice("hold", func(*store.Device, bool) error {
		close(holding)
		<-done
		return errors.New("not written")
	})
	<-holding
	return release
}

// fakeClock is a Config.Now that moves only when the test says.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// frame is a length-prefixed message of body bytes, which need not be
// valid CBOR.
func frame(body ...byte) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// subscribe returns the gateway's events, unsubscribed at cleanup.
func subscribe(tb testing.TB, gw *Gateway) <-chan Event {
	ch, stop := gw.Subscribe()
	tb.Cleanup(stop)
	return ch
}

// describe is an event in the words the tests expect: "Pending -> Enrolling"
// for a state change, its kind for the others.
func describe(e Event) string {
	if e.Kind == EventState {
		return e.From.String() + " -> " + e.To.String()
	}
	return e.Kind
}

// expectEvents reads len(want) events and checks them in order.
func expectEvents(tb testing.TB, ch <-chan Event, want ...string) []Event {
	tb.Helper()
	var got []Event
	timeout := time.After(waitLimit)
	for range want {
		select {
		case e, ok := <-ch:
			if !ok {
				tb.Fatalf("events ended after %s; want %q", describeAll(got), want)
			}
			got = append(got, e)
		case <-timeout:
			tb.Fatalf("events: got %s; want %q", describeAll(got), want)
		}
	}
	for i, e := range got {
		if describe(e) != want[i] {
			tb.Fatalf("events: got %s; want %q", describeAll(got), want)
		}
	}
	return got
}

// expectNoEvent checks that no event is queued now.
func expectNoEvent(tb testing.TB, ch <-chan Event) {
	tb.Helper()
	select {
	case e := <-ch:
		tb.Fatalf("unexpected event %s (%s)", describe(e), e.Detail)
	default:
	}
}

func describeAll(es []Event) string {
	s := "["
	for i, e := range es {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", describe(e))
	}
	return s + "]"
}

// waitFor waits until the device satisfies cond.
func waitFor(tb testing.TB, gw *Gateway, ref string, cond func(Device) bool) Device {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	d, err := gw.WaitFor(ctx, ref, cond)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func inState(st State) func(Device) bool {
	return func(d Device) bool { return d.State == st }
}

// mustDevice is the device ref names, which must exist.
func mustDevice(tb testing.TB, gw *Gateway, ref string) Device {
	tb.Helper()
	d, err := gw.Device(ref)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}
