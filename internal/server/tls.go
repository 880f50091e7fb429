package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Self-signed certificate files inside Options.CertDir.
const (
	CertFileName = "cert.pem"
	KeyFileName  = "key.pem"
)

const (
	certLifetime = 825 * 24 * time.Hour
	// renewBefore: a certificate this close to expiry is replaced at start.
	renewBefore = 30 * 24 * time.Hour
)

// certificate returns the TLS certificate and the path of its file: the
// configured pair, or the self-signed one in CertDir, created if missing and
// replaced if it no longer covers the names or is about to expire.
func (s *Server) certificate() (tls.Certificate, string, error) {
	o := s.opts
	if o.TLSCertFile != "" || o.TLSKeyFile != "" {
		if o.TLSCertFile == "" || o.TLSKeyFile == "" {
			return tls.Certificate{}, "", errors.New("server: a TLS certificate needs both a certificate file and a key file")
		}
		c, err := tls.LoadX509KeyPair(o.TLSCertFile, o.TLSKeyFile)
		if err != nil {
			return tls.Certificate{}, "", fmt.Errorf("server: loading TLS certificate: %w", err)
		}
		return c, o.TLSCertFile, nil
	}
	if o.CertDir == "" {
		return tls.Certificate{}, "", errors.New("server: no TLS certificate and no directory for a self-signed one")
	}
	certPath := filepath.Join(o.CertDir, CertFileName)
	keyPath := filepath.Join(o.CertDir, KeyFileName)
	dns, ips := certNames(o.TLSNames)
	now := o.Clock.Now()
	if c, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil {
		if why := unusable(c.Leaf, dns, ips, now); why == "" {
			return c, certPath, nil
		} else {
			s.log.Info("replacing self-signed TLS certificate", "path", certPath, "reason", why)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("replacing unreadable self-signed TLS certificate", "path", certPath, "err", err)
	}
	certPEM, keyPEM, err := selfSigned(dns, ips, now)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(o.CertDir, 0o700); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("server: creating %s: %w", o.CertDir, err)
	}
	// Key first: a crash between the two writes leaves a pair that fails to
	// load and is regenerated, never a certificate without its key.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", err
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, "", fmt.Errorf("server: loading new certificate: %w", err)
	}
	s.log.Info("created self-signed TLS certificate", "path", certPath)
	return c, certPath, nil
}

// certNames splits the names a self-signed certificate must cover.
func certNames(extra []string) (dns []string, ips []net.IP) {
	dns = []string{"localhost"}
	ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	for _, n := range extra {
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(ips, ip.Equal) {
				ips = append(ips, ip)
			}
		} else if n != "" && !slices.Contains(dns, n) {
			dns = append(dns, n)
		}
	}
	return dns, ips
}

// unusable says why an existing certificate must be replaced, or "".
func unusable(c *x509.Certificate, dns []string, ips []net.IP, now time.Time) string {
	if c == nil {
		return "no certificate"
	}
	if now.Add(renewBefore).After(c.NotAfter) {
		return "expires " + c.NotAfter.Format(time.RFC3339)
	}
	if now.Before(c.NotBefore) {
		return "not valid before " + c.NotBefore.Format(time.RFC3339)
	}
	for _, d := range dns {
		if !slices.Contains(c.DNSNames, d) {
			return "does not cover " + d
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(c.IPAddresses, ip.Equal) {
			return "does not cover " + ip.String()
		}
	}
	return ""
}

// selfSigned makes an ECDSA P-256 certificate for the names. It is its own
// CA (basic constraints, key and authority key ids) so that clients can
// trust it by pointing their CA bundle at it (AWS_CA_BUNDLE, --ca-bundle).
func selfSigned(dns []string, ips []net.IP, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("server: generating key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("server: generating serial: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, nil, fmt.Errorf("server: encoding public key: %w", err)
	}
	skid := sha1.Sum(pub) // a key identifier, not a security property
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "eddy self-signed", Organization: []string{"eddy"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          skid[:],
		AuthorityKeyId:        skid[:],
		DNSNames:              dns,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("server: creating certificate: %w", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("server: encoding key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("server: writing %s: %w", path, err)
	}
	return nil
}
