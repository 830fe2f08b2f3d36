package api

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	"wasmbed-lab/lab/gateway"
)

// TestClient: the CLI's client says what the lab answered, and what to do
// when no lab answers.
func TestClient(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	srv := httptest.NewServer(l.api.Handler())
	defer srv.Close()
	c := Client{Addr: strings.TrimPrefix(srv.URL, "http://"), Token: testToken}
	ctx := context.Background()
	if _, err := c.Stop(ctx, gateway.Targets{All: true}); err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "no enrolled device") {
		t.Errorf("stop all of none: %v", err)
	}
	if _, err := c.Deploy(ctx, gateway.Targets{To: []string{"board-9"}}, "a.wasm", []byte("\x00asm"), ""); err == nil || !strings.Contains(err.Error(), "board-9") {
		t.Errorf("deploy to an unknown device: %v", err)
	}
	bad := Client{Addr: c.Addr, Token: "wrong-token-0123456789"}
	if _, err := bad.Stop(ctx, gateway.Targets{All: true}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong token: %v", err)
	}
	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := (Client{Addr: addr}).Stop(ctx, gateway.Targets{All: true}); err == nil || !strings.Contains(err.Error(), "no lab answers") {
		t.Errorf("no lab: %v", err)
	}
}
