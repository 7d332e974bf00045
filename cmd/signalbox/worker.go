package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/signalbox/signalbox/integrations/mock"
	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/store"
)

// cmdWorker runs durable workers against a shared Redis until SIGTERM or
// SIGINT: any number of them, on any number of machines, share the work.
// It is serve without the HTTP gateway (openNode): --config FILE reads the
// same configuration file, whose redis section and ARNs it takes (flags
// win) and whose state machines it creates or updates at start.
func cmdWorker(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("redis-url", os.Getenv(store.EnvRedisURL), "the Redis to work on (redis://, rediss://, redis+cluster://); default $"+store.EnvRedisURL)
	prefix := fs.String("redis-prefix", store.DefaultPrefix, "the prefix of every key")
	bucketsDir := fs.String("buckets-dir", "", "serve the S3 resources (s3:getObject, s3:putObject, s3:listObjectsV2, a Distributed Map's ItemReader and ResultWriter) from this directory, each sub-directory a bucket (docs/buckets.md)")
	functionsDir := fs.String("functions-dir", "", "unpack the functions' deployment packages (CreateFunction's ZipFile) here; every process that runs them must see the same directory (default: the user's cache directory's signalbox/)")
	timeout := fs.Duration("redis-timeout", store.DefaultTimeout, "each store call's deadline")
	lease := fs.Duration("lease", 30*time.Second, "how long a work item or a topic delivery may stay unacknowledged before another process takes it over")
	consumer := fs.String("consumer", "", "this worker's name in the work stream (default: host, pid and a random part)")
	configFile := fs.String("config", "", "a configuration file (YAML), as serve's: the store, state machines")
	metricsAddr := fs.String("metrics-addr", "", "serve the metrics at GET /metrics on this address (e.g. 127.0.0.1:9464), for a Prometheus scrape; \"\": none")
	traceRedis := fs.Bool("trace-redis", false, "with tracing on, make a client span of every call to Redis (several per state: ask for them on purpose)")
	logFormat := fs.String("log-format", "text", "the log's format: text (key=value) or json (one object a line); records about an execution carry its trace_id and span_id")
	otlp := fs.String("otlp-endpoint", "", "export traces by OTLP to this URL (e.g. http://127.0.0.1:4318; OTEL_EXPORTER_OTLP_PROTOCOL=grpc for a gRPC endpoint); the OTEL_* environment variables work too")
	publicURL := fs.String("public-url", "http://127.0.0.1:8080", "where webhook subscribers reach the servers (serve --public-url): the base of the SubscribeURL, UnsubscribeURL and SigningCertURL in the topic messages this worker delivers")
	mocks := fs.String("mocks", os.Getenv(mock.EnvConfig), "the MockConfigFile of the servers this worker works beside (serve --mocks); default $"+mock.EnvConfig)
	if rest, code, ok := cli.Parse(fs, helpWorker, args, stdout); !ok || len(rest) > 0 {
		if ok {
			fmt.Fprintf(stderr, "signalbox worker: unexpected arguments %q\n", rest)
			cli.Usage(stderr, helpWorker)
			code = 2
		}
		return code
	}
	var cfg *config.Config
	if *configFile != "" {
		var code int
		if cfg, code = configFlags("worker", fs, *configFile, stderr); cfg == nil {
			return code
		}
	}
	if *url == "" {
		fmt.Fprintf(stderr, "signalbox worker: a worker works on a shared Redis: give --redis-url or set %s\n", store.EnvRedisURL)
		return 2
	}
	cli.TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log, err := telemetry.NewLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintf(stderr, "signalbox worker: --log-format: %v\n", err)
		return 2
	}
	slog.SetDefault(log) // the runtime's records too
	o := nodeOptions{
		Store: store.Options{URL: *url, Prefix: *prefix, Timeout: max(*timeout, 0)},
		Lease: *lease, Consumer: *consumer, Config: cfg, PublicURL: *publicURL,
		OTLPEndpoint: *otlp, Console: stderr, TraceRedis: *traceRedis, Metrics: *metricsAddr != "", BucketsDir: *bucketsDir, FunctionsDir: *functionsDir,
	}
	if cfg != nil {
		o.Region, o.Account = cfg.Region, cfg.Account
	}
	if o.Mocks, err = loadMocks(*mocks, log); err != nil {
		fmt.Fprintf(stderr, "signalbox worker: --mocks: %v\n", err)
		return 2
	}
	n, problems, err := openNode(ctx, o, log)
	if len(problems) > 0 {
		return reportConfig(stderr, "worker", *configFile, problems)
	}
	if err != nil {
		fmt.Fprintf(stderr, "signalbox worker: %v\n", err)
		return 1
	}
	defer n.Close()
	if n.metrics != nil {
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			fmt.Fprintf(stderr, "signalbox worker: --metrics-addr: %v\n", err)
			return 1
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", n.metrics.Handler)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	log.Info("worker started", "prefix", *prefix, "lease", *lease)
	if err := n.runtime.Run(ctx); err != nil {
		fmt.Fprintf(stderr, "signalbox worker: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "worker stopped")
	return 0
}
