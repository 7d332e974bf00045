package integrations

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// NewUUIDs makes n distinct random version 4 UUIDs, one after another,
// for a few and for more than its stack buffer holds.
func TestNewUUIDs(t *testing.T) {
	t.Parallel()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for _, n := range []int{1, 9, 16, 40} {
		s := NewUUIDs(n)
		require.Len(t, s, 36*n)
		for i := range n {
			id := s[36*i : 36*(i+1)]
			require.Regexp(t, uuid, id)
			require.False(t, seen[id], "distinct")
			seen[id] = true
		}
	}
}

// NewUUIDs of a few allocates the string alone.
func TestNewUUIDsAllocatesOnce(t *testing.T) {
	require.Equal(t, 1, int(testing.AllocsPerRun(10, func() { _ = NewUUIDs(9) })))
}
