package asl

import (
	"strings"
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// distributedMap is a Distributed Map state S with the given extra fields.
func distributedMap(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"Type":"Map","Next":"T","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}` + extra + `}`
}

// jdistributedMap is distributedMap in a JSONata machine.
func jdistributedMap(extra string) string { return distributedMap(extra) }

func TestStepMapReader(t *testing.T) {
	t.Parallel()
	state := distributedMap(`"Label":"rows","InputPath":"$.job",
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject",
			"Parameters":{"Bucket.$":"$.bucket","Key.$":"States.Format('{}/rows.csv', $.prefix)","Exec.$":"$$.Execution.Name","Lit":1},
			"ReaderConfig":{"InputType":"CSV","CSVHeaderLocation":"GIVEN","CSVHeaders":["a","b"],"CSVDelimiter":"PIPE","MaxItemsPath":"$.max"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket.$":"$.bucket","Prefix":"out"},"WriterConfig":{"OutputType":"JSONL","Transformation":"FLATTEN"}},
		"MaxConcurrencyPath":"$.conc","ToleratedFailurePercentage":5`)
	r := requireRunMap(t, step(t, state, `{"job":{"bucket":"b1","prefix":"in","max":"3","conc":7}}`))
	require.Nil(t, r.Items)
	require.NotNil(t, r.Shape)
	require.NotNil(t, r.Processor)
	r.Shape, r.Processor = nil, nil
	require.Equal(t, RunMap{
		MaxConcurrency:             7,
		ToleratedFailureCount:      -1,
		ToleratedFailurePercentage: 5,
		Distributed:                true,
		Label:                      "rows",
		ExecutionType:              "EXPRESS",
		Reader: &ReadItems{
			Resource:          "arn:aws:states:::s3:getObject",
			Parameters:        map[string]any{"Bucket": "b1", "Key": "in/rows.csv", "Exec": "exec-1", "Lit": int64(1)},
			InputType:         "CSV",
			CSVHeaderLocation: "GIVEN",
			CSVHeaders:        []string{"a", "b"},
			CSVDelimiter:      "PIPE",
			MaxItems:          3,
		},
		Writer: &WriteResults{
			Resource:       "arn:aws:states:::s3:putObject",
			Parameters:     map[string]any{"Bucket": "b1", "Prefix": "out"},
			OutputType:     "JSONL",
			Transformation: "FLATTEN",
		},
	}, r)
}

// TestStepMapReaderLoadAndFlatten: a listing's objects read as JSON
// arrays at a pointer: ItemsPointer and Transformation reach the reader.
func TestStepMapReaderLoadAndFlatten(t *testing.T) {
	t.Parallel()
	state := distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2",
			"Parameters":{"Bucket":"b","Prefix":"day/"},
			"ReaderConfig":{"InputType":"JSON","ItemsPointer":"/rows","Transformation":"LOAD_AND_FLATTEN"}}`)
	r := requireRunMap(t, step(t, state, `{}`))
	require.Equal(t, &ReadItems{Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: map[string]any{"Bucket": "b", "Prefix": "day/"},
		InputType: "JSON", ItemsPointer: "/rows", Transformation: "LOAD_AND_FLATTEN"}, r.Reader)
}

func TestStepMapReaderDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, extra, input string
		want               ReadItems
	}{
		{
			name:  "listing",
			extra: `"ItemReader":{"Resource":"arn:aws:states:::s3:listObjectsV2","Parameters":{"Bucket":"b","Prefix":"p/"}}`,
			want:  ReadItems{Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: map[string]any{"Bucket": "b", "Prefix": "p/"}},
		},
		{
			name:  "CSV defaults",
			extra: `"ItemReader":{"Resource":"arn:aws-us-gov:states:::s3:getObject","Parameters":{"Bucket":"b","Key":"k"},"ReaderConfig":{"InputType":"CSV","MaxItems":2}}`,
			want:  ReadItems{Resource: "arn:aws-us-gov:states:::s3:getObject", Parameters: map[string]any{"Bucket": "b", "Key": "k"}, InputType: "CSV", CSVHeaderLocation: "FIRST_ROW", CSVDelimiter: "COMMA", MaxItems: 2},
		},
		{
			name:  "MaxItemsPath 0 reads all",
			extra: `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{},"ReaderConfig":{"InputType":"JSONL","MaxItemsPath":"$.m"}}`,
			input: `{"m":0}`,
			want:  ReadItems{Resource: "arn:aws:states:::s3:getObject", Parameters: map[string]any{}, InputType: "JSONL"},
		},
		{
			// AWS reads every item then (recorded).
			name:  "MaxItemsPath above the limit",
			extra: `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItemsPath":"$.m"}}`,
			input: `{"m":100000001}`,
			want:  ReadItems{Resource: "arn:aws:states:::s3:getObject", InputType: "JSON", MaxItems: MaxReaderItems},
		},
		{
			name:  "MaxItemsPath from a variable",
			extra: `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"MANIFEST","MaxItemsPath":"$max"}}`,
			want:  ReadItems{Resource: "arn:aws:states:::s3:getObject", InputType: "MANIFEST", MaxItems: 9},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := tt.input
			if input == "" {
				input = `{}`
			}
			ctx := withVars(newContext("S"), map[string]any{"max": int64(9)})
			r := requireRunMap(t, Step(stateOf(t, distributedMap(tt.extra)), decode(t, input), ctx))
			require.Equal(t, &tt.want, r.Reader)
			require.Nil(t, r.Writer)
			require.Nil(t, r.Items)
		})
	}
}

func TestStepMapReaderJSONata(t *testing.T) {
	t.Parallel()
	state := jdistributedMap(`
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject",
			"Arguments":{"Bucket":"{% $states.input.bucket %}","Key":"k.json","Name":"{% $states.context.Execution.Name %}"},
			"ReaderConfig":{"InputType":"JSON","MaxItems":"{% $maxItems := 2 %}"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Arguments":"{% {'Bucket': $states.input.bucket, 'Prefix': 'p'} %}"},
		"ItemSelector":{"v":"{% $states.context.Map.Item.Value %}","i":"{% $states.context.Map.Item.Index %}","b":"{% $states.input.bucket %}"},
		"ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.per %}","BatchInput":{"from":"{% $states.input.bucket %}"}}`)
	r := requireRunMap(t, jstep(t, state, `{"bucket":"b1","per":2}`))
	require.Equal(t, &ReadItems{Resource: "arn:aws:states:::s3:getObject", Parameters: map[string]any{"Bucket": "b1", "Key": "k.json", "Name": "exec-1"}, InputType: "JSON", MaxItems: 2}, r.Reader)
	require.Equal(t, &WriteResults{Resource: "arn:aws:states:::s3:putObject", Parameters: map[string]any{"Bucket": "b1", "Prefix": "p"}}, r.Writer)
	items, err := r.Shape([]any{"x", "y", "z"})
	require.NoError(t, err)
	requireJSON(t, `[
		{"Items":[{"v":"x","i":0,"b":"b1"},{"v":"y","i":1,"b":"b1"}],"BatchInput":{"from":"b1"}},
		{"Items":[{"v":"z","i":2,"b":"b1"}],"BatchInput":{"from":"b1"}}]`, items)
}

// TestShapeMatchesInline checks that the items an ItemReader read are
// shaped exactly as an inline array is: one code path does both.
func TestShapeMatchesInline(t *testing.T) {
	t.Parallel()
	const reader = `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"}}`
	raw := `[{"id":1,"n":"a"},{"id":2,"n":"b"},{"id":3,"n":"c"},{"id":4,"n":"d"},{"id":5,"n":"e"}]`
	tests := []struct {
		name, fields, jfields string
	}{
		{name: "as read"},
		{
			name:    "ItemSelector",
			fields:  `"ItemSelector":{"id.$":"$$.Map.Item.Value.id","i.$":"$$.Map.Item.Index","k.$":"$.k","state.$":"$$.State.Name"}`,
			jfields: `"ItemSelector":{"id":"{% $states.context.Map.Item.Value.id %}","i":"{% $states.context.Map.Item.Index %}","k":"{% $states.input.k %}","state":"{% $states.context.State.Name %}"}`,
		},
		{
			name:    "ItemBatcher",
			fields:  `"ItemBatcher":{"MaxItemsPerBatchPath":"$.per","MaxInputBytesPerBatch":40,"BatchInput":{"k.$":"$.k"}}`,
			jfields: `"ItemBatcher":{"MaxItemsPerBatch":"{% $states.input.per %}","MaxInputBytesPerBatch":40,"BatchInput":{"k":"{% $states.input.k %}"}}`,
		},
		{
			name:    "both",
			fields:  `"ItemSelector":{"v.$":"$$.Map.Item.Value.n"},"ItemBatcher":{"MaxItemsPerBatch":2}`,
			jfields: `"ItemSelector":{"v":"{% $states.context.Map.Item.Value.n %}"},"ItemBatcher":{"MaxItemsPerBatch":2}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"JSONPath", "JSONata"} {
				fields, items := tt.fields, `"ItemsPath":"$.items"`
				run := step
				if lang == "JSONata" {
					fields, items, run = tt.jfields, `"Items":"{% $states.input.items %}"`, jstep
				}
				join := func(a, b string) string {
					if b == "" {
						return a
					}
					return a + "," + b
				}
				input := `{"k":"K","per":2,"items":` + raw + `}`
				inline := requireRunMap(t, run(t, distributedMap(join(items, fields)), input))
				read := requireRunMap(t, run(t, distributedMap(join(reader, fields)), input))
				require.Nil(t, read.Items)
				shaped, err := read.Shape(decode(t, raw).([]any))
				require.NoError(t, err, lang)
				require.Equal(t, EncodeJSON(inline.Items), EncodeJSON(shaped), lang)
				// Shape may be called again (a redriven or recovered run).
				again, err := read.Shape(decode(t, raw).([]any))
				require.NoError(t, err)
				require.Equal(t, shaped, again)
			}
		})
	}
}

func TestStepMapReaderErrors(t *testing.T) {
	t.Parallel()
	reader := func(config string) string {
		return distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket.$":"$.b"},"ReaderConfig":{"InputType":"CSV",` + config + `}}`)
	}
	tests := []struct {
		name, state, input string
		err, cause         string
	}{
		// Both recorded from AWS.
		{name: "MaxItemsPath not an integer", state: reader(`"MaxItemsPath":"$.m"`), input: `{"b":"x","m":1.5}`, err: aslerr.Runtime, cause: runtimeCause(`The MaxItemsPath field refers to value "1.5" which is not a valid integer: $.m`)},
		{name: "MaxItemsPath negative", state: reader(`"MaxItemsPath":"$.m"`), input: `{"b":"x","m":-1}`, err: aslerr.ItemReaderFailed, cause: "field MaxItems must be positive"},
		{name: "MaxItemsPath selects nothing", state: reader(`"MaxItemsPath":"$.m"`), input: `{"b":"x"}`, err: aslerr.Runtime, cause: runtimeCause(`The MaxItemsPath field refers to value "null" which is not a valid integer: $.m`)},
		{name: "duplicate headers", state: reader(`"CSVHeaderLocation":"GIVEN","CSVHeaders":["H1","H1","H3"]`), input: `{"b":"x"}`, err: aslerr.ItemReaderFailed, cause: "CSV headers cannot contain duplicates."},
		{name: "Parameters path selects nothing", state: reader(`"MaxItems":1`), input: `{}`, err: aslerr.Runtime, cause: runtimeCause("The JSONPath '$.b' specified for the field 'Bucket.$' could not be found in the input '{}'")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, step(t, tt.state, tt.input), tt.err, tt.cause)
		})
	}
}

func TestStepMapReaderCaught(t *testing.T) {
	t.Parallel()
	state := distributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItemsPath":"$.m"}},
		"Catch":[{"ErrorEquals":["States.ItemReaderFailed"],"Next":"T","ResultPath":"$.err"}]`)
	requireNext(t, step(t, state, `{"m":-5}`), "T", `{"m":-5,"err":{"Error":"States.ItemReaderFailed","Cause":"field MaxItems must be positive"}}`)
}

func TestShapeErrors(t *testing.T) {
	t.Parallel()
	const reader = `"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"}}`
	t.Run("ItemSelector path", func(t *testing.T) {
		t.Parallel()
		r := requireRunMap(t, step(t, distributedMap(reader+`,"ItemSelector":{"x.$":"$$.Map.Item.Value.x"}`), `{}`))
		_, err := r.Shape([]any{map[string]any{"x": int64(1)}, map[string]any{}})
		ae := asError(err)
		require.Equal(t, aslerr.Runtime, ae.Name)
		require.Contains(t, ae.Cause, "$$.Map.Item.Value.x")
	})
	t.Run("an item over the payload limit", func(t *testing.T) {
		t.Parallel()
		r := requireRunMap(t, step(t, distributedMap(reader), `{}`))
		big := strings.Repeat("x", MaxPayload)
		_, err := r.Shape([]any{"small", big})
		require.Equal(t, aslerr.DataLimitExceeded, asError(err).Name)
		// The same items in batches of one each are over it too.
		items, err := r.Shape([]any{"small", strings.Repeat("y", 1000)})
		require.NoError(t, err)
		require.Len(t, items, 2)
	})
	t.Run("many items, each within the limit", func(t *testing.T) {
		t.Parallel()
		r := requireRunMap(t, step(t, distributedMap(reader), `{}`))
		raw := make([]any, 100_000)
		for i := range raw {
			raw[i] = map[string]any{"id": int64(i), "pad": "0123456789"}
		}
		items, err := r.Shape(raw)
		require.NoError(t, err)
		require.Len(t, items, len(raw))
	})
}

// TestStepMapWriterOnly checks a Distributed Map over an inline array
// that exports its results: Items are shaped at entry, as for any Map, and
// Writer is filled.
func TestStepMapWriterOnly(t *testing.T) {
	t.Parallel()
	state := distributedMap(`"ItemsPath":"$.l","ItemSelector":{"v.$":"$$.Map.Item.Value"},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"b","Prefix.$":"$.p"}}`)
	r := requireRunMap(t, step(t, state, `{"l":[1,2],"p":"out/"}`))
	require.Nil(t, r.Reader)
	require.Nil(t, r.Shape)
	requireJSON(t, `[{"v":1},{"v":2}]`, r.Items)
	require.Equal(t, &WriteResults{Resource: "arn:aws:states:::s3:putObject", Parameters: map[string]any{"Bucket": "b", "Prefix": "out/"}}, r.Writer)
}

func TestStepMapReaderJSONataErrors(t *testing.T) {
	t.Parallel()
	reader := func(maxItems string) string {
		return jdistributedMap(`"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON","MaxItems":"` + maxItems + `"}}`)
	}
	requireFail(t, jstep(t, reader(`{% $states.input.n %}`), `{"n":-1}`), aslerr.ItemReaderFailed, "field MaxItems must be positive")
	r := requireRunMap(t, jstep(t, reader(`{% $states.input.n %}`), `{"n":200000000}`))
	require.Equal(t, int64(MaxReaderItems), r.Reader.MaxItems)
	requireQueryErrorContains(t, jstep(t, reader(`{% $states.input.n %}`), `{"n":"x"}`), "MaxItems")
}
