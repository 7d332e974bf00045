package asl

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/diag"
)

// nestedParallels is n Parallels nested in one another, each with a state
// named "Same": 1,900 of them made a 36 MB diagnostic list.
func nestedParallels(n int) string {
	def := `{"StartAt":"Same","States":{"Same":{"Type":"Pass","End":true}}}`
	for range n {
		def = `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[` + def + `]},"Same":{"Type":"Pass","End":true}}}`
	}
	return def
}

// Diagnostics are bounded in count and bytes wherever they come from, and
// nesting is bounded so that their paths are too.
func TestValidationIsBounded(t *testing.T) {
	d := Validate([]byte(nestedParallels(1900)))
	require.NotEmpty(t, d)
	size := 0
	for _, x := range d {
		size += len(x.Path) + len(x.Message)
	}
	require.Less(t, size, diag.MaxReportedBytes+2*diag.MaxFieldBytes)
	require.Equal(t, diag.MoreDiagnostics, d[len(d)-1].Code)

	// nesting is bounded: 150 levels with unique names
	def := `{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}}`
	for i := range 150 {
		def = fmt.Sprintf(`{"StartAt":"P%d","States":{"P%d":{"Type":"Parallel","End":true,"Branches":[%s]}}}`, i, i, def)
	}
	d = Validate([]byte(def))
	require.Len(t, d, 1)
	require.Equal(t, "Parallel branches and Map processors are nested more than 100 deep", d[0].Message)

	// many problems: the first hundred, then how many more
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range 5000 {
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Next":"Nowhere"},`, i)
	}
	b.WriteString(`"End":{"Type":"Succeed"}}}`)
	d = Validate([]byte(b.String()))
	require.Len(t, d, diag.MaxReported+1)
	last := d[len(d)-1]
	require.Equal(t, diag.MoreDiagnostics, last.Code)
	require.Regexp(t, `^… and \d+ more$`, last.Message)

	// within the bound, a duplicate name across nesting is still reported
	d = Validate([]byte(nestedParallels(3)))
	require.Equal(t, diag.DuplicateStateName, d[0].Code)
}

// A machine with no terminal state is refused, as AWS refuses it.
func TestValidationRefusesAMachineWithNoTerminalState(t *testing.T) {
	for _, def := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"A"}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A"}}}]}}}`,
		`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"W"}],"Default":"C"},"W":{"Type":"Wait","Seconds":1,"Next":"C"}}}`,
	} {
		d := Validate([]byte(def))
		require.Len(t, d, 1, "%s", def)
		require.Equal(t, diag.MissingEndState, d[0].Code)
		require.Equal(t, "Workflow has no terminal state", d[0].Message)
	}
	// a loop with a way out is valid
	require.Empty(t, Validate([]byte(`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"Done"}],"Default":"W"},"W":{"Type":"Wait","Seconds":1,"Next":"C"},"Done":{"Type":"Succeed"}}}`)))
}

// Fail paths take only the intrinsics AWS documents for them.
func TestFailPathsTakeOnlyStringIntrinsics(t *testing.T) {
	ok := `{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"States.Format('E{}', $.a)","CausePath":"States.JsonToString($)"}}}`
	require.Empty(t, Validate([]byte(ok)))
	for _, fn := range []string{"States.MathAdd(1, 2)", "States.Array(1)", "States.StringToJson($.s)", "States.ArrayLength($.a)"} {
		d := Validate([]byte(`{"StartAt":"F","States":{"F":{"Type":"Fail","CausePath":"` + fn + `"}}}`))
		require.Len(t, d, 1, fn)
		require.Equal(t, "/States/F/CausePath", d[0].Path)
		require.Equal(t, diag.SchemaValidationFailed, d[0].Code)
	}
}
