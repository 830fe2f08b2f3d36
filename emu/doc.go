// Package emu starts and controls boards: QEMU for the emulated Cortex-M
// boards and a plain Linux process for the native board. It is the only
// package of the lab that starts processes, so the toolchain helpers
// (RequireTool, CompileDTS, Make) live here too.
//
// [Start] runs a board from its registry entry and returns a [Machine]
// once the board runs with its link connected. The board's two serial
// ports are byte streams: Console (serial0, a pty in raw mode) and Link
// (serial1, a TCP connection the board dials to a per-machine loopback
// listener, stable across the board's reconnects). emu always drains both,
// so a caller that stops reading never stalls the emulated CPU; unread
// bytes are kept up to 64 KiB, then the oldest are dropped and counted.
// [LinkStats] counts the link's bytes and frames each way, and
// SetLinkFaults injects drops, corruption, delay or a cut on either
// direction; the board's socket is drained whatever the faults.
//
// Reset, Pause, Resume and Stop go through QMP for QEMU boards and through
// signals for the native board. An exit that Stop did not ask for, and that
// is not a clean exit with code 0, is reported as a crash.
//
// [Instance] is what the rest of the lab holds: [Machine] implements it,
// and so does [Fake], an in-memory board for other packages' unit tests.
// [Supervisor] restarts a crashed board with exponential backoff.
package emu
