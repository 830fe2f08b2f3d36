package gateway

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"wasmbed-lab/lab/pki"
	"wasmbed-lab/lab/store"
)

// Trust is the lab's PKI: the gateway CA that boards trust, the device CA
// whose certificates the gateway accepts, and the gateway's own identity.
// It lives in the store so that a restarted lab keeps its devices.
type Trust struct {
	GatewayCA *pki.CA
	DeviceCA  *pki.CA
	Server    *pki.Identity
}

// Names of the store's secrets.
const (
	secretGatewayCA = "gateway-ca"
	secretDeviceCA  = "device-ca"
	secretServer    = "gateway-server"
	secretDevice    = "device/" // + board name
)

// NewTrust makes a fresh PKI in memory, for tools and benchmarks that act as
// a gateway without a store.
func NewTrust(now time.Time) (*Trust, error) { return loadTrust(nil, now) }

// loadTrust reads the lab's PKI from the store, making what is missing;
// with no store it makes all of it and keeps nothing.
func loadTrust(st *store.Store, now time.Time) (*Trust, error) {
	t := &Trust{}
	var err error
	if t.GatewayCA, err = loadCA(st, secretGatewayCA, "wasmbed gateway CA", now); err != nil {
		return nil, err
	}
	if t.DeviceCA, err = loadCA(st, secretDeviceCA, "wasmbed device CA", now); err != nil {
		return nil, err
	}
	t.Server, err = loadIdentity(st, secretServer, func() (*pki.Identity, error) {
		return t.GatewayCA.NewIdentity(ServerName, pki.ServerAuth, now)
	})
	if err != nil {
		return nil, err
	}
	if err := t.Server.Verify(t.GatewayCA); err != nil {
		return nil, fmt.Errorf("gateway: stored server certificate: %w", err)
	}
	return t, nil
}

func loadCA(st *store.Store, secret, name string, now time.Time) (*pki.CA, error) {
	return loadSecret(st, secret, pki.ParseCA, func() (*pki.CA, error) { return pki.NewCA(name, now) }, (*pki.CA).MarshalPEM)
}

func loadIdentity(st *store.Store, secret string, create func() (*pki.Identity, error)) (*pki.Identity, error) {
	return loadSecret(st, secret, pki.ParseIdentity, create, (*pki.Identity).MarshalPEM)
}

// loadSecret reads a key and certificate from the store, or makes them with
// create and stores them before they are used. Errors name the secret,
// never its value.
func loadSecret[T any](st *store.Store, secret string, parse func([]byte) (T, error), create func() (T, error), marshal func(T) ([]byte, error)) (T, error) {
	var zero T
	if st != nil {
		b, ok, err := st.Secret(secret)
		if err != nil {
			return zero, fmt.Errorf("gateway: %s: %w", secret, err)
		}
		if ok {
			v, err := parse(b)
			if err != nil {
				return zero, fmt.Errorf("gateway: stored %s: %w", secret, err)
			}
			return v, nil
		}
	}
	v, err := create()
	if err != nil || st == nil {
		return v, err
	}
	b, err := marshal(v)
	if err != nil {
		return zero, err
	}
	if err := st.PutSecret(secret, b); err != nil {
		return zero, fmt.Errorf("gateway: saving %s: %w", secret, err)
	}
	return v, nil
}

// ServerName is the name in the gateway's certificate, which devices check.
const ServerName = "gateway"

// DeviceConfig is the device's side of ServerConfig, with identity id: what
// the firmware does, for Go tests and tools that play a device.
func (t *Trust) DeviceConfig(id *pki.Identity) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{id.TLSCertificate()},
		RootCAs:      t.GatewayCA.Pool(),
		ServerName:   ServerName,
		MinVersion:   tls.VersionTLS13,
	}
}

// ServerConfig is the gateway's TLS: 1.3 only, a certificate from the
// device CA required.
func (t *Trust) ServerConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{t.Server.TLSCertificate()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    t.DeviceCA.Pool(),
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
	}
}

// serverConfig is ServerConfig with verify checking the key against the
// registry.
func (t *Trust) serverConfig(verify func(cert *x509.Certificate) error) *tls.Config {
	cfg := t.ServerConfig()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("no client certificate")
		}
		return verify(cs.PeerCertificates[0])
	}
	return cfg
}

// ProvisionBlob is one boot's provisioning blob for a device identity: the
// gateway CA key, the heartbeat interval and fresh random bytes. It holds
// a private key: never log it.
func (t *Trust) ProvisionBlob(id *pki.Identity, heartbeat time.Duration) ([]byte, error) {
	p := pki.Provision{Name: id.Name, Device: id, GatewayCA: t.GatewayCA.PublicKey(), HeartbeatMS: uint32(heartbeat / time.Millisecond)}
	if _, err := rand.Read(p.RNGSeed[:]); err != nil {
		return nil, fmt.Errorf("gateway: rng seed: %w", err)
	}
	return p.Marshal()
}

// Provision returns a board's provisioning blob for one boot: the board's
// identity (made on first use and kept in the store, so the board stays the
// same device across boots), the gateway CA key, the heartbeat interval and
// fresh random bytes. The blob holds a private key: never log it.
func (g *Gateway) Provision(board string) ([]byte, error) {
	id, err := loadIdentity(g.store, secretDevice+board, func() (*pki.Identity, error) {
		return g.trust.DeviceCA.NewIdentity(board, pki.ClientAuth, g.now())
	})
	if err != nil {
		return nil, err
	}
	return g.trust.ProvisionBlob(id, g.cfg.Heartbeat)
}
