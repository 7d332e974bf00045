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

func (s *Service) replayARN(name string) string {
	return "arn:aws:events:" + s.cfg.Region + ":" + s.cfg.AccountID + ":replay/" + name
}

func errReplayNotFound(name string) *Error {
	return &Error{Code: "ResourceNotFoundException", Message: "Replay " + name + " does not exist.", Status: http.StatusBadRequest}
}

// validName: 1 to 64 of [.-_A-Za-z0-9] (replays', archives' and rules' names).
func validName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// StartReplay starts replaying an archive's events onto a bus.
func (s *Service) StartReplay(ctx context.Context, in *StartReplayInput) (*Replay, error) {
	if !validName(in.ReplayName) {
		return nil, validationf("Parameter ReplayName is not valid.")
	}
	if len(in.Description) > 512 {
		return nil, validationf("Parameter Description is not valid.")
	}
	if in.EventStartTime.IsZero() || in.EventEndTime.IsZero() || !in.EventStartTime.Before(in.EventEndTime) {
		return nil, validationf("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	if in.EventEndTime.After(s.now()) {
		return nil, validationf("Parameter EventEndTime is not valid. Reason: EventEndTime must be in the past.")
	}
	archive, ok := strings.CutPrefix(in.EventSourceArn, "arn:aws:events:"+s.cfg.Region+":"+s.cfg.AccountID+":archive/")
	if !ok || !validName(archive) {
		return nil, validationf("Parameter EventSourceArn is not valid.")
	}
	raw, err := s.st.ArchiveRecord(ctx, archive)
	if err != nil {
		return nil, storeError(err, &Error{Code: "ResourceNotFoundException", Message: "Archive " + archive + " does not exist.", Status: http.StatusBadRequest})
	}
	var rec struct {
		EventSourceArn string `json:"EventSourceArn"`
	}
	_ = json.Unmarshal([]byte(raw), &rec)
	if in.Destination.Arn != rec.EventSourceArn {
		return nil, validationf("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	bus, err := s.busNameOf(in.Destination.Arn)
	if err != nil {
		return nil, validationf("Parameter Destination.Arn is not valid.")
	}
	for _, f := range in.Destination.FilterArns {
		if _, ok := s.ruleOfARN(bus, f); !ok {
			return nil, validationf("Parameter Destination.FilterArns is not valid. Reason: %s is not a rule of %s.", f, in.Destination.Arn)
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
	r := &replayRecord{Replay: Replay{ReplayName: in.ReplayName, ReplayArn: s.replayARN(in.ReplayName), Description: in.Description,
		State: ReplayStarting, EventSourceArn: in.EventSourceArn, Destination: in.Destination,
		EventStartTime: in.EventStartTime.UTC().Truncate(time.Millisecond), EventEndTime: in.EventEndTime.UTC().Truncate(time.Millisecond), ReplayStartTime: now.UTC()}}
	if err := s.st.ReplaySwap(ctx, in.ReplayName, "", r.encode()); err != nil {
		if errors.Is(err, store.ErrStale) {
			return nil, &Error{Code: "ResourceAlreadyExistsException", Message: "Replay " + in.ReplayName + " already exists.", Status: http.StatusBadRequest}
		}
		return nil, storeError(err, nil)
	}
	s.eng.wakeRound()
	return &r.Replay, nil
}

// ruleOfARN returns the rule name a rule ARN of bus names.
func (s *Service) ruleOfARN(bus, arn string) (string, bool) {
	prefix := s.ruleARN(bus, "")
	name, ok := strings.CutPrefix(arn, prefix)
	return name, ok && validName(name)
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
	if !validName(name) {
		return nil, validationf("Parameter ReplayName is not valid.")
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
	if !validName(name) {
		return nil, validationf("Parameter ReplayName is not valid.")
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
		if err := s.st.ReplaySwap(ctx, name, raw, r.encode()); errors.Is(err, store.ErrStale) {
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
func (s *Service) replayRound(ctx context.Context) {
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
		if s.st.ReplaySwap(ctx, name, raw, r.encode()) != nil {
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
			_ = s.st.ReplaySwap(ctx, name, raw, r.encode())
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
		if err := s.st.ReplaySwap(ctx, name, raw, r.encode()); err != nil {
			if errors.Is(err, store.ErrStale) {
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
	archive := strings.TrimPrefix(r.EventSourceArn, "arn:aws:events:"+s.cfg.Region+":"+s.cfg.AccountID+":archive/")
	evs, err := s.st.ArchiveRead(ctx, archive, r.EventStartTime, r.EventEndTime, r.CursorTime, r.CursorID, replayPage)
	if err != nil {
		return false, ""
	}
	if len(evs) == 0 {
		return true, ""
	}
	bus, err := s.busNameOf(r.Destination.Arn)
	if err != nil {
		return false, "the destination is not an event bus"
	}
	var rules map[string]bool
	if len(r.Destination.FilterArns) > 0 {
		rules = map[string]bool{}
		for _, f := range r.Destination.FilterArns {
			if n, ok := s.ruleOfARN(bus, f); ok {
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
		p := &pending{bus: bus, env: env, id: "r." + r.ReplayName + "." + e.ID}
		p.json, _ = json.Marshal(env)
		batch = append(batch, p)
	}
	if err := s.put(ctx, bus, batch, putOptions{rules: rules, noObserve: true}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return false, "the destination event bus does not exist"
		}
		return false, ""
	}
	last := evs[len(evs)-1]
	r.CursorTime, r.CursorID, r.EventLastReplayedTime = last.Time, last.ID, last.Time
	return len(evs) < replayPage, ""
}
