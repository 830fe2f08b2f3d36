package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// testNow is the fake lab's clock: every heartbeat age is measured from it.
var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fakeLab is a lab in memory: boards, devices and consoles a test sets,
// and a record of what the UI asked of it.
type fakeLab struct {
	mu       sync.Mutex
	boards   []lab.BoardInfo
	devices  []gateway.Device
	consoles map[string]string
	calls    []string
	written  map[string]string
	deployed map[string][]string // module -> devices
}

func newFakeLab() *fakeLab {
	return &fakeLab{consoles: map[string]string{}, written: map[string]string{}, deployed: map[string][]string{}}
}

// fourBoards is a lab of four connected boards, one running blink.
func fourBoards() *fakeLab {
	f := newFakeLab()
	for i, b := range []string{"mps2-an385", "mps2-an505", "olimex-stm32-h405", "native"} {
		f.boards = append(f.boards, lab.BoardInfo{Name: b, Board: b, On: true})
		d := gateway.Device{Name: b, Board: b, State: gateway.Connected, Enrolled: true, Heartbeats: 12,
			LastSeen: testNow.Add(-time.Duration(300+100*i) * time.Millisecond), RTT: time.Duration(2+i) * time.Millisecond,
			TLS: gateway.SessionTLS{Version: "TLS 1.3", Cipher: "TLS_CHACHA20_POLY1305_SHA256", Handshake: time.Duration(40+20*i) * time.Millisecond}}
		if i == 0 {
			d.App = gateway.App{Want: "blink.wasm", WantSHA: "641b64e3a5c1e0f2d3b4a5c6d7e8f901", State: "Running", FuelPerSec: 12345}
		}
		f.devices = append(f.devices, d)
		f.consoles[b] = fmt.Sprintf("wasmbed-fw 0.1.0 board=%s\r\ntype 'help' for commands\r\n> \r\ntls: connected TLS 1.3\r\n> \r\nproto: enrolled heartbeat_ms=1000\r\n> ", b)
	}
	return f
}

func (f *fakeLab) call(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *fakeLab) Boards() []lab.BoardInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]lab.BoardInfo(nil), f.boards...)
}

func (f *fakeLab) Devices() []gateway.Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gateway.Device(nil), f.devices...)
}

func (f *fakeLab) Status() (gateway.Status, bool) {
	return gateway.Status{Pairing: gateway.PairingAuto}, true
}
func (f *fakeLab) APIAddr() string       { return "127.0.0.1:7878" }
func (f *fakeLab) CAFingerprint() string { return "A3:EC:A1:6C:EA:D3:53:9D" }
func (f *fakeLab) Subscribe() (<-chan gateway.Event, func()) {
	return make(chan gateway.Event), func() {}
}

func (f *fakeLab) ConsoleStream(name string) ([]byte, <-chan []byte, func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return []byte(f.consoles[name]), make(chan []byte), func() {}, nil
}

func (f *fakeLab) ConsoleLines(name string, n int) ([]lab.Line, error) {
	return []lab.Line{{Time: testNow, Text: "> version"}, {N: 1, Time: testNow.Add(time.Millisecond), Text: "0.1.0"}}, nil
}

func (f *fakeLab) WriteConsole(name string, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.written[name] += string(p)
	return nil
}

func (f *fakeLab) SaveConsole(name, dir string) (string, error) {
	f.call("save %s %s", name, dir)
	return dir + "/" + name + ".log", nil
}

func (f *fakeLab) Reset(_ context.Context, name string) error { f.call("reset %s", name); return nil }
func (f *fakeLab) Kill(name string) error                     { f.call("kill %s", name); return nil }
func (f *fakeLab) PowerOn(_ context.Context, name string) (*lab.Board, error) {
	f.call("power on %s", name)
	return nil, nil
}
func (f *fakeLab) PowerOff(_ context.Context, name string) error {
	f.call("power off %s", name)
	return nil
}
func (f *fakeLab) CutLink(name string, d time.Duration) error {
	f.call("cut %s %v", name, d)
	return nil
}
func (f *fakeLab) CorruptLink(name string, rate float64) error {
	f.call("corrupt %s %g", name, rate)
	return nil
}
func (f *fakeLab) DelayLink(name string, d time.Duration) error {
	f.call("delay %s %v", name, d)
	return nil
}
func (f *fakeLab) ClearLinkFaults(name string) error { f.call("clear %s", name); return nil }
func (f *fakeLab) Approve(name string) error         { f.call("approve %s", name); return nil }
func (f *fakeLab) Reject(name string) error          { f.call("reject %s", name); return nil }
func (f *fakeLab) StopApp(name string) error         { f.call("stop %s", name); return nil }

func (f *fakeLab) DeployFile(_ context.Context, path string, devices []string) ([]gateway.DeployOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deployed[path] = append([]string(nil), devices...)
	out := make([]gateway.DeployOutcome, len(devices))
	for i, d := range devices {
		out[i].Device = d
	}
	return out, nil
}

// fakeApps is an apps folder of three modules.
type fakeApps struct {
	mu  sync.Mutex
	hot bool
	out chan lab.Redeploy
}

func (a *fakeApps) List() ([]string, error) {
	return []string{"apps/blink.wasm", "apps/hello.wasm", "apps/trap.wasm"}, nil
}
func (a *fakeApps) SetHot(on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.hot = on
}

func (a *fakeApps) Hot() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hot
}
func (a *fakeApps) Redeploys() <-chan lab.Redeploy { return a.out }
