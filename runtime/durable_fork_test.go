package runtime

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
)

// How many iterations of a durable Map run at a time: MaxConcurrency, 40
// at most for an inline Map (0 included), 10,000 at most for a
// Distributed one, and never more than there are items.
func TestMapConcurrency(t *testing.T) {
	t.Parallel()
	items := make([]any, 50000)
	for _, tt := range []struct {
		max         int
		distributed bool
		n           int
		want        int
	}{
		{0, false, 5000, 40},
		{3, false, 5000, 3},
		{100, false, 5000, 40},
		{10, false, 4, 4},
		{0, true, 5000, 5000},
		{200, true, 5000, 200},
		{1_000_000, true, 5000, 5000},
		{0, true, 50000, 10000},
	} {
		got := mapConcurrency(asl.RunMap{MaxConcurrency: tt.max, Distributed: tt.distributed, Items: items[:tt.n]})
		require.Equal(t, tt.want, got, "MaxConcurrency %d, distributed %v, %d items", tt.max, tt.distributed, tt.n)
	}
}
