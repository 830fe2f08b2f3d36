// Package pki makes the lab's certificate authorities and identities: a
// gateway CA that signs the gateway's server certificate, and a device CA
// that signs each board's client certificate, all Ed25519, as the firmware's
// TLS client requires.
package pki

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Usage says what a certificate is for.
type Usage int

const (
	ServerAuth Usage = iota // the gateway
	ClientAuth              // a device
)

// validity is long because boards have no trusted clock and do not check
// dates; the gateway checks devices by key, not by date.
const validity = 20 * 365 * 24 * time.Hour

// CA is a certificate authority.
type CA struct {
	Cert *x509.Certificate
	DER  []byte
	Key  ed25519.PrivateKey
}

// Identity is a key with the certificate a CA issued for it.
type Identity struct {
	Name    string
	Key     ed25519.PrivateKey
	CertDER []byte
}

// NewCA makes a self-signed CA.
func NewCA(name string, now time.Time) (*CA, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: ca %s: %w", name, err)
	}
	tmpl, err := template(name, now)
	if err != nil {
		return nil, err
	}
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return nil, fmt.Errorf("pki: ca %s: %w", name, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: ca %s: %w", name, err)
	}
	return &CA{Cert: cert, DER: der, Key: key}, nil
}

// NewIdentity makes a key and a certificate for it.
func (ca *CA) NewIdentity(name string, usage Usage, now time.Time) (*Identity, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: identity %s: %w", name, err)
	}
	der, err := ca.Issue(name, pub, usage, now)
	if err != nil {
		return nil, err
	}
	return &Identity{Name: name, Key: key, CertDER: der}, nil
}

// Issue signs a certificate for a public key.
func (ca *CA) Issue(name string, pub ed25519.PublicKey, usage Usage, now time.Time) ([]byte, error) {
	tmpl, err := template(name, now)
	if err != nil {
		return nil, err
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	switch usage {
	case ServerAuth:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.DNSNames = []string{name}
	case ClientAuth:
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: issue %s: %w", name, err)
	}
	return der, nil
}

// Pool is a certificate pool holding just this CA.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// PublicKey is the CA's Ed25519 key, the device's trust anchor.
func (ca *CA) PublicKey() ed25519.PublicKey { return ca.Key.Public().(ed25519.PublicKey) }

// TLSCertificate is the identity in crypto/tls form.
func (id *Identity) TLSCertificate() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{id.CertDER}, PrivateKey: id.Key}
}

// PublicKey is the identity's Ed25519 key.
func (id *Identity) PublicKey() ed25519.PublicKey { return id.Key.Public().(ed25519.PublicKey) }

func template(name string, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("pki: serial: %w", err)
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"wasmbed-lab"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
	}, nil
}

// CertPEM encodes a DER certificate as PEM.
func CertPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// KeyPEM encodes a private key as PKCS#8 PEM.
func KeyPEM(key ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("pki: key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPEM encodes the CA's key and certificate, for the lab's store. It
// holds a private key: never log it.
func (ca *CA) MarshalPEM() ([]byte, error) { return marshalPair(ca.Key, ca.DER) }

// ParseCA reads what MarshalPEM wrote.
func ParseCA(b []byte) (*CA, error) {
	key, der, err := parsePair(b)
	if err != nil {
		return nil, fmt.Errorf("pki: ca: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: ca: %w", err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("pki: ca: certificate %q is not a CA", cert.Subject.CommonName)
	}
	return &CA{Cert: cert, DER: der, Key: key}, nil
}

// MarshalPEM encodes the identity's key and certificate. It holds a private
// key: never log it.
func (id *Identity) MarshalPEM() ([]byte, error) { return marshalPair(id.Key, id.CertDER) }

// ParseIdentity reads what MarshalPEM wrote; the name is the certificate's
// common name.
func ParseIdentity(b []byte) (*Identity, error) {
	key, der, err := parsePair(b)
	if err != nil {
		return nil, fmt.Errorf("pki: identity: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: identity: %w", err)
	}
	return &Identity{Name: cert.Subject.CommonName, Key: key, CertDER: der}, nil
}

func marshalPair(key ed25519.PrivateKey, der []byte) ([]byte, error) {
	k, err := KeyPEM(key)
	if err != nil {
		return nil, err
	}
	return append(k, CertPEM(der)...), nil
}

// parsePair reads a PKCS#8 Ed25519 key and a certificate, checking that they
// belong together. Errors never quote the key.
func parsePair(b []byte) (ed25519.PrivateKey, []byte, error) {
	var key ed25519.PrivateKey
	var der []byte
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		switch block.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, nil, errors.New("unreadable private key")
			}
			var ok bool
			if key, ok = k.(ed25519.PrivateKey); !ok {
				return nil, nil, errors.New("private key is not Ed25519")
			}
		case "CERTIFICATE":
			der = block.Bytes
		}
	}
	if key == nil || der == nil {
		return nil, nil, errors.New("want a PRIVATE KEY and a CERTIFICATE block")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	if pub, ok := cert.PublicKey.(ed25519.PublicKey); !ok || !pub.Equal(key.Public()) {
		return nil, nil, errors.New("certificate does not match the private key")
	}
	return key, der, nil
}

// Verify checks that ca issued the identity's certificate.
func (id *Identity) Verify(ca *CA) error {
	cert, err := x509.ParseCertificate(id.CertDER)
	if err != nil {
		return fmt.Errorf("pki: identity %s: %w", id.Name, err)
	}
	if err := cert.CheckSignatureFrom(ca.Cert); err != nil {
		return fmt.Errorf("pki: identity %s: not issued by %q: %w", id.Name, ca.Cert.Subject.CommonName, err)
	}
	return nil
}
