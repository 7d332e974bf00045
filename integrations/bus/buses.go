package bus

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/signalbox/signalbox/store"
)

// EventBus is a bus as DescribeEventBus shows it.
type EventBus struct {
	Name             string
	Arn              string
	Description      string
	KmsKeyIdentifier string
	DeadLetterConfig *DeadLetterConfig
	CreationTime     time.Time
	LastModifiedTime time.Time
}

// CreateEventBusInput is CreateEventBus's request.
type CreateEventBusInput struct {
	Name             string
	EventSourceName  string
	Description      string
	KmsKeyIdentifier string
	DeadLetterConfig *DeadLetterConfig
	Tags             map[string]string
}

// The bus hash's attributes (store.BusRecord.Attributes).
const (
	attrDescription = "Description"
	attrKMS         = "KmsKeyIdentifier"
	attrDLQ         = "DeadLetterConfig"
	attrModified    = "LastModified" // unix ms
)

func busErrMissing(name string) *Error { return notFoundf("Event bus %s does not exist.", name) }

// checkNewBusName checks the name of a bus to create, as AWS does: the
// default bus exists already, and a name with a / is a partner's.
func checkNewBusName(name string) *Error {
	if name == "" || len(name) > maxBusName {
		return constraint(name, "name", "Member must have length less than or equal to 256 and greater than or equal to 1")
	}
	if !busNamePattern.MatchString(name) {
		return constraint(name, "name", `Member must satisfy regular expression pattern: [/\.\-_A-Za-z0-9]+`)
	}
	if name == DefaultBus {
		return errorf("ResourceAlreadyExistsException", "Event bus default already exists.")
	}
	if strings.Contains(name, "/") {
		return validationf("Event bus name must not contain '/'.")
	}
	return nil
}

func checkDLQ(d *DeadLetterConfig) *Error {
	if d == nil || d.Arn == "" {
		return nil
	}
	if k, _ := ParseTargetARN(d.Arn); k != TargetQueue {
		return validationf("Parameter DeadLetterConfig.Arn is not valid. Reason: it must be the ARN of an SQS queue.")
	}
	return nil
}

// CreateEventBus creates a custom bus and returns its ARN.
func (s *Service) CreateEventBus(ctx context.Context, in *CreateEventBusInput) (string, error) {
	if e := checkNewBusName(in.Name); e != nil {
		return "", e
	}
	if in.EventSourceName != "" {
		return "", validationf("not supported by Signalbox: partner event sources (EventSourceName) do not exist here")
	}
	if e := checkDescription(in.Description); e != nil {
		return "", e
	}
	if e := checkDLQ(in.DeadLetterConfig); e != nil {
		return "", e
	}
	if e := checkTags(in.Tags); e != nil {
		return "", e
	}
	attrs, err := busAttrs(in.Description, in.KmsKeyIdentifier, in.DeadLetterConfig, s.now())
	if err != nil {
		return "", err
	}
	_, err = s.st.BusCreate(ctx, in.Name, attrs, in.Tags, s.now(), true)
	if errors.Is(err, store.ErrBusExists) {
		return "", errorf("ResourceAlreadyExistsException", "Event bus %s already exists.", in.Name)
	}
	if err != nil {
		return "", storeError(err, busErrMissing(in.Name))
	}
	return s.BusARN(in.Name), nil
}

func busAttrs(desc, kms string, dlq *DeadLetterConfig, now time.Time) (map[string]string, error) {
	attrs := map[string]string{attrDescription: desc, attrKMS: kms, attrModified: itoa(now.UnixMilli()), attrDLQ: ""}
	if dlq != nil && dlq.Arn != "" {
		b, err := json.Marshal(dlq)
		if err != nil {
			return nil, err
		}
		attrs[attrDLQ] = string(b)
	}
	for k, v := range attrs {
		if v == "" {
			delete(attrs, k)
		}
	}
	return attrs, nil
}

// ensureBus checks that a bus exists, creating the default bus on first
// use (it always exists in AWS).
func (s *Service) ensureBus(ctx context.Context, name string) error {
	if name == DefaultBus {
		if s.defaultMade.Load() {
			return nil
		}
		if _, err := s.st.BusCreate(ctx, DefaultBus, nil, nil, s.now(), false); err != nil {
			return storeError(err, busErrMissing(name))
		}
		s.defaultMade.Store(true)
		return nil
	}
	if _, err := s.st.BusGet(ctx, name); err != nil {
		return storeError(err, busErrMissing(name))
	}
	return nil
}

// DescribeEventBus returns a bus (name or ARN; "" the default bus).
func (s *Service) DescribeEventBus(ctx context.Context, nameOrARN string) (*EventBus, error) {
	name, e := s.busNameOf(nameOrARN)
	if e != nil {
		return nil, e
	}
	if err := s.ensureBus(ctx, name); err != nil {
		return nil, err
	}
	r, err := s.st.BusGet(ctx, name)
	if err != nil {
		return nil, storeError(err, busErrMissing(name))
	}
	return s.eventBus(r), nil
}

func (s *Service) eventBus(r *store.BusRecord) *EventBus {
	b := &EventBus{Name: r.Name, Arn: s.BusARN(r.Name), Description: r.Attributes[attrDescription],
		KmsKeyIdentifier: r.Attributes[attrKMS], CreationTime: r.Created, LastModifiedTime: r.Created}
	if ms, err := atoi(r.Attributes[attrModified]); err == nil && ms > 0 {
		b.LastModifiedTime = time.UnixMilli(ms)
	}
	if d := r.Attributes[attrDLQ]; d != "" {
		b.DeadLetterConfig = new(DeadLetterConfig)
		_ = json.Unmarshal([]byte(d), b.DeadLetterConfig)
	}
	return b
}

// UpdateEventBusInput is UpdateEventBus's request: the bus's description,
// key and dead-letter queue, replaced.
type UpdateEventBusInput struct {
	Name             string
	Description      string
	KmsKeyIdentifier string
	DeadLetterConfig *DeadLetterConfig
}

// UpdateEventBus replaces a bus's description, key and dead-letter queue.
func (s *Service) UpdateEventBus(ctx context.Context, in *UpdateEventBusInput) (*EventBus, error) {
	name, e := s.busNameOf(in.Name)
	if e != nil {
		return nil, e
	}
	if e := checkDescription(in.Description); e != nil {
		return nil, e
	}
	if e := checkDLQ(in.DeadLetterConfig); e != nil {
		return nil, e
	}
	if err := s.ensureBus(ctx, name); err != nil {
		return nil, err
	}
	attrs, err := busAttrs(in.Description, in.KmsKeyIdentifier, in.DeadLetterConfig, s.now())
	if err != nil {
		return nil, err
	}
	for _, k := range []string{attrDescription, attrKMS, attrDLQ} {
		if _, ok := attrs[k]; !ok {
			attrs[k] = "" // removed
		}
	}
	if err := s.st.BusSetAttributes(ctx, name, attrs); err != nil {
		return nil, storeError(err, busErrMissing(name))
	}
	return s.DescribeEventBus(ctx, name)
}

// DeleteEventBus deletes a custom bus with its rules and what it owes.
// The default bus cannot be deleted; deleting a bus that does not exist
// succeeds, as in AWS.
func (s *Service) DeleteEventBus(ctx context.Context, nameOrARN string) error {
	name, e := s.busNameOf(nameOrARN)
	if e != nil {
		return e
	}
	if name == DefaultBus {
		return validationf("Cannot delete event bus default.")
	}
	return storeError(s.st.BusDelete(ctx, name), busErrMissing(name))
}

// ListEventBusesInput is ListEventBuses's request.
type ListEventBusesInput struct {
	NamePrefix string
	NextToken  string
	Limit      int
}

// ListEventBusesOutput is a page of buses.
type ListEventBusesOutput struct {
	EventBuses []EventBus
	NextToken  string
}

// ListEventBuses lists the buses, the default bus included, by name.
func (s *Service) ListEventBuses(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
	limit, e := listLimit(in.Limit)
	if e != nil {
		return nil, e
	}
	after, e := parsePageToken("buses", in.NextToken)
	if e != nil {
		return nil, e
	}
	if err := s.ensureBus(ctx, DefaultBus); err != nil {
		return nil, err
	}
	names, next, err := s.st.BusList(ctx, in.NamePrefix, after, limit)
	if err != nil {
		return nil, storeError(err, busErrMissing(""))
	}
	out := &ListEventBusesOutput{EventBuses: []EventBus{}, NextToken: pageToken("buses", next)}
	for _, n := range names {
		r, err := s.st.BusGet(ctx, n)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, storeError(err, busErrMissing(n))
		}
		out.EventBuses = append(out.EventBuses, *s.eventBus(r))
	}
	return out, nil
}

// pageToken encodes where a listing of kind continues ("" at the end).
func pageToken(kind, after string) string {
	if after == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("v1\x00" + kind + "\x00" + after))
}

// parsePageToken decodes a token of pageToken's for kind; a token of
// another listing, or a made-up one, is a ValidationException.
func parsePageToken(kind, tok string) (string, *Error) {
	if tok == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	f := strings.SplitN(string(b), "\x00", 3)
	if len(tok) > 2048 || err != nil || len(f) != 3 || f[0] != "v1" || f[1] != kind || f[2] == "" {
		return "", validationf("The NextToken provided is invalid.")
	}
	return f[2], nil
}
