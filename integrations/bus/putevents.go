package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/store"
)

// AWS's limits of PutEvents.
const (
	maxPutEntries = 10
	// maxDetailDepth is how deep a Detail may nest (AWS: 1100 levels; the
	// matcher and the transformer walk it, so it is bounded here at 100).
	maxDetailDepth = 100
	// putAttempts bounds how often a put matches again when the bus's
	// rules changed under it.
	putAttempts = 5
)

// eventTime is how an envelope's time is written: RFC 3339 in UTC, to the
// second, as AWS writes it.
const eventTime = "2006-01-02T15:04:05Z"

// PutEvents puts entries (1 to 10) on their buses: each entry's outcome in
// its result, in order; the error only for the whole request.
func (s *Service) PutEvents(ctx context.Context, entries []PutEventsEntry) ([]PutEventsResult, error) {
	if len(entries) == 0 || len(entries) > maxPutEntries {
		return nil, validationf("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	size := 0
	for i := range entries {
		size += EntrySize(&entries[i])
	}
	if size > MaxPutEventsBytes {
		return nil, validationf("Total size of the entries in the request is over the limit.")
	}
	results := make([]PutEventsResult, len(entries))
	byBus := map[string][]*pending{}
	var order []string
	now := s.now()
	for i := range entries {
		p, fail := s.newEvent(&entries[i], now)
		if fail != nil {
			results[i] = *fail
			continue
		}
		p.result = i
		if byBus[p.bus] == nil {
			order = append(order, p.bus)
		}
		byBus[p.bus] = append(byBus[p.bus], p)
	}
	for _, bus := range order {
		evs := byBus[bus]
		err := s.put(ctx, bus, evs, putOptions{})
		for _, p := range evs {
			var be *Error
			switch {
			case err == nil:
				results[p.result] = PutEventsResult{EventID: p.env.ID}
			case errors.As(err, &be) && be.Code == "ResourceNotFoundException":
				results[p.result] = PutEventsResult{ErrorCode: be.Code, ErrorMessage: be.Message}
			default:
				results[p.result] = PutEventsResult{ErrorCode: "InternalFailure", ErrorMessage: "The event could not be put: " + err.Error()}
			}
		}
	}
	return results, nil
}

// pending is an event on its way to a bus: its envelope, JSON, trace
// context and, once matched, its deliveries.
type pending struct {
	bus    string
	env    Event
	json   []byte
	trace  integrations.TraceContext
	result int // its entry's index
	// ingested is when the bus took it (a target's event age counts from
	// it; an InputTransformer's <aws.events.event.ingestion-time>).
	ingested time.Time
	// enc is its stored form, once made.
	enc string
	// id is its id in the bus's store: the envelope's, or for a replay
	// "<replay>:<envelope's>" (an event may be replayed while its first
	// deliveries are still being made).
	id         string
	deliveries []string
}

// newEvent validates an entry and makes its event, or the entry's failure
// as AWS reports it.
func (s *Service) newEvent(e *PutEventsEntry, now time.Time) (*pending, *PutEventsResult) {
	invalid := func(param, reason string) *PutEventsResult {
		return &PutEventsResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter " + param + " is not valid. Reason: " + reason}
	}
	switch {
	case e.Source == "":
		return nil, invalid("Source", "Source is a required argument.")
	case e.DetailType == "":
		return nil, invalid("DetailType", "DetailType is a required argument.")
	case e.Detail == "":
		return nil, invalid("Detail", "Detail is a required argument.")
	case len(e.Source) > 256 || !utf8.ValidString(e.Source):
		return nil, invalid("Source", "Source is longer than 256 characters or is not valid UTF-8.")
	case len(e.DetailType) > 256 || !utf8.ValidString(e.DetailType):
		return nil, invalid("DetailType", "DetailType is longer than 256 characters or is not valid UTF-8.")
	case strings.HasPrefix(e.Source, "aws."):
		return nil, &PutEventsResult{ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source."}
	}
	if !jsonObject(e.Detail) {
		return nil, &PutEventsResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	for _, r := range e.Resources {
		if r == "" || len(r) > 2048 {
			return nil, invalid("Resources", "a resource is empty or longer than 2048 characters.")
		}
	}
	bus, berr := s.busNameOf(e.EventBusName)
	if berr != nil {
		code := "InvalidArgument"
		if berr.Code == "ResourceNotFoundException" {
			code = berr.Code
		}
		return nil, &PutEventsResult{ErrorCode: code, ErrorMessage: berr.Message}
	}
	at := e.Time
	if at.IsZero() {
		at = now
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	p := &pending{bus: bus, env: Event{Version: "0", ID: integrations.NewUUID(), DetailType: e.DetailType, Source: e.Source,
		Account: s.cfg.AccountID, Time: at.UTC().Format(eventTime), Region: s.cfg.Region, Resources: resources,
		Detail: json.RawMessage(e.Detail)}, trace: e.Trace, ingested: now}
	if e.TraceHeader != "" {
		// the event's own header: its trace, whatever the request's
		p.trace = integrations.TraceContext{Parent: e.TraceHeader}
	}
	p.id = p.env.ID
	var err error
	if p.json, err = json.Marshal(p.env); err != nil {
		return nil, &PutEventsResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	return p, nil
}

// jsonObject reports whether s is one JSON object, nested at most
// maxDetailDepth deep.
func jsonObject(s string) bool {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") || !json.Valid([]byte(t)) {
		return false
	}
	depth, deepest, inString, escaped := 0, 0, false, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest <= maxDetailDepth
}

// putOptions shape a put that is not PutEvents's own.
type putOptions struct {
	// rules, when set, limits the rules matched (a replay's FilterArns:
	// rule names).
	rules map[string]bool
	// only, when set, is the one rule the events go to, unmatched (a
	// schedule's tick).
	only string
	tick *store.BusTick
	// noObserve: the events are not new (a replay's, a tick's): the
	// discoverers do not see them.
	noObserve bool
}

// put matches events against a bus's rules and writes them with their
// deliveries in one script, then hands the deliveries to this process's
// workers. The default bus is made on first use.
func (s *Service) put(ctx context.Context, bus string, evs []*pending, o putOptions) error {
	if bus == DefaultBus {
		if err := s.ensureBus(ctx, bus); err != nil {
			return err
		}
	}
	var v *view
	var err error
	for attempt := 0; ; attempt++ {
		if attempt == 0 {
			v, err = s.view(ctx, bus)
		} else {
			v, err = s.loadView(ctx, bus)
		}
		if err != nil {
			return err
		}
		sevs, err := s.match(v, evs, o)
		if err != nil {
			return err
		}
		ver := v.ver
		if o.only != "" {
			ver = -1
		}
		err = s.st.BusPut(ctx, &store.BusPutParams{Bus: bus, Version: ver, Events: sevs, LeaseUntil: s.now().Add(s.cfg.DeliveryLease), Tick: o.tick})
		if errors.Is(err, store.ErrBusStale) && attempt+1 < putAttempts {
			continue
		}
		if errors.Is(err, store.ErrTickTaken) {
			return err
		}
		if err != nil {
			return storeError(err, busErrMissing(bus))
		}
		break
	}
	s.meters.put(ctx, bus, len(evs))
	for _, p := range evs {
		for _, d := range p.deliveries {
			rule, target, _ := strings.Cut(d, "\x00")
			s.eng.dispatch(ctx, job{bus: bus, id: p.id, rule: rule, target: target, payload: p.stored(), ev: p})
		}
	}
	s.mu.Lock()
	obs := s.cfg.Observer
	s.mu.Unlock()
	if obs != nil && !o.noObserve {
		payloads := make([][]byte, len(evs))
		for i, p := range evs {
			payloads[i] = p.json
		}
		obs.ObserveEvents(ctx, s.BusARN(bus), payloads)
	}
	return nil
}

// match finds each event's deliveries in a view.
func (s *Service) match(v *view, evs []*pending, o putOptions) ([]store.BusEvent, error) {
	out := make([]store.BusEvent, len(evs))
	for i, p := range evs {
		p.deliveries = p.deliveries[:0]
		var rules []string
		if o.only != "" {
			rules = []string{o.only}
		} else {
			var err error
			if rules, err = v.machine.Match(p.json); err != nil {
				return nil, fmt.Errorf("bus: matching event %s: %w", p.env.ID, err)
			}
		}
		for _, name := range rules {
			if o.rules != nil && !o.rules[name] {
				continue
			}
			rv := v.rules[name]
			if rv == nil {
				continue
			}
			for _, t := range rv.rule.Targets {
				if rv.targets[t.ID] != nil {
					p.deliveries = append(p.deliveries, name+"\x00"+t.ID)
				}
			}
		}
		out[i] = store.BusEvent{ID: p.id, Payload: p.stored(), Deliveries: p.deliveries}
	}
	return out, nil
}

// stored is how an event is kept with its deliveries: its trace
// context's three headers and when it was ingested (unix ms), each on a
// line, then its JSON.
func (p *pending) stored() string {
	if p.enc != "" {
		return p.enc
	}
	var b strings.Builder
	b.Grow(len(p.json) + len(p.trace.Parent) + len(p.trace.State) + len(p.trace.Baggage) + 20)
	for _, h := range []string{p.trace.Parent, p.trace.State, p.trace.Baggage} {
		b.WriteString(strings.ReplaceAll(h, "\n", ""))
		b.WriteByte('\n')
	}
	b.WriteString(strconv.FormatInt(p.ingested.UnixMilli(), 10))
	b.WriteByte('\n')
	b.Write(p.json)
	p.enc = b.String()
	return p.enc
}

// storedEvent is an event as a delivery reads it back.
type storedEvent struct {
	json     []byte
	trace    integrations.TraceContext
	ingested time.Time
}

// unstored reads what stored wrote.
func unstored(s string) storedEvent {
	parts := strings.SplitN(s, "\n", 5)
	if len(parts) != 5 {
		return storedEvent{json: []byte(s)}
	}
	ms, _ := strconv.ParseInt(parts[3], 10, 64)
	return storedEvent{json: []byte(parts[4]), trace: integrations.TraceContext{Parent: parts[0], State: parts[1], Baggage: parts[2]}, ingested: time.UnixMilli(ms).UTC()}
}
