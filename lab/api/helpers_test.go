package api

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/pki"
	"wasmbed-lab/lab/proto"
	"wasmbed-lab/lab/store"
)

const testToken = "test-token-0123456789abcdef"

// waitLimit bounds every wait in these tests; nothing waits for time to
// pass, only for something to happen.
const waitLimit = 10 * time.Second

// testLab is a real gateway on a real store, behind the API.
type testLab struct {
	t   *testing.T
	gw  atomic.Pointer[gateway.Gateway] // nil while "restarting"
	api *Server
}

func newTestLab(t *testing.T, pairing gateway.Pairing) *testLab {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gw, err := gateway.New(gateway.Config{
		Store:   st,
		Pairing: pairing,
		// Long enough that no heartbeat counts as missed while a test runs.
		Heartbeat: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	l := &testLab{t: t}
	l.gw.Store(gw)
	if l.api, err = New(Config{Token: testToken, Gateway: l.gw.Load}); err != nil {
		t.Fatal(err)
	}
	return l
}

// do sends a request to the API's handler, as a loopback client would.
func (l *testLab) do(method, path, token, body string) *httptest.ResponseRecorder {
	l.t.Helper()
	r := httptestRequest(method, path, body)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return serve(l.api, r)
}

// httptestRequest is a request from a loopback client.
func httptestRequest(method, path, body string) *http.Request {
	r := httptest.NewRequest(method, "http://127.0.0.1:7420"+path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func serve(s *Server, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}

// decode reads a JSON response body into v.
func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
}

// errorOf is the message of an error response.
func errorOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var e errorBody
	decode(t, w, &e)
	if e.Error == "" {
		t.Fatalf("error response without a message: %s", w.Body.String())
	}
	return e.Error
}

func (l *testLab) waitFor(ref string, cond func(gateway.Device) bool) gateway.Device {
	l.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	d, err := l.gw.Load().WaitFor(ctx, ref, cond)
	if err != nil {
		l.t.Fatal(err)
	}
	return d
}

func inState(st gateway.State) func(gateway.Device) bool {
	return func(d gateway.Device) bool { return d.State == st }
}

// fakeDevice is a device session made in the test: a TLS client with a
// certificate from the lab's device CA, speaking lab/proto over a pipe to
// gateway.Serve.
type fakeDevice struct {
	t      *testing.T
	conn   *tls.Conn
	got    chan proto.Envelope // from the gateway; closed when the session ends
	nextID uint64
}

func (l *testLab) connect(name, board string) *fakeDevice {
	t := l.t
	t.Helper()
	gw := l.gw.Load()
	id, err := gw.Trust().DeviceCA.NewIdentity(name, pki.ClientAuth, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	devEnd, gwEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- gw.Serve(ctx, gwEnd, board) }()
	conn := tls.Client(devEnd, gw.Trust().DeviceConfig(id))
	hctx, hcancel := context.WithTimeout(ctx, waitLimit)
	defer hcancel()
	if err := conn.HandshakeContext(hctx); err != nil {
		cancel()
		conn.Close()
		t.Fatalf("device %s: handshake: %v", name, err)
	}
	d := &fakeDevice{t: t, conn: conn, got: make(chan proto.Envelope, 64)}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(d.got)
		for {
			env, err := proto.ReadMessage(conn, proto.FromGateway)
			if err != nil {
				return
			}
			d.got <- env
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		cancel()
		<-served
		<-read
	})
	return d
}

func (d *fakeDevice) send(m proto.Message) {
	d.t.Helper()
	d.nextID++
	b, err := proto.Encode(d.nextID, m)
	if err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.conn.Write(b); err != nil {
		d.t.Fatalf("device: sending %T: %v", m, err)
	}
}

// expect waits for a message of type T from the gateway, skipping others.
func expect[T proto.Message](d *fakeDevice) T {
	d.t.Helper()
	timeout := time.After(waitLimit)
	for {
		select {
		case env, ok := <-d.got:
			if !ok {
				var zero T
				d.t.Fatalf("session ended before a %T", zero)
			}
			if m, ok := env.Msg.(T); ok {
				return m
			}
			if e, ok := env.Msg.(proto.GatewayError); ok {
				var zero T
				d.t.Fatalf("waiting for %T, the gateway answered error %s: %s", zero, e.Code, e.Message)
			}
		case <-timeout:
			var zero T
			d.t.Fatalf("no %T from the gateway", zero)
		}
	}
}

// sseReader reads a Server-Sent Events stream.
type sseReader struct {
	t    *testing.T
	body io.Reader
	buf  []byte
}

// sseEvent is one dispatched event: its type ("" for the default) and data.
type sseEvent struct {
	kind, data string
}

// next returns the next event, skipping comments; io.EOF when the stream
// ends.
func (r *sseReader) next() (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := r.line()
		if err != nil {
			return ev, err
		}
		switch {
		case line == "":
			if ev.data != "" || ev.kind != "" {
				return ev, nil
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			ev.kind = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data += strings.TrimPrefix(line, "data: ")
		default:
			return ev, errors.New("unexpected line " + line)
		}
	}
}

func (r *sseReader) line() (string, error) {
	for {
		if i := strings.IndexByte(string(r.buf), '\n'); i >= 0 {
			s := string(r.buf[:i])
			r.buf = r.buf[i+1:]
			return s, nil
		}
		var b [512]byte
		n, err := r.body.Read(b[:])
		r.buf = append(r.buf, b[:n]...)
		if err != nil && n == 0 {
			return "", err
		}
	}
}

// openEvents opens the event stream of an API served at base.
func openEvents(t *testing.T, ctx context.Context, base string) *sseReader {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/v1/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /v1/events: %s: %s", resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	return &sseReader{t: t, body: resp.Body}
}
