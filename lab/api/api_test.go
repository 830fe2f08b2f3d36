package api

import (
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/gateway"
)

func TestNewValidates(t *testing.T) {
	gw := func() *gateway.Gateway { return nil }
	cases := []struct {
		name    string
		cfg     Config
		wantErr string // "" for success
	}{
		{"default", Config{Gateway: gw}, ""},
		{"ipv4 loopback", Config{Addr: "127.0.0.1:0", Gateway: gw}, ""},
		{"ipv6 loopback", Config{Addr: "[::1]:0", Gateway: gw}, ""},
		{"localhost", Config{Addr: "localhost:7420", Gateway: gw}, ""},
		{"all interfaces", Config{Addr: ":7420", Gateway: gw}, "not loopback"},
		{"unspecified", Config{Addr: "0.0.0.0:7420", Gateway: gw}, "not loopback"},
		{"lan address", Config{Addr: "192.168.1.10:7420", Gateway: gw}, "other machines could reach"},
		{"host name", Config{Addr: "lab.example:7420", Gateway: gw}, "not loopback"},
		{"remote allowed", Config{Addr: "0.0.0.0:0", AllowRemote: true, Gateway: gw}, ""},
		{"no port", Config{Addr: "127.0.0.1", Gateway: gw}, "missing port"},
		{"bad port", Config{Addr: "127.0.0.1:http-alt", Gateway: gw}, "not a number"},
		{"no gateway", Config{}, "no gateway"},
		{"short token", Config{Token: "secret", Gateway: gw}, "at least 16"},
		{"token with a space", Config{Token: "0123456789 abcdef", Gateway: gw}, "offset 10"},
		{"token ok", Config{Token: "abcdefghijklmnop+/==", Gateway: gw}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New(c.cfg)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("New: error %v, want one containing %q", err, c.wantErr)
			}
			if s != nil {
				t.Fatal("New returned a server with an error")
			}
			if c.cfg.Token != "" && strings.Contains(err.Error(), c.cfg.Token) {
				t.Fatal("the error quotes the token")
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	s, err := New(Config{Gateway: func() *gateway.Gateway { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Addr() != DefaultAddr {
		t.Errorf("Addr %q, want %q", s.Addr(), DefaultAddr)
	}
	tok, err := hex.DecodeString(s.Token())
	if err != nil || len(tok) != 32 {
		t.Errorf("made token %q is not 32 bytes of hex", s.Token())
	}
	s2, _ := New(Config{Gateway: func() *gateway.Gateway { return nil }})
	if s2.Token() == s.Token() {
		t.Error("two servers made the same token")
	}
}

func TestRoutes(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	cases := []struct {
		name         string
		method, path string
		token, body  string
		code         int
		contains     string // in the body
	}{
		{"healthz", "GET", "/healthz", "", "", 200, `"status":"ok"`},
		{"readyz", "GET", "/readyz", "", "", 200, `"status":"ready"`},
		{"status", "GET", "/v1/status", "", "", 200, `"pairing":"auto"`},
		{"pairing", "GET", "/v1/pairing", "", "", 200, `{"pairing":"auto"}`},
		{"no devices", "GET", "/v1/devices", "", "", 200, "[]"},
		{"state filter", "GET", "/v1/devices?state=connected", "", "", 200, "[]"},
		{"unknown state", "GET", "/v1/devices?state=asleep", "", "", 400, "Pending, Enrolling, Enrolled, Connected, Unreachable, Disconnected"},
		{"unknown device", "GET", "/v1/devices/board-9", "", "", 404, `\"board-9\"`},
		{"escaped ref", "GET", "/v1/devices/a%2Fb", "", "", 404, `\"a/b\"`},
		{"approve unknown", "POST", "/v1/devices/board-9/approve", testToken, "", 404, "board-9"},
		{"reject unknown", "POST", "/v1/devices/board-9/reject", testToken, "", 404, "board-9"},
		{"revoke unknown", "POST", "/v1/devices/board-9/revoke", testToken, "", 404, "board-9"},
		{"approve without token", "POST", "/v1/devices/board-9/approve", "", "", 401, "Authorization: Bearer <token>"},
		{"reject with wrong token", "POST", "/v1/devices/board-9/reject", "guess-0123456789abcdef", "", 401, "wrong token"},
		{"revoke with wrong token", "POST", "/v1/devices/board-9/revoke", "x", "", 401, "the lab prints where to find it"},
		{"pairing without token", "PUT", "/v1/pairing", "", `{"pairing":"manual"}`, 401, "needs the lab's token"},
		{"pairing bad mode", "PUT", "/v1/pairing", testToken, `{"pairing":"sometimes"}`, 400, "want auto or manual"},
		{"pairing no mode", "PUT", "/v1/pairing", testToken, `{}`, 400, `needs \"pairing\"`},
		{"pairing unknown field", "PUT", "/v1/pairing", testToken, `{"pairing":"auto","x":1}`, 400, "unknown field"},
		{"pairing two values", "PUT", "/v1/pairing", testToken, `{"pairing":"auto"}{}`, 400, "data after"},
		{"pairing empty body", "PUT", "/v1/pairing", testToken, ``, 400, "empty body"},
		{"pairing too large", "PUT", "/v1/pairing", testToken, `{"pairing":"` + strings.Repeat("a", maxBody) + `"}`, 413, "over 1048576 bytes"},
		{"events without token", "GET", "/v1/events", "", "", 401, "Authorization: Bearer"},
		{"events with wrong token", "GET", "/v1/events", "nope-nope-nope-nope", "", 401, "wrong token"},
		{"deploy without token", "POST", "/v1/deploy?to=board-9&name=a.wasm", "", "", 401, "Authorization: Bearer"},
		{"deploy JSON", "POST", "/v1/deploy?to=board-9&name=a.wasm", testToken, `{"module":1}`, 415, "application/wasm"},
		{"deploy without name", "POST", "/v1/deploy?to=board-9", testToken, "", 400, "?name="},
		{"deploy name with a directory", "POST", "/v1/deploy?to=board-9&name=a/b.wasm", testToken, "", 400, "no directory"},
		{"deploy bad restart", "POST", "/v1/deploy?to=board-9&name=a.wasm&restart=sometimes", testToken, "", 400, "on-failure"},
		{"deploy empty module", "POST", "/v1/deploy?to=board-9&name=a.wasm", testToken, "", 400, "empty body"},
		{"stop without targets", "POST", "/v1/stop", testToken, "", 400, "?board=BOARD"},
		{"stop two ways", "POST", "/v1/stop?to=a&all=true", testToken, "", 400, "one way"},
		{"stop unknown device", "POST", "/v1/stop?to=board-9", testToken, "", 404, "board-9"},
		{"stop unknown board", "POST", "/v1/stop?board=pdp-11", testToken, "", 400, "pdp-11"},
		{"stop all of none", "POST", "/v1/stop?all=true", testToken, "", 404, "no enrolled device"},
		{"message without token", "POST", "/v1/devices/board-9/message", "", "hi", 401, "Authorization"},
		{"message unknown device", "POST", "/v1/devices/board-9/message", testToken, "hi", 404, "board-9"},
		{"no route", "GET", "/v2/everything", "", "", 404, "no route GET /v2/everything"},
		{"wrong method", "DELETE", "/v1/status", testToken, "", 405, "DELETE is not allowed"},
		{"get on a change", "GET", "/v1/devices/x/approve", "", "", 405, "not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := l.do(c.method, c.path, c.token, c.body)
			if w.Code != c.code {
				t.Fatalf("%s %s: %d %s, want %d", c.method, c.path, w.Code, w.Body, c.code)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(w.Body.String(), c.contains) {
				t.Errorf("body %s does not contain %s", w.Body, c.contains)
			}
			if c.token != "" && c.token != testToken && strings.Contains(w.Body.String(), c.token) {
				t.Error("the answer echoes the token it received")
			}
			if strings.Contains(w.Body.String(), testToken) {
				t.Error("the answer holds the lab's token")
			}
			if c.code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if c.code == 405 && w.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

func TestSetPairing(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	w := l.do("PUT", "/v1/pairing", testToken, `{"pairing":"Manual"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"pairing":"manual"`) {
		t.Fatalf("PUT /v1/pairing: %d %s", w.Code, w.Body)
	}
	if p := l.gw.Load().Status().Pairing; p != gateway.PairingManual {
		t.Fatalf("gateway pairing %s after PUT manual", p)
	}
	if w := l.do("GET", "/v1/pairing", "", ""); !strings.Contains(w.Body.String(), `"manual"`) {
		t.Fatalf("GET /v1/pairing: %s", w.Body)
	}
}

func TestTokenSchemeCaseInsensitive(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	r := httptestRequest("PUT", "/v1/pairing", `{"pairing":"auto"}`)
	r.Header.Set("Authorization", "bearer "+testToken)
	w := serve(l.api, r)
	if w.Code != 200 {
		t.Fatalf("lower-case scheme: %d %s", w.Code, w.Body)
	}
	r = httptestRequest("PUT", "/v1/pairing", `{"pairing":"auto"}`)
	r.Header.Set("Authorization", "Basic "+testToken)
	if w := serve(l.api, r); w.Code != 401 {
		t.Fatalf("Basic scheme: %d, want 401", w.Code)
	}
}

func TestRemoteHostRefused(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	for _, host := range []string{"evil.example", "evil.example:7420", "192.168.1.10:7420"} {
		r := httptestRequest("GET", "/v1/status", "")
		r.Host = host
		w := serve(l.api, r)
		if w.Code != http.StatusMisdirectedRequest || !strings.Contains(errorOf(t, w), "not a loopback name") {
			t.Errorf("Host %s: %d %s, want 421", host, w.Code, w.Body)
		}
	}
	for _, host := range []string{"localhost:7420", "127.0.0.1", "[::1]:7420", "LOCALHOST"} {
		r := httptestRequest("GET", "/v1/status", "")
		r.Host = host
		if w := serve(l.api, r); w.Code != 200 {
			t.Errorf("Host %s: %d %s, want 200", host, w.Code, w.Body)
		}
	}
	// With remote access allowed, any name goes.
	remote, err := New(Config{Addr: "0.0.0.0:0", AllowRemote: true, Token: testToken, Gateway: l.gw.Load})
	if err != nil {
		t.Fatal(err)
	}
	r := httptestRequest("GET", "/v1/status", "")
	r.Host = "lab.example:7420"
	if w := serve(remote, r); w.Code != 200 {
		t.Errorf("AllowRemote: %d %s", w.Code, w.Body)
	}
}

func TestGatewayRestarting(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	gw := l.gw.Swap(nil)
	for _, c := range []struct{ method, path, token string }{
		{"GET", "/readyz", ""},
		{"GET", "/v1/status", ""},
		{"GET", "/v1/pairing", ""},
		{"GET", "/v1/devices", ""},
		{"GET", "/v1/devices/x", ""},
		{"POST", "/v1/devices/x/approve", testToken},
		{"GET", "/v1/events", testToken},
	} {
		w := l.do(c.method, c.path, c.token, "")
		if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: %d %s, want 503 with Retry-After", c.method, c.path, w.Code, w.Body)
			continue
		}
		if msg := errorOf(t, w); !strings.Contains(msg, "not running") {
			t.Errorf("%s %s: message %q", c.method, c.path, msg)
		}
	}
	if w := l.do("PUT", "/v1/pairing", testToken, `{"pairing":"manual"}`); w.Code != 503 {
		t.Errorf("PUT /v1/pairing: %d", w.Code)
	}
	if w := l.do("GET", "/healthz", "", ""); w.Code != 200 {
		t.Errorf("healthz while restarting: %d", w.Code)
	}
	w := l.do("GET", "/metrics", "", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "wasmbed_gateway_up 0") {
		t.Errorf("metrics while restarting: %d\n%s", w.Code, w.Body)
	}

	// A closed gateway is not ready either, and has no events to stream.
	l.gw.Store(gw)
	gw.Close()
	if w := l.do("GET", "/readyz", "", ""); w.Code != 503 {
		t.Errorf("readyz on a closed gateway: %d", w.Code)
	}
	if w := l.do("GET", "/v1/events", testToken, ""); w.Code != 503 {
		t.Errorf("events on a closed gateway: %d", w.Code)
	}
}

func TestStartAddrClose(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	s, err := New(Config{Addr: "127.0.0.1:0", Token: testToken, Gateway: l.gw.Load})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	if strings.HasSuffix(s.Addr(), ":0") {
		t.Fatalf("Addr %s after Start, want the real port", s.Addr())
	}
	resp, err := http.Get("http://" + s.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Fatalf("healthz: %s %s", resp.Status, body)
	}

	// Close ends an open event stream rather than waiting for it.
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	events := openEvents(t, ctx, "http://"+s.Addr())
	if err := s.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ev, err := events.next()
	if err != nil || ev.kind != "end" || !strings.Contains(ev.data, "shutting down") {
		t.Fatalf("after Close: event %+v, %v; want end", ev, err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Start(); err == nil {
		t.Error("Start after Close succeeded")
	}
	if _, err := http.Get("http://" + s.Addr() + "/healthz"); err == nil {
		t.Error("still serving after Close")
	}
}

func TestStartListenError(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	a, err := New(Config{Addr: "127.0.0.1:0", Gateway: l.gw.Load})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	b, err := New(Config{Addr: a.Addr(), Gateway: l.gw.Load})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err == nil || !strings.Contains(err.Error(), "api:") {
		t.Fatalf("Start on a used port: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("Close of a server that never started: %v", err)
	}
}
