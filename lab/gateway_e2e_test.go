package lab

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/emu"
	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/pki"
)

// Heartbeats are fast in these tests so that missed ones show quickly.
const (
	testHeartbeat = 250 * time.Millisecond
	testMissed    = 3
)

// openTestLab opens a lab on a fresh state directory.
func openTestLab(t *testing.T, pairing gateway.Pairing) *Lab {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(Options{StateDir: t.TempDir(), Root: root, Gateway: gateway.Config{
		Pairing: pairing, Heartbeat: testHeartbeat, MissedLimit: testMissed,
	}})
	if err != nil {
		t.Fatal(err)
	}
	logEvents(t, l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Logf("closing the lab: %v", err)
		}
	})
	return l
}

// logEvents logs the lab's events (every gateway's), shown when the test
// fails.
func logEvents(t *testing.T, l *Lab) {
	events, stop := l.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range events {
			t.Log("event " + FormatEvent(e))
		}
	}()
	t.Cleanup(func() { stop(); <-done })
}

// addBoard boots a board of the registry as device name.
func addBoard(t *testing.T, l *Lab, board, name string) *Board {
	t.Helper()
	bd, err := boards.Lookup(board)
	if err != nil {
		t.Fatal(err)
	}
	_, image := requireFirmware(t, bd)
	b, err := l.AddBoard(context.Background(), name, BoardOptions{Board: bd, Firmware: image, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitDevice waits until device name satisfies cond, explaining a timeout
// with the board's console.
func waitDevice(t *testing.T, l *Lab, b *Board, name string, within time.Duration, what string, cond func(gateway.Device) bool) gateway.Device {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	d, err := l.WaitFor(ctx, name, cond)
	if err != nil {
		t.Fatal(b.Explain(what, err))
	}
	return d
}

func connected(d gateway.Device) bool { return d.State == gateway.Connected }

func heartbeating(n uint64) func(gateway.Device) bool {
	return func(d gateway.Device) bool { return d.State == gateway.Connected && d.Heartbeats >= n }
}

// TestEveryBoardEnrollsAndHeartbeats: each board, real firmware on its real
// emulator, enrolls over its own TLS session and keeps a heartbeat.
func TestEveryBoardEnrollsAndHeartbeats(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	for _, bd := range boards.All() {
		t.Run(bd.Name, func(t *testing.T) {
			t.Parallel()
			name := "dev-" + bd.Name
			b := addBoard(t, l, bd.Name, name)
			d := waitDevice(t, l, b, name, 60*time.Second, "enrollment and 4 heartbeats", heartbeating(4))
			if !d.Enrolled || d.Board != bd.Name || d.Name != name {
				t.Errorf("device %+v", d)
			}
			if d.FirmwareVersion == "" || d.RAM == 0 {
				t.Errorf("no device info: %+v", d)
			}
			if d.RTT <= 0 || d.UptimeMs == 0 {
				t.Errorf("heartbeat without round trip or uptime: rtt=%v uptime=%d", d.RTT, d.UptimeMs)
			}
		})
	}
}

// TestManualPairing: with pairing off, an unknown device waits in Pending
// until an operator approves it; a rejected one is told so and kept out.
func TestManualPairing(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingManual)
	b := addBoard(t, l, "native", "stranger")
	waitDevice(t, l, b, "stranger", 30*time.Second, "pending", func(d gateway.Device) bool { return d.State == gateway.Pending && d.Sessions > 0 })
	time.Sleep(4 * testHeartbeat) // long enough to have enrolled, had it been allowed
	if d, _ := l.Gateway().Device("stranger"); d.State != gateway.Pending || d.Enrolled || d.Heartbeats != 0 {
		t.Fatalf("an unapproved device got in: %+v", d)
	}

	if err := l.Gateway().Reject("stranger"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := b.Console().WaitFor(ctx, 0, func(s string) bool { return strings.Contains(s, "enrollment rejected") }); err != nil {
		t.Fatal(b.Explain("the device never heard it was rejected", err))
	}

	if err := l.Gateway().Approve("stranger"); err != nil {
		t.Fatal(err)
	}
	waitDevice(t, l, b, "stranger", 30*time.Second, "connected after approval", heartbeating(2))
}

// TestRevokedDeviceIsRefusedAtHandshake: once revoked, the device's key
// fails every TLS handshake.
func TestRevokedDeviceIsRefusedAtHandshake(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	b := addBoard(t, l, "native", "doomed")
	waitDevice(t, l, b, "doomed", 30*time.Second, "connected", connected)
	refused := l.Gateway().Status().Refused
	events, stop := l.Gateway().Subscribe()
	defer stop()
	if err := l.Gateway().Revoke("doomed"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e := <-events:
			if e.Kind == gateway.EventRefused && strings.Contains(e.Detail, "revoked") {
				d, _ := l.Gateway().Device("doomed")
				if d.State == gateway.Connected || l.Gateway().Status().Refused <= refused {
					t.Fatalf("after a refused handshake: %+v", d)
				}
				return
			}
		case <-timeout:
			t.Fatal(b.Explain("no handshake refused", context.DeadlineExceeded))
		}
	}
}

// TestGatewayRestartKeepsTheFleet: after a gateway restart every device is
// back to Connected within 5 s, as the same device with its history.
func TestGatewayRestartKeepsTheFleet(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	names := map[string]*Board{}
	for _, board := range []string{"mps2-an385", "olimex-stm32-h405", "native"} {
		names["r-"+board] = addBoard(t, l, board, "r-"+board)
	}
	before := map[string]gateway.Device{}
	for name, b := range names {
		before[name] = waitDevice(t, l, b, name, 60*time.Second, "connected", heartbeating(2))
	}
	labEvents, stop := l.Subscribe()
	defer stop()
	start := time.Now()
	if err := l.RestartGateway(); err != nil {
		t.Fatal(err)
	}
	for name, b := range names {
		d := waitDevice(t, l, b, name, 5*time.Second-time.Since(start), "back within 5 s of the restart", func(d gateway.Device) bool {
			return d.State == gateway.Connected && d.Sessions > before[name].Sessions
		})
		if d.ID != before[name].ID || !d.Enrolled || d.Heartbeats < before[name].Heartbeats || !d.FirstSeen.Equal(before[name].FirstSeen) {
			t.Errorf("%s changed across the restart:\nbefore %+v\nafter  %+v", name, before[name], d)
		}
	}
	t.Logf("fleet back in %v", time.Since(start).Round(time.Millisecond))
	// The lab's stream went on across the restart: it told of the restart
	// and of the devices coming back.
	var restarted, back bool
	for len(labEvents) > 0 {
		e := <-labEvents
		restarted = restarted || e.Kind == gateway.EventGateway
		back = back || restarted && e.Kind == gateway.EventState && e.To == gateway.Connected
	}
	if !restarted || !back {
		t.Errorf("the lab's event stream: restart seen %v, a device back after it %v", restarted, back)
	}
	if n := len(l.Gateway().Devices()); n != len(names) {
		t.Errorf("%d devices after the restart, want %d", n, len(names))
	}
}

// TestResetReenrollsTheSameDevice: a reset board enrolls again with the
// same key and name, so it is the same device.
func TestResetReenrollsTheSameDevice(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	b := addBoard(t, l, "mps2-an385", "phoenix")
	d0 := waitDevice(t, l, b, "phoenix", 60*time.Second, "connected", connected)
	t.Logf("before the reset: %+v", d0)
	from := b.Console().Next()
	resetAt := time.Now()
	if err := b.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, _, err := b.WaitBanner(ctx, from); err != nil {
		t.Fatal(b.Explain("a banner after the reset", err))
	}
	d1 := waitDevice(t, l, b, "phoenix", 30*time.Second, "connected after the reset", func(d gateway.Device) bool {
		return d.State == gateway.Connected && d.Sessions > d0.Sessions && d.Heartbeats > d0.Heartbeats
	})
	// Its clock started again, and keeps time: the device's uptime is
	// younger than the reset. (A wrap SysTick flagged while the firmware
	// restarted its period once put it a whole second ahead.)
	if since := time.Since(resetAt); time.Duration(d1.UptimeMs)*time.Millisecond > since {
		t.Errorf("the device's uptime is %d ms, %v after the reset", d1.UptimeMs, since)
	}
	if d1.ID != d0.ID || d1.Name != d0.Name {
		t.Errorf("a different device after the reset: %s %s, was %s %s", d1.ID, d1.Name, d0.ID, d0.Name)
	}
	if n := len(l.Gateway().Devices()); n != 1 {
		t.Errorf("%d devices, want 1", n)
	}
}

// TestCorruptLinkConverges: with 1 % of the link's bytes corrupted each
// way, the device still gets to Connected and keeps heartbeating.
func TestCorruptLinkConverges(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	b := addBoard(t, l, "mps2-an385", "noisy")
	noise := emu.LinkFaults{CorruptRate: 0.01}
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: noise, FromDevice: noise, Seed: 1})
	waitDevice(t, l, b, "noisy", 90*time.Second, "connected through a noisy link", heartbeating(8))
	st := b.instance().LinkStats()
	if st.InjectedCorruptions == 0 {
		t.Fatal("no corruption was injected")
	}
	t.Logf("link: %+v; frames dropped by the lab: %d", st, b.Link().Stats.Dropped())
}

// TestSilentBoardBecomesUnreachable: a board that stops (its emulator
// paused, as a hung board would) stops heartbeating and is Unreachable
// once MissedLimit intervals went by. (A killed board is restarted; the
// faults scenario shows it coming back.)
func TestSilentBoardBecomesUnreachable(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	b := addBoard(t, l, "mps2-an385", "victim")
	waitDevice(t, l, b, "victim", 60*time.Second, "connected", heartbeating(2))
	paused := time.Now()
	if err := b.instance().Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
	limit := time.Duration(testMissed)*testHeartbeat + testHeartbeat // + the grace of half an interval and the sweep
	d := waitDevice(t, l, b, "victim", limit+2*time.Second, "unreachable", func(d gateway.Device) bool { return d.State == gateway.Unreachable })
	took := time.Since(paused)
	if took > limit+testHeartbeat {
		t.Errorf("unreachable after %v, want within %v", took, limit)
	}
	if d.Missed < testMissed {
		t.Errorf("missed %d heartbeats, want at least %d", d.Missed, testMissed)
	}
	t.Log(fmt.Sprintf("unreachable %v after the pause", took.Round(time.Millisecond)))
}

// TestKeysStayOutOfLogs: the device's private key appears in no console
// line, event or audit record, in any encoding.
func TestKeysStayOutOfLogs(t *testing.T) {
	t.Parallel()
	l := openTestLab(t, gateway.PairingAuto)
	events, stop := l.Gateway().Subscribe()
	defer stop()
	b := addBoard(t, l, "native", "secretive")
	waitDevice(t, l, b, "secretive", 30*time.Second, "connected", heartbeating(2))
	b.WriteConsole([]byte("info\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.Console().WaitFor(ctx, 0, func(s string) bool {
		return strings.HasPrefix(s, "session: tls=connected proto=enrolled heartbeat_ms=250")
	}); err != nil {
		t.Fatal(b.Explain("info shows no session line", err))
	}

	blob, ok, err := l.store.Secret("device/secretive")
	if err != nil || !ok {
		t.Fatalf("no stored identity: %v", err)
	}
	id, err := pki.ParseIdentity(blob)
	if err != nil {
		t.Fatal(err)
	}
	seed := id.Key.Seed()
	forbidden := []string{hex.EncodeToString(seed), strings.ToUpper(hex.EncodeToString(seed)), base64.StdEncoding.EncodeToString(seed), "PRIVATE KEY"}

	var logs strings.Builder
	for _, line := range b.Console().Lines(0) {
		logs.WriteString(line.Text + "\n")
	}
	for len(events) > 0 {
		e := <-events
		j, _ := json.Marshal(e)
		logs.Write(j)
	}
	audit, err := l.store.Events(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range audit {
		j, _ := json.Marshal(e)
		logs.Write(j)
	}
	if logs.Len() < 200 {
		t.Fatalf("too little logged to mean anything: %q", logs.String())
	}
	for _, f := range forbidden {
		if strings.Contains(logs.String(), f) {
			t.Errorf("the device key appears in the logs (as %.12s...)", f)
		}
	}
}
