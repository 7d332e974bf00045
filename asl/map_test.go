package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

// mapState is a Map state S with the given extra fields.
func mapState(extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"Type":"Map","Next":"T","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}` + extra + `}`
}

// requireRunMap checks for a RunMap outcome and returns it.
func requireRunMap(t testing.TB, o Outcome) RunMap {
	t.Helper()
	r, ok := o.(RunMap)
	require.True(t, ok, "want RunMap, got %#v", o)
	return r
}

func TestStepMap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra string
		input string
		items string
	}{
		{name: "the input is the array", input: `[1,"a",{"b":2}]`, items: `[1,"a",{"b":2}]`},
		{name: "ItemsPath", extra: `"ItemsPath":"$.shipped"`, input: `{"shipped":["A","B"]}`, items: `["A","B"]`},
		{name: "InputPath then ItemsPath", extra: `"InputPath":"$.detail","ItemsPath":"$.shipped"`, input: `{"detail":{"shipped":[1]}}`, items: `[1]`},
		{name: "ItemsPath from the context", extra: `"ItemsPath":"$$.Execution.Input.list"`, input: `{}`, items: `[1,2]`},
		{name: "empty array", input: `[]`, items: `[]`},
		{
			name: "ItemSelector sees the item and the input",
			extra: `"InputPath":"$.detail","ItemsPath":"$.shipped","ItemSelector":{
				"constant_value":"HelloWorld",
				"from_input_constant.$":"$.delivery-partner",
				"iteration_index.$":"$$.Map.Item.Index",
				"iteration_input_value.$":"$$.Map.Item.Value",
				"nested":{"l":[{"v.$":"$$.Map.Item.Value"}]},
				"state.$":"$$.State.Name"}`,
			input: `{"detail":{"delivery-partner":"UQS","shipped":["A","B"]}}`,
			items: `[
				{"constant_value":"HelloWorld","from_input_constant":"UQS","iteration_index":0,"iteration_input_value":"A","nested":{"l":[{"v":"A"}]},"state":"S"},
				{"constant_value":"HelloWorld","from_input_constant":"UQS","iteration_index":1,"iteration_input_value":"B","nested":{"l":[{"v":"B"}]},"state":"S"}
			]`,
		},
		{
			name:  "legacy Parameters",
			extra: `"ItemsPath":"$.l","Parameters":{"i.$":"$$.Map.Item.Index","whole.$":"$.k"}`,
			input: `{"l":[true,false],"k":1}`,
			items: `[{"i":0,"whole":1},{"i":1,"whole":1}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := newContext("S")
			ctx.ExecutionInput = map[string]any{"list": []any{int64(1), int64(2)}}
			in := decode(t, tt.input)
			r := requireRunMap(t, Step(stateOf(t, mapState(tt.extra)), in, ctx))
			requireJSON(t, tt.items, r.Items)
			require.NotNil(t, r.Processor)
			require.Equal(t, []string{"P"}, r.Processor.StateNames())
			requireJSON(t, tt.input, in)
			require.False(t, ctx.InMap, "the caller's context is not changed")
		})
	}
}

func TestStepMapSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra string // fields added to a Map state
		state string // or a whole Map state
		input string
		want  RunMap // Items and Processor are not compared
	}{
		{name: "defaults", input: `[1]`, want: RunMap{ToleratedFailureCount: -1, ToleratedFailurePercentage: -1}},
		{name: "literals", extra: `"MaxConcurrency":3,"ToleratedFailureCount":2,"ToleratedFailurePercentage":12.5,"Label":"lbl"`, input: `[1]`, want: RunMap{MaxConcurrency: 3, ToleratedFailureCount: 2, ToleratedFailurePercentage: 12.5, Label: "lbl"}},
		{name: "paths", extra: `"ItemsPath":"$.i","MaxConcurrencyPath":"$.m","ToleratedFailureCountPath":"$.c","ToleratedFailurePercentagePath":"$.p"`, input: `{"i":[],"m":4,"c":0,"p":100}`, want: RunMap{MaxConcurrency: 4, ToleratedFailureCount: 0, ToleratedFailurePercentage: 100}},
		{name: "paths to numeric strings", extra: `"ItemsPath":"$.i","MaxConcurrencyPath":"$.m","ToleratedFailureCountPath":"$.c","ToleratedFailurePercentagePath":"$.p"`, input: `{"i":[],"m":"4","c":" 1 ","p":"1.1"}`, want: RunMap{MaxConcurrency: 4, ToleratedFailureCount: 1, ToleratedFailurePercentage: 1.1}},
		{name: "distributed", state: `{"Type":"Map","Next":"T","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Succeed"}}}}`, input: `[1]`, want: RunMap{ToleratedFailureCount: -1, ToleratedFailurePercentage: -1, Distributed: true, ExecutionType: "STANDARD"}},
		{name: "inline", state: `{"Type":"Map","Next":"T","Iterator":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Succeed"}}}}`, input: `[1]`, want: RunMap{ToleratedFailureCount: -1, ToleratedFailurePercentage: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			state := tt.state
			if state == "" {
				state = mapState(tt.extra)
			}
			r := requireRunMap(t, step(t, state, tt.input))
			r.Items, r.Processor = nil, nil
			require.Equal(t, tt.want, r)
		})
	}
}

func TestStepMapErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		extra string
		input string
		cause string
	}{
		{name: "ItemsPath selects nothing", extra: `"ItemsPath":"$.items"`, input: `{}`, cause: "Invalid path '$.items' : No results for path: $['items']"},
		{name: "ItemsPath not an array", extra: `"ItemsPath":"$.items"`, input: `{"items":{"a":1}}`, cause: `Invalid path '$.items' : The value at the path is not an array: {"a":1}`},
		{name: "input not an array", input: `"s"`, cause: `Invalid path '$' : The value at the path is not an array: "s"`},
		{name: "InputPath selects nothing", extra: `"InputPath":"$.x"`, input: `{}`, cause: "Invalid path '$.x' : No results for path: $['x']"},
		{name: "MaxConcurrencyPath selects nothing", extra: `"MaxConcurrencyPath":"$.m"`, input: `[]`, cause: `The MaxConcurrencyPath field refers to value "null" which is not a valid integer: $.m`},
		{name: "ToleratedFailureCountPath not a number", extra: `"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.ToleratedFailureCount"`, input: `{"Items":[0],"ToleratedFailureCount":"NoNumber"}`, cause: `The ToleratedFailureCountPath field refers to value "NoNumber" which is not a valid integer: $.ToleratedFailureCount`},
		{name: "ToleratedFailureCountPath an object", extra: `"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.ToleratedFailureCount"`, input: `{"Items":[0],"ToleratedFailureCount":{}}`, cause: `The ToleratedFailureCountPath field refers to value "{}" which is not a valid integer: $.ToleratedFailureCount`},
		{name: "ToleratedFailureCountPath fractional", extra: `"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.c"`, input: `{"Items":[0],"c":1.5}`, cause: `The ToleratedFailureCountPath field refers to value "1.5" which is not a valid integer: $.c`},
		{name: "ToleratedFailureCountPath negative", extra: `"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.ToleratedFailureCount"`, input: `{"Items":[0],"ToleratedFailureCount":-1}`, cause: "ToleratedFailureCount cannot be negative."},
		{name: "ToleratedFailureCountPath selects nothing", extra: `"ItemsPath":"$.Items","ToleratedFailureCountPath":"$.c"`, input: `{"Items":[0]}`, cause: `The ToleratedFailureCountPath field refers to value "null" which is not a valid integer: $.c`},
		{name: "ToleratedFailurePercentagePath not a number", extra: `"ItemsPath":"$.Items","ToleratedFailurePercentagePath":"$.ToleratedFailurePercentage"`, input: `{"Items":[0],"ToleratedFailurePercentage":"NoNumber"}`, cause: `The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not a valid float: $.ToleratedFailurePercentage`},
		{name: "ToleratedFailurePercentagePath an object", extra: `"ItemsPath":"$.Items","ToleratedFailurePercentagePath":"$.ToleratedFailurePercentage"`, input: `{"Items":[0],"ToleratedFailurePercentage":{}}`, cause: `The ToleratedFailurePercentagePath field refers to value "{}" which is not a valid float: $.ToleratedFailurePercentage`},
		{name: "ToleratedFailurePercentagePath negative", extra: `"ItemsPath":"$.Items","ToleratedFailurePercentagePath":"$.p"`, input: `{"Items":[0],"p":-1.1}`, cause: "ToleratedFailurePercentage must be between 0 and 100."},
		{name: "ToleratedFailurePercentagePath above 100", extra: `"ItemsPath":"$.Items","ToleratedFailurePercentagePath":"$.p"`, input: `{"Items":[0],"p":100.1}`, cause: "ToleratedFailurePercentage must be between 0 and 100."},
		{name: "ItemSelector path selects nothing", extra: `"ItemSelector":{"v.$":"$.nope"}`, input: `[1]`, cause: `The JSONPath '$.nope' specified for the field 'v.$' could not be found in the input '[1]'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, step(t, mapState(tt.extra), tt.input), aslerr.Runtime, runtimeCause(tt.cause))
		})
	}
}

// TestStepMapMaxConcurrencyPath covers the MaxConcurrencyPath values the
// Map accepts and refuses.
func TestStepMapMaxConcurrencyPath(t *testing.T) {
	t.Parallel()
	state := mapState(`"ItemsPath":"$.i","MaxConcurrencyPath":"$.m"`)
	r := requireRunMap(t, step(t, state, `{"i":[],"m":0}`))
	require.Zero(t, r.MaxConcurrency)
	for input, value := range map[string]string{`{"i":[],"m":-1}`: "-1", `{"i":[],"m":"x"}`: "x", `{"i":[],"m":1.5}`: "1.5"} {
		requireFail(t, step(t, state, input), aslerr.Runtime, runtimeCause(`The MaxConcurrencyPath field refers to value "`+value+`" which is not a valid integer: $.m`))
	}
}

func TestStepMapItemBatcher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		batcher string
		input   string
		items   string
	}{
		{name: "by count", batcher: `{"MaxItemsPerBatch":2}`, input: `[1,2,3,4,5]`, items: `[{"Items":[1,2]},{"Items":[3,4]},{"Items":[5]}]`},
		{name: "count larger than the items", batcher: `{"MaxItemsPerBatch":10}`, input: `[1,2]`, items: `[{"Items":[1,2]}]`},
		{name: "no items, no batches", batcher: `{"MaxItemsPerBatch":2}`, input: `[]`, items: `[]`},
		// Each item ("aa" and so on) encodes to 4 bytes.
		{name: "by bytes", batcher: `{"MaxInputBytesPerBatch":8}`, input: `["aa","bb","cc"]`, items: `[{"Items":["aa","bb"]},{"Items":["cc"]}]`},
		{name: "an item larger than the limit goes alone", batcher: `{"MaxInputBytesPerBatch":3}`, input: `["aa","bb"]`, items: `[{"Items":["aa"]},{"Items":["bb"]}]`},
		{name: "the tighter limit wins", batcher: `{"MaxItemsPerBatch":2,"MaxInputBytesPerBatch":100}`, input: `["aa","bb","cc"]`, items: `[{"Items":["aa","bb"]},{"Items":["cc"]}]`},
		{name: "bytes tighter than count", batcher: `{"MaxItemsPerBatch":3,"MaxInputBytesPerBatch":4}`, input: `["aa","bb","cc"]`, items: `[{"Items":["aa"]},{"Items":["bb"]},{"Items":["cc"]}]`},
		{name: "BatchInput", batcher: `{"MaxItemsPerBatch":2,"BatchInput":{"k.$":"$.k","c":1}}`, input: `{"k":"v","l":[1,2,3]}`, items: `[{"Items":[1,2],"BatchInput":{"k":"v","c":1}},{"Items":[3],"BatchInput":{"k":"v","c":1}}]`},
		{name: "limits from paths", batcher: `{"MaxItemsPerBatchPath":"$.n","MaxInputBytesPerBatchPath":"$.b"}`, input: `{"n":2,"b":1000,"l":[1,2,3]}`, items: `[{"Items":[1,2]},{"Items":[3]}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			extra := `"ItemBatcher":` + tt.batcher
			if tt.input[0] == '{' {
				extra += `,"ItemsPath":"$.l"`
			}
			r := requireRunMap(t, step(t, mapState(extra), tt.input))
			requireJSON(t, tt.items, r.Items)
		})
	}

	t.Run("batches the selected items", func(t *testing.T) {
		t.Parallel()
		r := requireRunMap(t, step(t, mapState(`"ItemSelector":{"i.$":"$$.Map.Item.Index"},"ItemBatcher":{"MaxItemsPerBatch":2}`), `["a","b","c"]`))
		requireJSON(t, `[{"Items":[{"i":0},{"i":1}]},{"Items":[{"i":2}]}]`, r.Items)
	})
	t.Run("bad limits from paths", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct{ batcher, input, cause string }{
			{`{"MaxItemsPerBatchPath":"$.n"}`, `{"l":[],"n":0}`, `The MaxItemsPerBatchPath field refers to value "0" which is not a valid positive integer: $.n`},
			{`{"MaxItemsPerBatchPath":"$.n"}`, `{"l":[]}`, `The MaxItemsPerBatchPath field refers to value "null" which is not a valid positive integer: $.n`},
			{`{"MaxInputBytesPerBatchPath":"$.b"}`, `{"l":[],"b":"x"}`, `The MaxInputBytesPerBatchPath field refers to value "x" which is not a valid positive integer: $.b`},
			{`{"BatchInput":{"x.$":"$.none"}}`, `{"l":[]}`, `The JSONPath '$.none' specified for the field 'x.$' could not be found in the input '{"l":[]}'`},
		} {
			o := step(t, mapState(`"ItemsPath":"$.l","ItemBatcher":`+tt.batcher), tt.input)
			requireFail(t, o, aslerr.Runtime, runtimeCause(tt.cause))
		}
	})
}

func TestRunMapTolerates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		count         int
		percent       float64
		failed, total int
		want          bool
	}{
		{name: "no failure always tolerated", count: -1, percent: -1, failed: 0, total: 3, want: true},
		{name: "no thresholds", count: -1, percent: -1, failed: 1, total: 3, want: false},
		{name: "count zero", count: 0, percent: -1, failed: 1, total: 3, want: false},
		{name: "within count", count: 2, percent: -1, failed: 2, total: 3, want: true},
		{name: "beyond count", count: 2, percent: -1, failed: 3, total: 3, want: false},
		{name: "within percentage", count: -1, percent: 50, failed: 1, total: 2, want: true},
		{name: "beyond percentage", count: -1, percent: 50, failed: 2, total: 3, want: false},
		{name: "percentage zero", count: -1, percent: 0, failed: 1, total: 100, want: false},
		{name: "percentage 100", count: -1, percent: 100, failed: 3, total: 3, want: true},
		{name: "either threshold suffices", count: 1, percent: 50, failed: 2, total: 4, want: true},
		{name: "both exceeded", count: 1, percent: 10, failed: 2, total: 4, want: false},
		{name: "no items", count: -1, percent: 50, failed: 1, total: 0, want: false},
	}
	for _, tt := range tests {
		r := RunMap{ToleratedFailureCount: tt.count, ToleratedFailurePercentage: tt.percent}
		require.Equal(t, tt.want, r.Tolerates(tt.failed, tt.total), tt.name)
	}
}
