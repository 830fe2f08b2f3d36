package ui

import "charm.land/lipgloss/v2"

// styles are the view's colours; bubbletea lowers them to what the
// terminal shows (none with NO_COLOR or the ASCII profile).
type styles struct {
	header, dim, bold, title, focus, border, selected lipgloss.Style
	good, warn, bad, toast                            lipgloss.Style
}

func defaultStyles() styles {
	return styles{
		header:   lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("24")),
		dim:      lipgloss.NewStyle().Foreground(lipgloss.Color("245")),
		bold:     lipgloss.NewStyle().Bold(true),
		title:    lipgloss.NewStyle().Bold(true),
		focus:    lipgloss.NewStyle().Foreground(lipgloss.Color("39")),
		border:   lipgloss.NewStyle().Foreground(lipgloss.Color("240")),
		selected: lipgloss.NewStyle().Foreground(lipgloss.Color("213")),
		good:     lipgloss.NewStyle().Foreground(lipgloss.Color("42")),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("214")),
		bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("196")).Bold(true),
		toast:    lipgloss.NewStyle().Foreground(lipgloss.Color("0")).Background(lipgloss.Color("214")),
	}
}

// badge styles a device or app state by how well it goes.
func (s styles) badge(state string) string {
	switch state {
	case "Connected", "Running", "Sleeping":
		return s.good.Render(state)
	case "Pending", "Enrolling", "Enrolled", "Deploying", "Stopped", "None", "Booting":
		return s.warn.Render(state)
	default: // Unreachable, Disconnected, Trapped, Failed, Off
		return s.bad.Render(state)
	}
}
