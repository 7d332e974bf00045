package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/httptask"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// cmdServe runs Signalbox: the HTTP gateway and the durable workers, on the
// Redis of --redis-url (or $SIGNALBOX_REDIS_URL), or on the embedded
// in-process server when neither is given. SIGTERM or SIGINT stops it
// gracefully: the listener stops taking requests, requests in flight end,
// and workers hand their unstarted work back.
//
// --config FILE reads a configuration file (config.go): it is checked
// whole before anything starts, every problem is reported with its file,
// line and path, and the exit status is 2 when there is any. Its state
// machines are then created or updated, and its routes served. A flag
// given on the command line wins over the file.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	url := fs.String("redis-url", os.Getenv(store.EnvRedisURL), "the Redis to work on (redis://, rediss://, redis+cluster://); default $"+store.EnvRedisURL+", else the embedded server")
	prefix := fs.String("redis-prefix", store.DefaultPrefix, "the prefix of every key")
	timeout := fs.Duration("redis-timeout", store.DefaultTimeout, "each store call's deadline: past it, a request answers 503 ServiceUnavailable")
	workers := fs.Int("workers", runtime.DefaultConcurrency, "how many work items this process carries out at once (0: serve HTTP only)")
	lease := fs.Duration("lease", 30*time.Second, "how long a work item may stay unacknowledged before another worker takes it over")
	region := fs.String("region", "us-east-1", "the region in ARNs")
	account := fs.String("account", "123456789012", "the account id in ARNs")
	configFile := fs.String("config", "", "a configuration file (YAML): state machines, routes, keys")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file until the server stops")
	if rest, err := parseInterspersed(fs, args); err != nil || len(rest) > 0 {
		if err == nil {
			fmt.Fprintf(stderr, "signalbox serve: unexpected arguments %q\n", rest)
		}
		return 2
	}
	tuneGC()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := &serveConfig{}
	if *configFile != "" {
		var problems []configProblem
		if cfg, problems = loadConfig(*configFile); len(problems) > 0 {
			return reportConfig(stderr, *configFile, problems)
		}
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		*addr = pick(given["addr"], *addr, cfg.Addr)
		*region = pick(given["region"], *region, cfg.Region)
		*account = pick(given["account"], *account, cfg.Account)
		*url = pick(given["redis-url"] || *url != "", *url, cfg.RedisURL)
		*prefix = pick(given["redis-prefix"], *prefix, cfg.RedisPrefix)
		*timeout = pick(given["redis-timeout"], *timeout, cfg.RedisTimeout)
		for _, w := range cfg.Warnings {
			log.Warn(w)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(stderr, "signalbox serve: --cpuprofile: %v\n", err)
			return 2
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The address first: a wrong one is refused before the store is touched.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox serve: %v\n", err)
		return 1
	}
	defer ln.Close() // closed already when served
	if *timeout <= 0 {
		fmt.Fprintf(stderr, "signalbox serve: --redis-timeout must be positive\n")
		return 2
	}
	st, err := store.Open(ctx, store.Options{URL: *url, Prefix: *prefix, Timeout: *timeout})
	if err != nil {
		fmt.Fprintf(stderr, "signalbox serve: %v\n", err)
		return 1
	}
	defer st.Close()
	logDurability(ctx, log, st)
	d := runtime.NewDurable(st, &runtime.Durable{
		Tasks: newIntegrations(), Lease: *lease, Concurrency: *workers,
		Region: *region, Account: *account,
	})
	if *configFile != "" {
		done, problems := configApply(ctx, d, cfg)
		if len(problems) > 0 {
			return reportConfig(stderr, *configFile, problems)
		}
		for _, what := range done {
			log.Info("state machine " + what)
		}
	}
	gw := gateway.New(gateway.Options{
		Runtime: d, Logger: log, Routes: cfg.Routes, APIKeys: cfg.APIKeys, Credentials: cfg.Credentials, PublicAPI: cfg.PublicAPI,
	})
	log.Info("open to anyone", "endpoints", strings.Join(gw.OpenEndpoints(), "; "))
	srv := &http.Server{
		Handler:           gw.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	backend := "embedded"
	if *url != "" {
		backend = "redis"
	}
	// The first line names the address, so that a script (or a test) that
	// asked for port 0 learns which one it got.
	fmt.Fprintf(stdout, "signalbox serving on http://%s\n", ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "store", backend, "prefix", *prefix, "workers", *workers)

	var wg sync.WaitGroup
	if *workers > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Run(ctx); err != nil {
				log.Error("workers stopped", "err", err)
			}
		}()
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	code := 0
	select {
	case <-ctx.Done():
	case err := <-served:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("serving", "err", err)
			code = 1
		}
		stop()
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		log.Error("shutting down the listener", "err", err)
	}
	wg.Wait()
	// EXPRESS executions started asynchronously run in this process: give
	// them the rest of the shutdown's time to end and be recorded.
	if err := d.WaitExpress(shutdown); err != nil {
		log.Error("EXPRESS executions still running at shutdown are lost (they run at most once)", "err", err)
	}
	fmt.Fprintln(stdout, "signalbox stopped")
	return code
}

// reportConfig prints a configuration's problems, one a line, and returns
// the exit status 2.
func reportConfig(stderr io.Writer, file string, problems []configProblem) int {
	for _, p := range problems {
		fmt.Fprintln(stderr, p)
	}
	fmt.Fprintf(stderr, "signalbox serve: %d problem(s) in %s; nothing started\n", len(problems), file)
	return 2
}

// pick is the flag's value when it was given, else the file's when it
// has one, else the flag's default.
func pick[T comparable](given bool, flagValue, fileValue T) T {
	var unset T
	if given || fileValue == unset {
		return flagValue
	}
	return fileValue
}

// newIntegrations is the registry of what Task states reach, the same in
// `serve` and `worker`.
func newIntegrations() *integrations.Mux {
	m := integrations.NewMux()
	m.Handle(httptask.Resource, httptask.New(httptask.Options{}))
	return m
}

// logDurability says at start-up what a crash of the store loses: a
// warning when it keeps nothing (the embedded default, or a Redis with
// neither AOF nor snapshots), with the way to run durably.
func logDurability(ctx context.Context, log *slog.Logger, st *store.Client) {
	p := st.Persistence(ctx)
	if p.Volatile || (p.Unknown == nil && !p.AppendOnly) {
		log.Warn("durability: "+p.String(), "durable", "run a Redis with --appendonly yes (appendfsync everysec or always) and pass --redis-url or $"+store.EnvRedisURL)
		return
	}
	log.Info("durability: " + p.String())
}
