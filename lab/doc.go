// Package lab is the core that the TUI and the headless runner share: it
// runs boards (through emu), keeps their console transcripts, and owns the
// lab's end of their links.
package lab
