package lab

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"wasmbed-lab/boards"
)

// WriteBoardsTable prints the registry for people.
func WriteBoardsTable(w io.Writer, all []boards.Board) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BOARD\tQEMU MACHINE\tCPU\tCLOCK\tRAM\tCODE\tCAPABILITIES")
	for _, b := range all {
		machine := b.Machine
		if b.IsNative() {
			machine = "(linux process)"
		} else if b.MachineNote != "" {
			machine += " *"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d MHz\t%s\t%s\t%s\n", b.Name, machine, b.CPU, b.ClockHz/1_000_000,
			size(b.RAM.Size), size(b.Code.Size), strings.Join(b.Capabilities, " "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, b := range all {
		if b.MachineNote != "" {
			fmt.Fprintf(w, "* %s: %s\n", b.Name, b.MachineNote)
		}
	}
	return nil
}

// WriteBoardsJSON prints the registry for programs.
func WriteBoardsJSON(w io.Writer, all []boards.Board) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(all)
}

func size(n uint64) string {
	switch {
	case n == 0:
		return "-"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d KiB", n>>10)
	}
}
