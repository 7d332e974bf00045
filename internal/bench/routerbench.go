package bench

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/signalbox/signalbox/internal/redisproc"
	"github.com/signalbox/signalbox/store"
)

// The router benches (queue, topic, bus) share their frame: the --quick
// defaults, the run on a redis-server of the bench's own or --redis-url,
// the serve child under a key prefix of its own, the servers' turns and
// the goals' verdicts.

// applyQuick sets, when quick, each flag of defaults the command line did
// not give.
func applyQuick(fs *flag.FlagSet, quick bool, defaults map[string]func()) {
	if !quick {
		return
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, set := range defaults {
		if !given[name] {
			set()
		}
	}
}

// routerBench is what a router bench's command runs after its flags.
type routerBench struct {
	name      string // "bench queue"
	errNoAPI  error  // serve does not speak the bench's API: exit status 3
	signalbox *string
	redisURL  string // --redis-url; "" for a redis-server of the bench's own
	embedded  bool   // no Redis at all: serve's embedded store (redisURL "")
	hint      string // what a failing redis-server suggests instead (default: --redis-url)
	run       func(ctx context.Context, redisURL string) error
}

// exec fills in the signalbox binary, starts the bench's own Redis when it
// needs one, runs the bench and returns its exit status: 0, 1 on an error,
// 3 when serve does not speak the API.
func (b routerBench) exec(stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "signalbox %s: %v\n", b.name, err)
		if errors.Is(err, b.errNoAPI) {
			return 3
		}
		return 1
	}
	if *b.signalbox == "" {
		self, err := os.Executable()
		if err != nil {
			return fail(err)
		}
		*b.signalbox = self
	}
	ctx := context.Background()
	url := b.redisURL
	if url == "" && !b.embedded {
		dir, err := os.MkdirTemp("", "signalbox-bench-redis-")
		if err != nil {
			return fail(err)
		}
		defer os.RemoveAll(dir)
		srv, err := redisproc.Start(ctx, dir, persistenceArgs["everysec"]...)
		if err != nil {
			return fail(fmt.Errorf("%v (%s)", err, cmp.Or(b.hint, "or measure an existing server with --redis-url")))
		}
		defer srv.Stop()
		url = srv.URL()
	}
	if err := b.run(ctx, url); err != nil {
		return fail(err)
	}
	return 0
}

// measuredServe is the `signalbox serve` child a router bench measures.
type measuredServe struct {
	base   string // its URL
	pid    int
	prefix string // its Redis keys' prefix
	stop   func() // purges its keys (on Redis), then stops it
}

// startMeasuredServe starts bin's serve on loopback, on the Redis of
// redisURL ("" the embedded store) under a fresh key prefix starting with
// keyBase, writing a CPU profile to cpuProfile when set.
func startMeasuredServe(bin, redisURL, keyBase, cpuProfile string) (*measuredServe, error) {
	prefix := randomKeyPrefix(keyBase)
	serveArgs := []string{"--addr", "127.0.0.1:0", "--redis-prefix", prefix}
	if cpuProfile != "" {
		serveArgs = append(serveArgs, "--cpuprofile", cpuProfile)
	}
	base, pid, stopServe, err := startServeChildPID(bin, redisURL, serveArgs...)
	if err != nil {
		return nil, err
	}
	return &measuredServe{base: base, pid: pid, prefix: prefix, stop: func() {
		if redisURL != "" {
			if st, err := store.Open(context.Background(), store.Options{URL: redisURL, Prefix: prefix}); err == nil {
				_ = st.Purge(context.Background())
				_ = st.Close()
			}
		}
		stopServe()
	}}, nil
}

// turnOrder is the order the targets take their turns in round: the
// first goes first in even rounds, last in odd ones.
func turnOrder[T any](targets []T, round int) []T {
	order := slices.Clone(targets)
	if round%2 == 1 {
		slices.Reverse(order)
	}
	return order
}

// goalMet is a goal's verdict.
func goalMet(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// speaksAPI says whether a listing's answer (err) shows the server speaks
// the API: no error, or the API's own error (not serve's "not built").
func speaksAPI(err error) bool {
	var apiErr smithy.APIError
	return err == nil || (errors.As(err, &apiErr) && apiErr.ErrorCode() != "" && !strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "not built"))
}
