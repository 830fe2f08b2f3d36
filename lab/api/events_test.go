package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"wasmbed-lab/lab/gateway"
)

func TestEventStream(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	srv := httptest.NewServer(l.api.Handler())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	events := openEvents(t, ctx, srv.URL)

	l.connect("board-1", "mps2-an386")
	ev, err := events.next()
	if err != nil {
		t.Fatal(err)
	}
	var e gateway.Event
	if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
		t.Fatalf("event data %q: %v", ev.data, err)
	}
	if ev.kind != "" || e.Kind != gateway.EventState || e.Name != "board-1" || e.Device == "" {
		t.Fatalf("first event %+v: %+v", ev, e)
	}

	// A gateway restart ends the stream, saying so.
	l.gw.Load().Close()
	for {
		ev, err = events.next()
		if err != nil {
			t.Fatalf("stream ended without an end event: %v", err)
		}
		if ev.kind == "end" {
			break
		}
	}
	if !strings.Contains(ev.data, "gateway closed") {
		t.Fatalf("end event %q", ev.data)
	}
	if _, err := events.next(); err != io.EOF {
		t.Fatalf("after the end event: %v, want EOF", err)
	}
}

// With Config.Subscribe, /v1/events serves that stream (a lab's, which
// outlives gateways) and ends only with it.
func TestEventStreamFromSubscribe(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	var hub gateway.Hub
	s, err := New(Config{Token: testToken, Gateway: l.gw.Load, Subscribe: hub.Subscribe})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	events := openEvents(t, ctx, srv.URL)

	l.gw.Load().Close() // the gateway goes; the stream stays
	hub.Publish(gateway.Event{Kind: gateway.EventGateway, Detail: "restarted"})
	ev, err := events.next()
	if err != nil || !strings.Contains(ev.data, `"restarted"`) {
		t.Fatalf("event %+v, %v", ev, err)
	}
	hub.Close()
	if ev, err := events.next(); err != nil || ev.kind != "end" {
		t.Fatalf("after the stream closed: %+v, %v, want the end event", ev, err)
	}
}
