package lab

import (
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"time"

	"wasmbed-lab/lab/pki"
)

// trust is a lab's set of CAs and the gateway identity: until the gateway
// keeps them in its store, each run makes its own.
type trust struct {
	gateway *pki.CA       // signs the gateway's certificate; boards trust it
	devices *pki.CA       // signs board certificates; the gateway trusts it
	server  *pki.Identity // the gateway
}

func newTrust() (*trust, error) {
	now := time.Now()
	t := &trust{}
	var err error
	if t.gateway, err = pki.NewCA("wasmbed gateway CA", now); err != nil {
		return nil, err
	}
	if t.devices, err = pki.NewCA("wasmbed device CA", now); err != nil {
		return nil, err
	}
	if t.server, err = t.gateway.NewIdentity("gateway", pki.ServerAuth, now); err != nil {
		return nil, err
	}
	return t, nil
}

// serverConfig is the gateway's TLS: 1.3 only, a device certificate required.
func (t *trust) serverConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{t.server.TLSCertificate()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    t.devices.Pool(),
		MinVersion:   tls.VersionTLS13,
		MaxVersion:   tls.VersionTLS13,
	}
}

// provision makes a board identity and its provisioning blob.
func (t *trust) provision(name string) ([]byte, error) {
	id, err := t.devices.NewIdentity(name, pki.ClientAuth, time.Now())
	if err != nil {
		return nil, err
	}
	p := pki.Provision{Name: name, Device: id, GatewayCA: t.gateway.PublicKey(), HeartbeatMS: 1000}
	if _, err := rand.Read(p.RNGSeed[:]); err != nil {
		return nil, fmt.Errorf("lab: rng seed: %w", err)
	}
	return p.Marshal()
}
