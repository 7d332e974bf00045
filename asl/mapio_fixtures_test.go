package asl

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/stretchr/testify/require"
)

// The definitions in testdata/mapio are public AWS samples (and AWS's
// documented examples, and definitions AWS accepted in recorded tests)
// that use a Distributed Map, most with an ItemReader or a ResultWriter;
// testdata/mapio/README.md names where each comes from.

func mapioFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "mapio", name))
	require.NoError(t, err)
	return b
}

func TestMapIOSamplesValidate(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "mapio", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 8)
	readers := 0
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Empty(t, Validate(b))
			m, d := Compile(b)
			require.Empty(t, d)
			require.NotNil(t, m)
			distributed := false
			var walk func(*StateMachine)
			walk = func(sm *StateMachine) {
				for _, name := range sm.StateNames() {
					s, _ := sm.State(name)
					switch x := s.(type) {
					case *Map:
						if x.Distributed {
							distributed = true
							require.NotEmpty(t, x.ExecutionType, name)
						}
						if x.Reader != nil || x.Writer != nil {
							readers++
						}
						walk(x.Processor)
					case *Parallel:
						for _, b := range x.Branches {
							walk(b)
						}
					}
				}
			}
			walk(m)
			require.True(t, distributed, "no Distributed Map")
		})
	}
	require.GreaterOrEqual(t, readers, 8, "samples with an ItemReader or ResultWriter")
}

// setAt sets (or, with del, removes) the value at a JSON pointer of a
// decoded definition.
func setAt(t testing.TB, v any, ptr string, val any, del bool) {
	t.Helper()
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, p := range parts {
		p = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
		last := i == len(parts)-1
		switch x := v.(type) {
		case map[string]any:
			if last {
				if del {
					delete(x, p)
				} else {
					x[p] = val
				}
				return
			}
			v = x[p]
		case []any:
			n, err := strconv.Atoi(p)
			require.NoError(t, err)
			if last {
				x[n] = val
				return
			}
			v = x[n]
		default:
			t.Fatalf("no %s in the definition", ptr)
		}
	}
}

// TestMapIOSamplesInvalid checks that the samples, each broken in one way
// AWS's validation refuses, give the diagnostic at that place.
func TestMapIOSamplesInvalid(t *testing.T) {
	t.Parallel()
	const (
		csv     = "aws-samples-workflows-distributed-map-csv-iterator.json"
		csvMap  = "/States/Map"
		temps   = "aws-samples-examples-dmap-temperatures.json"
		tempMap = "/States/DistributedMap"
		jsonata = "aws-docs-itemreader-resultwriter-jsonata.json"
		jMap    = "/States/Map"
		given   = "aws-docs-example-csv-parse-dist-map.json"
	)
	type edit struct {
		ptr string
		val any
		del bool
	}
	tests := []struct {
		name  string
		file  string
		edits []edit
		at    string // where the diagnostic is
		code  string
	}{
		{name: "ExecutionType missing", file: csv, edits: []edit{{ptr: csvMap + "/ItemProcessor/ProcessorConfig/ExecutionType", del: true}}, at: csvMap + "/ItemProcessor/ProcessorConfig/ExecutionType", code: diag.SchemaValidationFailed},
		{name: "ExecutionType unknown", file: csv, edits: []edit{{ptr: csvMap + "/ItemProcessor/ProcessorConfig/ExecutionType", val: "SYNC"}}, at: csvMap + "/ItemProcessor/ProcessorConfig/ExecutionType", code: diag.InvalidValue},
		{name: "ItemReader in an inline Map", file: csv, edits: []edit{{ptr: csvMap + "/ItemProcessor/ProcessorConfig", val: map[string]any{"Mode": "INLINE"}}}, at: csvMap + "/ItemReader", code: diag.SchemaValidationFailed},
		{name: "ResultWriter in an inline Map", file: temps, edits: []edit{{ptr: tempMap + "/ItemProcessor/ProcessorConfig", del: true}, {ptr: tempMap + "/ItemReader", del: true}}, at: tempMap + "/ResultWriter", code: diag.SchemaValidationFailed},
		{name: "reader Resource unknown", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Resource", val: "arn:aws:states:::s3:getObjects"}}, at: csvMap + "/ItemReader/Resource", code: diag.InvalidValue},
		{name: "reader Resource an SDK integration", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Resource", val: "arn:aws:states:::aws-sdk:s3:getObject"}}, at: csvMap + "/ItemReader/Resource", code: diag.InvalidValue},
		{name: "reader Resource missing", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Resource", del: true}}, at: csvMap + "/ItemReader/Resource", code: diag.SchemaValidationFailed},
		{name: "InputType missing for an object", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig", del: true}}, at: csvMap + "/ItemReader/ReaderConfig/InputType", code: diag.SchemaValidationFailed},
		{name: "InputType unknown", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/InputType", val: "XML"}}, at: csvMap + "/ItemReader/ReaderConfig/InputType", code: diag.InvalidValue},
		{name: "CSVHeaderLocation unknown", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/CSVHeaderLocation", val: "LAST_ROW"}}, at: csvMap + "/ItemReader/ReaderConfig/CSVHeaderLocation", code: diag.InvalidValue},
		{name: "GIVEN without CSVHeaders", file: given, edits: []edit{{ptr: "/States/Map/ItemReader/ReaderConfig/CSVHeaders", del: true}}, at: "/States/Map/ItemReader/ReaderConfig/CSVHeaders", code: diag.SchemaValidationFailed},
		{name: "CSVHeaders with FIRST_ROW", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/CSVHeaders", val: []any{"a"}}}, at: csvMap + "/ItemReader/ReaderConfig/CSVHeaders", code: diag.SchemaValidationFailed},
		{name: "a CSV header not a string", file: given, edits: []edit{{ptr: "/States/Map/ItemReader/ReaderConfig/CSVHeaders/1", val: int64(1)}}, at: "/States/Map/ItemReader/ReaderConfig/CSVHeaders/1", code: diag.SchemaValidationFailed},
		{name: "CSV fields with JSON", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/InputType", val: "JSON"}}, at: csvMap + "/ItemReader/ReaderConfig/CSVHeaderLocation", code: diag.SchemaValidationFailed},
		{name: "CSVDelimiter unknown", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/CSVDelimiter", val: "COLON"}}, at: csvMap + "/ItemReader/ReaderConfig/CSVDelimiter", code: diag.InvalidValue},
		{name: "MaxItems over 100,000,000", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/MaxItems", val: int64(100_000_001)}}, at: csvMap + "/ItemReader/ReaderConfig/MaxItems", code: diag.InvalidValue},
		{name: "MaxItems negative", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/MaxItems", val: int64(-1)}}, at: csvMap + "/ItemReader/ReaderConfig/MaxItems", code: diag.InvalidValue},
		{name: "MaxItems and MaxItemsPath", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/MaxItems", val: int64(1)}, {ptr: csvMap + "/ItemReader/ReaderConfig/MaxItemsPath", val: "$.m"}}, at: csvMap + "/ItemReader/ReaderConfig/MaxItemsPath", code: diag.SchemaValidationFailed},
		{name: "MaxItemsPath not a path", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/MaxItemsPath", val: "m"}}, at: csvMap + "/ItemReader/ReaderConfig/MaxItemsPath", code: diag.InvalidJSONPath},
		{name: "unknown ReaderConfig field", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/Header", val: true}}, at: csvMap + "/ItemReader/ReaderConfig/Header", code: diag.SchemaValidationFailed},
		{name: "Parameters not an object", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Parameters", val: "b"}}, at: csvMap + "/ItemReader/Parameters", code: diag.SchemaValidationFailed},
		{name: "a bad path in Parameters", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Parameters/Key.$", val: "$$.Nope["}}, at: csvMap + "/ItemReader/Parameters/Key.$", code: diag.InvalidJSONPath},
		{name: "Arguments in a JSONPath reader", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/Arguments", val: map[string]any{}}}, at: csvMap + "/ItemReader/Arguments", code: diag.SchemaValidationFailed},
		{name: "Label too long", file: temps, edits: []edit{{ptr: tempMap + "/Label", val: strings.Repeat("L", 41)}}, at: tempMap + "/Label", code: diag.InvalidValue},
		{name: "Label with a space", file: temps, edits: []edit{{ptr: tempMap + "/Label", val: "Distributed Map"}}, at: tempMap + "/Label", code: diag.InvalidValue},
		{name: "ResultWriter empty", file: temps, edits: []edit{{ptr: tempMap + "/ResultWriter", val: map[string]any{}}}, at: tempMap + "/ResultWriter", code: diag.SchemaValidationFailed},
		{name: "ResultWriter Resource without Parameters", file: temps, edits: []edit{{ptr: tempMap + "/ResultWriter/Parameters", del: true}}, at: tempMap + "/ResultWriter/Parameters", code: diag.SchemaValidationFailed},
		{name: "ResultWriter Parameters without Resource", file: temps, edits: []edit{{ptr: tempMap + "/ResultWriter/Resource", del: true}}, at: tempMap + "/ResultWriter/Resource", code: diag.SchemaValidationFailed},
		{name: "writer Resource unknown", file: temps, edits: []edit{{ptr: tempMap + "/ResultWriter/Resource", val: "arn:aws:states:::s3:getObject"}}, at: tempMap + "/ResultWriter/Resource", code: diag.InvalidValue},
		{name: "OutputType unknown", file: jsonata, edits: []edit{{ptr: jMap + "/ResultWriter/WriterConfig/OutputType", val: "CSV"}}, at: jMap + "/ResultWriter/WriterConfig/OutputType", code: diag.InvalidValue},
		{name: "ItemsPointer without JSON", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/ItemsPointer", val: "/rows"}}, at: csvMap + "/ItemReader/ReaderConfig/ItemsPointer", code: diag.SchemaValidationFailed},
		{name: "LOAD_AND_FLATTEN on an object", file: csv, edits: []edit{{ptr: csvMap + "/ItemReader/ReaderConfig/Transformation", val: "LOAD_AND_FLATTEN"}}, at: csvMap + "/ItemReader/ReaderConfig/Transformation", code: diag.SchemaValidationFailed},
		{name: "reader Transformation unknown", file: temps, edits: []edit{{ptr: tempMap + "/ItemReader/ReaderConfig", val: map[string]any{"Transformation": "UNZIP"}}}, at: tempMap + "/ItemReader/ReaderConfig/Transformation", code: diag.InvalidValue},
		{name: "InputType on a listing without LOAD_AND_FLATTEN", file: temps, edits: []edit{{ptr: tempMap + "/ItemReader/ReaderConfig", val: map[string]any{"InputType": "JSONL"}}}, at: tempMap + "/ItemReader/ReaderConfig/InputType", code: diag.SchemaValidationFailed},
		{name: "Transformation unknown", file: jsonata, edits: []edit{{ptr: jMap + "/ResultWriter/WriterConfig/Transformation", val: "GZIP"}}, at: jMap + "/ResultWriter/WriterConfig/Transformation", code: diag.InvalidValue},
		{name: "Parameters in a JSONata reader", file: jsonata, edits: []edit{{ptr: jMap + "/ItemReader/Parameters", val: map[string]any{}}}, at: jMap + "/ItemReader/Parameters", code: diag.SchemaValidationFailed},
		{name: "MaxItemsPath in a JSONata reader", file: jsonata, edits: []edit{{ptr: jMap + "/ItemReader/ReaderConfig/MaxItemsPath", val: "$.m"}}, at: jMap + "/ItemReader/ReaderConfig/MaxItemsPath", code: diag.SchemaValidationFailed},
		{name: "a bad expression in Arguments", file: jsonata, edits: []edit{{ptr: jMap + "/ItemReader/Arguments/Key", val: "{% $states.input.( %}"}}, at: jMap + "/ItemReader/Arguments/Key", code: diag.InvalidValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			def := decode(t, string(mapioFixture(t, tt.file)))
			for _, e := range tt.edits {
				setAt(t, def, e.ptr, e.val, e.del)
			}
			d := Validate([]byte(EncodeJSON(def)))
			require.Contains(t, found(d), tt.at+" "+tt.code)
		})
	}
}

// What AWS documents and Signalbox does not read (a PARQUET input, an
// Athena manifest, ItemsPath beside an ItemReader) passes validation, as
// on AWS, and fails the Map with States.Runtime, saying so, when it runs.
func TestMapIONotSupportedFailsWhenRun(t *testing.T) {
	t.Parallel()
	const csv, csvMap = "aws-samples-workflows-distributed-map-csv-iterator.json", "/States/Map"
	for _, c := range []struct {
		name, ptr string
		val       any
		says      string
	}{
		{"InputType PARQUET", csvMap + "/ItemReader/ReaderConfig", map[string]any{"InputType": "PARQUET"}, "ReaderConfig InputType PARQUET is not supported by Signalbox"},
		{"ManifestType ATHENA_DATA", csvMap + "/ItemReader/ReaderConfig", map[string]any{"InputType": "CSV", "ManifestType": "ATHENA_DATA"}, "ReaderConfig ManifestType is not supported by Signalbox"},
		{"ItemsPath with an ItemReader", csvMap + "/ItemsPath", "$.l", "ItemsPath together with an ItemReader is not supported by Signalbox"},
	} {
		t.Run(c.name, func(t *testing.T) {
			def := decode(t, string(mapioFixture(t, csv)))
			setAt(t, def, c.ptr, c.val, false)
			m := mustCompile(t, EncodeJSON(def))
			s, _ := m.State("Map")
			o := Step(s, map[string]any{"l": []any{int64(1)}}, newContext("Map"))
			f, ok := o.(Fail)
			require.True(t, ok, "%#v", o)
			require.Equal(t, "States.Runtime", f.Error)
			require.Contains(t, f.Cause, c.says)
		})
	}
}

// TestDocsCSVExampleShape runs AWS's documented CSV example: the row its
// ItemReader reads, shaped by its ItemSelector, is the documented input of
// the child execution.
func TestDocsCSVExampleShape(t *testing.T) {
	t.Parallel()
	m := mustCompile(t, string(mapioFixture(t, "aws-docs-example-csv-parse-dist-map.json")))
	s, _ := m.State("Map")
	r := requireRunMap(t, Step(s, map[string]any{}, newContext("Map")))
	require.Equal(t, &ReadItems{
		Resource:          "arn:aws:states:::s3:getObject",
		Parameters:        map[string]any{"Bucket": "amzn-s3-demo-bucket", "Key": "myCSVInput.csv"},
		InputType:         "CSV",
		CSVHeaderLocation: "GIVEN",
		CSVHeaders:        []string{"MyLetters", "MyNumbers", "MyString", "MyObject", "MyArray"},
		CSVDelimiter:      "COMMA",
	}, r.Reader)
	require.Equal(t, "STANDARD", r.ExecutionType)
	require.Equal(t, "Map", r.Label)
	require.Equal(t, 1000, r.MaxConcurrency)
	row := map[string]any{
		"MyLetters": "abc",
		"MyNumbers": "123",
		"MyString":  "This string contains commas, a double quote (\"), and a newline (\n)",
		"MyObject":  `{"MyKey":"MyValue"}`,
		"MyArray":   "[1,2,3]",
	}
	items, err := r.Shape([]any{row})
	require.NoError(t, err)
	requireJSON(t, `[{"MyNumbers":123,"MyObject":{"MyKey":"MyValue"},"MyString":"This string contains commas, a double quote (\"), and a newline (\n)","MyLetters":"abc","MyArray":[1,2,3]}]`, items)
}
