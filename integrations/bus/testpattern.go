package bus

import (
	"context"
	"encoding/json"
	"time"

	"github.com/signalbox/signalbox/integrations/bus/pattern"
)

// eventRequired are the fields TestEventPattern's event must have, as
// AWS documents them.
var eventRequired = []string{"id", "account", "source", "time", "region", "resources", "detail-type"}

// maxTestEvent bounds TestEventPattern's event: AWS's 256 KiB of an
// event.
const maxTestEvent = 256 << 10

// TestEventPattern reports whether event (an EventBridge event, JSON,
// with the fields AWS requires) matches an event pattern.
func (s *Service) TestEventPattern(ctx context.Context, eventPattern, event string) (bool, error) {
	if eventPattern == "" {
		return false, validationf("1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null")
	}
	if event == "" {
		return false, validationf("1 validation error detected: Value null at 'event' failed to satisfy constraint: Member must not be null")
	}
	if len(event) > maxTestEvent {
		return false, validationf("Parameter Event is not valid. Reason: the event is larger than 256 KiB.")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(event), &m); err != nil {
		return false, validationf("Parameter Event is not valid. Reason: the event is not a JSON object.")
	}
	for _, f := range eventRequired {
		if _, ok := m[f]; !ok {
			return false, validationf("Parameter Event is not valid. Reason: Provided Event must have the field '%s'.", f)
		}
	}
	var str string
	for _, f := range []string{"id", "account", "source", "region", "detail-type", "time"} {
		if json.Unmarshal(m[f], &str) != nil {
			return false, validationf("Parameter Event is not valid. Reason: the field '%s' must be a string.", f)
		}
		if f == "time" {
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				return false, validationf("Parameter Event is not valid. Reason: the field 'time' must be a timestamp in RFC 3339 format.")
			}
		}
	}
	var res []string
	if json.Unmarshal(m["resources"], &res) != nil {
		return false, validationf("Parameter Event is not valid. Reason: the field 'resources' must be an array of strings.")
	}
	if e := checkEventPattern(eventPattern); e != nil {
		return false, e
	}
	p, err := pattern.Parse(eventPattern)
	if err != nil {
		return false, errorf("InvalidEventPatternException", "%v", err)
	}
	ok, err := p.Matches([]byte(event))
	if err != nil {
		return false, validationf("Parameter Event is not valid. Reason: %v", err)
	}
	return ok, nil
}

// EntrySize is a PutEvents entry's size as AWS counts it against its
// 256 KiB: the UTF-8 bytes of Source, DetailType, Detail and each of
// Resources, and 14 bytes for a Time given.
func EntrySize(e *PutEventsEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	for _, r := range e.Resources {
		n += len(r)
	}
	if !e.Time.IsZero() {
		n += 14
	}
	return n
}

// MaxPutEventsBytes is the most PutEvents's entries may weigh together
// (EntrySize): AWS's 256 KiB.
const MaxPutEventsBytes = 256 << 10
