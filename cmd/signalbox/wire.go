package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bucket"
	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/function/runtimeapi"
	"github.com/signalbox/signalbox/integrations/httptask"
	"github.com/signalbox/signalbox/integrations/mock"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/schemas"
	nestedsfn "github.com/signalbox/signalbox/integrations/sfn"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/internal/telemetry"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// node is what `serve` and `worker` both run: the store, and the durable
// runtime on it with the integrations Task states reach. serve adds the
// HTTP gateway on top.
type node struct {
	store   *store.Client
	runtime *runtime.Durable
	// integrations are the real integrations Task states reach (a mock
	// test case's calls go to the mocks first): the gateway warns of
	// resources none of them serves.
	integrations *integrations.Mux
	// queues is the queue router (SQS's API and sqs:sendMessage tasks),
	// with its sweeper running.
	queues *queue.Service
	// topics is the topic router (SNS's API and sns:publish tasks), its
	// deliveries running: each node delivers what it publishes, and takes
	// over what a dead one leased.
	topics *topic.Service
	// buses is the bus router (EventBridge's API), its deliveries, replays
	// and schedules running; it delivers to the node's queues, topics and
	// state machines.
	buses *bus.Service
	// schemas is the schema registry (the EventBridge Schemas API), its
	// discovery running: it infers the schemas of the events the bus
	// hands it (bus.Config.Observer).
	schemas *schemas.Service
	// functions is the function runtime (lambda:invoke Tasks, the
	// functions topics and buses invoke), on nodeOptions.Functions or the
	// store's functions.
	functions *functions
	// buckets is the S3 resources' object store (integrations/bucket),
	// nil without --buckets-dir.
	buckets *bucket.Service
	// functionService is the function service (the Lambda API's
	// management plane and the Resolver of function names); its packages
	// are unpacked under nodeOptions.FunctionsDir.
	functionService *function.Service
	// functionPool runs the functions that are Runtime API programs
	// (nil when nodeOptions.FunctionProcesses gives another invoker).
	functionPool *runtimeapi.Pool
	// persistence is what the store keeps, read at open.
	persistence store.Persistence
	// telemetry is the process's tracing (its tracer nil when off);
	// metrics its metrics (nil when off).
	telemetry *telemetry.Telemetry
	metrics   *telemetry.Metrics
}

// nodeOptions are a node's settings, from the flags and the configuration
// file (the flags win; see configFlags).
type nodeOptions struct {
	Store           store.Options
	Lease           time.Duration
	Concurrency     int    // work items carried out at once; 0: runtime.DefaultConcurrency
	Consumer        string // the name in the work stream; "": host, pid and a random part
	Region, Account string // in ARNs; "": the runtime's defaults
	// Config is the configuration file, nil without one: its state
	// machines, queues, topics and buses are created or updated when the node
	// opens.
	Config *config.Config
	// Mocks is the mock configuration (--mocks, $SFN_MOCK_CONFIG), nil
	// without one: executions started with "<state machine ARN>#TestCase"
	// run on its mocked responses.
	Mocks *mock.Config
	// OTLPEndpoint (--otlp-endpoint) exports spans there, beside the
	// OTEL_* environment (internal/telemetry).
	OTLPEndpoint string
	// Console is where OTEL_TRACES_EXPORTER=console writes spans.
	Console io.Writer
	// Metrics turns the metrics on (for a Prometheus scrape).
	Metrics bool
	// TraceRedis makes a client span of every call to Redis (with
	// tracing on).
	TraceRedis bool
	// ActivityTraceField (--activity-trace-field) names the field of an
	// activity task's input that carries its trace context; "" for none.
	ActivityTraceField string
	// BucketsDir (--buckets-dir, the file's buckets.dir) is the object
	// store of the S3 resources; "": they are not served.
	BucketsDir string
	// PublicURL (--public-url) is where webhook subscribers reach this
	// server: the base of the SubscribeURL, UnsubscribeURL and
	// SigningCertURL of the topic router's messages.
	PublicURL string
	// Functions finds the functions Task states, topics and buses invoke
	// (a configuration's function.StaticResolver, say); nil: the store's
	// (the Lambda API's). FunctionProcesses runs Runtime API programs;
	// nil: a process pool of the node's (runtimeapi.Pool).
	Functions         function.Resolver
	FunctionProcesses function.Invoker
	// FunctionsDir is where the function service unpacks deployment
	// packages; "": the user's cache directory's signalbox/.
	FunctionsDir string
}

// openNode opens the store, says in the log what a crash of it loses,
// builds the runtime and makes the store hold the configuration's state
// machines, then its queues, then its topics and their subscriptions, then
// its connections, API destinations, buses, rules and archives, then its
// schema registries, schemas and the buses' discoverers (each step
// only when the one before found no problem). A configuration the store
// or a router refuses returns its problems (for state machines, buses and
// registries, having written nothing; for queues and topics, the others
// are applied); any other failure, an error. The caller closes the node.
func openNode(ctx context.Context, o nodeOptions, log *slog.Logger) (*node, []config.Problem, error) {
	tel, err := telemetry.Setup(ctx, telemetry.Options{Endpoint: o.OTLPEndpoint, Version: moduleVersion(), Console: o.Console})
	if err != nil {
		return nil, nil, err
	}
	log.Info(tel.Describe())
	var mt *telemetry.Metrics
	if o.Metrics {
		if mt, err = telemetry.NewMetrics(moduleVersion()); err != nil {
			_ = tel.Shutdown(ctx)
			return nil, nil, err
		}
		o.Store.Meter = mt.Meter
	}
	if o.TraceRedis {
		o.Store.Tracer = tel.Tracer
	}
	st, err := store.Open(ctx, o.Store)
	if err != nil {
		_ = tel.Shutdown(ctx)
		return nil, nil, err
	}
	buckets, err := newBuckets(o)
	if err != nil {
		_ = st.Close()
		_ = tel.Shutdown(ctx)
		return nil, nil, err
	}
	queues := newQueues(st, o)
	if mt != nil {
		if err := queues.RegisterGauges(mt.Meter); err != nil {
			log.Warn("metrics: the queue gauges are off", "err", err)
		}
	}
	topics := newTopics(st, o, queues, tel.Tracer, log)
	buses := newBuses(st, o, queues, topics, tel.Tracer, log)
	mux := newIntegrations(queues, topics, buses)
	// functions: the store's (the Lambda API's, the file's functions
	// section) unless the options name others; Runtime API programs run
	// in a process pool of the node's
	fnService := newFunctionService(st, o, log)
	resolver := o.Functions
	if resolver == nil {
		resolver = fnService
	}
	processes, pool := o.FunctionProcesses, (*runtimeapi.Pool)(nil)
	if processes == nil {
		pool = newFunctionPool(o, log)
		processes = pool
	}
	fns := newFunctions(resolver, processes, mux, topics, buses)
	if buckets != nil {
		buckets.Register(mux) // s3:getObject, s3:putObject, s3:listObjectsV2, and Distributed Map's I/O
	}
	// the registry infers the schemas of the events the buses accept
	registry := newSchemas(st, o, buses, log)
	buses.SetObserver(registry)
	// retention and visibility of queues nobody receives from
	queues.StartSweeper(0)
	n := &node{store: st, runtime: newRuntime(st, o, mux, tel.Tracer, mt), integrations: mux, buckets: buckets, queues: queues, topics: topics, buses: buses, schemas: registry,
		functions: fns, functionService: fnService, functionPool: pool, persistence: logDurability(ctx, log, st), telemetry: tel, metrics: mt}
	topics.SetHost(n.runtime.Host())
	topics.Start(context.WithoutCancel(ctx))
	buses.SetHost(n.runtime.Host())
	// nested executions (states:startExecution): the runtime starts them
	nestedsfn.Register(mux, nestedsfn.New(n.runtime.Host()))
	buses.Start(context.WithoutCancel(ctx))
	registry.Start(context.WithoutCancel(ctx))
	if o.Config != nil {
		// in this order: a subscription may name a queue, a target a queue
		// or topic, a discoverer a bus; what each did is logged once all
		// took the file
		c := o.Config
		steps := []struct {
			prefix string
			apply  func() ([]string, []config.Problem)
		}{
			{"state machine ", func() ([]string, []config.Problem) { return c.Apply(ctx, n.runtime) }},
			{"queue ", func() ([]string, []config.Problem) { return c.ApplyQueues(ctx, queues) }},
			{"topic ", func() ([]string, []config.Problem) { return c.ApplyTopics(ctx, topics) }},
			{"", func() ([]string, []config.Problem) { return c.ApplyBuses(ctx, buses) }},
			{"", func() ([]string, []config.Problem) { return c.ApplyRegistries(ctx, registry) }},
			{"function ", func() ([]string, []config.Problem) { return c.ApplyFunctions(ctx, n.functionService) }},
		}
		var lines []string
		for _, st := range steps {
			done, problems := st.apply()
			if len(problems) > 0 {
				_ = n.Close()
				return nil, problems, nil
			}
			for _, what := range done {
				lines = append(lines, st.prefix+what)
			}
		}
		for _, line := range lines {
			log.Info(line)
		}
	}
	return n, nil, nil
}

// Close stops the buses' deliveries, replays and schedules, schema
// discovery, then the topics' deliveries (what they had not made stays
// leased in the store), the functions' asynchronous invocations (lost:
// their queue is in memory), the queues' sweeper and message-move tasks, flushes the
// spans not exported yet (for up to 5 seconds) and closes the node's
// store.
func (n *node) Close() error {
	n.buses.Close() // first: it delivers to topics and queues
	n.schemas.Close()
	n.topics.Close()
	n.functions.Close() // after the routers that invoke functions
	if n.functionPool != nil {
		n.functionPool.Close() // the function processes: after their callers
	}
	n.queues.Close()
	if n.buckets != nil {
		_ = n.buckets.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(n.telemetry.Shutdown(ctx), n.store.Close())
}

// newRuntime is the one construction of the durable runtime in the binary
// (the bench builds its own, with an integration of its own). Task calls
// go to the mock configuration's answers for executions started with a
// test case, else to mux (mock.Server), which numbers mocked calls in the
// store so that the numbering survives a restart.
//
// With a tracer, executions are traced and each task call is a span
// (integrations.Tracing); with metrics, the runtime records its own and
// each task call's duration (integrations.Metrics).
func newRuntime(st *store.Client, o nodeOptions, mux *integrations.Mux, tracer trace.Tracer, mt *telemetry.Metrics) *runtime.Durable {
	server := mock.NewServer(o.Mocks, st, mux)
	var (
		tasks integrations.Handler = server
		meter metric.Meter
	)
	if mt != nil {
		meter = mt.Meter
		if m, err := integrations.Metrics(meter); err == nil {
			tasks = integrations.Chain(tasks, m)
		}
	}
	if tracer != nil {
		tasks = integrations.Chain(tasks, integrations.Tracing(tracer))
	}
	return runtime.NewDurable(st, &runtime.Durable{
		Tasks: tasks, Mux: mux, TestCases: server.CheckTestCase, Lease: o.Lease, Concurrency: o.Concurrency, Consumer: o.Consumer,
		Region: o.Region, Account: o.Account, Tracer: tracer, Meter: meter, ActivityTraceField: o.ActivityTraceField,
	})
}

// loadMocks reads the mock configuration file of --mocks (default
// $SFN_MOCK_CONFIG, as Step Functions Local reads it); nil for "".
func loadMocks(file string, log *slog.Logger) (*mock.Config, error) {
	if file == "" {
		return nil, nil
	}
	cfg, err := mock.LoadFile(file)
	if err != nil {
		return nil, err
	}
	log.Info("mocks: executions started with \"<state machine ARN>#TestCase\" answer their Task states from "+file, "stateMachines", strings.Join(cfg.StateMachines(), ","))
	return cfg, nil
}

// newQueues is the one construction of the queue router in the binary, in
// the runtime's region and account (its queue URLs and ARNs name them),
// counting messages on the store's meter when metrics are on.
func newQueues(st *store.Client, o nodeOptions) *queue.Service {
	return queue.New(st, queue.Config{Region: o.Region, AccountID: o.Account, Meter: o.Store.Meter})
}

// newTopics is the one construction of the topic router in the binary, in
// the runtime's region and account, delivering to the node's queues, its
// deliveries traced with the node's tracer (nil: tracing off).
func newTopics(st *store.Client, o nodeOptions, queues *queue.Service, tracer trace.Tracer, log *slog.Logger) *topic.Service {
	return topic.New(st, topic.Config{Region: o.Region, AccountID: o.Account, Meter: o.Store.Meter, Queues: queues,
		PublicURL: o.PublicURL, DeliveryLease: o.Lease, Tracer: tracer, Logger: log})
}

// newBuses is the one construction of the bus router in the binary, in
// the runtime's region and account, delivering to the node's queues and
// topics (and state machines, once the runtime is built: SetHost), its
// deliveries leased as the topics' are and traced with the node's tracer
// (nil: tracing off).
func newBuses(st *store.Client, o nodeOptions, queues *queue.Service, topics *topic.Service, tracer trace.Tracer, log *slog.Logger) *bus.Service {
	return bus.New(st, bus.Config{Region: o.Region, AccountID: o.Account, Meter: o.Store.Meter, Queues: queues, Topics: topics,
		DeliveryLease: o.Lease, Tracer: tracer, Logger: log})
}

// newSchemas is the one construction of the schema registry in the
// binary, in the runtime's region and account; its discoverers watch the
// node's buses.
// newFunctionPool is the node's Runtime API process pool: its functions'
// output goes to the log, and AWS_ENDPOINT_URL, when the node serves at
// a known address, points the AWS SDKs in them at this server.
func newFunctionPool(o nodeOptions, log *slog.Logger) *runtimeapi.Pool {
	env := map[string]string{}
	if o.PublicURL != "" {
		env["AWS_ENDPOINT_URL"] = o.PublicURL
	}
	return runtimeapi.New(runtimeapi.Options{Logger: log.With("component", "functions"), Region: o.Region, Environment: env})
}

func newFunctionService(st *store.Client, o nodeOptions, log *slog.Logger) *function.Service {
	return function.NewService(st, function.Options{Region: o.Region, AccountID: o.Account, DataDir: o.FunctionsDir, Logger: log})
}

func newSchemas(st *store.Client, o nodeOptions, buses *bus.Service, log *slog.Logger) *schemas.Service {
	return schemas.New(st, schemas.Config{Region: o.Region, AccountID: o.Account, Buses: buses, Logger: log})
}

// newIntegrations is the registry of what Task states reach, the same in
// `serve` and `worker`; sqs:sendMessage with a queue router (queues not
// nil), sns:publish with a topic router (topics not nil), events:putEvents
// with a bus router (buses not nil).
func newIntegrations(queues *queue.Service, topics *topic.Service, buses *bus.Service) *integrations.Mux {
	m := integrations.NewMux()
	var conns httptask.Connections
	if buses != nil {
		conns = buses // the HTTP Task's Authentication.ConnectionArn: the bus router's connections
	}
	m.Handle(httptask.Resource, httptask.New(httptask.Options{Connections: conns}))
	if queues != nil {
		send := queue.NewTask(queues)
		m.Handle(queue.ResourceSendMessage, send)
		m.Handle(queue.ResourceSendMessageToken, send)
	}
	if topics != nil {
		publish := topic.NewTask(topics)
		m.Handle(topic.ResourcePublish, publish)
		m.Handle(topic.ResourcePublishToken, publish)
	}
	if buses != nil {
		put := bus.NewTask(buses)
		m.Handle(bus.ResourcePutEvents, put)
		m.Handle(bus.ResourcePutEventsToken, put)
	}
	return m
}

// newBuckets opens the object store of --buckets-dir (nil without one),
// making the buckets the configuration file lists.
func newBuckets(o nodeOptions) (*bucket.Service, error) {
	if o.BucketsDir == "" {
		return nil, nil
	}
	var create []string
	if o.Config != nil {
		create = o.Config.Buckets.Create
	}
	b, err := bucket.New(bucket.Options{Dir: o.BucketsDir, Create: create})
	if err != nil {
		return nil, fmt.Errorf("--buckets-dir: %w", err)
	}
	return b, nil
}

// logDurability says at start-up what a crash of the store loses: a
// warning when it keeps nothing (the embedded default, or a Redis with
// neither AOF nor snapshots), with the way to run durably. It returns
// what it read.
func logDurability(ctx context.Context, log *slog.Logger, st *store.Client) store.Persistence {
	p := st.Persistence(ctx)
	if p.Volatile || (p.Unknown == nil && !p.AppendOnly) {
		log.Warn("durability: "+p.String(), "durable", "serve --data-dir DIR, or run a Redis with --appendonly yes (appendfsync everysec or always) and pass --redis-url or $"+store.EnvRedisURL)
		return p
	}
	log.Info("durability: " + p.String())
	return p
}

// configFlags reads the configuration file of --config and gives its
// values to the flags of fs not given on the command line (--redis-url
// also wins when $SIGNALBOX_REDIS_URL set it). A file with problems is
// reported on stderr and returns nil and the exit status 2.
func configFlags(command string, fs *flag.FlagSet, file string, stderr io.Writer) (*config.Config, int) {
	cfg, problems := config.Load(file)
	if len(problems) > 0 {
		return nil, reportConfig(stderr, command, file, problems)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var timeout string
	if cfg.Redis.Timeout > 0 {
		timeout = cfg.Redis.Timeout.String()
	}
	for name, value := range map[string]string{
		"addr": cfg.Addr, "region": cfg.Region, "account": cfg.Account,
		"redis-url": cfg.Redis.URL, "redis-prefix": cfg.Redis.Prefix, "redis-timeout": timeout,
		"buckets-dir": cfg.Buckets.Dir,
	} {
		f := fs.Lookup(name)
		if f == nil || value == "" || given[name] || (name == "redis-url" && f.Value.String() != "") {
			continue
		}
		if err := f.Value.Set(value); err != nil { // the file's values are checked: not expected
			fmt.Fprintf(stderr, "signalbox %s: %s: --%s %q: %v\n", command, file, name, value, err)
			return nil, 2
		}
	}
	return cfg, 0
}

// reportConfig prints a configuration's problems, one a line, and returns
// the exit status 2.
func reportConfig(stderr io.Writer, command, file string, problems []config.Problem) int {
	for _, p := range problems {
		fmt.Fprintln(stderr, p)
	}
	fmt.Fprintf(stderr, "signalbox %s: %d problem(s) in %s; nothing started\n", command, len(problems), file)
	return 2
}
