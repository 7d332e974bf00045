package bus

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/store"
)

// Config is what a Service needs besides its store.
type Config struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"
	// Now is the clock every time-dependent rule reads (leases, retries,
	// event ages, schedules, archive retention); time.Now when nil.
	Now func() time.Time
	// Queues delivers to queue targets and dead-letter queues; without it
	// such targets are refused.
	Queues *queue.Service
	// Topics delivers to topic targets; without it they are refused.
	Topics *topic.Service
	// Host starts executions for state machine targets; set later with
	// SetHost when the runtime is built after the Service.
	Host integrations.Host
	// Functions invokes the functions of function targets
	// (function.Target); without it such targets are refused. Set later
	// with SetFunctions when it is built after the Service.
	Functions Functions
	// HTTPClient calls API destinations (a 5 s timeout, AWS's, when nil).
	HTTPClient *http.Client
	// Observer sees every accepted event (the schema discoverers).
	Observer Observer
	// Meter, when set, counts events put, matched and delivered.
	Meter metric.Meter
	// Tracer, when set, makes a span of each delivery of a traced event.
	Tracer trace.Tracer
	// DeliveryLease is how long a process holds a delivery it makes before
	// another may take it over (DefaultDeliveryLease when 0).
	DeliveryLease time.Duration
	// Logger receives a line per delivery given up; slog.Default() when nil.
	Logger *slog.Logger
}

// DefaultDeliveryLease is Config.DeliveryLease's default.
const DefaultDeliveryLease = 30 * time.Second

// Service is the bus router. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config

	mu    sync.Mutex
	host  integrations.Host
	fns   function.LateInvoker
	views map[string]*view // bus name → its rules, compiled (view.go)

	eng      *engine // deliveries (deliver.go)
	meters   meters
	rp       replays          // the replays this process runs (replay.go)
	invoker  *apidest.Invoker // API destinations' calls: tokens and rate limits
	retained time.Time        // the last retention round (retention.go)

	// defaultMade: the default bus is known to exist (ensureBus).
	defaultMade atomic.Bool
	// ruleLimit bounds a bus's rules: MaxRulesPerBus, lowered by tests.
	ruleLimit int
}

// New returns the bus router on st. Start runs its deliveries, replays and
// schedules.
func New(st *store.Client, cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.DeliveryLease <= 0 {
		cfg.DeliveryLease = DefaultDeliveryLease
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{st: st, cfg: cfg, host: cfg.Host, ruleLimit: MaxRulesPerBus, views: map[string]*view{}, meters: newMeters(cfg.Meter)}
	s.fns.Set(cfg.Functions)
	s.eng = newEngine(s)
	s.invoker = apidest.NewInvoker(cfg.HTTPClient)
	s.rp = replays{running: map[string]bool{}, owner: integrations.NewUUID()}
	s.eng.ticks = []func(context.Context, []string){s.scheduleRound, s.replayRound, s.retentionRound}
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// SetHost hands the Service the runtime that starts executions for state
// machine targets, when it is built after the Service.
func (s *Service) SetHost(h integrations.Host) {
	s.mu.Lock()
	s.host = h
	s.mu.Unlock()
}

// SetObserver hands the Service what sees every accepted event (the
// schema registry's discoverers), when it is built after the Service.
func (s *Service) SetObserver(o Observer) {
	s.mu.Lock()
	s.cfg.Observer = o
	s.mu.Unlock()
}

// BusExists reports whether the bus named name exists (the default bus
// always does).
func (s *Service) BusExists(ctx context.Context, name string) (bool, error) {
	if name == DefaultBus {
		return true, nil
	}
	_, err := s.st.BusGet(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, storeError(err, nil)
}

// Start runs the deliveries, replays and schedules; Close stops them.
// Starting twice is harmless.
func (s *Service) Start(ctx context.Context) { s.eng.start(ctx) }

// Close stops what Start started and waits for it.
func (s *Service) Close() { s.eng.stop() }
