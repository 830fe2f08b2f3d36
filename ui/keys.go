package ui

import "charm.land/bubbles/v2/key"

// keyMap is every key of the fleet view; `?` shows them all.
type keyMap struct {
	Up, Down, Left, Right, Next, Prev key.Binding
	Zoom, Back, Type, Select          key.Binding
	Deploy, Stop, Reset, Power        key.Binding
	Approve, Reject, Fault, Hot       key.Binding
	Filter, Stamps, Save, Help, Quit  key.Binding
}

func defaultKeys() keyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], help))
	}
	arrow := func(name, help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(name, help))
	}
	return keyMap{
		Up:      arrow("↑/k", "up", "up", "k"),
		Down:    arrow("↓/j", "down", "down", "j"),
		Left:    arrow("←/h", "left", "left", "h"),
		Right:   arrow("→/l", "right", "right", "l"),
		Next:    b("next pane", "tab"),
		Prev:    b("previous pane", "shift+tab"),
		Zoom:    b("zoom", "enter"),
		Back:    b("back", "esc"),
		Type:    b("type into the console", "i"),
		Select:  b("select board", "space"),
		Deploy:  b("deploy", "d"),
		Stop:    b("stop app", "s"),
		Reset:   b("reset board", "r"),
		Power:   b("power off/on", "p"),
		Approve: b("approve", "a"),
		Reject:  b("reject", "x"),
		Fault:   b("faults", "f"),
		Hot:     b("hot redeploy", "w"),
		Filter:  b("filter", "/"),
		Stamps:  b("timestamps", "t"),
		Save:    b("save console", "ctrl+s"),
		Help:    b("help", "?"),
		Quit:    b("quit", "q", "ctrl+c"),
	}
}

// ShortHelp is the footer's line.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Zoom, k.Type, k.Deploy, k.Stop, k.Reset, k.Fault, k.Filter, k.Help, k.Quit}
}

// FullHelp is the `?` overlay, in columns.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Next, k.Prev},
		{k.Zoom, k.Back, k.Type, k.Select, k.Filter, k.Stamps},
		{k.Deploy, k.Stop, k.Reset, k.Power, k.Approve, k.Reject},
		{k.Fault, k.Hot, k.Save, k.Help, k.Quit},
	}
}
