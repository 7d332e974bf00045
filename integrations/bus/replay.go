package bus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
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

// The replay states.
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCompleted  = "COMPLETED"
	ReplayCancelled  = "CANCELLED"
	ReplayFailed     = "FAILED"
)

// Replays. A replay is a record in the store (store.ReplaySwap: every
// change compares the record read first); whichever process's round finds
// it open and unleased takes its lease and runs it: it reads the
// archive's events in time order, a page at a time, puts each on the
// destination bus with "replay-name" added (to the rules of FilterArns
// only, when given), and writes its cursor after each page. A process that
// dies mid-replay leaves its lease to end; another takes the replay over
// from the cursor, so a page may be replayed twice (at least once).

const (
	replayPage  = 100
	replayLease = 30 * time.Second
	maxReplays  = 1000
)

// replayRecord is a replay as the store keeps it.
type replayRecord struct {
	Replay
	// CursorTime and CursorID name the last event replayed.
	CursorTime time.Time `json:"CursorTime,omitzero"`
	CursorID   string    `json:"CursorID,omitempty"`
	Owner      string    `json:"Owner,omitempty"`
	LeaseUntil time.Time `json:"LeaseUntil,omitzero"`
}

func (r *replayRecord) encode() string {
	b, _ := json.Marshal(r)
	return string(b)
}

func errReplayNotFound(name string) *Error {
	return &Error{Code: "ResourceNotFoundException", Message: "Replay " + name + " does not exist.", Status: http.StatusBadRequest}
}

// StartReplay starts replaying an archive's events onto a bus.
func (s *Service) StartReplay(ctx context.Context, in *StartReplayInput) (*Replay, error) {
	if e := checkName(in.ReplayName, "replayName", maxRuleName); e != nil {
		return nil, e
	}
	if e := checkDescription(in.Description); e != nil {
		return nil, e
	}
	if in.EventStartTime.IsZero() || in.EventEndTime.IsZero() || !in.EventStartTime.Before(in.EventEndTime) {
		return nil, validationf("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	if in.EventEndTime.After(s.now()) {
		return nil, validationf("Parameter EventEndTime is not valid. Reason: EventEndTime must be in the past.")
	}
	kind, archive := ParseTargetARN(in.EventSourceArn)
	if res, ok := s.resourceOf(in.EventSourceArn); !ok || kind != TargetArchive || res != "archive/"+archive {
		return nil, validationf("Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.")
	}
	a, _, err := s.archive(ctx, archive)
	if err != nil {
		return nil, err
	}
	if in.Destination.Arn != a.EventSourceArn {
		return nil, validationf("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	bus, e := s.busNameOf(in.Destination.Arn)
	if e != nil {
		return nil, e
	}
	for _, f := range in.Destination.FilterArns {
		if b, _, ok := s.ruleOfARN(f); !ok || b != bus {
			return nil, validationf("Parameter Destination.FilterArns is not valid. Reason: %s is not a rule of %s.", clip(f, 256), in.Destination.Arn)
		}
	}
	all, err := s.st.Replays(ctx)
	if err != nil {
		return nil, storeError(err, nil)
	}
	if len(all) >= maxReplays {
		return nil, &Error{Code: "LimitExceededException", Message: "The requested resource exceeds the maximum number allowed.", Status: http.StatusBadRequest}
	}
	now := s.now()
	r := &replayRecord{Replay: Replay{ReplayName: in.ReplayName, ReplayArn: s.ReplayARN(in.ReplayName), Description: in.Description,
		State: ReplayStarting, EventSourceArn: in.EventSourceArn, Destination: in.Destination,
		EventStartTime: in.EventStartTime.UTC().Truncate(time.Millisecond), EventEndTime: in.EventEndTime.UTC().Truncate(time.Millisecond), ReplayStartTime: now.UTC()}}
	if err := s.st.ReplaySwap(ctx, in.ReplayName, "", r.encode(), maxReplays); err != nil {
		if errors.Is(err, store.ErrBusChanged) {
			return nil, &Error{Code: "ResourceAlreadyExistsException", Message: "Replay " + in.ReplayName + " already exists.", Status: http.StatusBadRequest}
		}
		return nil, storeError(err, nil)
	}
	s.eng.wakeRound()
	return &r.Replay, nil
}

func (s *Service) replay(ctx context.Context, name string) (*replayRecord, string, error) {
	raw, err := s.st.Replay(ctx, name)
	if err != nil {
		return nil, "", storeError(err, errReplayNotFound(name))
	}
	var r replayRecord
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, "", storeError(err, nil)
	}
	return &r, raw, nil
}

// DescribeReplay returns a replay.
func (s *Service) DescribeReplay(ctx context.Context, name string) (*Replay, error) {
	if e := checkName(name, "name", maxRuleName); e != nil {
		return nil, e
	}
	r, _, err := s.replay(ctx, name)
	if err != nil {
		return nil, err
	}
	return &r.Replay, nil
}

// ListReplays lists replays, by name.
func (s *Service) ListReplays(ctx context.Context, in *ListReplaysInput) (*ListReplaysOutput, error) {
	limit := in.Limit
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	all, err := s.st.Replays(ctx)
	if err != nil {
		return nil, storeError(err, nil)
	}
	names := make([]string, 0, len(all))
	for n := range all {
		if strings.HasPrefix(n, in.NamePrefix) && n > in.NextToken {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &ListReplaysOutput{}
	for _, n := range names {
		var r replayRecord
		if json.Unmarshal([]byte(all[n]), &r) != nil {
			continue
		}
		if in.State != "" && r.State != in.State || in.EventSourceArn != "" && r.EventSourceArn != in.EventSourceArn {
			continue
		}
		if len(out.Replays) == limit {
			out.NextToken = out.Replays[len(out.Replays)-1].ReplayName
			break
		}
		out.Replays = append(out.Replays, r.Replay)
	}
	return out, nil
}

// CancelReplay cancels a replay; it returns the replay as it is then
// (CANCELLING until its runner stops it).
func (s *Service) CancelReplay(ctx context.Context, name string) (*Replay, error) {
	if e := checkName(name, "name", maxRuleName); e != nil {
		return nil, e
	}
	for range putAttempts {
		r, raw, err := s.replay(ctx, name)
		if err != nil {
			return nil, err
		}
		switch r.State {
		case ReplayStarting, ReplayRunning:
		default:
			return nil, &Error{Code: "IllegalStatusException", Message: "Replay " + name + " is not in a state that can be cancelled.", Status: http.StatusBadRequest}
		}
		r.State = ReplayCancelling
		if err := s.st.ReplaySwap(ctx, name, raw, r.encode(), maxReplays); errors.Is(err, store.ErrBusChanged) {
			continue
		} else if err != nil {
			return nil, storeError(err, nil)
		}
		return &r.Replay, nil
	}
	return nil, &Error{Code: "ConcurrentModificationException", Message: "Replay " + name + " is changing: try again.", Status: http.StatusConflict}
}

// replays are the replays this process runs.
type replays struct {
	mu      sync.Mutex
	running map[string]bool
	owner   string
}

// replayRound takes the open replays whose lease ended and runs them.
func (s *Service) replayRound(ctx context.Context, _ []string) {
	all, err := s.st.Replays(ctx)
	if err != nil {
		return
	}
	now := s.now()
	for name, raw := range all {
		var r replayRecord
		if json.Unmarshal([]byte(raw), &r) != nil {
			continue
		}
		switch r.State {
		case ReplayStarting, ReplayRunning, ReplayCancelling:
		default:
			continue
		}
		s.rp.mu.Lock()
		mine := s.rp.running[name]
		s.rp.mu.Unlock()
		if mine || r.LeaseUntil.After(now) {
			continue
		}
		r.Owner, r.LeaseUntil = s.rp.owner, now.Add(replayLease)
		if r.State == ReplayStarting {
			r.State = ReplayRunning
		}
		if s.st.ReplaySwap(ctx, name, raw, r.encode(), maxReplays) != nil {
			continue // another process took it
		}
		s.rp.mu.Lock()
		s.rp.running[name] = true
		s.rp.mu.Unlock()
		s.eng.wg.Add(1)
		go func() {
			defer s.eng.wg.Done()
			defer func() { s.rp.mu.Lock(); delete(s.rp.running, name); s.rp.mu.Unlock() }()
			s.runReplay(ctx, name)
		}()
	}
}

// runReplay replays pages until the replay ends, is cancelled, or its
// lease is lost.
func (s *Service) runReplay(ctx context.Context, name string) {
	for ctx.Err() == nil {
		r, raw, err := s.replay(ctx, name)
		if err != nil || r.Owner != s.rp.owner {
			return
		}
		if r.State == ReplayCancelling {
			r.State, r.ReplayEndTime, r.LeaseUntil = ReplayCancelled, s.now().UTC(), time.Time{}
			_ = s.st.ReplaySwap(ctx, name, raw, r.encode(), maxReplays)
			return
		}
		done, fail := s.replayPage(ctx, r)
		switch {
		case fail != "":
			r.State, r.StateReason, r.ReplayEndTime = ReplayFailed, fail, s.now().UTC()
		case done:
			r.State, r.ReplayEndTime = ReplayCompleted, s.now().UTC()
		}
		if r.State != ReplayRunning {
			r.LeaseUntil = time.Time{}
		} else {
			r.LeaseUntil = s.now().Add(replayLease)
		}
		if err := s.st.ReplaySwap(ctx, name, raw, r.encode(), maxReplays); err != nil {
			if errors.Is(err, store.ErrBusChanged) {
				continue // cancelled meanwhile: read it again (the page may be replayed again)
			}
			return
		}
		if r.State != ReplayRunning {
			return
		}
	}
}

// replayPage replays the next page of a replay's events, moving its
// cursor; done when none are left.
func (s *Service) replayPage(ctx context.Context, r *replayRecord) (done bool, fail string) {
	_, archive := ParseTargetARN(r.EventSourceArn)
	evs, err := s.st.ArchiveRead(ctx, archive, r.EventStartTime, r.EventEndTime, r.CursorTime, r.CursorID, replayPage)
	if err != nil {
		return false, ""
	}
	if len(evs) == 0 {
		return true, ""
	}
	bus, e := s.busNameOf(r.Destination.Arn)
	if e != nil {
		return false, "the destination is not an event bus"
	}
	var rules map[string]bool
	if len(r.Destination.FilterArns) > 0 {
		rules = map[string]bool{}
		for _, f := range r.Destination.FilterArns {
			if _, n, ok := s.ruleOfARN(f); ok {
				rules[n] = true
			}
		}
	}
	batch := make([]*pending, 0, len(evs))
	for _, e := range evs {
		var env Event
		if json.Unmarshal([]byte(e.Payload), &env) != nil {
			continue
		}
		env.ReplayName = r.ReplayName
		p := &pending{bus: bus, env: env, id: "r." + r.ReplayName + "." + e.ID, ingested: s.now()}
		p.json, _ = json.Marshal(env)
		batch = append(batch, p)
	}
	if err := s.put(ctx, bus, batch, putOptions{rules: rules, noObserve: true}); err != nil {
		var be *Error
		if errors.As(err, &be) && be.Code == "ResourceNotFoundException" {
			return false, "the destination event bus does not exist"
		}
		return false, ""
	}
	last := evs[len(evs)-1]
	r.CursorTime, r.CursorID, r.EventLastReplayedTime = last.Time, last.ID, last.Time
	return len(evs) < replayPage, ""
}
