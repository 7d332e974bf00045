package bus

import (
	"context"
	"net/http"
	"time"
)

// ReplayDestination is where a replay sends events: a bus, and optionally
// only some of its rules.
type ReplayDestination struct {
	Arn        string   `json:"Arn"`
	FilterArns []string `json:"FilterArns,omitempty"`
}

// Replay is a replay as DescribeReplay shows it (State: STARTING, RUNNING,
// CANCELLING, COMPLETED, CANCELLED, FAILED).
type Replay struct {
	ReplayName            string            `json:"ReplayName"`
	ReplayArn             string            `json:"ReplayArn"`
	Description           string            `json:"Description,omitempty"`
	State                 string            `json:"State"`
	StateReason           string            `json:"StateReason,omitempty"`
	EventSourceArn        string            `json:"EventSourceArn"`
	Destination           ReplayDestination `json:"Destination"`
	EventStartTime        time.Time         `json:"EventStartTime"`
	EventEndTime          time.Time         `json:"EventEndTime"`
	EventLastReplayedTime time.Time         `json:"EventLastReplayedTime,omitzero"`
	ReplayStartTime       time.Time         `json:"ReplayStartTime,omitzero"`
	ReplayEndTime         time.Time         `json:"ReplayEndTime,omitzero"`
}

// StartReplayInput is StartReplay's request.
type StartReplayInput struct {
	ReplayName     string
	Description    string
	EventSourceArn string // the archive's ARN
	EventStartTime time.Time
	EventEndTime   time.Time
	Destination    ReplayDestination
}

// ListReplaysInput is ListReplays's request.
type ListReplaysInput struct {
	NamePrefix     string
	State          string
	EventSourceArn string
	NextToken      string
	Limit          int
}

// ListReplaysOutput is a page of replays.
type ListReplaysOutput struct {
	Replays   []Replay
	NextToken string
}

var errReplayNotBuilt = &Error{Code: "InternalException", Message: "replays are not implemented yet", Status: http.StatusNotImplemented}

// StartReplay starts replaying an archive's events onto a bus.
func (s *Service) StartReplay(ctx context.Context, in *StartReplayInput) (*Replay, error) {
	return nil, errReplayNotBuilt
}

// DescribeReplay returns a replay.
func (s *Service) DescribeReplay(ctx context.Context, name string) (*Replay, error) {
	return nil, errReplayNotBuilt
}

// ListReplays lists replays.
func (s *Service) ListReplays(ctx context.Context, in *ListReplaysInput) (*ListReplaysOutput, error) {
	return nil, errReplayNotBuilt
}

// CancelReplay cancels a replay; it returns the replay as it is then.
func (s *Service) CancelReplay(ctx context.Context, name string) (*Replay, error) {
	return nil, errReplayNotBuilt
}
