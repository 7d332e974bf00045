package topic

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/store"
)

// Service is the topic router. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config

	mu    sync.Mutex
	views map[string]*view // topic name → its subscriptions, compiled (view.go)
	host  integrations.Host
	fns   function.LateInvoker

	eng *engine // deliveries (deliver.go)
	// life ends at Close: the confirmations sent in the background end
	// with it (bg counts them).
	life    context.Context
	endLife context.CancelFunc
	bg      sync.WaitGroup
	sign    signing
}

// The limits of AWS that the Service applies.
const (
	// DefaultMaxTopics is Config.MaxTopics's default: AWS's default quota
	// of topics per account.
	DefaultMaxTopics = 100_000
	// maxSubscriptions bounds a standard topic's subscriptions: 10,000
	// here, where AWS's quota is 12,500,000, because a publish matches
	// and writes every subscription in one script (a publish to 10,000
	// costs ~50,000 Redis commands); a FIFO topic's is AWS's 100.
	maxSubscriptions     = 10_000
	maxFIFOSubscriptions = 100
	maxTags              = 50
	maxTagKey            = 128
	maxTagValue          = 256
	// maxMessageBytes is AWS's largest message, body and attributes.
	maxMessageBytes = 256 * 1024
	dedupWindow     = 5 * time.Minute
	listPage        = 100
	// DefaultDeliveryLease is Config.DeliveryLease's default: how long a
	// process holds the deliveries it is making before another may take
	// them over; longer than a webhook's timeout (15 s).
	DefaultDeliveryLease = 30 * time.Second
	// webhookTimeout is AWS's timeout of an http/https delivery.
	webhookTimeout = 15 * time.Second
)

// New returns the topic router on st. Start runs its deliveries.
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
		cfg.HTTPClient = &http.Client{Timeout: webhookTimeout}
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1:8080"
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.MaxTopics <= 0 {
		cfg.MaxTopics = DefaultMaxTopics
	}
	if cfg.DeliveryLease <= 0 {
		cfg.DeliveryLease = DefaultDeliveryLease
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{st: st, cfg: cfg, views: map[string]*view{}, host: cfg.Host}
	s.fns.Set(cfg.Functions)
	s.life, s.endLife = context.WithCancel(context.Background())
	s.eng = newEngine(s)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// TopicARN returns the ARN of the topic named name.
func (s *Service) TopicARN(name string) string {
	return "arn:aws:sns:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + name
}

// topicName returns the name in a topic ARN of this region and account, or
// NotFound / InvalidParameter as AWS answers.
func (s *Service) topicName(arn, param string) (string, *Error) {
	if arn == "" {
		return "", invalidf("%s", param)
	}
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sns" || parts[5] == "" {
		return "", invalidf("%s", param)
	}
	if parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID || !validTopicName(parts[5]) {
		return "", errNotFound("Topic does not exist")
	}
	return parts[5], nil
}

// subscriptionOf splits a subscription ARN (the topic's ARN, ":", its id).
func (s *Service) subscriptionOf(arn string) (topic, id string, err *Error) {
	i := strings.LastIndexByte(arn, ':')
	if i < 0 || arn[i+1:] == "" {
		return "", "", invalidf("SubscriptionArn")
	}
	topic, e := s.topicName(arn[:i], "SubscriptionArn")
	if e != nil {
		if e.Code == "NotFound" {
			return "", "", errNotFound("Subscription does not exist")
		}
		return "", "", invalidf("SubscriptionArn")
	}
	id = arn[i+1:]
	if !validUUID(id) {
		return "", "", invalidf("SubscriptionArn")
	}
	return topic, id, nil
}

// Start runs the deliveries: the workers that deliver what this process
// publishes, and the recoverer that takes over deliveries whose lease
// ended (another process died, or a retry fell due). Close stops them.
func (s *Service) Start(ctx context.Context) { s.eng.start(ctx) }

// Close stops the deliveries and the confirmations being sent, and waits
// for them.
func (s *Service) Close() {
	s.endLife()
	s.bg.Wait()
	s.eng.stop()
}

// background runs f in a goroutine that Close ends (f's context) and
// waits for.
func (s *Service) background(f func(context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		f(s.life)
	}()
}

// SetHost hands the Service the runtime that starts executions for the
// states protocol, when it is built after the Service.
func (s *Service) SetHost(h integrations.Host) {
	s.mu.Lock()
	s.host = h
	s.mu.Unlock()
}

// storeError maps a store error to an SNS error.
func storeError(err error, missing *Error) error {
	if err == nil {
		return nil
	}
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, store.ErrNotFound):
		return missing
	case errors.Is(err, store.ErrUnavailable), store.Unavailable(err):
		return &Error{Code: "ServiceUnavailable", Message: "The service is unavailable: its store did not answer", Status: http.StatusServiceUnavailable}
	case errors.Is(err, store.ErrInvalid):
		return invalidf("%s", err.Error())
	}
	return &Error{Code: "InternalError", Message: err.Error(), Status: http.StatusInternalServerError}
}
