package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// An archive keeps the events of its source bus that match its pattern.
// As in AWS, it is a record (ArchivesKey) and a rule managed by EventBridge
// on the source bus, "Events-Archive-<name>", whose pattern is the
// archive's (or every event) and {"replay-name":[{"exists":false}]} (a
// replayed event is not archived again), and whose one target,
// "Events-Archive-<name>", is the archive's ARN: the data plane archives
// an event when it matches that rule (its counts, in ArchiveKey, are the
// data plane's).

// MaxArchives bounds the archives of the account. AWS's quota is 10,000
// per account and region; 1,000 here keeps ListArchives one read.
const MaxArchives = 1000

// The archive states AWS has; only ENABLED is reached here (an archive
// is created and updated at once).
const (
	ArchiveEnabled  = "ENABLED"
	ArchiveDisabled = "DISABLED"
)

// Archive is an archive as DescribeArchive shows it.
type Archive struct {
	ArchiveName    string    `json:"ArchiveName"`
	ArchiveArn     string    `json:"ArchiveArn"`
	EventSourceArn string    `json:"EventSourceArn"`
	Description    string    `json:"Description,omitempty"`
	EventPattern   string    `json:"EventPattern,omitempty"`
	State          string    `json:"State"`
	StateReason    string    `json:"StateReason,omitempty"`
	RetentionDays  int       `json:"RetentionDays"` // 0: forever
	CreationTime   time.Time `json:"CreationTime"`
	// counts, from the data plane (not stored in the record)
	EventCount int64 `json:"-"`
	SizeBytes  int64 `json:"-"`
}

// ArchiveRuleName is the name of the managed rule of the archive named
// name (and of its one target).
func ArchiveRuleName(name string) string { return archiveRulePrefix + name }

// CreateArchiveInput is CreateArchive's request.
type CreateArchiveInput struct {
	ArchiveName    string
	EventSourceArn string
	Description    string
	EventPattern   string
	RetentionDays  int
}

func archiveErrMissing(name string) *Error { return notFoundf("Archive %s does not exist.", name) }

func checkRetention(days int) *Error {
	if days < 0 {
		return constraint(fmt.Sprint(days), "retentionDays", "Member must have value greater than or equal to 0")
	}
	return nil
}

// archivePattern is the managed rule's pattern: the archive's, or every
// event, with replayed events left out.
func archivePattern(src string) (string, error) {
	m := map[string]json.RawMessage{}
	if src != "" {
		if err := json.Unmarshal([]byte(src), &m); err != nil {
			return "", err
		}
	}
	m["replay-name"] = json.RawMessage(`[{"exists":false}]`)
	b, err := json.Marshal(m)
	return string(b), err
}

// CreateArchive creates an archive of a bus's events and its managed rule.
func (s *Service) CreateArchive(ctx context.Context, in *CreateArchiveInput) (*Archive, error) {
	if e := checkName(in.ArchiveName, "archiveName", maxArchiveName); e != nil {
		return nil, e
	}
	bus, e := s.archiveSource(in.EventSourceArn)
	if e != nil {
		return nil, e
	}
	if e := checkDescription(in.Description); e != nil {
		return nil, e
	}
	if e := checkRetention(in.RetentionDays); e != nil {
		return nil, e
	}
	if in.EventPattern != "" {
		if e := checkEventPattern(in.EventPattern); e != nil {
			return nil, e
		}
	}
	if err := s.ensureBus(ctx, bus); err != nil {
		return nil, err
	}
	a := &Archive{ArchiveName: in.ArchiveName, ArchiveArn: s.ArchiveARN(in.ArchiveName), EventSourceArn: s.BusARN(bus),
		Description: in.Description, EventPattern: in.EventPattern, State: ArchiveEnabled, RetentionDays: in.RetentionDays,
		CreationTime: s.now().UTC()}
	rec, err := archiveRecords.create(ctx, s, a)
	if err != nil {
		return nil, err
	}
	if err := s.putArchiveRule(ctx, bus, a); err != nil {
		// the archive goes with the rule it could not have
		_ = s.st.ArchiveWrite(context.WithoutCancel(ctx), a.ArchiveName, rec, "", MaxArchives)
		return nil, err
	}
	return a, nil
}

// archiveSource is the bus an archive's EventSourceArn names (a bus ARN).
func (s *Service) archiveSource(arn string) (string, *Error) {
	if arn == "" {
		return "", constraint(arn, "eventSourceArn", "Member must have length greater than or equal to 1")
	}
	if !strings.Contains(arn, ":event-bus/") {
		return "", validationf("Parameter EventSourceArn is not valid. Reason: it must be the ARN of an event bus.")
	}
	return s.busNameOf(arn)
}

// putArchiveRule creates or updates an archive's managed rule with its
// one target.
func (s *Service) putArchiveRule(ctx context.Context, bus string, a *Archive) error {
	pat, err := archivePattern(a.EventPattern)
	if err != nil {
		return errorf("InvalidEventPatternException", "Event pattern is not valid. Reason: %v", err)
	}
	name := ArchiveRuleName(a.ArchiveName)
	_, err = s.updateRule(ctx, bus, name, true, nil, func(r *Rule, exists bool) error {
		if exists && r.ManagedBy != managedByEvents {
			return errorf("ResourceAlreadyExistsException", "Rule %s already exists on event bus %s and is not the archive's.", name, bus)
		}
		if !exists {
			r.CreatedAt = s.now().UTC()
		}
		r.Name, r.Arn, r.EventBusName = name, s.RuleARN(bus, name), bus
		r.EventPattern, r.State, r.ManagedBy = pat, StateEnabled, managedByEvents
		r.Description = "Archive rule for " + a.ArchiveName
		r.Targets = []Target{{ID: name, Arn: a.ArchiveArn}}
		return nil
	})
	return err
}

// archive reads an archive's record.
func (s *Service) archive(ctx context.Context, name string) (*Archive, string, error) {
	return archiveRecords.read(ctx, s, name)
}

// DescribeArchive returns an archive with its counts.
func (s *Service) DescribeArchive(ctx context.Context, name string) (*Archive, error) {
	a, err := archiveRecords.describe(ctx, s, name)
	if err != nil {
		return nil, err
	}
	a.EventCount, a.SizeBytes, err = s.st.ArchiveCounts(ctx, name)
	if err != nil {
		return nil, storeError(err, archiveErrMissing(name))
	}
	return a, nil
}

// UpdateArchiveInput is UpdateArchive's request: the fields given
// (non-nil) replace the archive's.
type UpdateArchiveInput struct {
	ArchiveName   string
	Description   *string
	EventPattern  *string
	RetentionDays *int
}

// UpdateArchive changes an archive's description, pattern (and its
// managed rule's) or retention.
func (s *Service) UpdateArchive(ctx context.Context, in *UpdateArchiveInput) (*Archive, error) {
	if e := checkName(in.ArchiveName, "archiveName", maxArchiveName); e != nil {
		return nil, e
	}
	if in.Description != nil {
		if e := checkDescription(*in.Description); e != nil {
			return nil, e
		}
	}
	if in.RetentionDays != nil {
		if e := checkRetention(*in.RetentionDays); e != nil {
			return nil, e
		}
	}
	if in.EventPattern != nil && *in.EventPattern != "" {
		if e := checkEventPattern(*in.EventPattern); e != nil {
			return nil, e
		}
	}
	patternChanged := false
	a, err := archiveRecords.change(ctx, s, in.ArchiveName, func(a *Archive) error {
		if in.Description != nil {
			a.Description = *in.Description
		}
		if in.RetentionDays != nil {
			a.RetentionDays = *in.RetentionDays
		}
		patternChanged = in.EventPattern != nil && *in.EventPattern != a.EventPattern
		if in.EventPattern != nil {
			a.EventPattern = *in.EventPattern
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if patternChanged {
		bus, e := s.busNameOf(a.EventSourceArn)
		if e != nil {
			return nil, e
		}
		if err := s.putArchiveRule(ctx, bus, a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// DeleteArchive deletes an archive, its events and its managed rule.
func (s *Service) DeleteArchive(ctx context.Context, name string) error {
	if e := checkName(name, "archiveName", maxArchiveName); e != nil {
		return e
	}
	_, err := archiveRecords.change(ctx, s, name, func(a *Archive) error {
		// the rule first: no event is archived into a deleted archive
		if bus, e := s.busNameOf(a.EventSourceArn); e == nil {
			_, err := s.updateRule(ctx, bus, ArchiveRuleName(name), true, nil, func(*Rule, bool) error { return errRuleDeleted })
			var be *Error
			if err != nil && !(errors.As(err, &be) && be.Code == "ResourceNotFoundException") {
				return err
			}
		}
		return errRecordDeleted
	})
	return err
}

// ListArchivesInput is ListArchives's request.
type ListArchivesInput struct {
	NamePrefix     string
	EventSourceArn string
	State          string
	NextToken      string
	Limit          int
}

// ListArchivesOutput is a page of archives.
type ListArchivesOutput struct {
	Archives  []Archive
	NextToken string
}

// ListArchives lists the archives by name, with their counts.
func (s *Service) ListArchives(ctx context.Context, in *ListArchivesInput) (*ListArchivesOutput, error) {
	limit, e := listLimit(in.Limit)
	if e != nil {
		return nil, e
	}
	if in.NamePrefix != "" && in.EventSourceArn != "" {
		return nil, validationf("At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.")
	}
	archives, next, err := archiveRecords.list(ctx, s, in.NamePrefix, in.NextToken, limit, func(a *Archive) bool {
		return (in.EventSourceArn == "" || a.EventSourceArn == in.EventSourceArn) && (in.State == "" || a.State == in.State)
	})
	if err != nil {
		return nil, err
	}
	for i := range archives {
		a := &archives[i]
		a.EventCount, a.SizeBytes, err = s.st.ArchiveCounts(ctx, a.ArchiveName)
		if err != nil {
			return nil, storeError(err, nil)
		}
	}
	return &ListArchivesOutput{Archives: archives, NextToken: next}, nil
}
