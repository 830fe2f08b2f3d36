package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"wasmbed-lab/lab/gateway"
	"wasmbed-lab/lab/pki"
)

// These tests run the firmware's TLS client (tlsprobe, built from
// firmware/tls and firmware/crypto with ASan and UBSan) against Go's
// crypto/tls, an independent implementation.

type tlsFixture struct {
	*gateway.Trust
	dir    string
	device *pki.Identity
}

func newTLSFixture(t *testing.T) *tlsFixture {
	t.Helper()
	tr, err := gateway.NewTrust(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &tlsFixture{Trust: tr, dir: t.TempDir()}
	if f.device, err = f.DeviceCA.NewIdentity("board-1", pki.ClientAuth, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.write(t, "ca.pem", pki.CertPEM(f.GatewayCA.DER))
	f.writeIdentity(t, "device", f.device)
	return f
}

func (f *tlsFixture) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(f.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (f *tlsFixture) writeIdentity(t *testing.T, name string, id *pki.Identity) {
	t.Helper()
	key, err := pki.KeyPEM(id.Key)
	if err != nil {
		t.Fatal(err)
	}
	f.write(t, name+".pem", pki.CertPEM(id.CertDER))
	f.write(t, name+".key", key)
}

// echoServer accepts TLS connections and echoes what it reads. Each
// connection's handshake outcome goes to the returned channel.
func echoServer(t *testing.T, cfg *tls.Config) (string, <-chan tlsOutcome) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	outcomes := make(chan tlsOutcome, 2048)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				tc := tls.Server(conn, cfg)
				defer tc.Close() // sends close_notify after the echo
				conn.SetDeadline(time.Now().Add(20 * time.Second))
				err := tc.Handshake()
				outcomes <- tlsOutcome{state: tc.ConnectionState(), err: err}
				if err == nil {
					io.Copy(tc, tc)
				}
			}()
		}
	}()
	return ln.Addr().String(), outcomes
}

type tlsOutcome struct {
	state tls.ConnectionState
	err   error
}

func tlsprobePath(t *testing.T) string {
	t.Helper()
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "firmware", "build", "native", "tlsprobe")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("tlsprobe not built (%v): run `make firmware`", err)
	}
	return path
}

// runProbe runs tlsprobe with stdin and returns its output and exit code.
func runProbe(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tlsprobePath(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func (f *tlsFixture) probeArgs(addr string) []string {
	return []string{addr, filepath.Join(f.dir, "ca.pem"), filepath.Join(f.dir, "device.pem"), filepath.Join(f.dir, "device.key")}
}

func TestTLSProbeHandshakeAndEcho(t *testing.T) {
	f := newTLSFixture(t)
	addr, outcomes := echoServer(t, f.ServerConfig())
	stdout, stderr, code := runProbe(t, "hello firmware\nsecond line\n", f.probeArgs(addr)...)
	if code != 0 {
		t.Fatalf("tlsprobe exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "connected: TLS 1.3 TLS_CHACHA20_POLY1305_SHA256 peer=gateway") {
		t.Errorf("no connection line: %q", stdout)
	}
	if !strings.Contains(stdout, "hello firmware\nsecond line\n") {
		t.Errorf("echo missing: %q", stdout)
	}
	o := <-outcomes
	if o.err != nil {
		t.Fatal(o.err)
	}
	if o.state.Version != tls.VersionTLS13 || o.state.CipherSuite != tls.TLS_CHACHA20_POLY1305_SHA256 {
		t.Errorf("negotiated %x/%x", o.state.Version, o.state.CipherSuite)
	}
	if len(o.state.PeerCertificates) != 1 || o.state.PeerCertificates[0].Subject.CommonName != "board-1" {
		t.Errorf("server did not see the device certificate: %+v", o.state.PeerCertificates)
	}
}

func TestTLSProbeRejectsWrongServerCA(t *testing.T) {
	f := newTLSFixture(t)
	other, err := pki.NewCA("some other CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.write(t, "ca.pem", pki.CertPEM(other.DER))
	addr, outcomes := echoServer(t, f.ServerConfig())
	_, stderr, code := runProbe(t, "", f.probeArgs(addr)...)
	if code == 0 || !strings.Contains(stderr, "unknown ca (sent alert unknown_ca)") {
		t.Errorf("exit %d, stderr %q: want the unknown_ca alert", code, stderr)
	}
	if o := <-outcomes; o.err == nil || !strings.Contains(o.err.Error(), "unknown certificate authority") {
		t.Errorf("server saw %v, want the client's unknown_ca alert", o.err)
	}
}

func TestTLSProbeUnknownClientIsRejected(t *testing.T) {
	f := newTLSFixture(t)
	rogue, err := pki.NewCA("rogue device CA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := rogue.NewIdentity("intruder", pki.ClientAuth, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.writeIdentity(t, "device", id)
	addr, outcomes := echoServer(t, f.ServerConfig())
	_, stderr, code := runProbe(t, "hello\n", f.probeArgs(addr)...)
	if o := <-outcomes; o.err == nil || !strings.Contains(o.err.Error(), "certificate") {
		t.Errorf("server accepted an unknown device: %v", o.err)
	}
	// crypto/tls answers a client certificate from an unknown CA with unknown_ca.
	if code == 0 || !strings.Contains(stderr, "received alert unknown_ca") {
		t.Errorf("exit %d, stderr %q: want the server's unknown_ca alert", code, stderr)
	}
}

// A proxy flips one bit of the server's first encrypted record.
func TestTLSProbeTamperedRecordGetsAlert(t *testing.T) {
	f := newTLSFixture(t)
	addr, outcomes := echoServer(t, f.ServerConfig())
	proxy := tamperingProxy(t, addr, 2) // records: ServerHello, ChangeCipherSpec, then encrypted
	_, stderr, code := runProbe(t, "", f.probeArgs(proxy)...)
	if code == 0 || !strings.Contains(stderr, "bad record mac (sent alert bad_record_mac)") {
		t.Errorf("exit %d, stderr %q: want bad_record_mac", code, stderr)
	}
	if o := <-outcomes; o.err == nil || !strings.Contains(o.err.Error(), "bad record MAC") {
		t.Errorf("server saw %v, want the bad_record_mac alert", o.err)
	}
}

// serverProxy accepts one connection and forwards it to addr: the client's
// bytes as they are, the server's through relay, which returns when done.
func serverProxy(t *testing.T, addr string, relay func(from *bufio.Reader, to io.Writer)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		client, err := ln.Accept()
		if err != nil {
			relay(bufio.NewReader(strings.NewReader("")), io.Discard)
			return
		}
		defer client.Close()
		server, err := net.Dial("tcp", addr)
		if err != nil {
			relay(bufio.NewReader(strings.NewReader("")), io.Discard)
			return
		}
		defer server.Close()
		forwarded := make(chan struct{})
		go func() {
			io.Copy(server, client)
			close(forwarded)
		}()
		relay(bufio.NewReader(server), client)
		// Let the client's last bytes (its alert, say) reach the server
		// before the deferred closes cut them off.
		select {
		case <-forwarded:
		case <-time.After(2 * time.Second):
		}
	}()
	return ln.Addr().String()
}

// tamperingProxy forwards to addr, flipping a bit in the server's record
// number index (counted from 0).
func tamperingProxy(t *testing.T, addr string, index int) string {
	return serverProxy(t, addr, func(r *bufio.Reader, client io.Writer) {
		for n := 0; ; n++ {
			header := make([]byte, 5)
			if _, err := io.ReadFull(r, header); err != nil {
				return
			}
			body := make([]byte, int(header[3])<<8|int(header[4]))
			if _, err := io.ReadFull(r, body); err != nil {
				return
			}
			if n == index && len(body) > 0 {
				body[len(body)/2] ^= 0x01
			}
			if _, err := client.Write(append(header, body...)); err != nil {
				return
			}
		}
	})
}

// A thousand handshakes in one process: the client state is reused each
// time, and ASan's leak check runs when tlsprobe exits.
func TestTLSProbeThousandHandshakes(t *testing.T) {
	f := newTLSFixture(t)
	addr, outcomes := echoServer(t, f.ServerConfig())
	stdout, stderr, code := runProbe(t, "", append([]string{"-n", "1000"}, f.probeArgs(addr)...)...)
	if code != 0 || !strings.Contains(stdout, "handshakes=1000 ok") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	t.Log(strings.TrimSpace(stdout))
	for i := 0; i < 1000; i++ {
		if o := <-outcomes; o.err != nil {
			t.Fatalf("server handshake %d: %v", i, o.err)
		}
	}
}
