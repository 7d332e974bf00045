package queue

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// Service is the queue router. It is safe for concurrent use.
type Service struct {
	st  *store.Client
	cfg Config
	// polls holds a token per long poll blocked (Config.MaxLongPolls).
	polls chan struct{}
	// onWait, when set (tests), is called as a long poll starts to block.
	onWait func()
	// stop ends the message-move tasks this Service runs (Close).
	stop   context.Context
	cancel context.CancelFunc
	tasks  sync.WaitGroup
	meters meters
	sweep  sweeper
	// records caches the queues' records for the hot paths (recordcache.go)
	records recordCache
}

// DefaultMaxQueues is Config.MaxQueues's default. AWS sets no limit;
// each queue costs a few small keys when empty.
const DefaultMaxQueues = 100_000

// DefaultMaxLongPolls is Config.MaxLongPolls's default: the store's
// blocking pool (store.DefaultBlockingPoolSize).
const DefaultMaxLongPolls = store.DefaultBlockingPoolSize

// New returns the queue router on st. A Meter that refuses the
// instruments leaves the Service without them.
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
	if cfg.MaxQueues <= 0 {
		cfg.MaxQueues = DefaultMaxQueues
	}
	if cfg.MaxLongPolls <= 0 {
		cfg.MaxLongPolls = DefaultMaxLongPolls
	}
	stop, cancel := context.WithCancel(context.Background())
	m, _ := newMeters(cfg.Meter)
	return &Service{st: st, cfg: cfg, polls: make(chan struct{}, cfg.MaxLongPolls), stop: stop, cancel: cancel, meters: m}
}

func (s *Service) now() time.Time { return s.cfg.Now() }

// ARN returns the ARN of the queue named name.
func (s *Service) ARN(name string) string {
	return "arn:aws:sqs:" + s.cfg.Region + ":" + s.cfg.AccountID + ":" + name
}

// The tag limits of AWS: 50 tags per queue, keys of 1 to 128 characters,
// values of up to 256.
const (
	maxTags        = 50
	maxTagKey      = 128
	maxTagValue    = 256
	purgeInterval  = 60 * time.Second
	dedupWindow    = 5 * time.Minute
	maxListResults = 1000
)

func checkTags(tags map[string]string) *Error {
	if len(tags) > maxTags {
		return errorf("InvalidParameterValue", "Too many tags added for queue. The maximum number of tags on a queue is %d.", maxTags)
	}
	for k, v := range tags {
		if k == "" || len(k) > maxTagKey || len(v) > maxTagValue || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errorf("InvalidParameterValue", "Tag key %q or its value is invalid: keys are 1 to %d characters, not starting with aws:, values up to %d.", clip(k, 64), maxTagKey, maxTagValue)
		}
	}
	return nil
}

func (s *Service) CreateQueue(ctx context.Context, in *CreateInput) (*Queue, error) {
	fifo := false
	switch v, ok := in.Attributes[attrFifo]; {
	case !ok:
	case v == "true":
		fifo = true
	case v != "false":
		return nil, errAttrValue(attrFifo)
	}
	if err := checkName(in.Name, fifo); err != nil {
		return nil, err
	}
	if err := checkAttrs(in.Attributes, fifo, true); err != nil {
		return nil, err
	}
	if in.Attributes[attrThroughput] == "perMessageGroupId" && in.Attributes[attrDedupScope] != "messageGroup" {
		return nil, errHighThroughput()
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	redrive, err := s.checkRedrive(ctx, in.Name, fifo, in.Attributes[attrRedrive])
	if err != nil {
		return nil, err
	}
	if err := s.checkQueueCount(ctx, in.Name); err != nil {
		return nil, err
	}
	all := make(map[string]string, len(standardDefaults)+len(fifoDefaults)+len(in.Attributes))
	for k, v := range standardDefaults {
		all[k] = v
	}
	if fifo {
		for k, v := range fifoDefaults {
			all[k] = v
		}
	}
	if _, ok := in.Attributes[attrKmsKey]; ok {
		all[attrSqsSSE] = "false"
	}
	for k, v := range in.Attributes {
		all[k] = v
	}
	_, err = s.st.QueueCreate(ctx, &store.QueueCreateParams{
		Name: in.Name, Given: in.Attributes, All: all, Tags: in.Tags, Now: s.now(),
		MaxReceive: redrive.MaxReceive, DeadLetter: redrive.DeadLetter,
	})
	if err != nil {
		return nil, storeError(err)
	}
	if err := s.updateSources(ctx, in.Name, "", redrive.DeadLetter); err != nil {
		return nil, err
	}
	return &Queue{Name: in.Name, ARN: s.ARN(in.Name), FIFO: fifo}, nil
}

// checkQueueCount refuses a new queue past Config.MaxQueues.
func (s *Service) checkQueueCount(ctx context.Context, name string) error {
	n, err := s.st.QueueCount(ctx)
	if err != nil {
		return storeError(err)
	}
	if n < int64(s.cfg.MaxQueues) {
		return nil
	}
	if ok, err := s.st.QueueExists(ctx, name); err != nil || ok {
		return storeError(err)
	}
	return errorf("OverLimit", "The store holds %d queues, its most (Config.MaxQueues).", n)
}

// checkRedrive validates a redrive policy's target for the queue named
// source: it exists, is of the same type, and its RedriveAllowPolicy lets
// source use it. "" is no policy.
func (s *Service) checkRedrive(ctx context.Context, source string, fifo bool, policy string) (store.QueueRedrive, error) {
	if policy == "" {
		return store.QueueRedrive{}, nil
	}
	p, perr := parseRedrivePolicy(policy)
	if perr != nil {
		return store.QueueRedrive{}, perr
	}
	bad := func(reason string) error {
		return errorf("InvalidParameterValue", "Value %s for parameter RedrivePolicy is invalid. Reason: %s", clip(policy, 200), reason)
	}
	region, account, target, _ := parseARN(p.Target)
	if region != s.cfg.Region || account != s.cfg.AccountID {
		return store.QueueRedrive{}, bad("Dead-letter target does not exist.")
	}
	rec, err := s.st.QueueGet(ctx, target)
	if errors.Is(err, store.ErrNotFound) {
		return store.QueueRedrive{}, bad("Dead-letter target does not exist.")
	}
	if err != nil {
		return store.QueueRedrive{}, storeError(err)
	}
	if (rec.Attributes[attrFifo] == "true") != fifo {
		return store.QueueRedrive{}, bad("Dead-letter queue must be same type of queue as the source.")
	}
	if a := rec.Attributes[attrRedriveAllow]; a != "" {
		allow, aerr := parseRedriveAllowPolicy(a)
		if aerr == nil && !allow.allows(s.ARN(source)) {
			return store.QueueRedrive{}, bad("Dead-letter target's RedriveAllowPolicy does not allow this queue as a source.")
		}
	}
	return store.QueueRedrive{MaxReceive: p.MaxReceive, DeadLetter: target}, nil
}

// record returns a queue's record, or QueueDoesNotExist.
func (s *Service) record(ctx context.Context, name string) (*store.QueueRecord, error) {
	if !validName(name) {
		return nil, errQueueMissing()
	}
	rec, err := s.st.QueueGet(ctx, name)
	if err != nil {
		return nil, storeError(err)
	}
	return rec, nil
}

func (s *Service) GetQueue(ctx context.Context, name string) (*Queue, error) {
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	return &Queue{Name: name, ARN: s.ARN(name), FIFO: rec.Attributes[attrFifo] == "true"}, nil
}

func (s *Service) DeleteQueue(ctx context.Context, name string) error {
	if _, err := s.record(ctx, name); err != nil {
		return err
	}
	defer s.records.forget(name)
	return storeError(s.st.QueueDelete(ctx, name, s.now()))
}

// page checks a list request's paging: the name to list after, and how
// many names at most.
func page(in *ListInput) (after string, limit int, err error) {
	if in.MaxResults < 0 || in.MaxResults > maxListResults {
		return "", 0, errInvalidValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", in.MaxResults)
	}
	if in.NextToken != "" && in.MaxResults == 0 {
		return "", 0, errInvalidValue("MaxResults is a mandatory parameter when you provide a value for NextToken.")
	}
	after, ok := decodeToken(in.NextToken)
	if !ok {
		return "", 0, errInvalidValue("Invalid NextToken value.")
	}
	return after, cmp.Or(in.MaxResults, maxListResults), nil
}

func (s *Service) ListQueues(ctx context.Context, in *ListInput) (*ListOutput, error) {
	after, limit, err := page(in)
	if err != nil {
		return nil, err
	}
	names, next, err := s.st.QueueList(ctx, in.Prefix, after, limit)
	if err != nil {
		return nil, storeError(err)
	}
	out := &ListOutput{Names: names}
	if in.MaxResults > 0 && next != "" {
		out.NextToken = encodeToken(next)
	}
	return out, nil
}

func (s *Service) GetAttributes(ctx context.Context, name string, names []string) (map[string]string, error) {
	if len(names) > 100 {
		return nil, errInvalidValue("Too many AttributeNames: at most 100.")
	}
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	all := false
	for _, n := range names {
		if n == "All" {
			all = true
		} else if !settable(n) && !readOnly[n] {
			return nil, errorf("InvalidAttributeName", "Unknown Attribute %s.", clip(n, 64))
		}
	}
	out := make(map[string]string)
	want := func(n string) bool { return all || containsString(names, n) }
	for k, v := range rec.Attributes {
		if want(k) && v != "" {
			out[k] = v
		}
	}
	if want(attrArn) {
		out[attrArn] = s.ARN(name)
	}
	if want(attrCreated) {
		out[attrCreated] = strconv.FormatInt(rec.Created.Unix(), 10)
	}
	if want(attrModified) {
		out[attrModified] = strconv.FormatInt(rec.Modified.Unix(), 10)
	}
	if want(attrMessages) || want(attrMessagesNotVis) || want(attrMessagesDelayed) {
		st, err := s.st.QueueStats(ctx, name, s.now())
		if err != nil {
			return nil, storeError(err)
		}
		for n, v := range map[string]int64{attrMessages: st.Visible, attrMessagesNotVis: st.NotVisible, attrMessagesDelayed: st.Delayed} {
			if want(n) {
				out[n] = strconv.FormatInt(v, 10)
			}
		}
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *Service) SetAttributes(ctx context.Context, name string, attrs map[string]string) error {
	rec, err := s.record(ctx, name)
	if err != nil {
		return err
	}
	fifo := rec.Attributes[attrFifo] == "true"
	if err := checkAttrs(attrs, fifo, false); err != nil {
		return err
	}
	if fifo && attrs[attrThroughput] == "perMessageGroupId" && attrs[attrDedupScope] == "" && rec.Attributes[attrDedupScope] == "queue" {
		return errHighThroughput()
	}
	var redrive *store.QueueRedrive
	if p, ok := attrs[attrRedrive]; ok {
		r, err := s.checkRedrive(ctx, name, fifo, p)
		if err != nil {
			return err
		}
		redrive = &r
	}
	err = s.st.QueueSetAttributes(ctx, name, attrs, redrive, s.now())
	s.records.forget(name)
	if err != nil {
		return storeError(err)
	}
	if redrive != nil {
		return s.updateSources(ctx, name, rec.DeadLetter, redrive.DeadLetter)
	}
	return nil
}

func (s *Service) TagQueue(ctx context.Context, name string, tags map[string]string) error {
	if !validName(name) {
		return errQueueMissing()
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	err := s.st.QueueTagsSet(ctx, name, tags, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf("InvalidParameterValue", "Too many tags added for queue. The maximum number of tags on a queue is %d.", maxTags)
	}
	return storeError(err)
}

func (s *Service) UntagQueue(ctx context.Context, name string, keys []string) error {
	if !validName(name) {
		return errQueueMissing()
	}
	if len(keys) > maxTags {
		return errInvalidValue("Too many tag keys: at most %d.", maxTags)
	}
	return storeError(s.st.QueueTagsRemove(ctx, name, keys))
}

func (s *Service) ListTags(ctx context.Context, name string) (map[string]string, error) {
	if !validName(name) {
		return nil, errQueueMissing()
	}
	tags, err := s.st.QueueTags(ctx, name)
	return tags, storeError(err)
}

func (s *Service) PurgeQueue(ctx context.Context, name string) error {
	if !validName(name) {
		return errQueueMissing()
	}
	return storeError(s.st.QueuePurge(ctx, name, purgeInterval, s.now()))
}

// encodeToken and decodeToken make a list cursor opaque.
func encodeToken(after string) string { return base64URL(after) }

func decodeToken(t string) (string, bool) {
	if t == "" {
		return "", true
	}
	if len(t) > 512 {
		return "", false
	}
	s, ok := unbase64URL(t)
	return s, ok && validName(s)
}
