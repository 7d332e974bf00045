package asl

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/diag"
)

// State names must be unique across the whole definition, branches and
// Map processors included.
func TestValidateDuplicateStateNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		def  string
		want []string
	}{
		{"unique", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","End":true}}}],"End":true}}}`, nil},
		{"branch reuses a top-level name", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}],"End":true}}}`,
			[]string{"/States/A/Branches/0/States/A"}},
		{"two branches share a name", `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}},{"StartAt":"X","States":{"X":{"Type":"Pass","End":true}}}],"End":true}}}`,
			[]string{"/States/P/Branches/1/States/X"}},
		{"iterator reuses a name", `{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"M","States":{"M":{"Type":"Pass","End":true}}},"End":true}}}`,
			[]string{"/States/M/Iterator/States/M"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, d := range Validate([]byte(tt.def)) {
				require.Equal(t, diag.DuplicateStateName, d.Code, d.String())
				got = append(got, d.Path)
			}
			require.Equal(t, tt.want, got)
		})
	}
}

func TestUsesVariables(t *testing.T) {
	t.Parallel()
	for def, want := range map[string]bool{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`:                                                                                                            false,
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"End":true}}}`:                                                                                           true,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"End":true}}},"End":true}}}`:                  true,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"E","Assign":{"x":1}}],"Default":"E"},"E":{"Type":"Succeed"}}}`:    true,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["States.ALL"],"Next":"E","Assign":{"e":1}}],"End":true},"E":{"Type":"Succeed"}}}`: true,
	} {
		m, err := Parse([]byte(def))
		require.NoError(t, err)
		require.Equal(t, want, m.UsesVariables(), def)
	}
}
