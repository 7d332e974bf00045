package schemas

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// Config is what a Service needs besides its store.
type Config struct {
	Region    string // default "us-east-1"
	AccountID string // default "123456789012"
	// Now is the clock of every date the registry writes; time.Now when nil.
	Now func() time.Time
	// Buses, when set, says whether an event bus exists: CreateDiscoverer
	// refuses a SourceArn naming one that does not (NotFoundException).
	// Nil accepts any bus ARN of this region and account.
	Buses interface {
		BusExists(ctx context.Context, name string) (bool, error)
	}
	// QueueEvents bounds the events queued for discovery, and QueueBytes
	// their bytes (DefaultQueueEvents, DefaultQueueBytes when 0): events
	// observed beyond are dropped and counted (Stats).
	QueueEvents int
	QueueBytes  int64
	Logger      *slog.Logger
}

// Defaults of Config.
const (
	// DefaultQueueEvents: 10,000 events wait for discovery at most.
	DefaultQueueEvents = 10_000
	// DefaultQueueBytes: 16 MiB of events wait for discovery at most (64
	// of EventBridge's largest events, 256 KiB; about 16,000 of 1 KiB).
	DefaultQueueBytes = 16 << 20
)

// The limits the Service applies.
const (
	maxDescription = 256 // AWS: Description, "Maximum length of 256"
	maxRegistryLen = 64
	maxSchemaLen   = 385 // AWS: SchemaName, "Maximum length of 385"
	maxTags        = 50
	maxTagKey      = 128
	maxTagValue    = 256
	// maxVersions bounds a schema's versions: discovery adds one per new
	// shape, and each holds up to 100,000 characters.
	maxVersions = 1000
	// maxSchemasScanned bounds what a search reads of a registry.
	maxSchemasScanned = 10_000
	pageDefault       = 100
	// maxDiscoverEvents: GetDiscoveredSchema's Events, "a maximum size of
	// 10 events".
	maxDiscoverEvents = 10
	// maxEventBytes is EventBridge's largest event.
	maxEventBytes = 256 << 10
)

// The registries AWS has in every account.
const (
	// RegistryAWSEvents holds AWS's own events' schemas (Scope AWS): read
	// only. Signalbox ships none of AWS's schemas: it is empty.
	RegistryAWSEvents = "aws.events"
	// RegistryDiscovered holds the schemas discoverers infer; it is made
	// by the first discovery.
	RegistryDiscovered = "discovered-schemas"
)

// Service is the schema registry. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config

	awsOnce sync.Mutex
	awsMade bool

	disc *discovery

	life    context.Context
	endLife context.CancelFunc
	bg      sync.WaitGroup
	gen     chan struct{} // bounds the code bindings generated at once
}

// New returns the schema registry on st. Start runs its discovery.
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
	if cfg.QueueEvents <= 0 {
		cfg.QueueEvents = DefaultQueueEvents
	}
	if cfg.QueueBytes <= 0 {
		cfg.QueueBytes = DefaultQueueBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{st: st, cfg: cfg, gen: make(chan struct{}, 2)}
	s.life, s.endLife = context.WithCancel(context.Background())
	s.disc = newDiscovery(s)
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now() }

func (s *Service) arn(resource string) string {
	return "arn:aws:schemas:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + resource
}

// RegistryARN is the ARN of the registry named name.
func (s *Service) RegistryARN(name string) string { return s.arn("registry/" + name) }

// SchemaARN is the ARN of a schema.
func (s *Service) SchemaARN(registry, name string) string {
	return s.arn("schema/" + registry + "/" + name)
}

// DiscovererARN is the ARN of the discoverer id.
func (s *Service) DiscovererARN(id string) string { return s.arn("discoverer/" + id) }

// The names the API accepts: registry names as AWS's console allows them
// (letters, digits, ".", "-", "_", "@"), schema names the same and the
// characters discovered names carry from an event's source.
var (
	registryNameRE = regexp.MustCompile(`^[A-Za-z0-9._@-]+$`)
	schemaNameRE   = regexp.MustCompile(`^[A-Za-z0-9._@:/+=,#-]+$`)
)

func checkRegistryName(name string) *Error {
	if name == "" || len(name) > maxRegistryLen || !registryNameRE.MatchString(name) {
		return badRequest("RegistryName %q is not valid: it must be 1 to %d letters, digits and the characters . - _ @.", clip(name, 100), maxRegistryLen)
	}
	return nil
}

func checkSchemaName(name string) *Error {
	if name == "" || len(name) > maxSchemaLen || !schemaNameRE.MatchString(name) {
		return badRequest("SchemaName %q is not valid: it must be 1 to %d letters, digits and the characters . - _ @ : / + = , #.", clip(name, 100), maxSchemaLen)
	}
	return nil
}

func checkDescription(d *string) *Error {
	if d != nil && len([]rune(*d)) > maxDescription {
		return badRequest("Description is longer than %d characters.", maxDescription)
	}
	return nil
}

func checkTags(tags map[string]string) *Error {
	if len(tags) > maxTags {
		return badRequest("A resource may carry at most %d tags.", maxTags)
	}
	for k, v := range tags {
		if k == "" || len([]rune(k)) > maxTagKey {
			return badRequest("Tag key %q is not valid: 1 to %d characters.", clip(k, 200), maxTagKey)
		}
		if len([]rune(v)) > maxTagValue {
			return badRequest("The value of tag %q is longer than %d characters.", clip(k, 200), maxTagValue)
		}
	}
	return nil
}

// Paging: a token is the last name of the page before, base64url.
func pageToken(last string) string {
	if last == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(last))
}

func fromToken(tok string) (string, *Error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) == 0 || len(b) > 1024 {
		return "", badRequest("NextToken %q is not valid.", clip(tok, 100))
	}
	return string(b), nil
}

// page checks a listing's Limit and NextToken: the page's size and the
// name it starts after.
func page(limit int, token string) (int, string, *Error) {
	n, e := pageLimit(limit)
	if e != nil {
		return 0, "", e
	}
	after, e := fromToken(token)
	if e != nil {
		return 0, "", e
	}
	return n, after, nil
}

func pageLimit(limit int) (int, *Error) {
	if limit < 0 {
		return 0, badRequest("Limit must be positive.")
	}
	if limit == 0 || limit > pageDefault {
		return pageDefault, nil
	}
	return limit, nil
}

// storeError maps a store error to the API's: unavailable is 503, the
// rest 500 (the caller mapped the ones it expects).
func (s *Service) storeError(err error, what string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if store.Unavailable(err) {
		return &Error{Code: CodeUnavailable, Message: "The store is unavailable; try again.", Status: http.StatusServiceUnavailable}
	}
	s.cfg.Logger.Error("schema registry: "+what, "err", err)
	return &Error{Code: CodeInternal, Message: fmt.Sprintf("Internal error %s: the server's log has the details.", what), Status: http.StatusInternalServerError}
}

// Start runs discovery in the background until ctx ends or Close.
// Starting twice is harmless.
func (s *Service) Start(ctx context.Context) { s.disc.start(ctx) }

// Close stops discovery (the events queued are dropped: discovery is
// best effort, as AWS's) and waits for the code bindings being generated.
func (s *Service) Close() {
	s.endLife()
	s.disc.stop()
	s.bg.Wait()
}
