package runtime

import (
	"context"

	"github.com/signalbox/signalbox/store"
)

// StoreOf is the store a Durable runs on, for the package's external tests
// that inspect or damage stored records directly.
func StoreOf(d *Durable) *store.Client { return d.store }

// Process carries out one work item as a worker does: it loads the thread,
// decides with asl what happens, and applies it with one transition. A
// stale or duplicate item (its seq is not the thread's) is dropped. For
// the tests that deliver items by hand.
func (d *Durable) Process(ctx context.Context, item store.WorkItem) error {
	return d.process(ctx, item, nil, nil)
}
