package schemas

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/store"
)

// The Service is the bus's Observer (bus.Config.Observer).
var _ bus.Observer = (*Service)(nil)

// Discovery: ObserveEvents (the bus's Observer seam) queues the events of
// a put, within Config.QueueEvents events and Config.QueueBytes bytes, and
// returns at once; events beyond are dropped and counted, since discovery
// is best effort (AWS's too: it samples). One background loop takes the
// queue in order: for each event of a bus whose discoverer is STARTED (and
// of this account, unless the discoverer is CrossAccount) it infers the
// detail's shape, merges it with the latest version of the schema
// "<source>@<DetailTypeName>" in discovered-schemas, and adds a version
// when the merged document differs from it. The write is a compare-and-set
// on the latest version (store.SchemaDiscover), so processes discovering
// the same schema at once merge each other's fields rather than lose them.

// discoverersTTL is how long the loop trusts its view of the discoverers:
// a change made through another process is seen within it (one read of
// the discoverers hash per second at most while events flow).
const discoverersTTL = time.Second

type observed struct {
	bus    string // the bus's ARN
	events [][]byte
	size   int64
}

type discovery struct {
	s *Service

	mu      sync.Mutex
	queue   []observed
	events  int
	bytes   int64
	signal  chan struct{}
	waiters []chan struct{} // Drain's, closed when the queue is empty and idle
	busy    bool

	viewAt time.Time
	view   map[string]*discovererRecord // bus ARN → its discoverer

	dropped, inferred, versions, rejected atomic.Int64

	run     sync.Mutex
	running bool
	cancel  context.CancelFunc
	done    chan struct{}
}

func newDiscovery(s *Service) *discovery {
	return &discovery{s: s, signal: make(chan struct{}, 1)}
}

// Stats are discovery's counters since the Service was made.
type Stats struct {
	// Dropped: events observed while the queue was full.
	Dropped int64
	// Inferred: events whose schema was inferred (of a started discoverer).
	Inferred int64
	// Versions: schema versions discovery added.
	Versions int64
	// Rejected: events inference could not read (not an event's JSON).
	Rejected int64
}

// Stats returns discovery's counters.
func (s *Service) Stats() Stats {
	d := s.disc
	return Stats{Dropped: d.dropped.Load(), Inferred: d.inferred.Load(), Versions: d.versions.Load(), Rejected: d.rejected.Load()}
}

// ObserveEvents queues the events a bus (by ARN) accepted for discovery;
// it never blocks. It is the bus's Observer (integrations/bus).
func (s *Service) ObserveEvents(_ context.Context, busARN string, events [][]byte) {
	if len(events) == 0 {
		return
	}
	d := s.disc
	var size int64
	for _, e := range events {
		size += int64(len(e))
	}
	now := s.now()
	d.mu.Lock()
	if d.view != nil && !now.Before(d.viewAt) && now.Sub(d.viewAt) <= discoverersTTL {
		// the loop's view is fresh: a bus without a started discoverer's
		// events are not copied and queued only to be dropped there
		if disc := d.view[busARN]; disc == nil || disc.State != StateStarted {
			d.mu.Unlock()
			return
		}
	}
	if d.events+len(events) > s.cfg.QueueEvents || d.bytes+size > s.cfg.QueueBytes {
		d.mu.Unlock()
		d.dropped.Add(int64(len(events)))
		return
	}
	// the bus may reuse its buffers after the call
	cp := make([][]byte, len(events))
	for i, e := range events {
		cp[i] = append([]byte(nil), e...)
	}
	d.queue = append(d.queue, observed{bus: busARN, events: cp, size: size})
	d.events += len(events)
	d.bytes += size
	d.mu.Unlock()
	select {
	case d.signal <- struct{}{}:
	default:
	}
}

// Drain waits until discovery has processed every event queued before
// the call (or ctx ends). Discovery must be started.
func (s *Service) Drain(ctx context.Context) error {
	d := s.disc
	d.mu.Lock()
	if len(d.queue) == 0 && !d.busy {
		d.mu.Unlock()
		return nil
	}
	w := make(chan struct{})
	d.waiters = append(d.waiters, w)
	d.mu.Unlock()
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// forget drops the view of the discoverers: the next event reads them.
func (d *discovery) forget() {
	d.mu.Lock()
	d.view = nil
	d.mu.Unlock()
}

func (d *discovery) start(ctx context.Context) {
	d.run.Lock()
	defer d.run.Unlock()
	if d.running {
		return
	}
	d.running = true
	ctx, d.cancel = context.WithCancel(ctx)
	d.done = make(chan struct{})
	go d.loop(ctx, d.done)
}

func (d *discovery) stop() {
	d.run.Lock()
	defer d.run.Unlock()
	if !d.running {
		return
	}
	d.cancel()
	<-d.done
	d.running = false
}

func (d *discovery) loop(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		d.mu.Lock()
		if len(d.queue) == 0 {
			d.busy = false
			for _, w := range d.waiters {
				close(w)
			}
			d.waiters = nil
			d.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-d.signal:
				continue
			}
		}
		job := d.queue[0]
		d.queue[0] = observed{}
		d.queue = d.queue[1:]
		d.events -= len(job.events)
		d.bytes -= job.size
		d.busy = true
		d.mu.Unlock()
		d.process(ctx, job)
		if ctx.Err() != nil {
			return
		}
	}
}

// discovererOf returns the discoverer of a bus, nil for none.
func (d *discovery) discovererOf(ctx context.Context, bus string) (*discovererRecord, error) {
	now := d.s.now()
	d.mu.Lock()
	view, at := d.view, d.viewAt
	d.mu.Unlock()
	if view == nil || now.Sub(at) > discoverersTTL || now.Before(at) {
		all, err := d.s.st.SchemaDiscoverers(ctx)
		if err != nil {
			return nil, err
		}
		view = make(map[string]*discovererRecord, len(all))
		for _, raw := range all {
			var r discovererRecord
			if json.Unmarshal([]byte(raw), &r) == nil {
				view[r.SourceArn] = &r
			}
		}
		d.mu.Lock()
		d.view, d.viewAt = view, now
		d.mu.Unlock()
	}
	return view[bus], nil
}

// process infers the schemas of one put's events.
func (d *discovery) process(ctx context.Context, job observed) {
	log := d.s.cfg.Logger
	disc, err := d.discovererOf(ctx, job.bus)
	if err != nil {
		log.Warn("schema discovery: reading the discoverers", "err", err)
		return
	}
	if disc == nil || disc.State != StateStarted {
		return
	}
	// merge the put's events per schema first: one write per schema
	type found struct {
		source, detailType string
		detail             *shape
	}
	var order []string
	byName := map[string]*found{}
	for _, raw := range job.events {
		ev, err := parseEvent(raw)
		if err != nil {
			d.rejected.Add(1)
			continue
		}
		if !disc.CrossAccount {
			var env struct {
				Account string `json:"account"`
			}
			if json.Unmarshal(raw, &env) == nil && env.Account != "" && env.Account != d.s.cfg.AccountID {
				continue
			}
		}
		d.inferred.Add(1)
		name := discoveredName(ev.source, ev.detailType)
		f := byName[name]
		if f == nil {
			f = &found{source: ev.source, detailType: ev.detailType}
			byName[name] = f
			order = append(order, name)
		}
		f.detail = merge(f.detail, ev.detail)
	}
	for _, name := range order {
		f := byName[name]
		if err := d.record(ctx, name, f.source, f.detailType, f.detail); err != nil {
			log.Warn("schema discovery: writing a schema", "schema", name, "err", err)
		}
	}
}

// record merges detail into the discovered schema name, adding a version
// when the schema does not cover it.
func (d *discovery) record(ctx context.Context, name, source, detailType string, detail *shape) error {
	s := d.s
	for range 20 {
		latest := 0
		merged := detail
		_, v, err := s.st.SchemaVersionGet(ctx, RegistryDiscovered, name, 0)
		switch {
		case err == nil:
			latest = v.Version
			if old, ok := parseDiscovered([]byte(v.Content)); ok {
				merged = merge(old, detail)
			}
		case errors.Is(err, store.ErrNotFound):
		default:
			return err
		}
		content := string(renderOpenAPI(source, detailType, merged))
		if v != nil && v.Content == content && v.Type == TypeOpenAPI3 {
			return nil // covered
		}
		now := s.now()
		record := "" // an existing schema keeps its description and tags
		if latest == 0 {
			record = encode(&schemaRecord{})
		}
		res, err := s.st.SchemaPut(ctx, &store.SchemaPutParams{Registry: RegistryDiscovered, Name: name, Mode: store.SchemaDiscover,
			Type: TypeOpenAPI3, Content: content, ExpectLatest: latest, Record: record,
			RegistryRecord: encode(&registryRecord{Description: "Schemas discovered on event buses.", Created: now.UnixMilli()}),
			MaxVersions:    maxVersions, Now: now})
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return err
		}
		if res.New {
			d.versions.Add(1)
		}
		return nil
	}
	return errors.New("the schema kept changing")
}
