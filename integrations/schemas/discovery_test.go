package schemas

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store/storetest"
)

// Two processes discovering the same schema at once, each from events
// with a field of its own: the compare-and-set on the latest version
// makes each merge the other's fields, so the last version has them all.
func TestDiscoveryConcurrentProcesses(t *testing.T) {
	t.Parallel()
	st := storetest.Open(t, "sbschemasd-")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := New(st, Config{}), New(st, Config{})
	for _, s := range []*Service{a, b} {
		s.Start(ctx)
		t.Cleanup(s.Close)
	}
	bus := "arn:aws:events:us-east-1:123456789012:event-bus/default"
	_, err := a.CreateDiscoverer(ctx, &CreateDiscovererInput{SourceArn: bus})
	require.NoError(t, err)

	const fields = 20
	var wg sync.WaitGroup
	for i := range fields {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.ObserveEvents(ctx, bus, [][]byte{[]byte(event(fmt.Sprintf(`{"id":1,"f%02d":"x"}`, i)))})
		}()
	}
	wg.Wait()
	require.NoError(t, a.Drain(ctx))
	require.NoError(t, b.Drain(ctx))

	d, err := a.DescribeSchema(ctx, RegistryDiscovered, "shop@OrderPlaced", "")
	require.NoError(t, err)
	for i := range fields {
		require.Contains(t, d.Content, fmt.Sprintf(`"f%02d"`, i))
	}
	got, ok := parseDiscovered([]byte(d.Content))
	require.True(t, ok)
	require.Equal(t, map[string]bool{"id": true}, got.required, "each field was in one event only")
	require.LessOrEqual(t, a.Stats().Versions+b.Stats().Versions, int64(fields))
	require.Equal(t, fmt.Sprint(a.Stats().Versions+b.Stats().Versions), d.SchemaVersion, "each write made one version")
}
