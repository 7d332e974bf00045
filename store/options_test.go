package store

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/stretchr/testify/require"
)

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		err  string // "" for valid
	}{
		{"defaults", Options{}, ""},
		{"URL", Options{URL: "redis://h:1"}, ""},
		{"Addrs", Options{Addrs: []string{"h:1", "h:2"}}, ""},
		{"prefix with a colon", Options{Prefix: "app:sb"}, ""},
		{"embedded and URL", Options{Embedded: true, URL: "redis://h:1"}, "Embedded excludes"},
		{"embedded and Addrs", Options{Embedded: true, Addrs: []string{"h:1"}}, "Embedded excludes"},
		{"URL and Addrs", Options{URL: "redis://h:1", Addrs: []string{"h:1"}}, "exclude each other"},
		{"prefix with a brace", Options{Prefix: "a{b"}, "brace"},
		{"prefix with a space", Options{Prefix: "a b"}, "white space"},
		{"address without a port", Options{Addrs: []string{"h"}}, `address "h"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.withDefaults().validate()
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.err)
		})
	}
	o := Options{}.withDefaults()
	require.Equal(t, Options{Prefix: "sb", Embedded: true}, o)
}

func TestNewTarget(t *testing.T) {
	t.Parallel()
	custom := &tls.Config{ServerName: "custom"}
	type single struct {
		addr, user, password string
		db                   int
		tlsServer            string // "" for no TLS
	}
	type cluster struct {
		addrs          []string
		password       string
		tlsServer      string
		readTimeoutSec int
	}
	tests := []struct {
		name    string
		opts    Options
		single  *single
		cluster *cluster
		err     string
	}{
		{"redis", Options{URL: "redis://127.0.0.1:6379/0"}, &single{addr: "127.0.0.1:6379"}, nil, ""},
		{"db and password", Options{URL: "redis://:s3cret@h:7/3"}, &single{addr: "h:7", password: "s3cret", db: 3}, nil, ""},
		{"user", Options{URL: "redis://u:p@h:7"}, &single{addr: "h:7", user: "u", password: "p"}, nil, ""},
		{"password option wins", Options{URL: "redis://:url@h:7", Password: "opt"}, &single{addr: "h:7", password: "opt"}, nil, ""},
		{"rediss", Options{URL: "rediss://h:7"}, &single{addr: "h:7", tlsServer: "h"}, nil, ""},
		{"TLS option", Options{URL: "redis://h:7", TLS: custom}, &single{addr: "h:7", tlsServer: "custom"}, nil, ""},
		{"TLS option, URL's server name", Options{URL: "rediss://h:7", TLS: &tls.Config{}}, &single{addr: "h:7", tlsServer: "h"}, nil, ""},
		{"unix socket", Options{URL: "unix:///run/r.sock?db=2"}, &single{addr: "/run/r.sock", db: 2}, nil, ""},
		{"one address", Options{Addrs: []string{"h:7"}, Password: "p"}, &single{addr: "h:7", password: "p"}, nil, ""},
		{"cluster", Options{URL: "redis+cluster://:p@a:1,b:2,c:3"}, nil, &cluster{addrs: []string{"a:1", "b:2", "c:3"}, password: "p", readTimeoutSec: 2}, ""},
		{"cluster of one seed", Options{URL: "redis+cluster://a:1"}, nil, &cluster{addrs: []string{"a:1"}, readTimeoutSec: 2}, ""},
		{"cluster over TLS", Options{URL: "rediss+cluster://a:1,b:2"}, nil, &cluster{addrs: []string{"a:1", "b:2"}, tlsServer: "a", readTimeoutSec: 2}, ""},
		{"cluster query", Options{URL: "redis+cluster://a:1,b:2?read_timeout=7s"}, nil, &cluster{addrs: []string{"a:1", "b:2"}, readTimeoutSec: 7}, ""},
		{"cluster addresses", Options{Addrs: []string{"a:1", "b:2"}, TLS: custom}, nil, &cluster{addrs: []string{"a:1", "b:2"}, tlsServer: "custom", readTimeoutSec: 2}, ""},
		{"unknown scheme", Options{URL: "http://h:1"}, nil, nil, `unknown scheme "http"`},
		{"no scheme", Options{URL: "h:1"}, nil, nil, "no scheme"},
		{"bad database", Options{URL: "redis://h:1/x"}, nil, nil, "invalid database"},
		{"cluster seed without port", Options{URL: "redis+cluster://a:1,b:"}, nil, nil, `address "b:"`},
		{"cluster bad port", Options{URL: "redis+cluster://:hunter2@a:1,b"}, nil, nil, "invalid port"},
		{"bad port", Options{URL: "redis://:hunter2@a:x"}, nil, nil, "invalid port"},
		{"password redacted", Options{URL: "ftp://:hunter2@h:1"}, nil, nil, "xxxxx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newTarget(tt.opts)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
			if tt.single != nil {
				require.Nil(t, got.cluster)
				s := got.single
				tlsServer := ""
				if s.TLSConfig != nil {
					tlsServer = s.TLSConfig.ServerName
				}
				require.Equal(t, *tt.single, single{s.Addr, s.Username, s.Password, s.DB, tlsServer})
				return
			}
			require.Nil(t, got.single)
			co := got.cluster
			tlsServer := ""
			if co.TLSConfig != nil {
				tlsServer = co.TLSConfig.ServerName
			}
			require.Equal(t, *tt.cluster, cluster{co.Addrs, co.Password, tlsServer, int(co.ReadTimeout / time.Second)})
		})
	}
}

func TestOptionsFromEnv(t *testing.T) {
	t.Setenv(EnvRedisURL, "redis://h:1/2")
	require.Equal(t, Options{URL: "redis://h:1/2"}, OptionsFromEnv())
	t.Setenv(EnvRedisURL, "")
	require.Equal(t, Options{}, OptionsFromEnv())
}

// TestOpenEmbedded: the embedded server starts on loopback, honours a
// password, and stops with Close.
func TestOpenEmbedded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := Open(ctx, Options{Embedded: true, Password: "pw", Prefix: "p"})
	require.NoError(t, err)
	addr := c.embedded.Addr()
	host, _, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", host)
	require.Equal(t, "p", c.Keys().Prefix())
	require.NoError(t, c.rdb.Set(ctx, "k", "v", 0).Err())

	_, err = Open(ctx, Options{URL: "redis://" + addr})
	require.Error(t, err, "a password is required")
	other, err := Open(ctx, Options{URL: "redis://:pw@" + addr})
	require.NoError(t, err)
	require.Equal(t, "v", other.rdb.Get(ctx, "k").Val())
	require.NoError(t, other.Close())

	require.NoError(t, c.Close())
	_, err = net.DialTimeout("tcp", addr, time.Second)
	require.Error(t, err, "Close stops the embedded server")
}

// TestOpenTLS: a rediss:// URL reaches a server over TLS, trusting the CA
// Options.TLS names.
func TestOpenTLS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	serverTLS, pool := selfSigned(t)
	m := miniredis.NewMiniRedis()
	require.NoError(t, m.StartTLS(serverTLS))
	t.Cleanup(m.Close)

	c, err := Open(ctx, Options{URL: "rediss://" + m.Addr(), TLS: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}})
	require.NoError(t, err)
	require.NoError(t, c.rdb.Set(ctx, "k", "v", 0).Err())
	require.NoError(t, c.Close())
	require.True(t, m.Exists("k"))

	openFails(t, Options{URL: "rediss://" + m.Addr()}, "the system roots do not trust the server")
	openFails(t, Options{URL: "redis://" + m.Addr()}, "plain text to a TLS server")
}

func TestOpenUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	openFails(t, Options{URL: "redis://" + addr}, "nothing listens")
}

// openFails checks that Open fails. go-redis retries failed dials: a short
// deadline keeps this quick.
func openFails(t *testing.T, opts Options, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c, err := Open(ctx, opts)
	if err == nil {
		_ = c.Close()
	}
	require.ErrorContains(t, err, "connecting to Redis", why)
}

// selfSigned returns a server TLS configuration for 127.0.0.1 and the pool
// that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "signalbox test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, pool
}
