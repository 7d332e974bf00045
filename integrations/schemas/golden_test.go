package schemas

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestDiscoveredSchemaGolden: the schema discovery infers from the real
// event of codegen's tests is codegen/testdata/inferred.json, which
// codegen's tests compile and round-trip in every language (go, javac,
// python3, tsc): so the bindings of a discovered schema, not only of one
// written by hand, are proven to compile. Run with -update after a change
// of the inference.
func TestDiscoveredSchemaGolden(t *testing.T) {
	event, err := os.ReadFile(filepath.Join("codegen", "testdata", "event.json"))
	require.NoError(t, err)
	got, err := inferEvents([]string{string(event)})
	require.NoError(t, err)
	golden := filepath.Join("codegen", "testdata", "inferred.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "the inference changed: run go test -run TestDiscoveredSchemaGolden -update ./integrations/schemas/ and check the diff")
}
