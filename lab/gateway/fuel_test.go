package gateway

import "testing"

// TestAppFuelRate: the rate is the fuel spent between two heartbeats over
// the device's uptime between them; a first report, a new app or a reboot
// starts again from zero.
func TestAppFuelRate(t *testing.T) {
	g, d := &Gateway{}, &device{}
	for _, step := range []struct {
		uptimeMs, fuel uint64
		want           float64
	}{
		{1000, 500, 0},     // the first report
		{2000, 2500, 2000}, // 2000 in a second
		{2500, 3500, 2000}, // 1000 in half a second
		{3500, 100, 0},     // a new app starts from 0
		{4500, 1100, 1000}, //
		{200, 50, 0},       // the board rebooted
	} {
		d.UptimeMs = step.uptimeMs
		g.appFuel(d, step.fuel)
		if d.App.FuelPerSec != step.want || d.App.Fuel != step.fuel {
			t.Errorf("at %d ms, fuel %d: %v/s, want %v/s", step.uptimeMs, step.fuel, d.App.FuelPerSec, step.want)
		}
	}
}
