package runtime_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/runtime"
)

// runSeeded runs def with a seed on a virtual clock and returns the result.
func runSeeded(t *testing.T, def string, seed uint64, e *runtime.Engine) *runtime.Result {
	t.Helper()
	res := e.Run(t.Context(), compile(t, def), runtime.Execution{
		Name: "seeded", Input: map[string]any{}, Clock: runtime.NewVirtualClock(t0), Seed: seed,
	})
	require.Equal(t, runtime.StatusSucceeded, res.Status, "%s: %s", res.Error, res.Cause)
	return res
}

func TestSeedRepeatsRandomness(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, def string
	}{
		{
			name: "States.UUID and States.MathRandom",
			def: `{"StartAt":"R","States":{"R":{"Type":"Pass","Parameters":{
				"uuid.$":"States.UUID()","n.$":"States.MathRandom(1, 1000000)"},"Next":"S"},
				"S":{"Type":"Pass","Parameters":{"first.$":"$","uuid.$":"States.UUID()"},"End":true}}}`,
		},
		{
			name: "inside Parallel branches",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[
				{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}}},
				{"StartAt":"B","States":{"B":{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}}},
				{"StartAt":"C","States":{"C":{"Type":"Pass","Parameters":{"u.$":"States.UUID()"},"End":true}}}],"End":true}}}`,
		},
		{
			name: "inside concurrent Map iterations",
			def: `{"StartAt":"I","States":{"I":{"Type":"Pass","Result":[1,2,3,4,5,6,7,8],"Next":"M"},
				"M":{"Type":"Map","ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass",
				"Parameters":{"n.$":"States.MathRandom(0, 1000000000)"},"End":true}}},"End":true}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			first := asl.EncodeJSON(runSeeded(t, tt.def, 42, &runtime.Engine{}).Output)
			for range 20 {
				require.Equal(t, first, asl.EncodeJSON(runSeeded(t, tt.def, 42, &runtime.Engine{}).Output))
			}
			require.NotEqual(t, first, asl.EncodeJSON(runSeeded(t, tt.def, 43, &runtime.Engine{}).Output),
				"another seed draws other values")
		})
	}
}

func TestSeedRepeatsRetryJitter(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["Boom"],
		"IntervalSeconds":10,"BackoffRate":2,"MaxAttempts":4,"JitterStrategy":"FULL"}],"End":true}}}`
	delays := func(seed uint64) []time.Duration {
		res := runSeeded(t, def, seed, &runtime.Engine{Tasks: newRecorder(failTimes(4, "Boom"))})
		failed, scheduled := ofType(res, runtime.TaskFailed), ofType(res, runtime.TaskScheduled)
		out := make([]time.Duration, len(failed))
		for i := range failed {
			out[i] = scheduled[i+1].Timestamp.Sub(failed[i].Timestamp)
		}
		return out
	}
	first := delays(7)
	require.Len(t, first, 4)
	for i, d := range first {
		ceiling := 10 * time.Second << i
		require.True(t, d >= 0 && d <= ceiling, "jittered delay %v of retry %d is within [0, %v]", d, i+1, ceiling)
	}
	require.Equal(t, first, delays(7))
	require.NotEqual(t, first, delays(8))
}

func TestNoSeedDrawsFreshValues(t *testing.T) {
	t.Parallel()
	def := `{"StartAt":"R","States":{"R":{"Type":"Pass","Parameters":{"uuid.$":"States.UUID()"},"End":true}}}`
	a := runSeeded(t, def, 0, &runtime.Engine{}).Output
	b := runSeeded(t, def, 0, &runtime.Engine{}).Output
	require.NotEqual(t, asl.EncodeJSON(a), asl.EncodeJSON(b))
}
