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
// CPU). Staleness is bounded and within what AWS documents ("changes to
// most queue attributes can take up to 60 seconds to propagate"); a
// change made through this Service is seen at once (forget), and a queue
// deleted meanwhile is still refused by the store's scripts, which check
// that it exists.

const (
	recordTTL        = time.Second
	maxCachedRecords = 10_000
)

type recordCache struct {
	mu sync.Mutex
	m  map[string]cachedRecord
}

type cachedRecord struct {
	rec *store.QueueRecord
	at  time.Time
}

// hotRecord is record through the cache.
func (s *Service) hotRecord(ctx context.Context, name string) (*store.QueueRecord, error) {
	now := time.Now()
	c := &s.records
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < recordTTL {
		return e.rec, nil
	}
	rec, err := s.record(ctx, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedRecords {
		c.m = map[string]cachedRecord{}
	}
	c.m[name] = cachedRecord{rec: rec, at: now}
	c.mu.Unlock()
	return rec, nil
}

// forget drops a queue's cached record (its attributes changed here, or
// it was deleted).
func (c *recordCache) forget(name string) {
	c.mu.Lock()
	delete(c.m, name)
	c.mu.Unlock()
}
