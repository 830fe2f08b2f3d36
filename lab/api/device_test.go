package api

import (
	"strings"
	"testing"

	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/proto"
)

// listDevices is GET /v1/devices with a query.
func (l *testLab) listDevices(query string) []gateway.Device {
	l.t.Helper()
	w := l.do("GET", "/v1/devices"+query, "", "")
	if w.Code != 200 {
		l.t.Fatalf("GET /v1/devices%s: %d %s", query, w.Code, w.Body)
	}
	var out []gateway.Device
	decode(l.t, w, &out)
	return out
}

// decision posts an operator decision and returns the device it answers.
func (l *testLab) decision(ref, action string) gateway.Device {
	l.t.Helper()
	w := l.do("POST", "/v1/devices/"+ref+"/"+action, testToken, "")
	if w.Code != 200 {
		l.t.Fatalf("%s %s: %d %s", action, ref, w.Code, w.Body)
	}
	var d gateway.Device
	decode(l.t, w, &d)
	return d
}

func TestDeviceLifecycle(t *testing.T) {
	l := newTestLab(t, gateway.PairingManual)
	dev := l.connect("board-1", "mps2-an385")
	known := l.waitFor("board-1", func(gateway.Device) bool { return true })
	dev.send(proto.EnrollmentRequest{})

	// Waiting for an operator.
	w := l.do("GET", "/v1/devices/board-1", "", "")
	var d gateway.Device
	decode(t, w, &d)
	if w.Code != 200 || d.ID != known.ID || d.State != gateway.Pending || d.Board != "mps2-an385" {
		t.Fatalf("GET /v1/devices/board-1: %d %+v", w.Code, d)
	}
	if got := l.listDevices("?state=pending"); len(got) != 1 || got[0].Name != "board-1" {
		t.Fatalf("?state=pending: %+v", got)
	}
	if got := l.listDevices("?state=Connected"); len(got) != 0 {
		t.Fatalf("?state=Connected before any heartbeat: %+v", got)
	}

	// Approved by name, it hears so, and its heartbeat makes it Connected.
	if d := l.decision("board-1", "approve"); !d.Enrolled || d.ID != known.ID {
		t.Fatalf("approve answered %+v", d)
	}
	expect[proto.EnrollmentAccepted](dev)
	l.waitFor("board-1", inState(gateway.Enrolled))
	dev.send(proto.Heartbeat{Seq: 1, UptimeMs: 1000, FreeRAM: 4096, Counters: []uint64{0, 0, 0, 0, 2500}})
	expect[proto.HeartbeatAck](dev)
	l.waitFor("board-1", inState(gateway.Connected))
	if got := l.listDevices("?state=CONNECTED&state=unreachable"); len(got) != 1 || got[0].Heartbeats != 1 {
		t.Fatalf("?state=CONNECTED&state=unreachable: %+v", got)
	}
	if w := l.do("GET", "/v1/devices/"+known.ID, "", ""); w.Code != 200 {
		t.Fatalf("GET by id: %d %s", w.Code, w.Body)
	}

	labels := `{board="mps2-an385",device="` + known.ID + `",name="board-1"}`
	metrics := l.do("GET", "/metrics", "", "").Body.String()
	for _, want := range []string{
		`wasmbed_gateway_up 1`,
		`wasmbed_devices{state="Connected"} 1`,
		`wasmbed_devices{state="Pending"} 0`,
		`wasmbed_gateway_sessions 1`,
		`wasmbed_gateway_handshakes_total 1`,
		`wasmbed_gateway_refused_total 0`,
		`wasmbed_device_heartbeats_total` + labels + ` 1`,
		`wasmbed_device_missed_heartbeats_total` + labels + ` 0`,
		`wasmbed_device_heartbeat_rtt_seconds` + labels + ` 0.0025`,
		`wasmbed_device_up` + labels + ` 1`,
		`# TYPE wasmbed_device_heartbeats_total counter`,
		`# TYPE wasmbed_device_up gauge`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	lintCollector(t, l)

	// Revoked by id: the session ends, and the key cannot be approved again.
	if d := l.decision(known.ID, "revoke"); !d.Revoked || d.Enrolled {
		t.Fatalf("revoke answered %+v", d)
	}
	l.waitFor("board-1", inState(gateway.Pending)) // not enrolled any more
	w = l.do("POST", "/v1/devices/board-1/approve", testToken, "")
	if w.Code != 409 || !strings.Contains(errorOf(t, w), "revoked") {
		t.Fatalf("approving a revoked device: %d %s, want 409 saying revoked", w.Code, w.Body)
	}
	metrics = l.do("GET", "/metrics", "", "").Body.String()
	if !strings.Contains(metrics, `wasmbed_device_up`+labels+` 0`) {
		t.Errorf("a revoked device is still up:\n%s", metrics)
	}
}

func TestRejectDevice(t *testing.T) {
	l := newTestLab(t, gateway.PairingManual)
	dev := l.connect("board-2", "native")
	l.waitFor("board-2", func(gateway.Device) bool { return true })
	dev.send(proto.EnrollmentRequest{})
	if d := l.decision("board-2", "reject"); !d.Rejected || d.Enrolled {
		t.Fatalf("reject answered %+v", d)
	}
	expect[proto.EnrollmentRejected](dev)
	// Rejected is not revoked: an operator may still let it in.
	if d := l.decision("board-2", "approve"); d.Rejected || !d.Enrolled {
		t.Fatalf("approve after reject answered %+v", d)
	}
}
