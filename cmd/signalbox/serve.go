package main

import (
	"cmp"
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
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/mock"
	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/internal/managedredis"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// cmdServe runs Signalbox: the HTTP gateway and the durable workers, on the
// Redis of --redis-url (or $SIGNALBOX_REDIS_URL), or on the embedded
// in-process server when neither is given. SIGTERM or SIGINT stops it
// gracefully: the listener stops taking requests, requests in flight end,
// and workers hand their unstarted work back.
//
// --config FILE reads a configuration file (internal/config): it is checked
// whole before anything starts, every problem is reported with its file,
// line and path, and the exit status is 2 when there is any. Its state
// machines are then created or updated (openNode, shared with worker), and
// its routes served. A flag given on the command line wins over the file.
func cmdServe(args []string, stdout, stderr io.Writer) (exit int) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on")
	url := fs.String("redis-url", os.Getenv(store.EnvRedisURL), "the Redis to work on (redis://, rediss://, redis+cluster://); default $"+store.EnvRedisURL+", else the embedded server")
	prefix := fs.String("redis-prefix", store.DefaultPrefix, "the prefix of every key")
	timeout := fs.Duration("redis-timeout", store.DefaultTimeout, "each store call's deadline: past it, a request answers 503 ServiceUnavailable")
	workers := fs.Int("workers", runtime.DefaultConcurrency, "how many work items this process carries out at once (0: serve HTTP only)")
	lease := fs.Duration("lease", 30*time.Second, "how long a work item or a topic delivery may stay unacknowledged before another process takes it over")
	region := fs.String("region", "us-east-1", "the region in ARNs")
	account := fs.String("account", "123456789012", "the account id in ARNs")
	configFile := fs.String("config", "", "a configuration file (YAML): state machines, routes, keys")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file until the server stops")
	metricsOn := fs.Bool("metrics", true, "serve the metrics at GET /metrics, for a Prometheus scrape (behind the management API's keys when api.keys is set)")
	traceRedis := fs.Bool("trace-redis", false, "with tracing on, make a client span of every call to Redis (several per state: ask for them on purpose)")
	publicURL := fs.String("public-url", "", "where webhook subscribers reach this server: the base of the SubscribeURL, UnsubscribeURL and SigningCertURL in topic messages (default: http:// and the listening address, 127.0.0.1 for an unspecified host)")
	activityTrace := fs.String("activity-trace-field", "", "add the task's W3C trace context to an activity task's input (a JSON object) as this field, for the worker to continue the trace; off by default: AWS hands the input over unchanged")
	logFormat := fs.String("log-format", "text", "the log's format: text (key=value) or json (one object a line); records about an execution carry its trace_id and span_id")
	otlp := fs.String("otlp-endpoint", "", "export traces by OTLP to this URL (e.g. http://127.0.0.1:4318; OTEL_EXPORTER_OTLP_PROTOCOL=grpc for a gRPC endpoint); the OTEL_* environment variables work too")
	mocks := fs.String("mocks", os.Getenv(mock.EnvConfig), "a Step Functions Local MockConfigFile: executions started with \"<state machine ARN>#TestCase\" answer their Task states from it; default $"+mock.EnvConfig)
	bucketsDir := fs.String("buckets-dir", "", "serve the S3 resources (s3:getObject, s3:putObject, s3:listObjectsV2, a Distributed Map's ItemReader and ResultWriter) from this directory, each sub-directory a bucket (docs/buckets.md)")
	functionsDir := fs.String("functions-dir", "", "unpack the functions' deployment packages (CreateFunction's ZipFile) here; every process that runs them must see the same directory (default: --data-dir when given, beside the store: packages under its functions/; else the user's cache directory's signalbox/)")
	dataDir := fs.String("data-dir", "", "keep the store in this directory, durably: serve runs the system's redis-server there (AOF, appendfsync everysec, a unix socket, no TCP port) and stops it when it stops")
	if rest, code, ok := cli.Parse(fs, helpServe, args, stdout); !ok || len(rest) > 0 {
		if ok {
			fmt.Fprintf(stderr, "signalbox serve: unexpected arguments %q\n", rest)
			cli.Usage(stderr, helpServe)
			code = 2
		}
		return code
	}
	cli.TuneGC()
	log, err := telemetry.NewLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox serve: --log-format: %v\n", err)
		return 2
	}
	slog.SetDefault(log) // the runtime's records too
	cfg := &config.Config{}
	if *configFile != "" {
		var code int
		if cfg, code = configFlags("serve", fs, *configFile, stderr); cfg == nil {
			return code
		}
		for _, w := range cfg.Warnings {
			log.Warn(w)
		}
	}
	if *dataDir != "" {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if given["redis-url"] {
			fmt.Fprintln(stderr, "signalbox serve: --data-dir runs a Redis of serve's own; --redis-url names another: give one of them")
			return 2
		}
		*url = "" // $SIGNALBOX_REDIS_URL and the file's redis.url give way to the command line's --data-dir
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
	var managed *managedredis.Server
	if *dataDir != "" {
		if managed, err = managedredis.Start(ctx, *dataDir); err != nil {
			fmt.Fprintf(stderr, "signalbox serve: --data-dir: %v\n", err)
			return 1
		}
		// deferred before the node's Close: the store closes first
		defer func() {
			if err := managed.Stop(); err != nil {
				log.Error("the managed redis-server", "err", err)
				exit = 1
				return
			}
			log.Info("redis-server stopped", "dir", managed.Dir)
		}()
		log.Info("redis-server started", "dir", managed.Dir, "socket", managed.Socket, "log", filepath.Join(managed.Dir, managedredis.LogFile))
		*url = managed.URL()
	}
	o := nodeOptions{
		Store: store.Options{URL: *url, Prefix: *prefix, Timeout: *timeout},
		Lease: *lease, Concurrency: *workers, Region: *region, Account: *account,
		OTLPEndpoint: *otlp, Console: stderr, TraceRedis: *traceRedis, Metrics: *metricsOn, ActivityTraceField: *activityTrace,
		PublicURL: cmp.Or(*publicURL, publicURLOf(ln.Addr())), BucketsDir: *bucketsDir, FunctionsDir: cmp.Or(*functionsDir, *dataDir),
	}
	if *configFile != "" {
		o.Config = cfg
	}
	if o.Mocks, err = loadMocks(*mocks, log); err != nil {
		fmt.Fprintf(stderr, "signalbox serve: --mocks: %v\n", err)
		return 2
	}
	n, problems, err := openNode(ctx, o, log)
	if len(problems) > 0 {
		return reportConfig(stderr, "serve", *configFile, problems)
	}
	if err != nil {
		fmt.Fprintf(stderr, "signalbox serve: %v\n", err)
		return 1
	}
	defer n.Close()
	d := n.runtime
	gwOpts := gateway.Options{
		Runtime: d, Integrations: n.integrations, Logger: log, Routes: cfg.Routes, APIKeys: cfg.API.Keys, Credentials: cfg.Credentials, PublicAPI: cfg.API.Public,
		TracerProvider: n.telemetry.Provider(),
		// SQS's API (gateway/sqs) on the node's queue router, in the
		// runtime's region and account (closed with the node, after the
		// listener: its sweeper and message-move tasks end)
		Queues: n.queues,
		// SNS's API (gateway/sns) on the node's topic router
		Topics: n.topics,
		// EventBridge's API (gateway/events) on the node's bus router
		Buses: n.buses,
		// the EventBridge Schemas API (gateway/schemas) on the node's
		// schema registry
		Schemas: n.schemas,
		// the Lambda API (gateway/lambda) on the node's function service;
		// Invoke runs through the node's function runtime
		Functions: n.functionService, FunctionInvoker: n.functions.dispatcher, FunctionAsync: n.functions.tasks.Async(),
	}
	if n.metrics != nil {
		gwOpts.MeterProvider, gwOpts.Metrics = n.metrics.Provider, n.metrics.Handler
	}
	gw := gateway.New(gwOpts)
	log.Info("open to anyone", "endpoints", strings.Join(gw.OpenEndpoints(), "; "))
	srv := &http.Server{
		Handler:           gw.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}
	backend := "embedded"
	switch {
	case managed != nil:
		backend = "managed"
	case *url != "":
		backend = "redis"
	}
	// The first line names the address, so that a script (or a test) that
	// asked for port 0 learns which one it got; the second, the store and
	// whether what it holds survives a restart.
	fmt.Fprintf(stdout, "signalbox serving on http://%s\n", ln.Addr())
	fmt.Fprintln(stdout, storeLine(managed, *url, n.persistence))
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
	var redisDone <-chan struct{} // nil, never ready, without --data-dir
	if managed != nil {
		redisDone = managed.Done()
	}
	code := 0
	select {
	case <-ctx.Done():
	case <-redisDone:
		log.Error("the managed redis-server exited: stopping", "log", filepath.Join(managed.Dir, managedredis.LogFile))
		code = 1
		stop()
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

// storeLine is the line serve prints at start on its store: which one,
// and whether what it holds survives a restart of serve.
func storeLine(managed *managedredis.Server, url string, p store.Persistence) string {
	switch {
	case managed != nil:
		return "store: durable, survives a restart: a redis-server of serve's own in " + managed.Dir + " (AOF, appendfsync everysec)"
	case url != "":
		return "store: external, its durability is that Redis's: " + redactURL(url) + " (" + p.String() + ")"
	}
	return "store: volatile, lost on restart: the embedded store in this process's memory (--data-dir DIR keeps it)"
}

// redactURL hides a URL's password (a cluster's URL, with its list of
// hosts, is no net/url URL).
func redactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return raw
	}
	if user, _, hasPassword := strings.Cut(rest[:at], ":"); hasPassword {
		return scheme + "://" + user + ":xxxxx" + rest[at:]
	}
	return raw
}

// publicURLOf is the URL of a listening address, for subscribers on this
// machine: an unspecified host (0.0.0.0, ::) becomes 127.0.0.1.
func publicURLOf(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
