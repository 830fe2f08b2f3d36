package api

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"wasmbed-lab/lab/gateway"
)

func lintCollector(t *testing.T, l *testLab) {
	t.Helper()
	problems, err := testutil.CollectAndLint(&collector{gateway: l.gw.Load})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric %s: %s", p.Metric, p.Text)
	}
}

func TestMetricsFreshGateway(t *testing.T) {
	l := newTestLab(t, gateway.PairingAuto)
	w := l.do("GET", "/metrics", "", "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	want := []string{
		"wasmbed_gateway_up 1",
		"wasmbed_gateway_sessions 0",
		"wasmbed_gateway_handshakes_total 0",
		"wasmbed_gateway_refused_total 0",
		"# TYPE wasmbed_gateway_handshakes_total counter",
		"# TYPE wasmbed_devices gauge",
		"go_goroutines ",
		"process_cpu_seconds_total ",
	}
	for _, st := range []string{"Pending", "Enrolling", "Enrolled", "Connected", "Unreachable", "Disconnected"} {
		want = append(want, `wasmbed_devices{state="`+st+`"} 0`)
	}
	for _, s := range want {
		if !strings.Contains(body, s) {
			t.Errorf("metrics lack %q", s)
		}
	}
	if strings.Contains(body, "wasmbed_device_up") {
		t.Error("per-device metrics without a device")
	}
	lintCollector(t, l)
}

func TestStates(t *testing.T) {
	got := strings.Join(stateNames(), ",")
	if got != "Pending,Enrolling,Enrolled,Connected,Unreachable,Disconnected" {
		t.Fatalf("states %s", got)
	}
}
