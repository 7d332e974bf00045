package topic

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// signer signs the JSON documents SNS sends (envelope.go) as AWS does:
// an RSA key whose certificate subscribers fetch from SigningCertURL.
// Every process on one store signs with the same key (the store keeps it,
// store.Client.TopicSigningKey), so a subscriber that cached the
// certificate verifies every process's messages.
type signer struct {
	key     *rsa.PrivateKey
	certPEM []byte // the certificate alone, as SigningCertURL serves it
	path    string // certPath's value

	// memo holds recent signatures by version and digest: a message's
	// deliveries to its subscriptions share their string to sign (the
	// UnsubscribeURL is not in it), and an RSA signature costs some 2 ms
	// of CPU here, against microseconds for a lookup (PKCS #1 v1.5
	// signatures are deterministic, so a memo changes nothing seen).
	mu   sync.Mutex
	memo map[string]string
}

// maxSignMemo bounds the memo (some 400 bytes an entry): full, it starts
// over.
const maxSignMemo = 4096

// signingKeyBits is the RSA key's size: AWS's SNS certificates carry
// 2,048-bit keys.
const signingKeyBits = 2048

// signingCertValidity is how long the self-signed certificate is valid:
// the key is made once per store and never rotated, so it must outlive
// the store (a verifier that checks dates would refuse an expired one).
const signingCertValidity = 100 * 365 * 24 * time.Hour

// newSigner returns the signer of the store st: the key stored there, or
// a new one stored with SET NX (of two processes racing, both keep the
// first one's). Generating a key takes some 50 to 500 ms of CPU; it
// happens once per store.
func newSigner(ctx context.Context, st *store.Client) (*signer, error) {
	b, err := st.TopicSigningKey(ctx, nil)
	if errors.Is(err, store.ErrNotFound) {
		var candidate []byte
		if candidate, err = newSigningPEM(time.Now()); err != nil {
			return nil, err
		}
		b, err = st.TopicSigningKey(ctx, candidate)
	}
	if err != nil {
		return nil, err
	}
	return parseSigningPEM(b)
}

// newSigningPEM generates a key and its self-signed certificate: the PEM
// of both, key first.
func newSigningPEM(now time.Time) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		return nil, fmt.Errorf("topic: generating the signing key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("topic: generating the signing key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sns.signalbox.local", Organization: []string{"Signalbox"}},
		NotBefore:             now.Add(-time.Hour).UTC(),
		NotAfter:              now.Add(signingCertValidity).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("topic: creating the signing certificate: %w", err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...), nil
}

// parseSigningPEM reads what newSigningPEM wrote, and checks that the
// certificate is the key's.
func parseSigningPEM(b []byte) (*signer, error) {
	corrupt := func(why string) error { return fmt.Errorf("%w: topic signing key: %s", store.ErrCorrupt, why) }
	keyBlock, rest := pem.Decode(b)
	if keyBlock == nil || keyBlock.Type != "RSA PRIVATE KEY" {
		return nil, corrupt("no RSA PRIVATE KEY block first")
	}
	certBlock, _ := pem.Decode(rest)
	if certBlock == nil || certBlock.Type != "CERTIFICATE" {
		return nil, corrupt("no CERTIFICATE block after the key")
	}
	key, err := x509.ParsePKCS1PrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, corrupt(err.Error())
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, corrupt(err.Error())
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, corrupt("the certificate is not the key's")
	}
	sum := sha256.Sum256(cert.Raw)
	return &signer{
		key:     key,
		certPEM: pem.EncodeToMemory(certBlock),
		path:    "/SimpleNotificationService-" + hex.EncodeToString(sum[:16]) + ".pem",
	}, nil
}

// certPath is the path, under the public URL, where the certificate is
// served: AWS's shape, "/SimpleNotificationService-<32 hex digits>.pem",
// the digits the first half of the certificate's SHA-256 (so a new key
// gets a new URL, and a subscriber's cache by URL stays right).
func (s *signer) certPath() string { return s.path }

// cert is the certificate's PEM, as SigningCertURL serves it.
func (s *signer) cert() []byte { return s.certPEM }

// The signature versions (the topic attribute SignatureVersion): 1 signs
// with SHA1withRSA (AWS's default), 2 with SHA256withRSA.
const (
	sigVersion1 = "1"
	sigVersion2 = "2"
)

// sign returns the base64 signature of text for the signature version
// ("" is version 1): RSASSA-PKCS1-v1_5 over its SHA-1 or SHA-256 digest.
func (s *signer) sign(version, text string) (string, error) {
	var (
		h      crypto.Hash
		digest []byte
	)
	switch version {
	case "", sigVersion1:
		sum := sha1.Sum([]byte(text))
		h, digest = crypto.SHA1, sum[:]
	case sigVersion2:
		sum := sha256.Sum256([]byte(text))
		h, digest = crypto.SHA256, sum[:]
	default:
		return "", fmt.Errorf("topic: signature version %q: must be 1 or 2", version)
	}
	key := string([]byte{byte(h)}) + string(digest)
	s.mu.Lock()
	sig64, ok := s.memo[key]
	s.mu.Unlock()
	if ok {
		return sig64, nil
	}
	sig, err := rsa.SignPKCS1v15(nil, s.key, h, digest)
	if err != nil {
		return "", fmt.Errorf("topic: signing: %w", err)
	}
	sig64 = base64.StdEncoding.EncodeToString(sig)
	s.mu.Lock()
	if s.memo == nil || len(s.memo) >= maxSignMemo {
		s.memo = make(map[string]string)
	}
	s.memo[key] = sig64
	s.mu.Unlock()
	return sig64, nil
}
