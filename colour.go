package main

import (
	"os"

	"golang.org/x/term"
)

// colourful says whether f gets ANSI colour: it is a terminal, TERM is not
// dumb, and neither NO_COLOR (no-color.org) nor CI is set to anything.
func colourful(f *os.File, getenv func(string) string) bool {
	return getenv("NO_COLOR") == "" && getenv("CI") == "" && getenv("TERM") != "dumb" &&
		term.IsTerminal(int(f.Fd()))
}

// painter wraps text in an SGR colour when on, and leaves it alone when not.
type painter bool

func (p painter) paint(sgr, s string) string {
	if !p {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

func (p painter) green(s string) string { return p.paint("1;32", s) }
func (p painter) red(s string) string   { return p.paint("1;31", s) }
func (p painter) dim(s string) string   { return p.paint("2", s) }
