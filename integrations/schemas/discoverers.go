package schemas

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/signalbox/signalbox/store"
)

// discovererRecord is a discoverer as the store keeps it.
type discovererRecord struct {
	Description  string            `json:"Description,omitempty"`
	SourceArn    string            `json:"SourceArn"`
	CrossAccount bool              `json:"CrossAccount"`
	State        string            `json:"State"`
	Tags         map[string]string `json:"Tags,omitempty"`
}

// A discoverer's id is derived from its bus, as AWS's are
// ("events-event-bus-default"): a bus has at most one discoverer.
const discovererIDPrefix = "events-event-bus-"

func (s *Service) discovererOut(id string, r *discovererRecord) *Discoverer {
	return &Discoverer{CrossAccount: r.CrossAccount, Description: r.Description, DiscovererArn: s.DiscovererARN(id), DiscovererID: id,
		SourceArn: r.SourceArn, State: r.State, Tags: r.Tags}
}

// busOf returns the bus an event bus ARN of this region and account
// names.
func (s *Service) busOf(arn string) (string, *Error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:events:"+s.cfg.Region+":"+s.cfg.AccountID+":event-bus/")
	if !ok || rest == "" || len(rest) > 256 || strings.ContainsAny(rest, "/{}\x00") {
		return "", badRequest("SourceArn %q is not the ARN of an event bus of region %s and account %s.", clip(arn, 200), s.cfg.Region, s.cfg.AccountID)
	}
	return rest, nil
}

// CreateDiscovererInput is CreateDiscoverer's request.
type CreateDiscovererInput struct {
	SourceArn    string
	Description  *string
	CrossAccount *bool // default true: AWS infers cross-account events unless told not to
	Tags         map[string]string
}

// CreateDiscoverer creates a discoverer on a bus, STARTED: ConflictException
// when the bus has one.
func (s *Service) CreateDiscoverer(ctx context.Context, in *CreateDiscovererInput) (*Discoverer, error) {
	bus, e := s.busOf(in.SourceArn)
	if e != nil {
		return nil, e
	}
	if e := firstError(checkDescription(in.Description), checkTags(in.Tags)); e != nil {
		return nil, e
	}
	if s.cfg.Buses != nil {
		ok, err := s.cfg.Buses.BusExists(ctx, bus)
		if err != nil {
			return nil, s.storeError(err, "reading an event bus")
		}
		if !ok {
			return nil, notFound("Event bus %s does not exist.", bus)
		}
	}
	rec := &discovererRecord{SourceArn: in.SourceArn, CrossAccount: true, State: StateStarted, Tags: in.Tags}
	if in.Description != nil {
		rec.Description = *in.Description
	}
	if in.CrossAccount != nil {
		rec.CrossAccount = *in.CrossAccount
	}
	id := discovererIDPrefix + bus
	err := s.st.SchemaDiscovererCreate(ctx, id, encode(rec))
	if errors.Is(err, store.ErrConflict) {
		return nil, conflict("Event bus %s has a discoverer: %s.", bus, id)
	}
	if err != nil {
		return nil, s.storeError(err, "creating a discoverer")
	}
	s.disc.forget()
	return s.discovererOut(id, rec), nil
}

func checkDiscovererID(id string) *Error {
	if id == "" || len(id) > 512 || strings.ContainsAny(id, "{}\x00") {
		return badRequest("DiscovererId %q is not valid.", clip(id, 100))
	}
	return nil
}

func (s *Service) discoverer(ctx context.Context, id string) (*discovererRecord, string, error) {
	if e := checkDiscovererID(id); e != nil {
		return nil, "", e
	}
	return discovererRecords.read(ctx, s, id)
}

// DescribeDiscoverer returns a discoverer.
func (s *Service) DescribeDiscoverer(ctx context.Context, id string) (*Discoverer, error) {
	r, _, err := s.discoverer(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.discovererOut(id, r), nil
}

// changeDiscoverer changes a discoverer's record with f, again when it
// moved meanwhile.
func (s *Service) changeDiscoverer(ctx context.Context, id string, f func(*discovererRecord)) (*Discoverer, error) {
	r, err := discovererRecords.change(ctx, s, id, func() (*discovererRecord, string, error) { return s.discoverer(ctx, id) },
		func(r *discovererRecord) *Error { f(r); return nil })
	if err != nil {
		return nil, err
	}
	s.disc.forget()
	return s.discovererOut(id, r), nil
}

// UpdateDiscoverer sets a discoverer's description and CrossAccount.
func (s *Service) UpdateDiscoverer(ctx context.Context, id string, description *string, crossAccount *bool) (*Discoverer, error) {
	if e := checkDescription(description); e != nil {
		return nil, e
	}
	return s.changeDiscoverer(ctx, id, func(r *discovererRecord) {
		if description != nil {
			r.Description = *description
		}
		if crossAccount != nil {
			r.CrossAccount = *crossAccount
		}
	})
}

// StartDiscoverer starts a discoverer.
func (s *Service) StartDiscoverer(ctx context.Context, id string) (*DiscovererState, error) {
	d, err := s.changeDiscoverer(ctx, id, func(r *discovererRecord) { r.State = StateStarted })
	if err != nil {
		return nil, err
	}
	return &DiscovererState{DiscovererID: id, State: d.State}, nil
}

// StopDiscoverer stops a discoverer.
func (s *Service) StopDiscoverer(ctx context.Context, id string) (*DiscovererState, error) {
	d, err := s.changeDiscoverer(ctx, id, func(r *discovererRecord) { r.State = StateStopped })
	if err != nil {
		return nil, err
	}
	return &DiscovererState{DiscovererID: id, State: d.State}, nil
}

// DeleteDiscoverer deletes a discoverer (the schemas it discovered stay).
func (s *Service) DeleteDiscoverer(ctx context.Context, id string) error {
	if e := checkDiscovererID(id); e != nil {
		return e
	}
	err := s.st.SchemaDiscovererDelete(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return discovererRecords.missing(id)
	}
	if err != nil {
		return s.storeError(err, "deleting a discoverer")
	}
	s.disc.forget()
	return nil
}

// ListDiscoverersInput is ListDiscoverers's request.
type ListDiscoverersInput struct {
	DiscovererIDPrefix string
	SourceArnPrefix    string
	Limit              int
	NextToken          string
}

// ListDiscoverers lists discoverers by id.
func (s *Service) ListDiscoverers(ctx context.Context, in *ListDiscoverersInput) (*DiscovererList, error) {
	limit, after, e := page(in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	all, err := s.st.SchemaDiscoverers(ctx)
	if err != nil {
		return nil, s.storeError(err, "listing discoverers")
	}
	ids := make([]string, 0, len(all))
	for id := range all {
		if id > after && strings.HasPrefix(id, in.DiscovererIDPrefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := &DiscovererList{Discoverers: []Discoverer{}}
	for _, id := range ids {
		var r discovererRecord
		if json.Unmarshal([]byte(all[id]), &r) != nil || !strings.HasPrefix(r.SourceArn, in.SourceArnPrefix) {
			continue
		}
		if len(out.Discoverers) == limit {
			out.NextToken = pageToken(out.Discoverers[limit-1].DiscovererID)
			break
		}
		out.Discoverers = append(out.Discoverers, *s.discovererOut(id, &r))
	}
	return out, nil
}
