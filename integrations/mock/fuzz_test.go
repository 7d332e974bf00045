package mock

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: any text is either a configuration or a *ValidationError
// with at least one problem; never a panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/MockConfigFile.json", "testdata/invalid.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"StateMachines":{"S":{"TestCases":{"T":{"A":"R"}}}},"MockedResponses":{"R":{"0-1":{"Return":1}}}}`))
	f.Add([]byte(`{"MockedResponses":{"R":{"9223372036854775807":{"Throw":{"Error":"E"}}}}}`))
	f.Add([]byte(`{"MockedResponses":{"R":{"0-99999999999":{"Return":1}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(data)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 || cfg != nil {
				t.Fatalf("Parse(%q): %v, %v", data, cfg, err)
			}
			return
		}
		if cfg == nil {
			t.Fatalf("Parse(%q): no config and no error", data)
		}
	})
}
