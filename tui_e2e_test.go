package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab"
)

// TestTUIEndToEnd runs the real binary in tmux with the default lab: it
// deploys hello to every board from the keyboard, sees each pane print it
// (stm32vldiscovery, too small for apps, refuses), touches the module and
// sees the hot redeploy's toast, then quits and checks that no board's
// process is left.
func TestTUIEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is needed (make deps installs it): %v", err)
	}
	root, err := lab.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "wasmbed-lab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	session := fmt.Sprintf("wasmbed-e2e-%d", os.Getpid())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	cmd := fmt.Sprintf("%s ui --state %s --api 127.0.0.1:0 2>%s", bin, t.TempDir(), filepath.Join(t.TempDir(), "stderr"))
	tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "60", cmd)
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", session).Run() })
	screen := func() string { return tmux("capture-pane", "-p", "-t", session) }
	waitFor := func(what string, within time.Duration, ok func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !ok(screen()) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s within %v; the screen:\n%s", what, within, screen())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	keys := func(k ...string) {
		for _, key := range k {
			tmux("send-keys", "-t", session, key)
			time.Sleep(150 * time.Millisecond) // esc and the next key must not read as alt+key
		}
	}

	all := boards.All()
	waitFor("fleet connected", 90*time.Second, func(s string) bool {
		return strings.Contains(s, fmt.Sprintf("%d/%d connected", len(all), len(all)))
	})
	pid, _ := strconv.Atoi(strings.TrimSpace(tmux("list-panes", "-t", session, "-F", "#{pane_pid}")))
	boardProcs := descendants(pid)
	if len(boardProcs) < len(all) {
		t.Fatalf("%d processes under the lab, want a board process each for %d boards", len(boardProcs), len(all))
	}

	// d, then hello.wasm in the picker (the modules in name order), then
	// "all boards", the last target.
	modules, _ := filepath.Glob(filepath.Join(root, "apps", "build", "samples", "*.wasm"))
	hello := slices.Index(modules, filepath.Join(root, "apps", "build", "samples", "hello.wasm"))
	if hello < 0 {
		t.Fatal("no hello.wasm: run make apps")
	}
	keys("d")
	waitFor("app picker", 5*time.Second, func(s string) bool { return strings.Contains(s, "Deploy which app?") })
	for range hello {
		keys("Down")
	}
	keys("Enter")
	waitFor("target menu", 5*time.Second, func(s string) bool { return strings.Contains(s, "all boards (") })
	keys("Up", "Enter")
	var runners []string
	for _, b := range all {
		if b.Has("wasm-module") {
			runners = append(runners, b.Name)
		}
	}
	waitFor("hello on every pane", 60*time.Second, func(s string) bool {
		for _, name := range runners {
			if !strings.Contains(s, "hello from "+name) {
				return false
			}
		}
		return true
	})

	now := time.Now()
	if err := os.Chtimes(modules[hello], now, now); err != nil {
		t.Fatal(err)
	}
	toast := fmt.Sprintf("hello.wasm changed → %d boards in", len(runners))
	waitFor("hot-redeploy toast", 30*time.Second, func(s string) bool { return strings.Contains(s, toast) })
	t.Logf("%d board processes; the screen after the hot redeploy:\n%s", len(boardProcs), screen())

	keys("q")
	deadline := time.Now().Add(30 * time.Second)
	for exec.Command("tmux", "has-session", "-t", session).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the lab did not quit; the screen:\n%s", screen())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range boardProcs {
		if alive(p) {
			t.Errorf("process %d (%s) is left after quitting", p, comm(p))
		}
	}
}

// descendants lists the processes under pid, from /proc.
func descendants(pid int) []int {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so read after ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			parent[p], _ = strconv.Atoi(fields[1])
		}
	}
	var out []int
	for p := range parent {
		for q := parent[p]; q > 1; q = parent[q] {
			if q == pid {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// alive says whether a process exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}
