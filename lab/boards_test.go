package lab

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
)

// firmwareVersion reads FW_VERSION from the firmware, which the banner must print.
func firmwareVersion(t *testing.T, root string) string {
	src, err := os.ReadFile(filepath.Join(root, "firmware", "core", "fw.h"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`#define FW_VERSION "([^"]+)"`).FindSubmatch(src)
	if m == nil {
		t.Fatal("FW_VERSION not found in fw.h")
	}
	return string(m[1])
}

// requireFirmware finds the tree and the board's image, which `make test`
// builds before running the Go tests.
func requireFirmware(t *testing.T, b boards.Board) (root, image string) {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	image = FirmwarePath(root, b)
	if _, err := os.Stat(image); err != nil {
		t.Fatalf("%s: firmware not built (%v): run `make firmware` or `make test`", b.Name, err)
	}
	return root, image
}

// TestBoardsBootOnRealEmulators boots every board in the registry: real
// firmware in real QEMU (or as a Linux process for native). It checks the
// banner against the registry and the image, a round trip through the
// firmware over the link, a reset producing a second banner and hello,
// and that a killed emulator is reported as crashed.
func TestBoardsBootOnRealEmulators(t *testing.T) {
	for _, bd := range boards.All() {
		t.Run(bd.Name, func(t *testing.T) {
			t.Parallel()
			root, image := requireFirmware(t, bd)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			b, err := StartBoard(ctx, BoardOptions{Board: bd, Firmware: image, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Stop(context.Background())

			banner, _, err := b.WaitBanner(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			checkBanner(t, banner, bd, firmwareVersion(t, root), image)

			if err := b.WaitLinkUp(ctx); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 3; i++ {
				if _, err := b.Ping(ctx); err != nil {
					t.Fatalf("ping %d: %v", i, err)
				}
			}

			// The fault handler reports and halts the board; a reset brings
			// it back.
			from := b.Console().Next()
			hellos := b.Link().Hellos
			if err := b.WriteConsole([]byte("fault\r")); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Console().WaitFor(ctx, from, func(s string) bool { return strings.Contains(s, "*** board halted ***") }); err != nil {
				t.Fatalf("no fault report: %v", err)
			}
			if !transcriptHas(b, from, "*** HARDFAULT ***") {
				t.Errorf("fault report lacks its header")
			}
			if !bd.IsNative() && !transcriptHas(b, from, "CFSR=0x00010000") {
				t.Errorf("fault report lacks CFSR (UNDEFINSTR expected)")
			}
			if err := b.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if _, _, err := b.WaitBanner(ctx, from); err != nil {
				t.Fatalf("after reset: %v", err)
			}
			if err := b.WaitLink(ctx, func(s LinkState) bool { return s.Hellos > hellos }); err != nil {
				t.Fatalf("no hello after reset: %v", err)
			}
			if _, err := b.Ping(ctx); err != nil {
				t.Fatalf("ping after reset: %v", err)
			}

			if err := b.Kill(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-b.Done():
			case <-ctx.Done():
				t.Fatal("killed board never exited")
			}
			if st := b.Exit(); !st.Crashed || st.Requested {
				t.Errorf("killed board reported as %s, want crashed", st)
			}
		})
	}
}

func checkBanner(t *testing.T, got Banner, bd boards.Board, version, image string) {
	t.Helper()
	if got.Version != version {
		t.Errorf("banner version %q, firmware says %q", got.Version, version)
	}
	if got.Board != bd.Name || got.CPU != bd.CPU || got.ClockHz != uint64(bd.ClockHz) || got.RAMKiB != bd.RAM.Size/1024 {
		t.Errorf("banner %+v does not match the registry entry %s/%s/%d Hz/%d KiB",
			got, bd.Name, bd.CPU, bd.ClockHz, bd.RAM.Size/1024)
	}
	id, err := ImageBuildID(image)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.BuildID) != 16 || !strings.HasPrefix(id, got.BuildID) {
		t.Errorf("banner build id %q is not the image's %q", got.BuildID, id)
	}
}

func transcriptHas(b *Board, from int, substr string) bool {
	for _, l := range b.Console().Lines(from) {
		if strings.Contains(l.Text, substr) {
			return true
		}
	}
	return false
}
