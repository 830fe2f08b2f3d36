package lab

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// crypto/tls sends one handshake message per record, never pads, and never
// asks for a KeyUpdate. A conforming server may do all of these, so this
// proxy, which learns the server's traffic secrets from the key log,
// re-frames the server's records to show the firmware's client handles them.

type reframeMode int

const (
	coalesce  reframeMode = iota // the whole encrypted server flight in one record
	fragment                     // every handshake message split into 7-byte records
	pad                          // 200 zero bytes of padding in every record
	keyUpdate                    // a KeyUpdate (update_requested) before the first data
)

// keyLog collects the secrets crypto/tls writes to its KeyLogWriter.
type keyLog struct {
	mu      sync.Mutex
	secrets map[string][]byte
}

func (k *keyLog) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, line := range strings.Split(strings.TrimSpace(string(p)), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			secret, _ := hex.DecodeString(f[2])
			k.secrets[f[0]] = secret
		}
	}
	return len(p), nil
}

func (k *keyLog) get(label string) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[label]
}

func expandLabel(secret []byte, label string, length int) []byte {
	info := binary.BigEndian.AppendUint16(nil, uint16(length))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "+label...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), length)
	if err != nil {
		panic(err)
	}
	return out
}

// trafficKeys is one direction's record protection.
type trafficKeys struct {
	secret []byte
	aead   cipher.AEAD
	iv     []byte
	seq    uint64
}

func newTrafficKeys(secret []byte) *trafficKeys {
	aead, err := chacha20poly1305.New(expandLabel(secret, "key", 32))
	if err != nil {
		panic(err)
	}
	return &trafficKeys{secret: secret, aead: aead, iv: expandLabel(secret, "iv", 12)}
}

func (t *trafficKeys) nonce() []byte {
	n := bytes.Clone(t.iv)
	for i := 0; i < 8; i++ {
		n[11-i] ^= byte(t.seq >> (8 * i))
	}
	t.seq++
	return n
}

func (t *trafficKeys) open(header, body []byte) (content []byte, typ byte, err error) {
	plain, err := t.aead.Open(nil, t.nonce(), body, header)
	if err != nil {
		return nil, 0, err
	}
	plain = bytes.TrimRight(plain, "\x00")
	return plain[:len(plain)-1], plain[len(plain)-1], nil
}

func (t *trafficKeys) seal(content []byte, typ byte, padding int) []byte {
	inner := append(append(bytes.Clone(content), typ), make([]byte, padding)...)
	header := []byte{23, 3, 3, 0, 0}
	binary.BigEndian.PutUint16(header[3:], uint16(len(inner)+16))
	return t.aead.Seal(header, t.nonce(), inner, header)
}

func (t *trafficKeys) next() *trafficKeys {
	return newTrafficKeys(expandLabel(t.secret, "traffic upd", 32))
}

// reframingProxy forwards one connection to addr, re-framing what the
// server sends according to mode. The channel reports, at the end, how many
// records it wrote and whether it injected a KeyUpdate.
func reframingProxy(t *testing.T, addr string, keys *keyLog, mode reframeMode) (string, <-chan reframeReport) {
	t.Helper()
	reports := make(chan reframeReport, 1)
	proxy := serverProxy(t, addr, func(from *bufio.Reader, to io.Writer) {
		var r reframeReport
		// The end of the stream shows up as EOF or, when the server closes
		// with bytes unread, as a reset: neither is the proxy failing.
		err := reframe(from, to, keys, mode, &r)
		if err != nil && err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("proxy: %v", err)
		}
		reports <- r
	})
	return proxy, reports
}

type reframeReport struct {
	records    int // encrypted records written to the client
	keyUpdated bool
}

func reframe(from *bufio.Reader, to io.Writer, keys *keyLog, mode reframeMode, report *reframeReport) error {
	var in, out *trafficKeys
	var flight []byte // coalesce: handshake bytes held until Finished
	handshakeDone, updated := false, false
	for {
		header := make([]byte, 5)
		if _, err := io.ReadFull(from, header); err != nil {
			return err
		}
		body := make([]byte, binary.BigEndian.Uint16(header[3:]))
		if _, err := io.ReadFull(from, body); err != nil {
			return err
		}
		if header[0] != 23 { // ServerHello, ChangeCipherSpec: as they are
			if _, err := to.Write(append(header, body...)); err != nil {
				return err
			}
			continue
		}
		if in == nil {
			in = newTrafficKeys(keys.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"))
			out = newTrafficKeys(keys.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"))
		}
		content, typ, err := in.open(header, body)
		if err != nil {
			return fmt.Errorf("open server record: %w", err)
		}
		finished := !handshakeDone && containsFinished(append(bytes.Clone(flight), content...))
		var records []byte
		switch {
		case !handshakeDone && mode == coalesce:
			flight = append(flight, content...)
			if !finished {
				continue
			}
			records = out.seal(flight, typ, 0)
		case !handshakeDone && mode == fragment:
			for len(content) > 0 {
				n := min(7, len(content))
				records = append(records, out.seal(content[:n], typ, 0)...)
				content = content[n:]
			}
		case mode == keyUpdate && handshakeDone && typ == 23 && !updated:
			records = out.seal([]byte{24, 0, 0, 1, 1}, 22, 0) // KeyUpdate(update_requested)
			out = out.next()
			records = append(records, out.seal(content, typ, 0)...)
			updated = true
			report.keyUpdated = true
		default:
			padding := 0
			if mode == pad {
				padding = 200
			}
			records = out.seal(content, typ, padding)
		}
		report.records += countRecords(records)
		if _, err := to.Write(records); err != nil {
			return err
		}
		if finished {
			handshakeDone = true
			in = newTrafficKeys(keys.get("SERVER_TRAFFIC_SECRET_0"))
			out = newTrafficKeys(keys.get("SERVER_TRAFFIC_SECRET_0"))
		}
	}
}

func countRecords(b []byte) int {
	n := 0
	for len(b) >= 5 {
		b = b[5+int(binary.BigEndian.Uint16(b[3:])):]
		n++
	}
	return n
}

// containsFinished walks handshake messages and reports a Finished (20).
func containsFinished(msgs []byte) bool {
	for len(msgs) >= 4 {
		n := int(msgs[1])<<16 | int(msgs[2])<<8 | int(msgs[3])
		if msgs[0] == 20 {
			return true
		}
		if len(msgs) < 4+n {
			return false
		}
		msgs = msgs[4+n:]
	}
	return false
}

func TestTLSProbeHandlesReframedServerRecords(t *testing.T) {
	for name, mode := range map[string]reframeMode{"coalesced": coalesce, "fragmented": fragment, "padded": pad, "key-update": keyUpdate} {
		t.Run(name, func(t *testing.T) {
			f := newTLSFixture(t)
			keys := &keyLog{secrets: map[string][]byte{}}
			cfg := f.ServerConfig()
			cfg.KeyLogWriter = keys
			addr, outcomes := echoServer(t, cfg)
			proxy, reports := reframingProxy(t, addr, keys, mode)
			stdout, stderr, code := runProbe(t, "through the proxy\n", f.probeArgs(proxy)...)
			if code != 0 || !strings.Contains(stdout, "connected: TLS 1.3") || !strings.Contains(stdout, "through the proxy\n") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if o := <-outcomes; o.err != nil {
				t.Fatal(o.err)
			}
			r := <-reports
			switch {
			case mode == keyUpdate && !r.keyUpdated:
				t.Error("the proxy never injected its KeyUpdate")
			case mode == fragment && r.records < 50:
				t.Errorf("only %d records: the flight was not fragmented", r.records)
			case mode == coalesce && r.records > 4:
				t.Errorf("%d records: the flight was not coalesced", r.records)
			}
		})
	}
}
