package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"wasmbed-lab/emu"
)

// Redeploy is what a hot redeploy did after an app's file changed.
type Redeploy struct {
	App     string        // the file that changed: a module, or a source rebuilt
	Devices []string      // the devices that run the module, redeployed
	Took    time.Duration // from the change seen to the last device's answer
	Err     error         // the rebuild, the check, or a device's refusal
}

// settle is how long a file must be quiet before it counts as saved: an
// editor writes, renames and touches in a burst.
const settle = 50 * time.Millisecond

// AppWatcher watches the apps: a changed module is redeployed to every
// device that runs it, and a changed C or WAT sample source is rebuilt
// (make -C apps samples) first, which changes its module in turn.
type AppWatcher struct {
	lab     *Lab
	appsDir string // the Makefile's folder
	wasmDir string // the modules
	srcDir  string // the samples' sources; empty when not watched
	hot     atomic.Bool
	out     chan Redeploy
	fs      *fsnotify.Watcher
}

// WatchApps watches modules, a folder of .wasm files, until ctx ends; hot
// redeploys start on. An empty modules watches the project's samples, and
// their sources too.
func (l *Lab) WatchApps(ctx context.Context, modules string) (*AppWatcher, error) {
	appsDir := filepath.Join(l.opts.Root, "apps")
	w := &AppWatcher{lab: l, appsDir: appsDir, wasmDir: modules, out: make(chan Redeploy, 16)}
	dirs := []string{modules}
	if modules == "" {
		w.wasmDir, w.srcDir = filepath.Join(appsDir, "build", "samples"), filepath.Join(appsDir, "samples")
		dirs = []string{w.wasmDir, w.srcDir}
	}
	w.hot.Store(true)
	var err error
	if w.fs, err = fsnotify.NewWatcher(); err != nil {
		return nil, fmt.Errorf("lab: watching the apps: %w", err)
	}
	// Directories, not files: editors save by writing a new file and
	// renaming it over the old one.
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			w.fs.Close()
			return nil, fmt.Errorf("lab: watching the apps: %w", err)
		}
		if err := w.fs.Add(dir); err != nil {
			w.fs.Close()
			return nil, fmt.Errorf("lab: watching %s: %w", dir, err)
		}
	}
	go w.run(ctx)
	return w, nil
}

// List returns the modules in the apps folder, by name.
func (w *AppWatcher) List() ([]string, error) {
	entries, err := os.ReadDir(w.wasmDir)
	if err != nil {
		return nil, fmt.Errorf("lab: listing the apps: %w (run make apps)", err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".wasm") {
			out = append(out, filepath.Join(w.wasmDir, e.Name()))
		}
	}
	return out, nil
}

// SetHot turns hot redeploys on or off; Hot says which.
func (w *AppWatcher) SetHot(on bool) { w.hot.Store(on) }
func (w *AppWatcher) Hot() bool      { return w.hot.Load() }

// Redeploys reports each hot redeploy; a reader that falls behind misses
// some.
func (w *AppWatcher) Redeploys() <-chan Redeploy { return w.out }

// run collects changes, and acts on each file once it has been quiet for
// settle.
func (w *AppWatcher) run(ctx context.Context) {
	defer w.fs.Close()
	changed := map[string]time.Time{} // path -> first change seen
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if e.Has(fsnotify.Remove) || !watched(e.Name) {
				continue
			}
			if _, seen := changed[e.Name]; !seen {
				changed[e.Name] = time.Now()
			}
			quiet = time.After(settle)
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.report(Redeploy{Err: fmt.Errorf("lab: watching the apps: %w", err)})
		case <-quiet:
			for path, since := range changed {
				if w.hot.Load() {
					w.act(ctx, path, since)
				}
			}
			clear(changed)
		}
	}
}

// watched says whether a file is a module or a sample source.
func watched(path string) bool {
	return slices.Contains([]string{".wasm", ".c", ".wat", ".h"}, filepath.Ext(path))
}

// act rebuilds a changed source, or redeploys a changed module to every
// device that runs it.
func (w *AppWatcher) act(ctx context.Context, path string, since time.Time) {
	name := filepath.Base(path)
	if filepath.Ext(path) != ".wasm" && w.srcDir != "" {
		if err := emu.Make(ctx, w.appsDir, "samples"); err != nil {
			w.report(Redeploy{App: name, Took: time.Since(since), Err: fmt.Errorf("rebuilding after %s changed: %w", name, err)})
		}
		return // the rebuilt module's own change redeploys it
	}
	if filepath.Ext(path) != ".wasm" {
		return
	}
	var devices []string
	for _, d := range w.lab.Devices() {
		if d.App.Want == name {
			devices = append(devices, d.Name)
		}
	}
	r := Redeploy{App: name, Devices: devices}
	if len(devices) > 0 {
		outcomes, err := w.lab.DeployFile(ctx, path, devices)
		var errs []error
		for _, o := range outcomes {
			if o.Err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", o.Device, o.Err))
			}
		}
		r.Err = errors.Join(append(errs, err)...)
	}
	r.Took = time.Since(since)
	w.report(r)
}

func (w *AppWatcher) report(r Redeploy) {
	select {
	case w.out <- r:
	default:
	}
}
