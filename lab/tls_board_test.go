package lab

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/boards"
	"wasmbed-lab/lab/pki"
)

// provisionFor makes a board's provisioning blob from the fixture's CAs.
func (f *tlsFixture) provisionFor(t *testing.T, name string) []byte {
	t.Helper()
	id, err := f.DeviceCA.NewIdentity(name, pki.ClientAuth, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	blob, err := f.ProvisionBlob(id, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return blob
}

// TestFirmwareTLSOverLink runs the firmware's own TLS client over the link
// UART against crypto/tls, on the boards with the "tls" capability.
func TestFirmwareTLSOverLink(t *testing.T) {
	f := newTLSFixture(t)
	for _, bd := range boards.All() {
		if !bd.Has("tls") {
			continue
		}
		t.Run(bd.Name, func(t *testing.T) {
			t.Parallel()
			_, image := requireFirmware(t, bd)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()

			sessions := make(chan tlsOutcome, 4)
			firstBytes := make(chan []byte, 4)
			serve := func(conn net.Conn) {
				defer conn.Close()
				tc := tls.Server(conn, f.ServerConfig())
				err := tc.Handshake()
				sessions <- tlsOutcome{state: tc.ConnectionState(), err: err}
				if err != nil {
					return
				}
				buf := make([]byte, 4)
				io.ReadFull(tc, buf) // the protocol client's first message, as application data
				firstBytes <- buf
			}
			b, err := StartBoard(ctx, BoardOptions{
				Board: bd, Firmware: image, Dir: t.TempDir(),
				Provision: f.provisionFor(t, "board-"+bd.Name), OnSession: serve,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Stop(context.Background())

			// A session cut short by a new hello (the device did not hear
			// the lab's answer in time) is the link doing its job: the
			// device must get one session through, and not need many.
			var o tlsOutcome
			for tries := 1; ; tries++ {
				select {
				case o = <-sessions:
				case <-ctx.Done():
					t.Fatal(b.Explain("no TLS session", ctx.Err()))
				}
				if o.err == nil {
					break
				}
				t.Logf("session %d: %v (link: %+v)", tries, o.err, b.Link())
				if tries == 3 {
					t.Fatal(b.Explain("handshake", o.err))
				}
			}
			if got := o.state.PeerCertificates[0].Subject.CommonName; got != "board-"+bd.Name {
				t.Errorf("device certificate names %q", got)
			}
			if b := <-firstBytes; b[0] != 0 || b[1] != 0 {
				t.Errorf("application data starts %x, not a message length prefix", b)
			}
			line, err := b.Console().WaitFor(ctx, 0, func(s string) bool { return strings.HasPrefix(s, "tls: connected") })
			if err != nil || !strings.Contains(line.Text, "TLS_CHACHA20_POLY1305_SHA256 peer=gateway") {
				t.Errorf("console: %q %v", line.Text, b.Explain("console", err))
			}
			t.Log(line.Text)
		})
	}
}

// A gateway that accepts the link but never answers the ClientHello: the
// device gives up after its handshake timeout and says hello again, which
// starts a new session.
func TestFirmwareTLSTimesOutAndStartsOver(t *testing.T) {
	t.Parallel()
	f := newTLSFixture(t)
	bd, err := boards.Lookup("native")
	if err != nil {
		t.Fatal(err)
	}
	_, image := requireFirmware(t, bd)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sessions := make(chan net.Conn, 4)
	b, err := StartBoard(ctx, BoardOptions{
		Board: bd, Firmware: image, Dir: t.TempDir(), Provision: f.provisionFor(t, "silent"),
		OnSession: func(conn net.Conn) { sessions <- conn }, // and never answers
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop(context.Background())
	for i := 0; i < 2; i++ {
		select {
		case <-sessions:
		case <-ctx.Done():
			t.Fatal(b.Explain("session "+string(rune('1'+i)), ctx.Err()))
		}
	}
	if !transcriptHas(b, 0, "tls: failed: timed out") {
		t.Error("the console does not say the handshake timed out")
	}
}
