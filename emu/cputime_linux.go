package emu

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ProcessCPUTime is the CPU time the process's live threads have used, in
// nanoseconds from the scheduler (/proc/PID/task/*/schedstat): finer than
// the 10 ms ticks of /proc/PID/stat, which an idle board barely moves.
func ProcessCPUTime(pid int) (time.Duration, error) {
	paths, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(paths) == 0 {
		return 0, fmt.Errorf("emu: cpu time of pid %d: no such process", pid)
	}
	var total time.Duration
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the thread exited meanwhile
		}
		fields := strings.Fields(string(data))
		if len(fields) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("emu: cpu time of pid %d: %s: %w", pid, p, err)
		}
		total += time.Duration(ns)
	}
	return total, nil
}
