package asl

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// The seed corpus of FuzzParse, testdata/fuzz/FuzzParse, holds the
// definition of every recorded conformance case. Rewrite it with
//
//	go test ./asl/ -run TestWriteFuzzParseSeeds -write-fuzz-seeds
var writeFuzzSeeds = flag.Bool("write-fuzz-seeds", false, "rewrite testdata/fuzz/FuzzParse from the conformance cases")

// fuzzSeeds are a few definitions that FuzzParse starts from even without
// its seed corpus.
var fuzzSeeds = []string{
	`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.r","Next":"B"},"B":{"Type":"Succeed"}}}`,
	`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Parameters":{"a.$":"$.a","f.$":"States.Format('{}', $$.Execution.Id)"},"Retry":[{"ErrorEquals":["States.ALL"],"JitterStrategy":"FULL"}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],"End":true},"F":{"Type":"Fail","ErrorPath":"$.Error"}}}`,
	`{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericGreaterThan":1,"Next":"W"}],"Default":"W"},"W":{"Type":"Wait","SecondsPath":"$.n","End":true}}}`,
	`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.l","ItemSelector":{"i.$":"$$.Map.Item.Index"},"ItemBatcher":{"MaxItemsPerBatch":2},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
	`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}],"ResultSelector":{"r.$":"$[*]"},"End":true}}}`,
	// Distributed Maps reading items and writing results.
	`{"StartAt":"M","States":{"M":{"Type":"Map","Label":"m","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket.$":"$.b","Key":"k.csv"},"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a","b"],"CSVDelimiter":"PIPE","MaxItemsPath":"$.n"}},"ItemSelector":{"v.$":"$$.Map.Item.Value.a","i.$":"$$.Map.Item.Index"},"ItemBatcher":{"MaxItemsPerBatch":2,"BatchInput":{"b.$":"$.b"}},"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"o","Prefix.$":"$.b"},"WriterConfig":{"OutputType":"JSONL","Transformation":"COMPACT"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
	`{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws-cn:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"p/"},"ReaderConfig":{"MaxItems":10}},"ToleratedFailurePercentage":5,"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
	`{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Arguments":{"Bucket":"{% $states.input.b %}","Key":"k.jsonl"},"ReaderConfig":{"InputType":"JSONL","MaxItems":"{% $states.input.n %}"}},"ItemSelector":{"v":"{% $states.context.Map.Item.Value %}"},"ItemBatcher":{"MaxInputBytesPerBatch":"{% 100 %}"},"ResultWriter":{"WriterConfig":{"OutputType":"JSON","Transformation":"FLATTEN"}},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`,
}

// fuzzShapeItems are the raw items FuzzParse hands a Map's Shape: what a
// reader returns (CSV rows, JSON values, listing entries).
var fuzzShapeItems = []any{
	map[string]any{"a": "1", "b": "x"},
	"s",
	int64(2),
	map[string]any{"Key": "k", "Size": int64(12)},
	[]any{true, nil},
}

// FuzzParse checks that compiling any bytes never panics, and that a
// definition that compiles can be stepped from its start state.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	// The Distributed Map samples (testdata/mapio), the public definitions
	// (testdata/public) and the published ones AWS refuses
	// (testdata/public/invalid).
	var samples []string
	for _, dir := range []string{"mapio", "public", filepath.Join("public", "invalid")} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		samples = append(samples, files...)
	}
	for _, file := range samples {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, d := Compile(data)
		if m == nil {
			if len(d) == 0 {
				t.Fatal("no machine and no diagnostics")
			}
			return
		}
		if len(d) != 0 {
			t.Fatalf("a machine and diagnostics %v", d)
		}
		s, ok := m.State(m.StartAt)
		if !ok {
			t.Fatalf("StartAt %q names no state", m.StartAt)
		}
		input := map[string]any{}
		ctx := newContext(m.StartAt)
		for _, o := range fuzzOutcomes(s, input, ctx) {
			checkOutcome(t, m, s, o)
		}
		if len(input) != 0 {
			t.Fatalf("the input was modified: %v", input)
		}
	})
}

// fuzzOutcomes are the outcomes of s on input: its step, and for the
// states whose work the runtime reports back, a result's and an error's.
func fuzzOutcomes(s State, input any, ctx *Context) []Outcome {
	outcomes := []Outcome{Step(s, input, ctx)}
	switch s.Kind() {
	case KindTask, KindParallel, KindMap:
		outcomes = append(outcomes,
			Complete(s, input, map[string]any{"r": int64(1)}, ctx),
			HandleError(s, input, &aslerr.Error{Name: "Custom", Cause: "c"}, ctx))
	}
	return outcomes
}

// checkOutcome checks what the validation of m promises about an outcome
// of its state s.
func checkOutcome(t *testing.T, m *StateMachine, s State, o Outcome) {
	t.Helper()
	switch o := o.(type) {
	case nil:
		t.Fatal("a nil outcome")
	case Next:
		if _, ok := m.State(o.State); !ok {
			t.Fatalf("Next names %q, which does not exist", o.State)
		}
	case WaitUntil:
		checkOutcome(t, m, s, o.Then)
	case Retry:
		if o.Retrier < 0 || o.Retrier >= len(s.base().Retry) || o.Delay < 0 {
			t.Fatalf("a bad retry %+v", o)
		}
	case RunParallel:
		if len(o.Branches) == 0 {
			t.Fatal("a Parallel with no branch")
		}
	case RunMap:
		if o.Processor == nil {
			t.Fatal("a Map with no processor")
		}
		if (o.Reader != nil) != (o.Shape != nil) || (o.Reader != nil && o.Items != nil) {
			t.Fatalf("a Map with Reader %v, Shape %v and %d Items", o.Reader != nil, o.Shape != nil, len(o.Items))
		}
		if o.Shape != nil {
			items, err := o.Shape(fuzzShapeItems)
			if err != nil {
				if asError(err).Name == "" {
					t.Fatalf("Shape failed without an error name: %v", err)
				}
			} else if items == nil {
				t.Fatal("Shape returned no items and no error")
			}
		}
	}
}

// recordedSeedPrefix starts the names of the seed files taken from the
// recorded cases; the fuzzer adds the inputs it found under other names.
const recordedSeedPrefix = "recorded-"

// TestFuzzParseSeeds checks the recorded seeds: each holds a definition
// that compiles (the recorded cases ran on AWS), or one that uses a feature
// reported as not supported yet.
func TestFuzzParseSeeds(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", recordedSeedPrefix+"*"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("no seed corpus")
	}
	compiled := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		def := decodeCorpusFile(t, data)
		m, d := Compile(def)
		if m != nil {
			compiled++
			continue
		}
		for _, x := range d {
			require.Contains(t, []string{"NOT_SUPPORTED", "SCHEMA_VALIDATION_FAILED"}, x.Code, "%s: %v", file, x)
		}
	}
	require.Greater(t, compiled, len(files)/2, "most recorded definitions compile")
}

// decodeCorpusFile reads a "go test fuzz v1" file holding one []byte.
func decodeCorpusFile(t *testing.T, data []byte) []byte {
	t.Helper()
	var s string
	_, err := fmt.Sscanf(string(data), "go test fuzz v1\n[]byte(%q)\n", &s)
	require.NoError(t, err)
	return []byte(s)
}

// TestWriteFuzzParseSeeds rewrites the seed corpus from the recorded
// conformance cases; it runs only with -write-fuzz-seeds.
func TestWriteFuzzParseSeeds(t *testing.T) {
	if !*writeFuzzSeeds {
		t.Skip("run with -write-fuzz-seeds to rewrite the seed corpus")
	}
	dir := os.Getenv("SIGNALBOX_CONFORMANCE_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "conformance", "asl")
	}
	cases, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, cases, "no conformance cases in %s", dir)
	seeds := map[string][]byte{}
	for _, c := range cases {
		data, err := os.ReadFile(c)
		require.NoError(t, err)
		v, err := DecodeJSON(data)
		require.NoError(t, err, c)
		def := MarshalJSON(v.(map[string]any)["definition"])
		sum := sha256.Sum256(def)
		seeds[recordedSeedPrefix+hex.EncodeToString(sum[:8])] = def
	}
	out := filepath.Join("testdata", "fuzz", "FuzzParse")
	old, err := filepath.Glob(filepath.Join(out, recordedSeedPrefix+"*"))
	require.NoError(t, err)
	for _, f := range old {
		require.NoError(t, os.Remove(f))
	}
	require.NoError(t, os.MkdirAll(out, 0o755))
	names := make([]string, 0, len(seeds))
	for name := range seeds {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seeds[name])
		require.NoError(t, os.WriteFile(filepath.Join(out, name), []byte(body), 0o644))
	}
	t.Logf("wrote %d seeds to %s", len(names), out)
}

// FuzzCompileState: a lone state (TestState's definition) compiles to a
// state or to diagnostics, never both or neither, and steps with its data
// flow recorded without a panic; its recorded stages are JSON values.
func FuzzCompileState(f *testing.F) {
	for _, s := range []string{
		`{"Type":"Pass","End":true}`,
		`{"Type":"Pass","InputPath":"$.a","Parameters":{"b.$":"$.c"},"Result":{"r":1},"ResultPath":"$.x","Next":"N"}`,
		`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultSelector":{"p.$":"$.Payload"},"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["E"],"Next":"C"}],"End":true}`,
		`{"Type":"Task","QueryLanguage":"JSONata","Resource":"r","Arguments":{"a":"{% $states.input %}"},"Output":"{% $states.result %}","End":true}`,
		`{"Type":"Choice","Choices":[{"Variable":"$.v","NumericEquals":1,"Next":"A"}],"Default":"B"}`,
		`{"Type":"Map","ItemsPath":"$.xs","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`,
		`{"Type":"Wait","Seconds":1,"Next":"W"}`, `{"Type":"Fail","Error":"E"}`, `{"Type":"Succeed"}`, `[]`, `{"Type":7}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, d := CompileState("StateName", data)
		if (s == nil) == (len(d) == 0) {
			t.Fatalf("state %v and diagnostics %v", s, d)
		}
		if s == nil {
			return
		}
		input := map[string]any{"a": map[string]any{"c": int64(1)}, "xs": []any{int64(1)}, "v": int64(1)}
		ctx := newContext("StateName")
		ctx.Inspect = map[string]any{}
		for _, o := range fuzzOutcomes(s, input, ctx) {
			if o == nil {
				t.Fatal("a nil outcome")
			}
		}
		for stage, v := range ctx.Inspect {
			if _, err := DecodeJSON([]byte(EncodeJSON(v))); err != nil {
				t.Fatalf("stage %s is not a JSON value: %v", stage, err)
			}
		}
	})
}
