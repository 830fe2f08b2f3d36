package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"wasmbed-lab/lab"
	"wasmbed-lab/lab/gateway"
)

// Options says what the UI shows beyond the lab itself.
type Options struct {
	Context context.Context  // the program's: actions on the lab end with it; nil for Background
	Name    string           // the lab's, for the header
	Apps    Apps             // the picker's modules and hot redeploys; nil for none
	LogDir  string           // where ctrl+s saves a console
	Now     func() time.Time // nil for time.Now; tests fix it
	Stopped func()           // nil, or called once the user quits
}

// mode is what keys do now.
type mode int

const (
	normal    mode = iota
	typing         // keys go to the focused board's console
	helping        // the key map is shown
	filtering      // keys edit the filter
	picking        // choosing an app to deploy
	targeting      // choosing where it goes
	faulting       // choosing a fault
)

// Sizes of the layout.
const (
	minPaneW   = 40 // narrower panes would cut the status rows to nothing
	minPaneH   = 9  // the status rows and a few console lines
	listW      = 30 // the list beside the focused pane on small terminals
	toastFor   = 6 * time.Second
	eventsKept = 100
)

// Model is the fleet view: a header, a grid of board panes and a footer.
type Model struct {
	lab  Lab
	opts Options
	keys keyMap
	help help.Model
	st   styles

	shortHelp   string // the footer's keys, drawn once per width
	unsubscribe func() // ends the lab's event stream to the view

	width, height int
	panes         []*pane // in the lab's order
	focus         string  // the focused pane's board
	zoomed        bool
	mode          mode
	filter        textinput.Model
	menu          menu
	deployPath    string // the app chosen in the picker
	selected      map[string]bool
	stamps        bool
	typed         []byte // keys for the focused console, not written yet
	writing       bool   // a write is on its way: keys wait, to keep their order

	status   gateway.Status
	hot      bool // hot redeploys are on
	up       bool
	api, ca  string
	events   []string // the latest, formatted, newest last
	toast    string
	toastErr bool
	toastAt  time.Time

	// The last frame drawn. Console bytes redraw at most every frameEvery,
	// so a chatty fleet costs 10 frames a second, not one per burst.
	frame        string
	dirty        bool // something changed since the frame was drawn
	forced       bool // and it should show now (a key, a resize)
	framePending bool // a frameMsg will come
	drawnAt      time.Time
}

// New makes the fleet view of l.
func New(l Lab, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	f := textinput.New()
	f.Prompt = "/"
	m := &Model{lab: l, opts: opts, keys: defaultKeys(), help: help.New(), st: defaultStyles(),
		width: 120, height: 40, filter: f, selected: map[string]bool{}}
	m.shortHelp = m.help.ShortHelpView(m.keys.ShortHelp())
	return m
}

// Close ends what the view holds open in the lab; call it once the
// program has ended.
func (m *Model) Close() {
	if m.unsubscribe != nil {
		m.unsubscribe()
	}
	for _, p := range m.panes {
		if p.stop != nil {
			p.stop()
		}
	}
}

// Init starts the snapshots, the event stream and the hot redeploys.
func (m *Model) Init() tea.Cmd {
	l := m.lab
	cmds := []tea.Cmd{snapshot(l, m.opts.Apps), tick(), func() tea.Msg {
		events, stop := l.Subscribe()
		return subscribedMsg{stop: stop, next: follow(events)}
	}}
	if m.opts.Apps != nil {
		cmds = append(cmds, waitRedeploy(m.opts.Apps.Redeploys()))
	}
	return tea.Batch(cmds...)
}

// frameEvery is the shortest time between two frames that only console
// bytes asked for.
const frameEvery = 100 * time.Millisecond

// frameMsg asks for the frame that console bytes held back.
type frameMsg struct{}

// frameLater asks for a frame after frameEvery, unless one is asked for.
func (m *Model) frameLater() tea.Cmd {
	if m.framePending {
		return nil
	}
	m.framePending = true
	return tea.Tick(frameEvery, func(time.Time) tea.Msg { return frameMsg{} })
}

// Update routes: the window, the lab's news, then keys by mode.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.dirty = true
	switch msg.(type) {
	case consoleMsg, eventMsg, frameMsg, tickMsg: // the lab's chatter waits for a frame
	default:
		m.forced = true
	}
	switch msg := msg.(type) {
	case subscribedMsg:
		m.unsubscribe = msg.stop
		return m, msg.next
	case frameMsg:
		m.framePending = false
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.shortHelp = m.help.ShortHelpView(m.keys.ShortHelp())
	case tickMsg:
		return m, tea.Batch(snapshot(m.lab, m.opts.Apps), tick())
	case snapshotMsg:
		return m, m.handleSnapshot(msg)
	case eventMsg:
		if msg.event.Kind != gateway.EventAppLog { // the console shows those
			m.events = append(m.events, lab.FormatEvent(msg.event))
			if len(m.events) > eventsKept {
				m.events = m.events[len(m.events)-eventsKept:]
			}
		}
		return m, tea.Batch(msg.next, m.frameLater())
	case consoleStartMsg:
		return m, m.handleConsoleStart(msg)
	case consoleMsg:
		if p := m.pane(msg.board); p != nil {
			p.write(msg.data)
		}
		return m, tea.Batch(msg.next, m.frameLater())
	case consoleEndMsg:
		if p := m.pane(msg.board); p != nil {
			p.streaming = false
		}
	case linesMsg:
		if p := m.pane(msg.board); p != nil {
			p.lines, p.cacheKey = msg.lines, renderKey{}
		}
	case doneMsg:
		m.say(msg.text, msg.err)
	case typedMsg:
		m.writing = false
		if msg.err != nil {
			m.say("", msg.err)
		}
		return m, m.writeTyped()
	case appsMsg:
		m.handleApps(msg)
	case redeployMsg:
		m.handleRedeploy(msg.r)
		return m, msg.next
	case tea.MouseClickMsg:
		m.handleClick(msg.Mouse())
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, nil
}

// handleSnapshot brings the panes up to date and opens the consoles of
// boards that came up.
func (m *Model) handleSnapshot(s snapshotMsg) tea.Cmd {
	m.status, m.up, m.api, m.ca, m.hot = s.status, s.up, s.api, s.ca, s.hot
	byName := map[string]gateway.Device{}
	for _, d := range s.devices {
		byName[d.Name] = d
	}
	var cmds []tea.Cmd
	for _, info := range s.boards {
		p := m.pane(info.Name)
		if p == nil {
			p = newPane(info)
			m.panes = append(m.panes, p)
		}
		if p.info != info {
			p.info, p.cacheKey = info, renderKey{}
		}
		if d, ok := byName[info.Name]; ok {
			p.sample(d)
		}
		if info.On && !p.streaming {
			p.streaming = true
			cmds = append(cmds, openConsole(m.lab, info.Name))
		}
		if m.stamps && info.On {
			cmds = append(cmds, fetchLines(m.lab, info.Name, m.height))
		}
	}
	if m.focus == "" && len(m.panes) > 0 {
		m.focus = m.panes[0].info.Name
	}
	return tea.Batch(cmds...)
}

func (m *Model) handleConsoleStart(msg consoleStartMsg) tea.Cmd {
	p := m.pane(msg.board)
	if p == nil || msg.err != nil {
		if p != nil {
			p.streaming = false // the next snapshot tries again
		}
		if msg.stop != nil {
			msg.stop()
		}
		return nil
	}
	if p.stop != nil {
		p.stop()
	}
	p.stop = msg.stop
	p.clear() // the backlog holds what came before
	p.write(msg.backlog)
	return readConsole(msg.board, msg.bytes)
}

func (m *Model) handleApps(msg appsMsg) {
	if msg.err != nil || len(msg.paths) == 0 {
		m.say("", fmt.Errorf("no apps to deploy: %v (build them with make apps)", msg.err))
		return
	}
	m.menu = menu{title: "Deploy which app?"}
	for _, p := range msg.paths {
		m.menu.items = append(m.menu.items, baseName(p))
		m.menu.values = append(m.menu.values, p)
	}
	m.mode = picking
}

func (m *Model) handleRedeploy(r lab.Redeploy) {
	switch {
	case r.Err != nil:
		m.say("", fmt.Errorf("%s changed: %w", r.App, r.Err))
	case len(r.Devices) == 0:
		m.say(fmt.Sprintf("%s changed: no board runs it", r.App), nil)
	default:
		m.say(fmt.Sprintf("%s changed → %s in %v", r.App, plural(len(r.Devices), "board"), r.Took.Round(time.Millisecond)), nil)
	}
}

// handleKey routes a key by mode; quitting works from every mode but
// typing, where ctrl+c goes to the board.
func (m *Model) handleKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch m.mode {
	case typing:
		return m, m.handleTyping(k)
	case helping:
		m.mode = normal
		return m, nil
	case filtering:
		return m, m.handleFiltering(k)
	case picking, targeting, faulting:
		return m, m.handleMenu(k)
	}
	return m.handleNormal(k)
}

func (m *Model) handleNormal(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	keys, p := m.keys, m.focused()
	switch {
	case key.Matches(k, keys.Quit):
		if m.opts.Stopped != nil {
			m.opts.Stopped()
		}
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.mode = helping
	case key.Matches(k, keys.Left), key.Matches(k, keys.Prev):
		m.moveFocus(-1)
	case key.Matches(k, keys.Right), key.Matches(k, keys.Next):
		m.moveFocus(1)
	case key.Matches(k, keys.Up):
		m.moveFocus(-m.columns())
	case key.Matches(k, keys.Down):
		m.moveFocus(m.columns())
	case key.Matches(k, keys.Zoom):
		m.zoomed = p != nil
	case key.Matches(k, keys.Back):
		m.zoomed = false
	case key.Matches(k, keys.Filter):
		m.mode = filtering
		return m, m.filter.Focus()
	case key.Matches(k, keys.Stamps):
		m.stamps = !m.stamps
		for _, p := range m.panes {
			p.cacheKey = renderKey{}
		}
	case key.Matches(k, keys.Hot) && m.opts.Apps != nil:
		apps, on := m.opts.Apps, !m.hot
		m.hot = on
		return m, do(map[bool]string{true: "hot redeploy on", false: "hot redeploy off"}[on], func() error { apps.SetHot(on); return nil })
	case key.Matches(k, keys.Deploy):
		if m.opts.Apps == nil {
			m.say("", fmt.Errorf("no apps folder: deploy with `wasmbed-lab deploy`"))
			return m, nil
		}
		return m, listApps(m.opts.Apps)
	case p == nil:
		return m, nil // the rest act on the focused board
	case key.Matches(k, keys.Type):
		m.mode = typing
	case key.Matches(k, keys.Select):
		m.selected[p.info.Name] = !m.selected[p.info.Name]
		p.cacheKey = renderKey{}
	case key.Matches(k, keys.Fault):
		m.menu = faultMenu(p.info.Name)
		m.mode = faulting
	default:
		return m, m.boardAction(k, p.info)
	}
	return m, nil
}

// boardAction is a one-key action on the focused board.
func (m *Model) boardAction(k tea.KeyPressMsg, b lab.BoardInfo) tea.Cmd {
	l, keys, name := m.lab, m.keys, b.Name
	ctx := m.opts.Context
	switch {
	case key.Matches(k, keys.Stop):
		return do("stopped "+name+"'s app", func() error { return l.StopApp(name) })
	case key.Matches(k, keys.Reset):
		return do("reset "+name, func() error { return l.Reset(ctx, name) })
	case key.Matches(k, keys.Power) && b.On:
		return do("powered "+name+" off", func() error { return l.PowerOff(ctx, name) })
	case key.Matches(k, keys.Power):
		return do("powered "+name+" on", func() error { _, err := l.PowerOn(ctx, name); return err })
	case key.Matches(k, keys.Approve):
		return do("approved "+name, func() error { return l.Approve(name) })
	case key.Matches(k, keys.Reject):
		return do("rejected "+name, func() error { return l.Reject(name) })
	case key.Matches(k, keys.Save):
		dir := m.opts.LogDir
		return func() tea.Msg {
			path, err := l.SaveConsole(name, dir)
			return doneMsg{text: "saved " + name + "'s console to " + path, err: err}
		}
	}
	return nil
}

// handleTyping sends a key to the focused board's console, as a terminal
// would; esc leaves.
func (m *Model) handleTyping(k tea.KeyPressMsg) tea.Cmd {
	p := m.focused()
	if k.Code == tea.KeyEscape || p == nil {
		m.mode = normal
		return nil
	}
	m.typed = append(m.typed, keyBytes(k)...)
	return m.writeTyped()
}

// writeTyped writes the keys typed so far, one write at a time so they
// arrive in order.
func (m *Model) writeTyped() tea.Cmd {
	p := m.focused()
	if m.writing || len(m.typed) == 0 || p == nil {
		return nil
	}
	l, name, b := m.lab, p.info.Name, m.typed
	m.typed, m.writing = nil, true
	return func() tea.Msg { return typedMsg{err: l.WriteConsole(name, b)} }
}

// keyBytes is what a terminal sends for a key.
func keyBytes(k tea.KeyPressMsg) []byte {
	switch {
	case k.Code == tea.KeyEnter:
		return []byte("\r")
	case k.Code == tea.KeyBackspace:
		return []byte{0x7f}
	case k.Code == tea.KeyTab:
		return []byte("\t")
	case k.Mod == tea.ModCtrl && k.Code >= 'a' && k.Code <= 'z':
		return []byte{byte(k.Code-'a') + 1}
	}
	return []byte(k.Text)
}

func (m *Model) handleFiltering(k tea.KeyPressMsg) tea.Cmd {
	switch k.Code {
	case tea.KeyEscape:
		m.filter.SetValue("")
		fallthrough
	case tea.KeyEnter:
		m.mode = normal
		m.filter.Blur()
		m.keepFocusVisible()
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(k)
	m.keepFocusVisible()
	return cmd
}

// handleMenu moves through the open menu and acts on the choice.
func (m *Model) handleMenu(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case k.Code == tea.KeyEscape:
		m.mode = normal
	case key.Matches(k, m.keys.Up):
		m.menu.move(-1)
	case key.Matches(k, m.keys.Down), k.Code == tea.KeyTab:
		m.menu.move(1)
	case k.Code == tea.KeyEnter:
		return m.choose()
	}
	return nil
}

// choose acts on the menu's choice: an app leads to its targets, a target
// deploys, a fault is injected.
func (m *Model) choose() tea.Cmd {
	choice := m.menu.chosen()
	switch m.mode {
	case picking:
		m.deployPath = choice
		m.menu = m.targetMenu()
		m.mode = targeting
		return nil
	case targeting:
		m.mode = normal
		devices := m.targets(choice)
		m.say(fmt.Sprintf("deploying %s to %s…", baseName(m.deployPath), plural(len(devices), "board")), nil)
		return deploy(m.opts.Context, m.lab, m.deployPath, devices)
	}
	m.mode = normal
	p := m.focused()
	if p == nil {
		return nil
	}
	return faultAction(m.lab, p.info.Name, choice)
}

// targetMenu offers where the chosen app goes.
func (m *Model) targetMenu() menu {
	mn := menu{title: "Deploy " + baseName(m.deployPath) + " to"}
	add := func(label, value string) {
		if n := len(m.targets(value)); n > 0 {
			mn.items = append(mn.items, fmt.Sprintf("%s (%d)", label, n))
			mn.values = append(mn.values, value)
		}
	}
	if p := m.focused(); p != nil {
		add("this board: "+p.info.Name, "focused")
		add("every "+p.info.Board+" board", "kind")
	}
	add("the selected boards", "selected")
	add("all boards", "all")
	return mn
}

// targets are the powered-on boards a target choice names.
func (m *Model) targets(choice string) []string {
	focused := m.focused()
	var out []string
	for _, p := range m.panes {
		ok := false
		switch choice {
		case "focused":
			ok = focused == p
		case "kind":
			ok = focused != nil && p.info.Board == focused.info.Board
		case "selected":
			ok = m.selected[p.info.Name]
		case "all":
			ok = true
		}
		if ok && p.info.On {
			out = append(out, p.info.Name)
		}
	}
	return out
}

func faultMenu(board string) menu {
	return menu{title: "Fault on " + board,
		items:  []string{"kill its QEMU (it comes back)", "cut the link for 5 s", "corrupt 1 % of the link's bytes", "delay the link by 200 ms", "clear the link's faults"},
		values: []string{"kill", "cut", "corrupt", "delay", "clear"}}
}

func faultAction(l Lab, name, fault string) tea.Cmd {
	switch fault {
	case "kill":
		return do("killed "+name+"'s process", func() error { return l.Kill(name) })
	case "cut":
		return do("cut "+name+"'s link for 5 s", func() error { return l.CutLink(name, 5*time.Second) })
	case "corrupt":
		return do("corrupting 1 % of "+name+"'s link", func() error { return l.CorruptLink(name, 0.01) })
	case "delay":
		return do("delaying "+name+"'s link by 200 ms", func() error { return l.DelayLink(name, 200*time.Millisecond) })
	}
	return do("cleared "+name+"'s link faults", func() error { return l.ClearLinkFaults(name) })
}

// handleClick focuses the pane under the mouse.
func (m *Model) handleClick(mouse tea.Mouse) {
	if m.mode != normal || m.zoomed {
		return
	}
	vis := m.visible()
	cols, _, w, h := m.grid(len(vis))
	if m.small(h) {
		if i := mouse.Y - 1; mouse.X < listW && i >= 0 && i < len(vis) {
			m.focus = vis[i].info.Name
		}
		return
	}
	col, row := mouse.X/max(w, 1), (mouse.Y-1)/max(h, 1)
	if i := row*cols + col; mouse.Y >= 1 && col < cols && i < len(vis) {
		m.focus = vis[i].info.Name
	}
}

// say shows a toast; an error shows in red and stays a little longer.
func (m *Model) say(text string, err error) {
	m.toast, m.toastErr, m.toastAt = text, err != nil, m.opts.Now()
	if err != nil {
		m.toast = strings.TrimSpace(strings.TrimPrefix(text+": "+err.Error(), ": "))
	}
}

func (m *Model) pane(name string) *pane {
	for _, p := range m.panes {
		if p.info.Name == name {
			return p
		}
	}
	return nil
}

func (m *Model) focused() *pane { return m.pane(m.focus) }

// visible are the panes the filter lets through, in order.
func (m *Model) visible() []*pane {
	f := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	if f == "" {
		return m.panes
	}
	var out []*pane
	for _, p := range m.panes {
		for _, s := range []string{p.info.Name, p.info.Board, p.state(), p.dev.App.State, p.dev.App.Want} {
			if strings.Contains(strings.ToLower(s), f) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// moveFocus moves the focus by steps through the visible panes.
func (m *Model) moveFocus(by int) {
	vis := m.visible()
	if len(vis) == 0 {
		return
	}
	i := 0
	for j, p := range vis {
		if p.info.Name == m.focus {
			i = j
		}
	}
	i = min(max(i+by, 0), len(vis)-1)
	m.focus = vis[i].info.Name
}

// keepFocusVisible moves the focus to the first visible pane when the
// filter hid it.
func (m *Model) keepFocusVisible() {
	vis := m.visible()
	for _, p := range vis {
		if p.info.Name == m.focus {
			return
		}
	}
	if len(vis) > 0 {
		m.focus = vis[0].info.Name
	}
}

func baseName(path string) string {
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		return path[i+1:]
	}
	return path
}
