package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"wasmbed-lab/lab/gateway"
)

// deviceLabels name a device in per-device metrics.
var deviceLabels = []string{"device", "name", "board"}

var (
	descGatewayUp = prometheus.NewDesc("wasmbed_gateway_up",
		"1 when the gateway serves sessions, 0 while it restarts.", nil, nil)
	descDevices = prometheus.NewDesc("wasmbed_devices",
		"Devices known to the gateway, by state.", []string{"state"}, nil)
	descSessions = prometheus.NewDesc("wasmbed_gateway_sessions",
		"TLS sessions up now.", nil, nil)
	descHandshakes = prometheus.NewDesc("wasmbed_gateway_handshakes_total",
		"TLS handshakes completed by this gateway.", nil, nil)
	descRefused = prometheus.NewDesc("wasmbed_gateway_refused_total",
		"TLS handshakes this gateway refused (revoked key, bad certificate, timeout).", nil, nil)
	descHeartbeats = prometheus.NewDesc("wasmbed_device_heartbeats_total",
		"Heartbeats received from the device, over all sessions.", deviceLabels, nil)
	descMissed = prometheus.NewDesc("wasmbed_device_missed_heartbeats_total",
		"Heartbeat intervals that passed without one from the device.", deviceLabels, nil)
	descRTT = prometheus.NewDesc("wasmbed_device_heartbeat_rtt_seconds",
		"The device's latest heartbeat round trip, as it measured it.", deviceLabels, nil)
	descUp = prometheus.NewDesc("wasmbed_device_up",
		"1 when the device is Connected, else 0.", deviceLabels, nil)
)

// collector reads the gateway at scrape time, so that the metrics follow
// a gateway that was replaced. While it restarts only wasmbed_gateway_up
// is reported.
type collector struct {
	gateway func() *gateway.Gateway
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descGatewayUp, descDevices, descSessions, descHandshakes, descRefused,
		descHeartbeats, descMissed, descRTT, descUp} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	g := c.gateway()
	if g == nil {
		ch <- metric(descGatewayUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- metric(descGatewayUp, prometheus.GaugeValue, boolValue(g.Ready()))
	st := g.Status()
	ch <- metric(descSessions, prometheus.GaugeValue, float64(st.Sessions))
	ch <- metric(descHandshakes, prometheus.CounterValue, float64(st.Handshakes))
	ch <- metric(descRefused, prometheus.CounterValue, float64(st.Refused))

	// Counted from the same snapshot as the per-device metrics, so the two
	// agree.
	devices := g.Devices()
	count := map[gateway.State]int{}
	for _, d := range devices {
		count[d.State]++
	}
	for _, s := range gateway.States() {
		ch <- metric(descDevices, prometheus.GaugeValue, float64(count[s]), s.String())
	}
	for _, d := range devices {
		labels := []string{d.ID, d.Name, d.Board}
		ch <- metric(descHeartbeats, prometheus.CounterValue, float64(d.Heartbeats), labels...)
		ch <- metric(descMissed, prometheus.CounterValue, float64(d.Missed), labels...)
		ch <- metric(descRTT, prometheus.GaugeValue, d.RTT.Seconds(), labels...)
		ch <- metric(descUp, prometheus.GaugeValue, boolValue(d.State == gateway.Connected), labels...)
	}
}

// metric makes a constant metric; a label value the exposition format
// refuses (a certificate name that is not UTF-8) fails that one metric,
// not the scrape.
func metric(desc *prometheus.Desc, typ prometheus.ValueType, v float64, labels ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, typ, v, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
