package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Event is a history event to append. The store assigns its id from the
// execution's counter and its previousEventId, and stores it as JSON with
// those two fields first: {"id":7,"previousEventId":6,...}.
type Event struct {
	// JSON is the event as a JSON object without "id" and
	// "previousEventId" (for example timestamp, type and details).
	JSON []byte
	// PreviousID overrides the previous event's id; 0 chains the event to
	// the event before it in the same call, or to the thread's latest event
	// for the first; NoPreviousEvent gives it previousEventId 0.
	PreviousID int64
}

// NoPreviousEvent is the PreviousID of an event that follows none: AWS
// gives the first state's StateEntered previousEventId 0, not
// ExecutionStarted's id.
const NoPreviousEvent = -1

// inner returns the event's JSON object without its braces.
func (e Event) inner() (string, error) {
	b := bytes.TrimSpace(e.JSON)
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' || !json.Valid(b) {
		return "", fmt.Errorf("%w: a history event must be a JSON object, got %.40q", ErrInvalid, b)
	}
	if e.PreviousID < 0 && e.PreviousID != NoPreviousEvent {
		return "", fmt.Errorf("%w: previous event id %d", ErrInvalid, e.PreviousID)
	}
	return string(bytes.TrimSpace(b[1 : len(b)-1])), nil
}

// eventIDs returns the ids first..last, or nil when first is 0 (no event).
func eventIDs(first, last int64) []int64 {
	if first == 0 {
		return nil
	}
	ids := make([]int64, 0, last-first+1)
	for id := first; id <= last; id++ {
		ids = append(ids, id)
	}
	return ids
}

// HistoryEvent is a stored history event.
type HistoryEvent struct {
	ID   int64
	JSON []byte // the event's JSON, "id" and "previousEventId" first
}

// HistoryPageParams select a page of an execution's history.
type HistoryPageParams struct {
	ExecutionID string
	// From is the cursor: the page holds events after From (forward) or
	// before it (Reverse). 0 starts at the first event, or the latest when
	// Reverse.
	From int64
	// Limit is the page size; 0 means 100.
	Limit int
	// Reverse pages from the latest event backwards.
	Reverse bool
}

// HistoryPageResult is one page of history.
type HistoryPageResult struct {
	Events []HistoryEvent
	// Next is the From of the next page, 0 when this page is the last.
	Next int64
}

// HistoryPage returns a page of an execution's history events, in id order
// (or reverse id order). Event n is at index n-1 of the history list, so a
// page is one LRANGE, reading one event more than asked to know whether
// another page follows. An execution without events, or a missing one,
// has an empty history.
func (c *Client) HistoryPage(ctx context.Context, p *HistoryPageParams) (*HistoryPageResult, error) {
	if err := checkID("execution id", p.ExecutionID); err != nil {
		return nil, err
	}
	if p.From < 0 || p.Limit < 0 {
		return nil, fmt.Errorf("%w: history page from %d, limit %d", ErrInvalid, p.From, p.Limit)
	}
	limit := int64(p.Limit)
	if limit == 0 {
		limit = 100
	}
	key := c.keys.HistoryKey(p.ExecutionID)
	// start and stop are list indexes; first is the id at start.
	var start, stop int64
	if !p.Reverse {
		start, stop = p.From, p.From+limit // one more than limit
	} else {
		before := p.From
		if before == 0 {
			// The list only grows at its tail: events appended after LLEN
			// belong to no page of this walk, which starts at the latest.
			n, err := c.historyLen(ctx, key)
			if err != nil {
				return nil, fmt.Errorf("store: history of %s: %w", p.ExecutionID, err)
			}
			before = n + 1
		}
		stop = before - 2 // the index of event before-1
		start = max(stop-limit, 0)
		if stop < 0 {
			return &HistoryPageResult{}, nil
		}
	}
	vals, err := c.historyRange(ctx, key, start, stop)
	if err != nil {
		return nil, fmt.Errorf("store: history of %s: %w", p.ExecutionID, err)
	}
	evs := make([]HistoryEvent, len(vals))
	for i, v := range vals {
		id := start + int64(i) + 1
		b, err := renderEvent(id, v)
		if err != nil {
			return nil, fmt.Errorf("store: history of %s: %w", p.ExecutionID, err)
		}
		evs[i] = HistoryEvent{ID: id, JSON: b}
	}
	if p.Reverse {
		slices.Reverse(evs)
	}
	res := &HistoryPageResult{Events: evs}
	if int64(len(evs)) > limit {
		res.Events = evs[:limit]
		res.Next = evs[limit-1].ID
	}
	return res, nil
}

// renderEvent renders the history's event id, as the list keeps it
// (scripts.go), as its JSON object with "id" and "previousEventId" first.
// The scripts push what Go built without rebuilding it: the id is the
// event's place in the list, and the previous event's id is either named
// or the id before it; the fields are packed (eventcodec.go). An event
// written by a version before 0.6 is that JSON object already.
func renderEvent(id int64, v string) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: history event %d is empty", ErrCorrupt, id)
	}
	var prev, fields string
	switch v[0] {
	case '{':
		return []byte(v), nil
	case '~':
		prev, fields = strconv.FormatInt(id-1, 10), v[1:]
	case '^':
		k := strings.IndexByte(v, '|')
		if k < 2 {
			return nil, fmt.Errorf("%w: history event %d: %.40q", ErrCorrupt, id, v)
		}
		prev, fields = v[1:k], v[k+1:]
	default:
		return nil, fmt.Errorf("%w: history event %d: %.40q", ErrCorrupt, id, v)
	}
	fields = unpackEvent(fields)
	b := make([]byte, 0, len(fields)+40)
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"previousEventId":`...)
	b = append(b, prev...)
	if fields != "" {
		b = append(b, ',')
		b = append(b, fields...)
	}
	return append(b, '}'), nil
}

// historySep joins the events of a history kept as one string (an
// execution created SUCCEEDED: scriptExecutionCreate). A stored event
// holds no raw control byte but the codes of eventcodec.go, and "\x1e" is
// none of them.
const historySep = "\x1e"

// historyRange returns the history's elements start..stop (list indexes,
// both >= 0, stop included, as LRANGE), from a list or, for a history
// kept as one string, from the string: read whole, it is short (a start's
// prefix, at most 64 steps).
func (c *Client) historyRange(ctx context.Context, key string, start, stop int64) ([]string, error) {
	vals, err := c.rdb.LRange(ctx, key, start, stop).Result()
	if !isWrongType(err) {
		return vals, err
	}
	all, err := c.historyJoined(ctx, key)
	if err != nil || start >= int64(len(all)) {
		return nil, err
	}
	return all[start:min(stop+1, int64(len(all)))], nil
}

// historyLen is the number of events in the history, a list or a string.
func (c *Client) historyLen(ctx context.Context, key string) (int64, error) {
	n, err := c.rdb.LLen(ctx, key).Result()
	if !isWrongType(err) {
		return n, err
	}
	all, err := c.historyJoined(ctx, key)
	return int64(len(all)), err
}

func (c *Client) historyJoined(ctx context.Context, key string) ([]string, error) {
	v, err := c.rdb.Get(ctx, key).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil // expired meanwhile
	}
	if err != nil {
		return nil, err
	}
	return strings.Split(v, historySep), nil
}

// isWrongType reports whether err is Redis's WRONGTYPE: a command for
// another type of value than the key holds.
func isWrongType(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "WRONGTYPE")
}
