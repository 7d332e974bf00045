package events

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus"
)

type putEventsEntry struct {
	Time         *float64 `json:"Time"` // epoch seconds
	Source       string   `json:"Source"`
	Resources    []string `json:"Resources"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	TraceHeader  string   `json:"TraceHeader"`
}

type putEventsIn struct {
	Entries    []putEventsEntry `json:"Entries"`
	EndpointID string           `json:"EndpointId"`
}

type putEventsOut struct {
	FailedEntryCount int                   `json:"FailedEntryCount"`
	Entries          []bus.PutEventsResult `json:"Entries"`
}

// maxPutEventsEntries is PutEvents's most entries, AWS's.
const maxPutEventsEntries = 10

// fromEpoch is a JSON 1.1 timestamp (epoch seconds) as a time.
func fromEpoch(sec float64) time.Time {
	if sec == 0 || math.IsNaN(sec) || math.IsInf(sec, 0) || math.Abs(sec) > 1e11 {
		return time.Time{}
	}
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

// putEvents checks the request as a whole (1 to 10 entries, 256 KiB
// together, as AWS counts them); each entry's own problems are the bus
// router's, answered in its result.
func putEvents(s *API, ctx context.Context, in *putEventsIn) (*putEventsOut, error) {
	if in.EndpointID != "" {
		return nil, validation("not supported by Signalbox: global endpoints (EndpointId) do not exist here")
	}
	if n := len(in.Entries); n == 0 || n > maxPutEventsEntries {
		return nil, validation("1 validation error detected: Value '%d entries' at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", n, maxPutEventsEntries)
	}
	entries := make([]bus.PutEventsEntry, len(in.Entries))
	size := 0
	// an entry's TraceHeader names its event's trace; the others belong to
	// the request's
	tc, _ := ctx.Value(traceKey{}).(integrations.TraceContext)
	for i, e := range in.Entries {
		entries[i] = bus.PutEventsEntry{Source: e.Source, DetailType: e.DetailType, Detail: e.Detail, Resources: e.Resources,
			EventBusName: e.EventBusName, TraceHeader: e.TraceHeader}
		if e.TraceHeader == "" {
			entries[i].Trace = tc
		}
		if e.Time != nil {
			entries[i].Time = fromEpoch(*e.Time)
		}
		size += bus.EntrySize(&entries[i])
	}
	if size > bus.MaxPutEventsBytes {
		return nil, validation("Total size of the entries in the request is over the limit (%s).", fmt.Sprintf("%d bytes; the most is %d", size, bus.MaxPutEventsBytes))
	}
	results, err := s.b().PutEvents(ctx, entries)
	if err != nil {
		return nil, err
	}
	out := &putEventsOut{Entries: results}
	for _, r := range results {
		if r.ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	return out, nil
}

type testEventPatternIn struct {
	EventPattern string `json:"EventPattern"`
	Event        string `json:"Event"`
}

type testEventPatternOut struct {
	Result bool `json:"Result"`
}

func testEventPattern(s *API, ctx context.Context, in *testEventPatternIn) (*testEventPatternOut, error) {
	ok, err := s.b().TestEventPattern(ctx, in.EventPattern, in.Event)
	if err != nil {
		return nil, err
	}
	return &testEventPatternOut{Result: ok}, nil
}
