// Package bucket is the local object store a Distributed Map reads its
// items from and writes its results to: each bucket is a directory of a
// configured root, each key a file under it (docs/buckets.md). It serves
// the S3 Task resources Step Functions definitions use with Distributed
// Map (arn:aws:states:::s3:getObject, s3:listObjectsV2, s3:putObject, and
// their aws-sdk:s3: forms), the ItemReader formats (JSON, JSONL, CSV,
// MANIFEST, S3 listings) and the ResultWriter's files, and, as Signalbox's
// extension, an HTTP(S) URL as an item source ({"Url": "https://..."} as
// the getObject reader's Parameters).
//
// The runtime reaches it only through integrations.ItemReader and
// integrations.ResultWriter, on the handler the Mux gives for the reader's
// or writer's Resource.
package bucket

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
)

// The Task resources the Service handles: Step Functions' optimized forms
// and the AWS SDK integration's, which share their semantics here.
const (
	ResourceGetObject        = "arn:aws:states:::s3:getObject"
	ResourcePutObject        = "arn:aws:states:::s3:putObject"
	ResourceListObjectsV2    = "arn:aws:states:::s3:listObjectsV2"
	ResourceSDKGetObject     = "arn:aws:states:::aws-sdk:s3:getObject"
	ResourceSDKPutObject     = "arn:aws:states:::aws-sdk:s3:putObject"
	ResourceSDKListObjectsV2 = "arn:aws:states:::aws-sdk:s3:listObjectsV2"
)

// Resources lists every resource the Service handles.
var Resources = []string{
	ResourceGetObject, ResourcePutObject, ResourceListObjectsV2,
	ResourceSDKGetObject, ResourceSDKPutObject, ResourceSDKListObjectsV2,
}

// Defaults of Options.
const (
	// DefaultMaxReadBytes bounds what one ItemReader reads when the
	// runtime gives no MaxBytes.
	DefaultMaxReadBytes = 256 << 20
	// DefaultMaxTaskBodyBytes bounds the Body a getObject Task returns:
	// Step Functions' payload limit (256 KiB).
	DefaultMaxTaskBodyBytes = 256 << 10
	// DefaultResultFileBytes is where the ResultWriter starts a new
	// SUCCEEDED_n/FAILED_n/PENDING_n file (AWS splits at 5 GB).
	DefaultResultFileBytes = 64 << 20
	// DefaultURLTimeout bounds one read of an HTTP(S) item source.
	DefaultURLTimeout = 60 * time.Second
	// MaxItemsLimit is AWS's bound on ReaderConfig.MaxItems.
	MaxItemsLimit = 100_000_000
)

// Options configure a Service.
type Options struct {
	// Dir is the buckets' root directory; it must exist. Create names
	// buckets made (as directories) when missing.
	Dir    string
	Create []string
	// MaxReadBytes bounds one ItemReader's read when the request has no
	// MaxBytes (0: DefaultMaxReadBytes).
	MaxReadBytes int64
	// MaxTaskBodyBytes bounds a getObject Task's Body (0:
	// DefaultMaxTaskBodyBytes).
	MaxTaskBodyBytes int64
	// ResultFileBytes is the size at which the ResultWriter splits its
	// files (0: DefaultResultFileBytes).
	ResultFileBytes int64
	// URLTimeout bounds one read of a URL item source (0:
	// DefaultURLTimeout); HTTPClient makes it (nil: a plain client).
	URLTimeout time.Duration
	HTTPClient *http.Client
}

// Service serves the S3 resources over a Store: Task calls
// (integrations.Handler), Distributed Map item reads
// (integrations.ItemReader) and result writes (integrations.ResultWriter).
type Service struct {
	store *Store
	opts  Options
}

var (
	_ integrations.Handler      = (*Service)(nil)
	_ integrations.ItemReader   = (*Service)(nil)
	_ integrations.ResultWriter = (*Service)(nil)
)

// New opens the store of opts.Dir.
func New(opts Options) (*Service, error) {
	st, err := Open(opts.Dir, opts.Create...)
	if err != nil {
		return nil, err
	}
	opts.MaxReadBytes = cmp.Or(opts.MaxReadBytes, DefaultMaxReadBytes)
	opts.MaxTaskBodyBytes = cmp.Or(opts.MaxTaskBodyBytes, DefaultMaxTaskBodyBytes)
	opts.ResultFileBytes = cmp.Or(opts.ResultFileBytes, DefaultResultFileBytes)
	opts.URLTimeout = cmp.Or(opts.URLTimeout, DefaultURLTimeout)
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	return &Service{store: st, opts: opts}, nil
}

// Store is the service's store.
func (s *Service) Store() *Store { return s.store }

// Close releases the store.
func (s *Service) Close() error { return s.store.Close() }

// Register makes s the handler of every resource of Resources in m.
func (s *Service) Register(m *integrations.Mux) {
	for _, r := range Resources {
		m.Handle(r, s)
	}
}

// action is the S3 API action of a resource ("getObject"), "" for one the
// Service does not handle.
func action(resource string) string {
	for _, p := range []string{"arn:aws:states:::s3:", "arn:aws:states:::aws-sdk:s3:"} {
		if a, ok := strings.CutPrefix(resource, p); ok {
			switch a {
			case "getObject", "putObject", "listObjectsV2":
				return a
			}
		}
	}
	return ""
}

// Invoke runs a Task call of one of the S3 resources.
func (s *Service) Invoke(ctx context.Context, req *integrations.Request) (any, error) {
	switch action(req.Resource) {
	case "getObject":
		return s.getObject(req.Parameters)
	case "putObject":
		return s.putObject(req.Parameters)
	case "listObjectsV2":
		return s.listObjectsV2(req.Parameters)
	}
	return nil, integrations.NoIntegration(req)
}
