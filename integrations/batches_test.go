package integrations

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBatches(t *testing.T) {
	t.Parallel()
	b := NewBatches[int](3)
	var mu sync.Mutex
	got := map[string][]int{}
	var sizes []int
	flush := func(_ context.Context, key string, items []int) {
		mu.Lock()
		defer mu.Unlock()
		got[key] = append(got[key], items...)
		sizes = append(sizes, len(items))
	}
	for i := range 7 {
		b.Add("a", i)
	}
	b.Add("b", 100)
	b.Flush(context.Background(), flush)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, got["a"], "in the order added")
	require.Equal(t, []int{100}, got["b"])
	sort.Ints(sizes)
	require.Equal(t, []int{1, 1, 3, 3}, sizes, "at most 3 a batch")

	// Run flushes what is added, and what is left when it stops
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx, flush); close(done) }()
	b.Add("c", 1)
	cancel()
	<-done
	b.Flush(context.Background(), flush) // whichever took it, it was flushed once
	require.Equal(t, []int{1}, got["c"])
}
