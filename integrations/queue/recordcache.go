package queue

import (
	"context"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// The hot paths (Send, Receive, Delete, ChangeMessageVisibility) read a
// queue's record through a cache that trusts a record for recordTTL of
// real time: profiles of the topic and bus routers, and of consumers,
// showed the record's HGETALL on every call (about a tenth of serve's
// CPU). Past recordTTL, a record younger than recordMaxStale is still
// used while one background read refreshes it (refresh-ahead), so that no
// request waits for that read: with the read in the request, one call a
// second paid an extra round trip, which is where the long poll's wake-up
// p99 was (bench queue, session 11). Staleness is bounded and within what
// AWS documents ("changes to most queue attributes can take up to 60
// seconds to propagate"): recordTTL plus one call's wait on a busy queue,
// recordMaxStale on a quiet one; a change made through this Service is
// seen at once (forget), and a queue deleted meanwhile is still refused by
// the store's scripts, which check that it exists.

const (
	recordTTL        = time.Second
	recordMaxStale   = 10 * time.Second
	maxCachedRecords = 10_000
)

type recordCache struct {
	mu sync.Mutex
	m  map[string]*cachedRecord
	// clock is real time (time.Now when nil); tests set it.
	clock func() time.Time
}

type cachedRecord struct {
	rec        *store.QueueRecord
	conf       queueConf // confOf(rec), made once
	at         time.Time
	refreshing bool // a background read is under way (guarded by recordCache.mu)
}

// newCachedRecord is the cache's entry of rec, read at now.
func newCachedRecord(rec *store.QueueRecord, now time.Time) *cachedRecord {
	return &cachedRecord{rec: rec, conf: confOf(rec), at: now}
}

func (c *recordCache) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// hotRecord is record through the cache.
func (s *Service) hotRecord(ctx context.Context, name string) (*store.QueueRecord, error) {
	e, err := s.hotEntry(ctx, name)
	if err != nil {
		return nil, err
	}
	return e.rec, nil
}

// hotConf is hotRecord with its configuration (confOf), made once a
// record rather than at each call (the four attributes parsed were a
// tenth of the topic router's direct fanout per queue).
func (s *Service) hotConf(ctx context.Context, name string) (*store.QueueRecord, queueConf, error) {
	e, err := s.hotEntry(ctx, name)
	if err != nil {
		return nil, queueConf{}, err
	}
	return e.rec, e.conf, nil
}

// hotEntry is the cache's entry of the queue named name, read when it has
// none (or too old a one).
func (s *Service) hotEntry(ctx context.Context, name string) (*cachedRecord, error) {
	c := &s.records
	now := c.now()
	c.mu.Lock()
	e := c.m[name]
	if e != nil {
		age := now.Sub(e.at)
		if age < recordTTL {
			c.mu.Unlock()
			return e, nil
		}
		if age < recordMaxStale {
			refresh := !e.refreshing
			e.refreshing = true
			c.mu.Unlock()
			if refresh {
				s.tasks.Add(1)
				go s.refreshRecord(name, e)
			}
			return e, nil
		}
	}
	c.mu.Unlock()
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	e = newCachedRecord(rec, now)
	c.put(name, e)
	return e, nil
}

// refreshRecord reads the record of e again, in the background, and puts
// it in e's place unless e was forgotten or replaced meanwhile. A queue
// found missing is forgotten (its next call reads it, and fails); any
// other error leaves e to be refreshed by a later call.
func (s *Service) refreshRecord(name string, e *cachedRecord) {
	defer s.tasks.Done()
	c := &s.records
	now := c.now()
	ctx, cancel := context.WithTimeout(s.stop, recordTTL)
	defer cancel()
	rec, err := s.record(ctx, name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[name] != e {
		return
	}
	switch {
	case err == nil:
		c.m[name] = newCachedRecord(rec, now)
	case isMissing(err):
		delete(c.m, name)
	default:
		e.refreshing = false
	}
}

func (c *recordCache) put(name string, e *cachedRecord) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRecords {
		c.m = map[string]*cachedRecord{}
	}
	c.m[name] = e
	c.mu.Unlock()
}

// forget drops a queue's cached record (its attributes changed here, or
// it was deleted).
func (c *recordCache) forget(name string) {
	c.mu.Lock()
	delete(c.m, name)
	c.mu.Unlock()
}
