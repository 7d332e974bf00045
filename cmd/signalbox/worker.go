package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// cmdWorker runs durable workers against a shared Redis until SIGTERM or
// SIGINT: any number of them, on any number of machines, share the work.
func cmdWorker(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("redis-url", os.Getenv(store.EnvRedisURL), "the Redis to work on (redis://, rediss://, redis+cluster://); default $"+store.EnvRedisURL)
	prefix := fs.String("redis-prefix", store.DefaultPrefix, "the prefix of every key")
	timeout := fs.Duration("redis-timeout", store.DefaultTimeout, "each store call's deadline")
	lease := fs.Duration("lease", 30*time.Second, "how long a work item may stay unacknowledged before another worker takes it over")
	consumer := fs.String("consumer", "", "this worker's name in the work stream (default: host, pid and a random part)")
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 {
		if err == nil {
			fmt.Fprintf(stderr, "signalbox worker: unexpected arguments %q\n", rest)
		}
		return 2
	}
	if *url == "" {
		fmt.Fprintf(stderr, "signalbox worker: a worker works on a shared Redis: give --redis-url or set %s\n", store.EnvRedisURL)
		return 2
	}
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := store.Open(ctx, store.Options{URL: *url, Prefix: *prefix, Timeout: max(*timeout, 0)})
	if err != nil {
		fmt.Fprintf(stderr, "signalbox worker: %v\n", err)
		return 1
	}
	defer st.Close()
	d := runtime.NewDurable(st, &runtime.Durable{Tasks: newIntegrations(), Lease: *lease, Consumer: *consumer})
	slog.New(slog.NewTextHandler(stderr, nil)).Info("worker started", "prefix", *prefix, "lease", *lease)
	if err := d.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "signalbox worker: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "worker stopped")
	return 0
}
