package integrations

import (
	"context"
	"sync"
)

// Batches gathers items by key (a topic's, a bus's finished deliveries)
// and hands them to one goroutine in batches (group commit): Add never
// waits, and Run's flush gets everything added since its last round,
// key by key, in slices of at most max. The routers' ackers end their
// deliveries with it, one store script per key and batch.
type Batches[T any] struct {
	max  int
	mu   sync.Mutex
	m    map[string][]T
	wake chan struct{}
}

// NewBatches returns Batches handing out at most max items at a time.
func NewBatches[T any](max int) *Batches[T] {
	return &Batches[T]{max: max, m: map[string][]T{}, wake: make(chan struct{}, 1)}
}

// Add adds an item under key, for the next round.
func (b *Batches[T]) Add(key string, v T) {
	b.mu.Lock()
	b.m[key] = append(b.m[key], v)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Run hands the items to flush until ctx ends, then once more what is
// left (flush's context then is not cancelled).
func (b *Batches[T]) Run(ctx context.Context, flush func(ctx context.Context, key string, items []T)) {
	for {
		select {
		case <-ctx.Done():
			b.drain(context.WithoutCancel(ctx), flush)
			return
		case <-b.wake:
			b.drain(ctx, flush)
		}
	}
}

// Flush hands what was added so far to flush now, from the caller's
// goroutine (beside Run's rounds: each item goes to one of them).
func (b *Batches[T]) Flush(ctx context.Context, flush func(ctx context.Context, key string, items []T)) {
	b.drain(ctx, flush)
}

func (b *Batches[T]) drain(ctx context.Context, flush func(ctx context.Context, key string, items []T)) {
	b.mu.Lock()
	m := b.m
	b.m = map[string][]T{}
	b.mu.Unlock()
	for key, items := range m {
		for len(items) > 0 {
			n := min(len(items), b.max)
			flush(ctx, key, items[:n])
			items = items[n:]
		}
	}
}
