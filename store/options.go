package store

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/redis/go-redis/v9"
)

// EnvRedisURL is the environment variable OptionsFromEnv reads.
const EnvRedisURL = "SIGNALBOX_REDIS_URL"

// Options say which server a Client talks to.
//
// With neither URL nor Addrs, the Client starts an embedded in-process
// Redis-compatible server on a loopback port, closed by Client.Close: the
// default, so nothing needs to be installed. URL forms:
//
//	redis://[[user]:password@]host:port[/db]      one server
//	rediss://...                                  one server over TLS
//	redis+cluster://[[user]:password@]host:port,host:port,...
//	rediss+cluster://...                          a Redis Cluster (over TLS)
//	unix://[[user]:password@]/path/to/redis.sock[?db=N]   one server on a unix socket
//
// Query parameters of go-redis's ParseURL and ParseClusterURL (dial_timeout,
// pool_size, ...) are accepted.
type Options struct {
	// URL of the server or cluster; see above.
	URL string
	// Addrs are host:port seeds, an alternative to URL: one address is a
	// single server, more than one a Redis Cluster.
	Addrs []string
	// Password, when set, overrides the URL's.
	Password string
	// TLS, when set, is the TLS configuration; it also turns TLS on for a
	// redis:// URL or Addrs.
	TLS *tls.Config
	// Prefix starts every key (default DefaultPrefix, "sb"). Distinct
	// prefixes keep several deployments, or parallel tests, apart on one
	// server. It may not contain '{' or '}' (they would break the hash
	// tags) or white space.
	Prefix string
	// Embedded asks for the in-process server; it is implied when URL and
	// Addrs are empty and excludes them.
	Embedded bool
	// Outbox makes every transition leave the work it schedules in its
	// execution's outbox, handed over to the ready stream and the timers
	// afterwards, as on a Redis Cluster (where a script cannot reach
	// those keys, which are in other slots). On one server the scripts
	// add work to the stream and the timers themselves, a round trip
	// fewer; tests set this to exercise the cluster's path there.
	Outbox bool
	// Timeout bounds every call to the server, as a read and write
	// deadline on its connection (DefaultTimeout when 0): a stalled server
	// makes calls fail (Unavailable) instead of hanging. A caller's
	// context deadline, when sooner, bounds a call too. Blocking reads
	// (the workers' stream reads) wait their own time on top.
	Timeout time.Duration
	// Meter, when set, records every round trip to Redis
	// (signalbox.redis.duration, observe.go); Tracer, when set, makes a
	// client span of each (ask for them on purpose: there are several per
	// state).
	Meter  metric.Meter
	Tracer trace.Tracer
	// BlockingPoolSize bounds the connections of long polls blocked at
	// once (DefaultBlockingPoolSize when 0); a long poll past it waits
	// for a connection.
	BlockingPoolSize int
}

// DefaultBlockingPoolSize is Options.BlockingPoolSize's default: a
// blocked connection costs Redis about 20 KiB and a file descriptor, so a
// few hundred are cheap; 256 long polls at once serve 256 consumers.
const DefaultBlockingPoolSize = 256

// DefaultTimeout is Options.Timeout's default: a healthy Redis answers in
// well under a millisecond here; two seconds leaves room for a slow one
// (a fork for a snapshot, a busy host) without keeping requests hanging.
const DefaultTimeout = 2 * time.Second

// OptionsFromEnv returns the options given by the environment:
// SIGNALBOX_REDIS_URL, or the embedded server when it is unset.
func OptionsFromEnv() Options {
	return Options{URL: os.Getenv(EnvRedisURL)}
}

// withDefaults fills the defaults.
func (o Options) withDefaults() Options {
	o.Prefix = cmp.Or(o.Prefix, DefaultPrefix)
	o.Embedded = cmp.Or(o.Embedded, o.URL == "" && len(o.Addrs) == 0)
	return o
}

// validate checks options that withDefaults filled.
func (o Options) validate() error {
	switch {
	case o.Embedded && (o.URL != "" || len(o.Addrs) > 0):
		return errors.New("store: Embedded excludes URL and Addrs")
	case o.URL != "" && len(o.Addrs) > 0:
		return errors.New("store: URL and Addrs exclude each other")
	case strings.ContainsAny(o.Prefix, "{} \t\r\n"):
		return fmt.Errorf("store: prefix %q contains a brace or white space", o.Prefix)
	}
	for _, a := range o.Addrs {
		if err := checkAddr(a); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

// checkAddr checks a host:port address.
func checkAddr(a string) error {
	_, port, err := net.SplitHostPort(a)
	if err == nil && port == "" {
		err = errors.New("missing port")
	}
	if err != nil {
		return fmt.Errorf("address %q: %w", a, err)
	}
	return nil
}

// target is how Open reaches a server that is not embedded: exactly one of
// the fields is set.
type target struct {
	single  *redis.Options
	cluster *redis.ClusterOptions
}

// newTarget turns URL or Addrs, Password and TLS into client options.
func newTarget(o Options) (target, error) {
	var t target
	switch {
	case len(o.Addrs) == 1:
		t.single = &redis.Options{Addr: o.Addrs[0]}
	case len(o.Addrs) > 1:
		t.cluster = &redis.ClusterOptions{Addrs: o.Addrs}
	default:
		var err error
		if t, err = parseURL(o.URL); err != nil {
			return target{}, err
		}
	}
	// The deadlines a URL's query gives (read_timeout=...) win.
	timeout := cmp.Or(o.Timeout, DefaultTimeout)
	if t.single != nil {
		withDeadlines(&t.single.ReadTimeout, &t.single.WriteTimeout, &t.single.DialTimeout, &t.single.PoolTimeout, timeout)
		t.single.ContextTimeoutEnabled, t.single.MaxRetries = true, cmp.Or(t.single.MaxRetries, 1)
	} else {
		withDeadlines(&t.cluster.ReadTimeout, &t.cluster.WriteTimeout, &t.cluster.DialTimeout, &t.cluster.PoolTimeout, timeout)
		t.cluster.ContextTimeoutEnabled, t.cluster.MaxRetries = true, cmp.Or(t.cluster.MaxRetries, 1)
	}
	if t.single != nil {
		t.single.Protocol = 2
		t.single.Password = cmp.Or(o.Password, t.single.Password)
		t.single.TLSConfig = withTLS(t.single.TLSConfig, o.TLS)
	} else {
		t.cluster.Protocol = 2
		t.cluster.Password = cmp.Or(o.Password, t.cluster.Password)
		t.cluster.TLSConfig = withTLS(t.cluster.TLSConfig, o.TLS)
	}
	return t, nil
}

// withDeadlines sets each deadline not already set to d.
func withDeadlines(read, write, dial, pool *time.Duration, d time.Duration) {
	for _, p := range []*time.Duration{read, write, dial, pool} {
		if *p == 0 {
			*p = d
		}
	}
}

// withTLS returns the TLS configuration given in the options, if any, with
// the server name a rediss:// URL implies when it names none.
func withTLS(fromURL, given *tls.Config) *tls.Config {
	if given == nil {
		return fromURL
	}
	c := given.Clone()
	if c.ServerName == "" && fromURL != nil {
		c.ServerName = fromURL.ServerName
	}
	return c
}

// parseURL parses a redis://, rediss://, unix://, redis+cluster:// or
// rediss+cluster:// URL.
func parseURL(raw string) (target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return target{}, fmt.Errorf("store: Redis URL %q has no scheme", redact(raw))
	}
	switch scheme {
	case "redis", "rediss", "unix":
		so, err := redis.ParseURL(raw)
		if err != nil {
			return target{}, urlError(raw, err)
		}
		return target{single: so}, nil
	case "redis+cluster", "rediss+cluster":
		// go-redis takes a cluster's further seeds as addr= parameters.
		u, err := url.Parse(strings.TrimSuffix(scheme, "+cluster") + "://" + rest)
		if err != nil {
			return target{}, urlError(raw, err)
		}
		hosts := strings.Split(u.Host, ",")
		q := u.Query()
		for _, h := range hosts {
			if err := checkAddr(h); err != nil {
				return target{}, fmt.Errorf("store: Redis URL %q: %w", redact(raw), err)
			}
		}
		for _, h := range hosts[1:] {
			q.Add("addr", h)
		}
		u.Host, u.RawQuery = hosts[0], q.Encode()
		co, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return target{}, urlError(raw, err)
		}
		return target{cluster: co}, nil
	}
	return target{}, fmt.Errorf("store: Redis URL %q: unknown scheme %q (want redis, rediss, unix, redis+cluster or rediss+cluster)", redact(raw), scheme)
}

// urlError reports a URL that does not parse, without its password (a
// *url.Error quotes the whole URL).
func urlError(raw string, err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	return fmt.Errorf("store: Redis URL %q: %w", redact(raw), err)
}

// redact hides a URL's password in error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "..." + raw[i:]
		}
		return raw
	}
	return u.Redacted()
}
