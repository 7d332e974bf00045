package asl

import (
	"testing"

	"github.com/signalbox/signalbox/asl/aslerr"
)

// The JSONata number fields of every state, as one family: a result of the
// wrong type is the type error ("returned an unexpected result type.
// Expected 'integer' ..."), a whole number out of the field's range the
// range error in the words of the Wait state's Seconds ("The F field must
// be a positive integer no greater than N, got X"). None runs on with the
// value clamped or dropped: a TimeoutSeconds of 0 or -1 ran the task with no
// timeout, a MaxConcurrency of -1 ran the Map unbounded, and a
// ToleratedFailurePercentage of "x" answered a range error.
func TestJSONataNumberFieldFamily(t *testing.T) {
	t.Parallel()
	const proc = `"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	task := func(field string) string {
		return `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"` + field + `":"{% $states.input.v %}"}`
	}
	mapWith := func(field string) string {
		return `{"Type":"Map","End":true,"Items":[1,2],` + proc + `,"` + field + `":"{% $states.input.v %}"}`
	}
	batcher := func(field string) string {
		return `{"Type":"Map","End":true,"Items":[1,2],` + proc + `,"ItemBatcher":{"` + field + `":"{% $states.input.v %}"}}`
	}
	wait := `{"Type":"Wait","End":true,"Seconds":"{% $states.input.v %}"}`
	typeErr := func(field, want, got, value string) string {
		return stateCause("The JSONata expression '$states.input.v' specified for the field '" + field + "' returned an unexpected result type. Expected '" + want + "', but was '" + got + "' for value: " + value)
	}
	rangeErr := func(field, what, got string) string {
		return stateCause("The " + field + " field must be " + what + ", got " + got)
	}
	tests := []struct {
		name, state, v, errName, cause string
	}{
		// wrong types
		{"TimeoutSeconds string", task("TimeoutSeconds"), `"10"`, aslerr.QueryEvaluationError, typeErr("TimeoutSeconds", "integer", "string", `"10"`)},
		{"HeartbeatSeconds fraction", task("HeartbeatSeconds"), `1.5`, aslerr.QueryEvaluationError, typeErr("HeartbeatSeconds", "integer", "number", `1.5`)},
		{"MaxConcurrency object", mapWith("MaxConcurrency"), `{"a":1}`, aslerr.QueryEvaluationError, typeErr("MaxConcurrency", "integer", "object", `{"a":1}`)},
		{"ToleratedFailureCount bool", mapWith("ToleratedFailureCount"), `true`, aslerr.QueryEvaluationError, typeErr("ToleratedFailureCount", "integer", "boolean", `true`)},
		{"ToleratedFailurePercentage string", mapWith("ToleratedFailurePercentage"), `"x"`, aslerr.QueryEvaluationError, typeErr("ToleratedFailurePercentage", "number", "string", `"x"`)},
		{"ToleratedFailurePercentage null", mapWith("ToleratedFailurePercentage"), `null`, aslerr.QueryEvaluationError, typeErr("ToleratedFailurePercentage", "number", "null", `null`)},
		{"MaxItemsPerBatch array", batcher("MaxItemsPerBatch"), `[2]`, aslerr.QueryEvaluationError, typeErr("ItemBatcher/MaxItemsPerBatch", "integer", "array", `[2]`)},
		{"Seconds string", wait, `"5"`, aslerr.QueryEvaluationError, typeErr("Seconds", "integer", "string", `"5"`)},
		// out of range
		{"TimeoutSeconds 0", task("TimeoutSeconds"), `0`, aslerr.QueryEvaluationError, rangeErr("TimeoutSeconds", "a positive integer no greater than 99999999", "0")},
		{"TimeoutSeconds -1", task("TimeoutSeconds"), `-1`, aslerr.QueryEvaluationError, rangeErr("TimeoutSeconds", "a positive integer no greater than 99999999", "-1")},
		{"TimeoutSeconds too long", task("TimeoutSeconds"), `100000000`, aslerr.QueryEvaluationError, rangeErr("TimeoutSeconds", "a positive integer no greater than 99999999", "100000000")},
		{"HeartbeatSeconds 0", task("HeartbeatSeconds"), `0`, aslerr.QueryEvaluationError, rangeErr("HeartbeatSeconds", "a positive integer no greater than 99999999", "0")},
		{"MaxConcurrency -1", mapWith("MaxConcurrency"), `-1`, aslerr.QueryEvaluationError, rangeErr("MaxConcurrency", "a non-negative integer", "-1")},
		{"MaxItemsPerBatch 0", batcher("MaxItemsPerBatch"), `0`, aslerr.QueryEvaluationError, rangeErr("ItemBatcher/MaxItemsPerBatch", "a positive integer", "0")},
		{"MaxInputBytesPerBatch -5", batcher("MaxInputBytesPerBatch"), `-5`, aslerr.QueryEvaluationError, rangeErr("ItemBatcher/MaxInputBytesPerBatch", "a positive integer", "-5")},
		{"Seconds -1", wait, `-1`, aslerr.QueryEvaluationError, rangeErr("Seconds", "a non-negative integer no greater than 2147483647", "-1")},
		// the ranges AWS words for the Map's tolerated failures (recorded
		// with paths: test_map_state_tolerated_failure_*), whatever the
		// query language
		{"ToleratedFailureCount -1", mapWith("ToleratedFailureCount"), `-1`, aslerr.Runtime, stateCause("ToleratedFailureCount cannot be negative.")},
		{"ToleratedFailurePercentage 100.5", mapWith("ToleratedFailurePercentage"), `100.5`, aslerr.Runtime, stateCause("ToleratedFailurePercentage must be between 0 and 100.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, jstep(t, tt.state, `{"v":`+tt.v+`}`), tt.errName, tt.cause)
		})
	}
	// In range, the values are taken as given.
	c, ok := jstep(t, task("TimeoutSeconds"), `{"v":99999999}`).(CallTask)
	if !ok || c.TimeoutSeconds != 99999999 {
		t.Fatalf("TimeoutSeconds 99999999: %#v", c)
	}
	if r := requireRunMap(t, jstep(t, mapWith("MaxConcurrency"), `{"v":0}`)); r.MaxConcurrency != 0 {
		t.Fatalf("MaxConcurrency 0: %d", r.MaxConcurrency)
	}
}
