package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"wasmbed-lab/apps"
	"wasmbed-lab/boards"
	"wasmbed-lab/lab/proto"
	"wasmbed-lab/lab/store"
)

// Restart policies: what the gateway does when a device's app ends.
const (
	RestartNever     = "never"      // it stays Trapped or Stopped
	RestartOnFailure = "on-failure" // a trapped app is deployed again
	RestartAlways    = "always"     // a trapped or returned app is deployed again
)

// ParseRestart checks a restart policy; "" is RestartNever.
func ParseRestart(p string) (string, error) {
	switch p {
	case "":
		return RestartNever, nil
	case RestartNever, RestartOnFailure, RestartAlways:
		return p, nil
	}
	return "", fmt.Errorf("gateway: restart policy %q: want %s, %s or %s", p, RestartNever, RestartOnFailure, RestartAlways)
}

// App is what the gateway knows of a device's app: what should run
// (desired state, kept in the store), what the device reports, and how
// deploys went.
type App struct {
	Want    string `json:"want,omitempty"`        // the desired app's name
	WantSHA string `json:"want_sha256,omitempty"` // and its SHA-256, hex
	Restart string `json:"restart,omitempty"`

	ID     string `json:"id,omitempty"` // the app the device runs: its app_id, the first 16 bytes of its SHA-256, hex
	State  string `json:"state"`        // as the device reports it: None, Deploying, Running, ...
	Detail string `json:"detail,omitempty"`

	Fuel       uint64  `json:"fuel,omitempty"`       // spent since the app started: calls and loop back-edges
	FuelPerSec float64 `json:"fuel_per_s,omitempty"` // between the last two heartbeats

	Deploys     uint64        `json:"deploys"`                  // deploys the device acknowledged, all apps
	Restarts    uint64        `json:"restarts"`                 // deploys again after the app ended, by its restart policy
	LastDeploy  time.Duration `json:"last_deploy_ns,omitempty"` // the latest good deploy, first message to acknowledgement
	DeployError string        `json:"deploy_error,omitempty"`   // why the latest deploy failed
}

// Running says whether the device runs (or sleeps in) the desired app.
func (a App) Running() bool {
	return a.WantSHA != "" && a.ID == a.WantSHA[:2*len(proto.AppID{})] && (a.State == "Running" || a.State == "Sleeping")
}

var appStateNames = [...]string{"None", "Deploying", "Running", "Sleeping", "Stopped", "Trapped", "Failed"}

func appStateName(s uint64) string {
	if s < uint64(len(appStateNames)) {
		return appStateNames[s]
	}
	return fmt.Sprintf("AppState(%d)", s)
}

// want is a device's desired app, with its bytes.
type want struct {
	store.Desired
	sum    [32]byte
	module []byte
}

func (w *want) appID() proto.AppID { return proto.AppID(w.sum[:16]) }

// appTrack is the gateway's bookkeeping of one device's app.
type appTrack struct {
	want      *want
	known     bool // a heartbeat of this session reported the device's apps
	deploying bool // a deploy is in flight
	force     bool // an operator's deploy: send it even if the device has it
	lost      bool // the latest deploy went unanswered: the next report tells how it went
	acks      chan proto.ApplicationDeployAck
	stopSent  bool              // StopApplication sent this session
	refused   [32]byte          // content the device refused: not sent again until deployed anew
	retryAt   time.Time         // no deploy before (after a deploy was lost)
	restartAt time.Time         // when a restart the policy asks for is due
	backoff   time.Duration     // the next restart's delay
	done      uint64            // deploys finished (either way), for Deploy's wait
	names     map[string]string // app_id (hex) -> name, of the apps sent to the device
	// The fuel the last heartbeat reported, and the device's uptime then,
	// for the app's rate.
	fuel, fuelAtMs uint64
}

const (
	deployTimeout  = 15 * time.Second // from the commit's arrival (as the link sees it) to the device's answer
	sendTimeout    = 5 * time.Minute  // for the link to carry a module: 64 KiB at a crawling 250 B/s
	restartBackoff = time.Second      // the first restart's delay; it doubles
	maxBackoff     = 30 * time.Second
)

// loadDesired reads the desired apps at start.
func (g *Gateway) loadDesired() error {
	all, err := g.store.AllDesired()
	if err != nil {
		return fmt.Errorf("gateway: loading desired apps: %w", err)
	}
	for id, want := range all {
		d, ok := g.devices[id]
		if !ok {
			continue
		}
		module, err := g.store.Module(want.SHA256)
		if err != nil {
			return fmt.Errorf("gateway: loading the app %s of %s: %w", want.App, d.Name, err)
		}
		d.setWant(newWant(want, module))
	}
	return nil
}

func newWant(d store.Desired, module []byte) *want {
	return &want{Desired: d, sum: sha256.Sum256(module), module: module}
}

func (d *device) setWant(w *want) {
	d.app.want = w
	d.app.refused = [32]byte{}
	d.app.retryAt, d.app.restartAt = time.Time{}, time.Time{}
	d.app.backoff = restartBackoff
	if w == nil {
		d.App.Want, d.App.WantSHA, d.App.Restart = "", "", ""
		return
	}
	d.App.Want, d.App.WantSHA, d.App.Restart = w.App, w.SHA256, w.Restart
}

// DeployResult is how one deploy went.
type DeployResult struct {
	Device  string        `json:"device"`
	App     string        `json:"app"`
	Bytes   int           `json:"bytes"`
	Pending bool          `json:"pending,omitempty"` // the device has no session: it gets the app when it comes back
	Latency time.Duration `json:"latency_ns,omitempty"`
}

// DeployOutcome is one device's part of DeployMany.
type DeployOutcome struct {
	DeployResult
	Err error
}

// DeployMany deploys module to every device in refs at once and returns
// when each has answered, in refs' order.
func (g *Gateway) DeployMany(ctx context.Context, refs []string, name string, module []byte, restart string) []DeployOutcome {
	out := make([]DeployOutcome, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i].DeployResult, out[i].Err = g.Deploy(ctx, ref, name, module, restart)
			if out[i].Device == "" {
				out[i].Device = ref
			}
		}()
	}
	wg.Wait()
	return out
}

// Deploy makes module the app device ref should run, once it passes the
// checks of `app check` for the device's board, and waits (within ctx)
// for the device's answer. A device without a session now gets it when it
// comes back: the result is then Pending.
func (g *Gateway) Deploy(ctx context.Context, ref, name string, module []byte, restart string) (DeployResult, error) {
	restart, err := ParseRestart(restart)
	if err != nil {
		return DeployResult{}, err
	}
	g.mu.Lock()
	d, err := g.findLocked(ref)
	var boardName, devName, id string
	if err == nil {
		boardName, devName, id = d.Board, d.Name, d.ID
	}
	g.mu.Unlock()
	if err != nil {
		return DeployResult{}, err
	}
	res := DeployResult{Device: devName, App: name, Bytes: len(module)}
	board, err := boards.Lookup(boardName)
	if err != nil {
		return res, fmt.Errorf("gateway: deploy %s to %s: its board %q is unknown (it has not connected yet?)", name, devName, boardName)
	}
	if err := apps.Check(ctx, name, module, board); err != nil {
		return res, fmt.Errorf("gateway: deploy to %s: %w", devName, err)
	}
	sum := sha256.Sum256(module)
	desired := store.Desired{App: name, SHA256: hex.EncodeToString(sum[:]), Restart: restart, Since: g.now()}
	if err := g.store.PutDesired(id, desired, module); err != nil {
		return res, fmt.Errorf("gateway: deploy %s to %s: %w", name, devName, err)
	}
	start := g.now()
	g.mu.Lock()
	d.setWant(newWant(desired, module))
	d.dirty = true
	before := d.app.done
	d.app.force = true
	g.reconcileLocked(d)
	if !d.app.deploying {
		g.notifyLocked()
		g.mu.Unlock()
		res.Pending = true
		return res, nil
	}
	g.mu.Unlock()
	// A deploy lost on the way (the session ended) is sent again: wait for
	// one the device answered.
	got, err := g.WaitFor(ctx, id, func(dev Device) bool {
		superseded := dev.App.WantSHA != desired.SHA256
		ours := dev.appDone > before && dev.appDoneSHA == desired.SHA256
		return superseded || ours && (dev.App.DeployError == "" || dev.appRefused)
	})
	if err != nil {
		return res, fmt.Errorf("gateway: deploy %s to %s: no answer (%s): %w", name, devName, got.App.DeployError, err)
	}
	if got.App.WantSHA != desired.SHA256 {
		return res, fmt.Errorf("gateway: deploy %s to %s: superseded by a later deploy or stop", name, devName)
	}
	if got.appRefused {
		return res, fmt.Errorf("gateway: deploy %s to %s: the device refused it: %s", name, devName, got.App.DeployError)
	}
	res.Latency = g.now().Sub(start)
	if got.App.LastDeploy > 0 {
		res.Latency = got.App.LastDeploy
	}
	return res, nil
}

// Stop makes device ref run no app: it is told to remove the one it runs.
func (g *Gateway) Stop(ref string) error {
	g.mu.Lock()
	d, err := g.findLocked(ref)
	g.mu.Unlock()
	if err != nil {
		return err
	}
	if err := g.store.DeleteDesired(d.ID); err != nil {
		return fmt.Errorf("gateway: stop the app of %s: %w", d.Name, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	d.setWant(nil)
	d.app.stopSent = false
	g.reconcileLocked(d)
	g.notifyLocked()
	return nil
}

// reconcileLocked acts on the difference between the device's desired app
// and what its latest report says: it deploys, deploys again (a deploy cut
// short, a restart policy) or stops. The caller holds g.mu.
func (g *Gateway) reconcileLocked(d *device) {
	s, t := d.session, &d.app
	if s == nil || !d.Enrolled || !t.known || t.deploying {
		return
	}
	w := t.want
	if w == nil {
		if d.App.ID != "" && !t.stopSent {
			t.stopSent = true
			id, _ := hex.DecodeString(d.App.ID)
			go s.push(proto.StopApplication{AppID: proto.AppID(id)})
		}
		return
	}
	wantID := hex.EncodeToString(w.sum[:16])
	if t.lost && d.App.ID == wantID && d.App.State != "Deploying" && d.App.State != "None" {
		g.lostDeployDone(d, w) // its answer was lost, not the deploy
		return
	}
	if t.refused == w.sum || g.now().Before(t.retryAt) {
		return
	}
	restart := false
	switch {
	case t.force, d.App.ID != wantID, d.App.State == "Deploying", d.App.State == "None":
	case d.App.State == "Trapped" && w.Restart != RestartNever,
		d.App.State == "Stopped" && w.Restart == RestartAlways:
		restart = true
	default:
		return // it runs, or it ended and stays so
	}
	if restart {
		// Wait out the backoff first: an app that traps at once must
		// not keep the link busy.
		if t.restartAt.IsZero() {
			t.restartAt = g.now().Add(t.backoff)
			t.backoff = min(2*t.backoff, maxBackoff)
		}
		if g.now().Before(t.restartAt) {
			return
		}
		t.restartAt = time.Time{}
		d.App.Restarts++
	}
	t.deploying, t.force, t.lost = true, false, false
	// The device is deploying it now; what it reports from here on (a trap
	// before its answer is read, say) is newer than the answer.
	d.App.ID, d.App.State, d.App.Detail = wantID, "Deploying", ""
	t.remember(w)
	t.acks = make(chan proto.ApplicationDeployAck, 1)
	go g.deploy(s, d, w, t.acks)
}

// deploy sends w to the device over s and waits for its answer.
func (g *Gateway) deploy(s *session, d *device, w *want, acks <-chan proto.ApplicationDeployAck) {
	start := time.Now()
	id := w.appID()
	ack, err := s.sendApp(w.App, w.module, w.sum, acks)
	elapsed := time.Since(start)

	g.mu.Lock()
	defer g.mu.Unlock()
	t := &d.app
	t.deploying = false
	d.finished(w)
	if t.want != w {
		g.reconcileLocked(d) // another deploy or a stop came meanwhile
		g.notifyLocked()
		return
	}
	switch {
	case err == nil:
		d.answered(w, "")
		d.App.LastDeploy = elapsed
		if hexID := hex.EncodeToString(id[:]); d.App.ID != hexID || d.App.State == "Deploying" {
			d.App.ID, d.App.State, d.App.Detail = hexID, "Running", ""
		} // else the device already said how it went on (it trapped at once, say): that stays
		g.emitLocked(Event{Kind: EventAppDeploy, Device: d.ID, Name: d.Name, App: w.App,
			Detail: fmt.Sprintf("deployed %s (%d bytes) in %d ms", w.App, len(w.module), elapsed.Milliseconds())})
	case ack.AppID == id: // the device refused it
		d.answered(w, err.Error())
		g.emitLocked(Event{Kind: EventAppDeploy, Device: d.ID, Name: d.Name, App: w.App,
			Detail: fmt.Sprintf("deploy of %s failed: %s", w.App, err)})
	default: // lost on the way: deploy again after a pause
		t.retryAt = g.now().Add(restartBackoff)
		t.lost = true
		d.App.DeployError = err.Error()
		g.emitLocked(Event{Kind: EventAppDeploy, Device: d.ID, Name: d.Name, App: w.App,
			Detail: fmt.Sprintf("deploy of %s unanswered (%s); retrying", w.App, err)})
	}
	g.notifyLocked()
}

// lostDeployDone settles a deploy whose answer was lost with its session:
// the device's report says it arrived, and whether it started (Failed: the
// device refused it). The caller holds g.mu.
func (g *Gateway) lostDeployDone(d *device, w *want) {
	d.app.lost = false
	d.finished(w)
	refusal := ""
	if d.App.State == "Failed" {
		refusal = d.App.Detail
	}
	d.answered(w, refusal)
	g.emitLocked(Event{Kind: EventAppDeploy, Device: d.ID, Name: d.Name, App: w.App,
		Detail: fmt.Sprintf("the device holds %s (%s): its answer was lost with the session", w.App, d.App.State)})
}

// finished counts an attempt at deploying w that ended, either way, for
// Deploy's wait. The caller holds g.mu.
func (d *device) finished(w *want) {
	d.app.done++
	d.appDone, d.appDoneSHA = d.app.done, hex.EncodeToString(w.sum[:])
	d.appRefused = false
	d.dirty = true
}

// answered records the device's answer to a deploy of w: refusal is ""
// when it took the app, else why it refused it (the same bytes would be
// refused again, so they are not sent again). The caller holds g.mu.
func (d *device) answered(w *want, refusal string) {
	d.App.DeployError = refusal
	if refusal == "" {
		d.App.Deploys++
		return
	}
	d.app.refused, d.appRefused = w.sum, true
}

// sendApp sends a module in chunks and waits for the device's answer: an
// error says it refused it (ack.AppID is then set) or did not answer.
func (s *session) sendApp(name string, module []byte, sum [32]byte, acks <-chan proto.ApplicationDeployAck) (proto.ApplicationDeployAck, error) {
	id := proto.AppID(sum[:16])
	s.push(proto.DeployApplication{AppID: id, Name: name, Size: uint64(len(module)), SHA256: sum})
	for off := 0; off < len(module); off += proto.MaxChunk {
		s.push(proto.DeployChunk{AppID: id, Offset: uint64(off), Data: module[off:min(off+proto.MaxChunk, len(module))]})
	}
	s.push(proto.DeployCommit{AppID: id})
	// The link may take a while to carry the module (a slow board, a
	// whole fleet at once): the wait for the answer starts once it has.
	if link, ok := s.raw.(interface {
		WaitSent(deadline time.Time, stop <-chan struct{})
	}); ok {
		link.WaitSent(time.Now().Add(sendTimeout), s.done)
	}
	timer := time.NewTimer(deployTimeout)
	defer timer.Stop()
	select {
	case ack := <-acks:
		if !ack.OK {
			return ack, errors.New(ack.Error)
		}
		return ack, nil
	case <-timer.C:
		return proto.ApplicationDeployAck{}, fmt.Errorf("no answer within %v", deployTimeout)
	case <-s.done:
		return proto.ApplicationDeployAck{}, errors.New("the session ended")
	}
}

// RawDeploy is a deploy without the gateway's checks and outside the
// desired state: tests use it to show the device's own checks (a module
// `app check` refuses, a SHA-256 that is not the module's).
type RawDeploy struct {
	Name   string
	Module []byte
	SHA256 [32]byte // the zero value: the module's
}

// DeployRaw sends r to device ref now and returns the device's answer: an
// error when it refused the module (with its reason) or did not answer.
func (g *Gateway) DeployRaw(ref string, r RawDeploy) error {
	if r.SHA256 == ([32]byte{}) {
		r.SHA256 = sha256.Sum256(r.Module)
	}
	g.mu.Lock()
	d, err := g.findLocked(ref)
	if err == nil && (d.session == nil || d.app.deploying) {
		err = fmt.Errorf("gateway: raw deploy to %s: no session, or a deploy in flight", d.Name)
	}
	if err != nil {
		g.mu.Unlock()
		return err
	}
	s, acks := d.session, make(chan proto.ApplicationDeployAck, 1)
	d.app.deploying, d.app.acks = true, acks
	g.mu.Unlock()
	_, err = s.sendApp(r.Name, r.Module, r.SHA256, acks)
	g.mu.Lock()
	d.app.deploying = false
	g.reconcileLocked(d)
	g.mu.Unlock()
	return err
}

// appsReport takes the apps a Heartbeat reports (one at most: a board runs
// one app) and reconciles. The caller holds g.mu.
func (g *Gateway) appsReport(d *device, reported []proto.AppStatus) {
	st := proto.ApplicationStatus{State: proto.AppNone}
	if len(reported) > 0 {
		st = proto.ApplicationStatus(reported[0])
	}
	g.appStatus(d, st)
	g.appFuel(d, st.Fuel)
	d.app.known = true
	g.reconcileLocked(d)
}

// appFuel takes the fuel a heartbeat reported and works out the app's rate
// since the one before. The caller holds g.mu.
func (g *Gateway) appFuel(d *device, fuel uint64) {
	t := &d.app
	switch {
	case t.fuelAtMs == 0 || fuel < t.fuel || d.UptimeMs <= t.fuelAtMs: // the first report, another app, or a reboot
		d.App.FuelPerSec = 0
	default:
		d.App.FuelPerSec = float64(fuel-t.fuel) * 1000 / float64(d.UptimeMs-t.fuelAtMs)
	}
	d.App.Fuel, t.fuel, t.fuelAtMs = fuel, fuel, d.UptimeMs
}

// appStatus records an app's state the device reported, with an event when
// it changed. The caller holds g.mu.
func (g *Gateway) appStatus(d *device, st proto.ApplicationStatus) {
	id, state := hex.EncodeToString(st.AppID[:]), appStateName(st.State)
	if st.State == proto.AppNone {
		id = ""
	}
	if id == d.App.ID && state == d.App.State && st.Detail == d.App.Detail {
		return
	}
	if d.App.State == "" && state == "None" {
		d.App.State = state // the first report of a device without an app
		return
	}
	if id == d.App.ID && (state == "Sleeping" && d.App.State == "Running" || state == "Running" && d.App.State == "Sleeping") {
		d.App.State = state // not news
		return
	}
	d.App.ID, d.App.State, d.App.Detail = id, state, st.Detail
	d.dirty = true
	detail := state
	if st.Detail != "" {
		detail += ": " + st.Detail
	}
	g.emitLocked(Event{Kind: EventAppState, Device: d.ID, Name: d.Name, App: g.appName(d, id), Detail: detail})
}

// maxNames bounds the app names a device's track remembers.
const maxNames = 8

// remember keeps w's name for the events of its app_id, also once another
// app is desired (its last events may still be on the way).
func (t *appTrack) remember(w *want) {
	if t.names == nil || len(t.names) >= maxNames {
		t.names = map[string]string{}
	}
	t.names[hex.EncodeToString(w.sum[:16])] = w.App
}

// appName is the name of the app with this app_id on d, if the gateway
// sent it; its app_id otherwise.
func (g *Gateway) appName(d *device, id string) string {
	if name, ok := d.app.names[id]; ok {
		return name
	}
	return id
}

// appMessage handles what a device says of its app outside heartbeats.
func (s *session) appMessage(msgID uint64, m proto.Message) {
	g, d := s.g, s.dev
	g.mu.Lock()
	code := proto.ErrorCode(0)
	if d.Enrolled {
		code = g.appMessageLocked(s, m)
	} else {
		code = proto.CodeNotEnrolled
	}
	g.mu.Unlock()
	if code != 0 {
		s.send(msgID, proto.GatewayError{Code: code, Message: fmt.Sprintf("%T is not expected now", m)})
	}
}

// appMessageLocked acts on m; it returns the code of the Error to answer,
// or 0. The caller holds g.mu.
func (g *Gateway) appMessageLocked(s *session, m proto.Message) proto.ErrorCode {
	d := s.dev
	switch m := m.(type) {
	case proto.ApplicationDeployAck:
		if !d.app.deploying || d.session != s {
			return proto.CodeUnexpected
		}
		select {
		case d.app.acks <- m:
		default: // a second answer: the first counts
		}
	case proto.ApplicationStopAck:
		if !d.app.stopSent || d.session != s {
			return proto.CodeUnexpected
		}
	case proto.ApplicationStatus:
		g.appStatus(d, m)
		g.reconcileLocked(d)
	case proto.AppEvent:
		e := Event{Device: d.ID, Name: d.Name, App: g.appName(d, hex.EncodeToString(m.AppID[:]))}
		switch m.Kind {
		case proto.EventLog:
			e.Kind, e.Detail = EventAppLog, printable(m.Data)
		case proto.EventPublish:
			e.Kind, e.Topic, e.Data = EventAppPublish, m.Topic, m.Data
		default:
			return 0 // a later kind: ignored, as unknown fields are
		}
		g.emitLocked(e)
	}
	return 0
}

// printable is a log line as text: invalid UTF-8 and control characters
// become U+FFFD, so a line cannot break a terminal or a log.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return unicode.ReplacementChar
		}
		return r
	}, strings.ToValidUTF8(string(b), string(unicode.ReplacementChar)))
}

// Targets names the devices a deploy or a stop is for: exactly one of
// refs (device IDs or names), every enrolled device of a board, or every
// enrolled device.
type Targets struct {
	To    []string `json:"to,omitempty"`
	Board string   `json:"board,omitempty"`
	All   bool     `json:"all,omitempty"`
}

// OneWay says whether exactly one way of naming targets is used.
func (t Targets) OneWay() bool {
	n := 0
	for _, set := range []bool{len(t.To) > 0, t.Board != "", t.All} {
		if set {
			n++
		}
	}
	return n == 1
}

// Resolve lists the targets' devices.
func (g *Gateway) Resolve(t Targets) ([]Device, error) {
	if !t.OneWay() {
		return nil, errors.New("gateway: name the targets one way: devices (to), a board, or all")
	}
	if t.Board != "" {
		if _, err := boards.Lookup(t.Board); err != nil {
			return nil, err
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Device
	for _, ref := range t.To {
		d, err := g.findLocked(ref)
		if err != nil {
			return nil, err
		}
		out = append(out, d.snapshot())
	}
	if len(t.To) == 0 {
		for _, d := range g.devices {
			if d.Enrolled && !d.Revoked && (t.All || d.Board == t.Board) {
				out = append(out, d.snapshot())
			}
		}
		if len(out) == 0 {
			what := "the lab"
			if t.Board != "" {
				what = "board " + t.Board
			}
			return nil, fmt.Errorf("%w: %s has no enrolled device", ErrUnknownDevice, what)
		}
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// SendMessage sends data to the app device ref runs, which takes it with
// the receive host function. It fails (ErrRefused) when the device has no
// session or runs no app; the device answers an Error (an event) when its
// inbox is full.
func (g *Gateway) SendMessage(ref string, data []byte) error {
	if len(data) > proto.MaxEventData {
		return fmt.Errorf("%w: a message to an app is at most %d bytes, this one %d", ErrRefused, proto.MaxEventData, len(data))
	}
	g.mu.Lock()
	d, err := g.findLocked(ref)
	var s *session
	var id proto.AppID
	if err == nil {
		s = d.session
		raw, _ := hex.DecodeString(d.App.ID)
		copy(id[:], raw)
		if s == nil || (d.App.State != "Running" && d.App.State != "Sleeping") {
			err = fmt.Errorf("%w: %s runs no app now (%s, app %s)", ErrRefused, d.Name, d.State, d.App.State)
		}
	}
	g.mu.Unlock()
	if err != nil {
		return err
	}
	s.push(proto.AppMessage{AppID: id, Data: data})
	return nil
}
