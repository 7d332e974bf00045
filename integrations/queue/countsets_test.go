package queue

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The counts' attribute sets: one per queue and operation, the same one
// each time, at most maxCountSets kept.
func TestCountSets(t *testing.T) {
	t.Parallel()
	set := func(o []metric.AddOption) attribute.Set { return metric.NewAddConfig(o).Attributes() }
	var c countSets
	a := set(c.of("a", "send"))
	require.True(t, a.Equals(ptr(attribute.NewSet(attribute.String("queue", "a"), attribute.String("operation", "send")))))
	require.False(t, a.Equals(ptr(set(c.of("a", "receive")))))
	require.False(t, a.Equals(ptr(set(c.of("b", "send")))))
	require.True(t, a.Equals(ptr(set(c.of("a", "send")))))
	for i := range 2 * maxCountSets {
		c.of(string(rune('a'+i%26))+string(rune(i)), "send")
	}
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	require.LessOrEqual(t, n, maxCountSets)
	require.Positive(t, n)
}
