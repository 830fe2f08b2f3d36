package lab

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/emu"
	"wasmbed-lab/lab/gateway"
)

// sample reads a sample app built by `make -C apps samples`.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "apps", "build", "samples", name+".wasm"))
	if err != nil {
		t.Fatalf("sample %s not built (%v): run `make apps` or `make test`", name, err)
	}
	return b
}

// appEvents follows the lab's events of one device's app.
type appEvents struct {
	t      *testing.T
	ch     <-chan gateway.Event
	device string
}

func followApp(t *testing.T, l *Lab, device string) *appEvents {
	ch, stop := l.Subscribe()
	t.Cleanup(stop)
	return &appEvents{t: t, ch: ch, device: device}
}

// wait returns the first event of the device that satisfies cond.
func (a *appEvents) wait(within time.Duration, what string, cond func(gateway.Event) bool) gateway.Event {
	a.t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e, ok := <-a.ch:
			if !ok {
				a.t.Fatalf("%s: waiting for %s: the event stream ended", a.device, what)
			}
			if e.Name == a.device && cond(e) {
				return e
			}
		case <-timeout:
			a.t.Fatalf("%s: no %s within %v", a.device, what, within)
		}
	}
}

func (a *appEvents) waitLog(within time.Duration, line string) {
	a.t.Helper()
	a.wait(within, "log line "+line, func(e gateway.Event) bool { return e.Kind == gateway.EventAppLog && e.Detail == line })
}

// deploy deploys a sample and fails the test if the device does not run it.
func deploy(t *testing.T, l *Lab, device, name string, module []byte) gateway.DeployResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := l.Gateway().Deploy(ctx, device, name+".wasm", module, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Pending {
		t.Fatalf("deploy %s to %s: pending, but the device is connected", name, device)
	}
	return res
}

func appState(state, detail string) func(gateway.Device) bool {
	return func(d gateway.Device) bool {
		return d.App.State == state && strings.Contains(d.App.Detail, detail)
	}
}

// TestAppsOnBoards deploys each sample to real firmware on each kind of
// board, over its TLS session, and checks what the emulated hardware and
// the published data show.
func TestAppsOnBoards(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	for _, board := range []string{"mps2-an385", "mps2-an505", "olimex-stm32-h405", "native"} {
		t.Run(board, func(t *testing.T) {
			t.Parallel()
			name := "app-" + board
			events := followApp(t, l, name)
			b := addBoard(t, l, board, name)
			waitDevice(t, l, b, name, 60*time.Second, "enrollment", heartbeating(2))

			// hello logs the device's name and returns.
			deploy(t, l, name, "hello", sample(t, "hello"))
			events.waitLog(20*time.Second, "hello from "+name)
			waitDevice(t, l, b, name, 20*time.Second, "hello to return", appState("Stopped", ""))

			// probe finds the board's buses through the firmware's drivers:
			// the TMP105 answering on the last I2C bus, and what the SPI
			// controllers (nothing attached) read back.
			deploy(t, l, name, "probe", sample(t, "probe"))
			if len(b.Spec.I2C) == 0 {
				events.waitLog(20*time.Second, "probe: i2c not available on this board")
			} else {
				events.waitLog(20*time.Second, fmt.Sprintf("probe: i2c%d: 0x48", len(b.Spec.I2C)-1))
			}
			if len(b.Spec.SPI) == 0 {
				events.waitLog(20*time.Second, "probe: spi not available on this board")
			} else {
				events.waitLog(20*time.Second, fmt.Sprintf("probe: spi%d: sent a55a, read 0000", len(b.Spec.SPI)-1))
			}
			events.waitLog(20*time.Second, "probe: gpio not available on this board")

			// blink drives LED 0: the emulated board's register shows it
			// go on and off. Boards without an LED model say so.
			deploy(t, l, name, "blink", sample(t, "blink"))
			if len(b.Spec.LEDs) == 0 {
				events.waitLog(20*time.Second, "blink: this board has no LED 0")
			} else {
				seen := map[bool]bool{}
				deadline := time.Now().Add(20 * time.Second)
				for len(seen) < 2 && time.Now().Before(deadline) {
					leds, err := b.LEDs(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					seen[leds[0]] = true
					time.Sleep(50 * time.Millisecond)
				}
				if len(seen) < 2 {
					t.Fatalf("LED 0 never changed in 20 s (seen %v)", seen)
				}
			}

			// thermostat reads the emulated TMP105, whose temperature the
			// test sets, and drives LED 0 (the cooler) from it.
			if len(b.Spec.Sensors) > 0 {
				setTemp := func(mdeg int32) {
					if err := b.SetSensor(context.Background(), b.Spec.Sensors[0].Label, mdeg); err != nil {
						t.Fatal(err)
					}
				}
				setTemp(30000)
				deploy(t, l, name, "thermostat", sample(t, "thermostat"))
				events.wait(20*time.Second, "30 °C published", func(e gateway.Event) bool {
					return e.Kind == gateway.EventAppPublish && e.Topic == "temperature" && string(e.Data) == "30000"
				})
				waitLED(t, b, 0, true)
				setTemp(20000)
				events.wait(20*time.Second, "20 °C published", func(e gateway.Event) bool {
					return e.Kind == gateway.EventAppPublish && e.Topic == "temperature" && string(e.Data) == "20000"
				})
				waitLED(t, b, 0, false)
			} else {
				deploy(t, l, name, "thermostat", sample(t, "thermostat"))
				events.waitLog(20*time.Second, "thermostat: no temperature sensor on this board")
			}

			// trap is reported Trapped with its reason; heartbeats go on.
			deploy(t, l, name, "trap", sample(t, "trap"))
			d := waitDevice(t, l, b, name, 20*time.Second, "trap to trap", appState("Trapped", "integer divide by zero (function "))
			waitDevice(t, l, b, name, 20*time.Second, "heartbeats after the trap", heartbeating(d.Heartbeats+4))

			// spin never sleeps: no heartbeat comes late.
			deploy(t, l, name, "spin", sample(t, "spin"))
			d = waitDevice(t, l, b, name, 20*time.Second, "spin to run", appState("Running", ""))
			d2 := waitDevice(t, l, b, name, 30*time.Second, "heartbeats while spin runs", heartbeating(d.Heartbeats+12))
			if d2.Missed != d.Missed || d2.App.State != "Running" {
				t.Errorf("while spin ran: %d heartbeat intervals missed, app %s", d2.Missed-d.Missed, d2.App.State)
			}
			if d2.RTT > testHeartbeat {
				t.Errorf("while spin ran: heartbeat round trip %v, over the %v interval", d2.RTT, testHeartbeat)
			}
			if d2.App.Fuel == 0 || d2.App.FuelPerSec <= 0 {
				t.Errorf("while spin ran: fuel %d, %.0f/s reported", d2.App.Fuel, d2.App.FuelPerSec)
			}
			t.Logf("spin spends %.0f fuel/s on %s", d2.App.FuelPerSec, name)

			// counter publishes 1, 2, ... on "counter".
			deploy(t, l, name, "counter", sample(t, "counter"))
			for want := uint32(1); want <= 2; want++ {
				e := events.wait(20*time.Second, "a published count", func(e gateway.Event) bool {
					return e.Kind == gateway.EventAppPublish && e.Topic == "counter"
				})
				if len(e.Data) != 4 || binary.BigEndian.Uint32(e.Data) != want {
					t.Fatalf("published %x on counter, want %d", e.Data, want)
				}
			}

			// echo publishes back what the gateway sends it.
			deploy(t, l, name, "echo", sample(t, "echo"))
			for _, msg := range []string{"ping", "pong"} {
				if err := l.Gateway().SendMessage(name, []byte(msg)); err != nil {
					t.Fatal(err)
				}
				events.wait(20*time.Second, "the echo of "+msg, func(e gateway.Event) bool {
					return e.Kind == gateway.EventAppPublish && e.Topic == "echo" && string(e.Data) == msg
				})
			}

			// A changed app replaces it.
			res := deploy(t, l, name, "hello", sample(t, "hello"))
			events.waitLog(20*time.Second, "hello from "+name)
			d = waitDevice(t, l, b, name, 20*time.Second, "hello to replace counter", appState("Stopped", ""))
			if !strings.HasPrefix(d.App.WantSHA, d.App.ID) || d.App.Want != "hello.wasm" {
				t.Errorf("after the redeploy the device runs %s (%s), want hello.wasm", d.App.ID, d.App.Want)
			}
			t.Logf("%s: hello (%d bytes) deployed in %v", board, res.Bytes, res.Latency)
		})
	}
}

// waitLED waits until the board's LED led, read from the emulated
// hardware, is on (or off).
func waitLED(t *testing.T, b *Board, led int, on bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		leds, err := b.LEDs(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if leds[led] == on {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("LED %d not %v within 10 s", led, on)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wasmModule assembles a module: an import of "wasmbed" name as () -> ()
// when name is not empty, and an exported run () -> () that does nothing.
func wasmModule(importName string) []byte {
	section := func(id byte, body ...byte) []byte { return append([]byte{id, byte(len(body))}, body...) }
	m := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	m = append(m, section(1, 1, 0x60, 0, 0)...) // one type: () -> ()
	funcIndex := byte(0)
	if importName != "" {
		imp := append([]byte{1, 7}, "wasmbed"...)
		imp = append(append(imp, byte(len(importName))), importName...)
		m = append(m, section(2, append(imp, 0, 0)...)...)
		funcIndex = 1
	}
	m = append(m, section(3, 1, 0)...)                              // one function of type 0
	m = append(m, section(7, 1, 3, 'r', 'u', 'n', 0, funcIndex)...) // export "run"
	m = append(m, section(10, 1, 2, 0, 0x0b)...)                    // its body: end
	return m
}

// TestDeviceRefusesBadApps: what `app check` refuses, the gateway refuses
// before it sends anything, and the firmware refuses by itself when the
// gateway's check is bypassed; the firmware goes on either way.
func TestDeviceRefusesBadApps(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	name := "refuser"
	b := addBoard(t, l, "mps2-an385", name)
	waitDevice(t, l, b, name, 60*time.Second, "enrollment", heartbeating(2))
	hello := sample(t, "hello")
	oversized := paddedApp(70033) // a valid module over the 64 KiB modules of the board
	for _, tc := range []struct {
		name           string
		module         []byte
		sha            [32]byte
		gateway, board string // what each says
	}{
		{"malformed", []byte("\x00asm\x01\x00\x00\x00\x01\x05"), [32]byte{}, "not a WebAssembly 1.0 module", "malformed module at 0x"},
		{"wrong import", wasmModule("nosuch"), [32]byte{}, "imports wasmbed.nosuch: no such host function", "unknown import wasmbed.nosuch"},
		{"oversized", oversized, [32]byte{}, fmt.Sprintf("the module is %d bytes, the board takes at most 65536", len(oversized)),
			fmt.Sprintf("the app is %d bytes, this board takes at most 65536", len(oversized))},
		{"wrong hash", hello, [32]byte{1, 2, 3}, "", "SHA-256 mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.gateway != "" {
				_, err := l.Gateway().Deploy(context.Background(), name, tc.name+".wasm", tc.module, "")
				if err == nil || !strings.Contains(err.Error(), tc.gateway) {
					t.Errorf("the gateway's check: %v, want %q", err, tc.gateway)
				}
			}
			err := l.Gateway().DeployRaw(name, gateway.RawDeploy{Name: tc.name, Module: tc.module, SHA256: tc.sha})
			if err == nil || !strings.Contains(err.Error(), tc.board) {
				t.Errorf("the device: %v, want %q", err, tc.board)
			}
			d := waitDevice(t, l, b, name, 10*time.Second, "the failed app", appState("Failed", tc.board))
			waitDevice(t, l, b, name, 10*time.Second, "heartbeats after", heartbeating(d.Heartbeats+2))
		})
	}
	events := followApp(t, l, name)
	deploy(t, l, name, "hello", hello)
	events.waitLog(20*time.Second, "hello from "+name)
}

// TestSmallBoardRunsNoApps: stm32vldiscovery's 8 KiB hold its TLS session
// and no app; the gateway and the firmware both say so, and it goes on.
func TestSmallBoardRunsNoApps(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	name := "small"
	b := addBoard(t, l, "stm32vldiscovery", name)
	waitDevice(t, l, b, name, 60*time.Second, "enrollment", heartbeating(2))
	hello := sample(t, "hello")
	_, err := l.Gateway().Deploy(context.Background(), name, "hello.wasm", hello, "")
	if err == nil || !strings.Contains(err.Error(), "the board runs no apps") {
		t.Errorf("the gateway's check: %v", err)
	}
	err = l.Gateway().DeployRaw(name, gateway.RawDeploy{Name: "hello", Module: hello})
	if err == nil || !strings.Contains(err.Error(), "this board runs no apps") {
		t.Errorf("the device: %v", err)
	}
	d, _ := l.Gateway().Device(name)
	waitDevice(t, l, b, name, 10*time.Second, "heartbeats after", heartbeating(d.Heartbeats+2))
}

// TestDesiredStateHeals: a device reset, a gateway restart and a deploy cut
// on the link each end with the device running its desired app again.
func TestDesiredStateHeals(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	name := "healer"
	b := addBoard(t, l, "mps2-an385", name)
	waitDevice(t, l, b, name, 60*time.Second, "enrollment", heartbeating(2))
	counter := sample(t, "counter")
	events := followApp(t, l, name)
	firstCount := func(what string) {
		t.Helper()
		e := events.wait(30*time.Second, "count 1 "+what, func(e gateway.Event) bool {
			return e.Kind == gateway.EventAppPublish && bytes.Equal(e.Data, []byte{0, 0, 0, 1})
		})
		t.Logf("%s: counting again at %s", what, e.Time.Format("15:04:05.000"))
	}
	deploy(t, l, name, "counter", counter)
	firstCount("deployed")

	// A reset loses the app: the next heartbeat says so, and the gateway
	// deploys it again.
	if err := b.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	firstCount("after a reset")

	// A new gateway reads the desired state from the store: a device that
	// lost its app meanwhile gets it back from it.
	if err := l.RestartGateway(); err != nil {
		t.Fatal(err)
	}
	d := waitDevice(t, l, b, name, 30*time.Second, "reconnection", func(d gateway.Device) bool {
		return d.State == gateway.Connected && d.App.Running()
	})
	if d.App.Want != "counter.wasm" {
		t.Fatalf("after the restart the gateway wants %q", d.App.Want)
	}
	if err := b.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	firstCount("after a gateway restart and a reset")

	// A deploy lost with its session: the link is cut for longer than the
	// device waits for the gateway, the session starts over, and the
	// deploy is sent again in the next one.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.Gateway().Stop(name); err != nil {
		t.Fatal(err)
	}
	waitDevice(t, l, b, name, 10*time.Second, "the stop", appState("None", ""))
	b.SetLinkFaults(emu.LinkFaultSet{ToDevice: emu.LinkFaults{Cut: true}})
	time.AfterFunc(2*time.Second, func() { b.SetLinkFaults(emu.LinkFaultSet{}) })
	if _, err := l.Gateway().Deploy(ctx, name, "counter.wasm", counter, ""); err != nil {
		t.Fatal(err)
	}
	events.wait(time.Second, "the lost deploy's event", func(e gateway.Event) bool {
		return e.Kind == gateway.EventAppDeploy && strings.Contains(e.Detail, "retrying")
	})
	firstCount("after a cut deploy")
}

// TestRestartPolicy: with on-failure, a trapped app is deployed again,
// with a growing delay; with never, it stays Trapped.
func TestRestartPolicy(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	name := "restarter"
	b := addBoard(t, l, "native", name)
	waitDevice(t, l, b, name, 30*time.Second, "enrollment", heartbeating(2))
	events := followApp(t, l, name)
	trap := sample(t, "trap")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := l.Gateway().Deploy(ctx, name, "trap.wasm", trap, gateway.RestartOnFailure); err != nil {
		t.Fatal(err)
	}
	var traps []time.Time
	for len(traps) < 3 {
		e := events.wait(20*time.Second, "a trap", func(e gateway.Event) bool {
			return e.Kind == gateway.EventAppState && strings.HasPrefix(e.Detail, "Trapped")
		})
		traps = append(traps, e.Time)
	}
	if first, second := traps[1].Sub(traps[0]), traps[2].Sub(traps[1]); first < 900*time.Millisecond || second < first {
		t.Errorf("restarts after %v, then %v: want at least 1 s, then longer", first, second)
	}
	d, _ := l.Gateway().Device(name)
	if d.App.Restarts < 2 || d.App.Restart != gateway.RestartOnFailure {
		t.Errorf("app %+v", d.App)
	}
	// Deployed again with never, it stays Trapped.
	if _, err := l.Gateway().Deploy(ctx, name, "trap.wasm", trap, gateway.RestartNever); err != nil {
		t.Fatal(err)
	}
	d = waitDevice(t, l, b, name, 10*time.Second, "the trap", appState("Trapped", "integer divide by zero"))
	restarts := d.App.Restarts
	d = waitDevice(t, l, b, name, 10*time.Second, "heartbeats", heartbeating(d.Heartbeats+12))
	if d.App.Restarts != restarts || d.App.State != "Trapped" {
		t.Errorf("with never: %d restarts more, state %s", d.App.Restarts-restarts, d.App.State)
	}
}
