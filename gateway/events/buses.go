package events

import (
	"context"

	"github.com/signalbox/signalbox/integrations/bus"
)

type eventBus struct {
	Name             string                `json:"Name"`
	Arn              string                `json:"Arn"`
	Description      string                `json:"Description,omitempty"`
	KmsKeyIdentifier string                `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *bus.DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	CreationTime     *epoch                `json:"CreationTime,omitempty"`
	LastModifiedTime *epoch                `json:"LastModifiedTime,omitempty"`
}

func toEventBus(b *bus.EventBus) eventBus {
	return eventBus{Name: b.Name, Arn: b.Arn, Description: b.Description, KmsKeyIdentifier: b.KmsKeyIdentifier,
		DeadLetterConfig: b.DeadLetterConfig, CreationTime: at(b.CreationTime), LastModifiedTime: at(b.LastModifiedTime)}
}

type createEventBusIn struct {
	Name             string                `json:"Name"`
	EventSourceName  string                `json:"EventSourceName"`
	Description      string                `json:"Description"`
	KmsKeyIdentifier string                `json:"KmsKeyIdentifier"`
	DeadLetterConfig *bus.DeadLetterConfig `json:"DeadLetterConfig"`
	Tags             []tag                 `json:"Tags"`
}

type createEventBusOut struct {
	EventBusArn      string                `json:"EventBusArn"`
	Description      string                `json:"Description,omitempty"`
	KmsKeyIdentifier string                `json:"KmsKeyIdentifier,omitempty"`
	DeadLetterConfig *bus.DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

func createEventBus(s *API, ctx context.Context, in *createEventBusIn) (*createEventBusOut, error) {
	tags, err := tagMap(in.Tags)
	if err != nil {
		return nil, err
	}
	arn, err := s.b().CreateEventBus(ctx, &bus.CreateEventBusInput{Name: in.Name, EventSourceName: in.EventSourceName,
		Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig, Tags: tags})
	if err != nil {
		return nil, err
	}
	return &createEventBusOut{EventBusArn: arn, Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig}, nil
}

type nameIn struct {
	Name string `json:"Name"`
}

func describeEventBus(s *API, ctx context.Context, in *nameIn) (*eventBus, error) {
	b, err := s.b().DescribeEventBus(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	out := toEventBus(b)
	return &out, nil
}

type updateEventBusIn struct {
	Name             string                `json:"Name"`
	Description      string                `json:"Description"`
	KmsKeyIdentifier string                `json:"KmsKeyIdentifier"`
	DeadLetterConfig *bus.DeadLetterConfig `json:"DeadLetterConfig"`
}

func updateEventBus(s *API, ctx context.Context, in *updateEventBusIn) (*eventBus, error) {
	b, err := s.b().UpdateEventBus(ctx, &bus.UpdateEventBusInput{Name: in.Name, Description: in.Description,
		KmsKeyIdentifier: in.KmsKeyIdentifier, DeadLetterConfig: in.DeadLetterConfig})
	if err != nil {
		return nil, err
	}
	out := toEventBus(b)
	out.CreationTime, out.LastModifiedTime = nil, nil // UpdateEventBus answers these fields only
	return &out, nil
}

type empty struct{}

func deleteEventBus(s *API, ctx context.Context, in *nameIn) (*empty, error) {
	if in.Name == "" {
		return nil, validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null")
	}
	return &empty{}, s.b().DeleteEventBus(ctx, in.Name)
}

type listIn struct {
	NamePrefix string `json:"NamePrefix"`
	NextToken  string `json:"NextToken"`
	Limit      int    `json:"Limit"`
}

type listEventBusesOut struct {
	EventBuses []eventBus `json:"EventBuses"`
	NextToken  string     `json:"NextToken,omitempty"`
}

func listEventBuses(s *API, ctx context.Context, in *listIn) (*listEventBusesOut, error) {
	out, err := s.b().ListEventBuses(ctx, &bus.ListEventBusesInput{NamePrefix: in.NamePrefix, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listEventBusesOut{EventBuses: make([]eventBus, len(out.EventBuses)), NextToken: out.NextToken}
	for i := range out.EventBuses {
		res.EventBuses[i] = toEventBus(&out.EventBuses[i])
	}
	return res, nil
}
