package runtime

import (
	"context"
	"sync"
	"time"

	"github.com/signalbox/signalbox/store"
)

// smCacheTTL is how long a process trusts the state machine record it read
// to start executions. AWS's UpdateStateMachine is eventually consistent in
// the same way: executions started shortly after an update may run the
// previous definition. Changes made through this process take effect at
// once here.
const smCacheTTL = time.Second

// smCache holds the state machine records StartExecution read recently.
type smCache struct {
	mu sync.Mutex
	m  map[string]smCached
}

type smCached struct {
	sm *store.StateMachine
	at time.Time
}

// stateMachine returns the record of the state machine name, from the cache
// when it is fresh.
func (d *Durable) stateMachine(ctx context.Context, name string) (*store.StateMachine, error) {
	c := &d.sms
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && time.Since(e.at) < smCacheTTL {
		return e.sm, nil
	}
	sm, err := d.store.StateMachineGet(ctx, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]smCached{}
	}
	c.m[name] = smCached{sm: sm, at: time.Now()}
	c.mu.Unlock()
	return sm, nil
}

// forgetStateMachine drops a state machine's cached record: this process
// changed it.
func (d *Durable) forgetStateMachine(name string) {
	d.sms.mu.Lock()
	delete(d.sms.m, name)
	d.sms.mu.Unlock()
}
