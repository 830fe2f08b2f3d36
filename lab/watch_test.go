package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab/gateway"
)

// TestHotRedeploy: a native board runs hello. A module saved over it (as
// an editor saves: a new file renamed over the old) is deployed again to
// it; a broken one is refused with the check's reason; a changed sample
// source is rebuilt, and its module redeployed in turn.
func TestHotRedeploy(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	native, _ := boards.Lookup("native")
	root, image := requireFirmware(t, native)
	if _, err := l.AddBoard(context.Background(), "hot", BoardOptions{Board: native, Firmware: image, Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := l.WaitFor(ctx, "hot", func(d gateway.Device) bool { return d.State == gateway.Connected && d.Heartbeats > 0 }); err != nil {
		t.Fatal(err)
	}
	samples := filepath.Join(root, "apps", "build", "samples")
	hello, err := os.ReadFile(filepath.Join(samples, "hello.wasm"))
	if err != nil {
		t.Fatalf("%v: run make apps", err)
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app.wasm")
	if err := save(app, hello); err != nil {
		t.Fatal(err)
	}
	w, err := l.WatchApps(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := deployAll(ctx, l, app, []string{"hot"}); err != nil {
		t.Fatal(err)
	}
	next := func(what string) Redeploy {
		t.Helper()
		select {
		case r := <-w.Redeploys():
			return r
		case <-ctx.Done():
			t.Fatalf("no redeploy after %s", what)
			return Redeploy{}
		}
	}

	counter, _ := os.ReadFile(filepath.Join(samples, "counter.wasm"))
	if err := save(app, counter); err != nil {
		t.Fatal(err)
	}
	if r := next("saving counter over it"); r.Err != nil || r.App != "app.wasm" || len(r.Devices) != 1 || r.Devices[0] != "hot" {
		t.Fatalf("redeploy %+v", r)
	}
	if err := waitRunning(ctx, l, []string{"hot"}, counter); err != nil {
		t.Fatal(err)
	}

	if err := save(app, []byte("\x00asm\x01\x00\x00\x00\x05")); err != nil {
		t.Fatal(err)
	}
	if r := next("saving a broken module"); r.Err == nil || !strings.Contains(r.Err.Error(), "hot") {
		t.Fatalf("a broken module: %+v", r)
	}

	w.SetHot(false)
	if err := save(app, hello); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-w.Redeploys():
		t.Fatalf("a redeploy with hot redeploy off: %+v", r)
	case <-time.After(500 * time.Millisecond):
	}
}

// TestHotRebuild: a changed sample source is rebuilt, and its module's
// change is reported.
func TestHotRebuild(t *testing.T) {
	l := openTestLab(t, gateway.PairingAuto)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w, err := l.WatchApps(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(l.opts.Root, "apps", "samples", "hello.c")
	module := filepath.Join(l.opts.Root, "apps", "build", "samples", "hello.wasm")
	before, err := os.Stat(module)
	if err != nil {
		t.Fatalf("%v: run make apps", err)
	}
	now := time.Now()
	if err := os.Chtimes(src, now, now); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-w.Redeploys(): // no device runs it: a report with none
		if r.Err != nil || r.App != "hello.wasm" || len(r.Devices) != 0 {
			t.Fatalf("after touching hello.c: %+v", r)
		}
	case <-ctx.Done():
		t.Fatal("hello.wasm was not rebuilt after hello.c changed")
	}
	if after, _ := os.Stat(module); !after.ModTime().After(before.ModTime()) {
		t.Error("hello.wasm is not newer")
	}
}
