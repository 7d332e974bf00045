package asl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Following finds a state's Next without a lookup and any other state by
// name, as State does.
func TestFollowing(t *testing.T) {
	m := mustCompile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},
		"B":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"C"}],"Default":"A"},"C":{"Type":"Succeed"}}}`)
	a, _ := m.State("A")
	b, _ := m.State("B")
	c, _ := m.State("C")
	for _, tc := range []struct {
		from State
		name string
		want State
	}{{nil, "A", a}, {a, "B", b}, {b, "C", c}, {b, "A", a}, {a, "C", c}, {c, "A", a}} {
		got, ok := m.Following(tc.from, tc.name)
		require.True(t, ok, tc.name)
		require.Same(t, tc.want, got, tc.name)
	}
	_, ok := m.Following(a, "Z")
	require.False(t, ok)
}
