package asl

import (
	"math"
	"testing"
	"time"

	"github.com/signalbox/signalbox/asl/aslerr"
	"github.com/stretchr/testify/require"
)

func TestStepWait(t *testing.T) {
	t.Parallel()
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	tests := []struct {
		name  string
		state string
		input string
		until time.Time
		out   string
	}{
		{name: "Seconds", state: `{"Type":"Wait","Next":"T","Seconds":10}`, input: `{"a":1}`, until: enteredTime.Add(10 * time.Second), out: `{"a":1}`},
		{name: "Seconds zero", state: `{"Type":"Wait","Next":"T","Seconds":0}`, input: `{}`, until: enteredTime, out: `{}`},
		{name: "Timestamp", state: `{"Type":"Wait","Next":"T","Timestamp":"2030-01-02T03:04:05Z"}`, input: `{}`, until: ts("2030-01-02T03:04:05Z"), out: `{}`},
		{name: "Timestamp with offset and fraction", state: `{"Type":"Wait","Next":"T","Timestamp":"2030-01-02T03:04:05.5+02:00"}`, input: `{}`, until: ts("2030-01-02T01:04:05.5Z"), out: `{}`},
		{name: "Timestamp in the past", state: `{"Type":"Wait","Next":"T","Timestamp":"2016-03-14T01:59:00Z"}`, input: `{}`, until: ts("2016-03-14T01:59:00Z"), out: `{}`},
		{name: "SecondsPath", state: `{"Type":"Wait","Next":"T","SecondsPath":"$.input.waitSeconds"}`, input: `{"input":{"waitSeconds":1}}`, until: enteredTime.Add(time.Second), out: `{"input":{"waitSeconds":1}}`},
		{name: "SecondsPath zero", state: `{"Type":"Wait","Next":"T","SecondsPath":"$.s"}`, input: `{"s":0}`, until: enteredTime, out: `{"s":0}`},
		{name: "SecondsPath after InputPath", state: `{"Type":"Wait","Next":"T","InputPath":"$.in","SecondsPath":"$.s"}`, input: `{"in":{"s":5}}`, until: enteredTime.Add(5 * time.Second), out: `{"s":5}`},
		{name: "TimestampPath", state: `{"Type":"Wait","Next":"T","TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"2016-03-05T21:29:29Z"}`, until: ts("2016-03-05T21:29:29Z"), out: `{"TimestampValue":"2016-03-05T21:29:29Z"}`},
		{name: "TimestampPath with nanoseconds", state: `{"Type":"Wait","Next":"T","TimestampPath":"$.t"}`, input: `{"t":"2016-03-05T21:29:29.243167252Z"}`, until: ts("2016-03-05T21:29:29.243167252Z"), out: `{"t":"2016-03-05T21:29:29.243167252Z"}`},
		{name: "OutputPath", state: `{"Type":"Wait","Next":"T","Seconds":1,"OutputPath":"$.a"}`, input: `{"a":[1]}`, until: enteredTime.Add(time.Second), out: `[1]`},
		{name: "InputPath null", state: `{"Type":"Wait","Next":"T","Seconds":1,"InputPath":null}`, input: `{"a":[1]}`, until: enteredTime.Add(time.Second), out: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := step(t, tt.state, tt.input)
			w, ok := o.(WaitUntil)
			require.True(t, ok, "%#v", o)
			require.True(t, tt.until.Equal(w.Until), "until %v, want %v", w.Until, tt.until)
			requireNext(t, w.Then, "T", tt.out)
		})
	}

	t.Run("End and Assign", func(t *testing.T) {
		t.Parallel()
		o := step(t, `{"Type":"Wait","End":true,"Seconds":1,"Assign":{"w.$":"$.a"}}`, `{"a":2}`)
		require.Equal(t, WaitUntil{Until: enteredTime.Add(time.Second), Then: Succeed{Output: map[string]any{"a": int64(2)}, Assign: map[string]any{"w": int64(2)}}}, o)
	})
}

func TestStepWaitErrors(t *testing.T) {
	t.Parallel()
	far := enteredTime.Add(math.MaxInt32*time.Second + time.Second).Format(time.RFC3339)
	tests := []struct {
		name  string
		state string
		input string
		cause string
	}{
		{name: "SecondsPath selects nothing", state: `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, input: `{}`, cause: "The SecondsPath parameter does not reference an input value: $.s"},
		{name: "SecondsPath fractional", state: `{"Type":"Wait","End":true,"SecondsPath":"$.input.waitSeconds"}`, input: `{"input":{"waitSeconds":1.5}}`, cause: "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"},
		{name: "SecondsPath negative fractional", state: `{"Type":"Wait","End":true,"SecondsPath":"$.input.waitSeconds"}`, input: `{"input":{"waitSeconds":-1.5}}`, cause: "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == -1.5"},
		{name: "SecondsPath a string", state: `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, input: `{"s":"5"}`, cause: `The SecondsPath parameter cannot be parsed as a long value: $.s == "5"`},
		{name: "SecondsPath negative", state: `{"Type":"Wait","End":true,"SecondsPath":"$.input.waitSeconds"}`, input: `{"input":{"waitSeconds":-1}}`, cause: "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"},
		{name: "SecondsPath too long", state: `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, input: `{"s":2147483648}`, cause: "Wait state delay is too long."},
		{name: "TimestampPath selects nothing", state: `{"Type":"Wait","End":true,"TimestampPath":"$.t"}`, input: `{}`, cause: "The TimestampPath parameter does not reference an input value: $.t"},
		{name: "TimestampPath invalid date", state: `{"Type":"Wait","End":true,"TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"2016-13-05T21:29:29Z"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 2016-13-05T21:29:29Z"},
		{name: "TimestampPath invalid time", state: `{"Type":"Wait","End":true,"TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"2016-12-05T25:29:29Z"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 2016-12-05T25:29:29Z"},
		{name: "TimestampPath not ISO", state: `{"Type":"Wait","End":true,"TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"05-12-2016T21:29:29Z"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 05-12-2016T21:29:29Z"},
		{name: "TimestampPath without T", state: `{"Type":"Wait","End":true,"TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"2016-12-05 21:29:29Z"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 2016-12-05 21:29:29Z"},
		{name: "TimestampPath without offset", state: `{"Type":"Wait","End":true,"TimestampPath":"$.TimestampValue"}`, input: `{"TimestampValue":"2016-12-05T21:29:29"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.TimestampValue == 2016-12-05T21:29:29"},
		{name: "TimestampPath lower-case separator", state: `{"Type":"Wait","End":true,"TimestampPath":"$.t"}`, input: `{"t":"2016-12-05t21:29:29z"}`, cause: "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == 2016-12-05t21:29:29z"},
		{name: "TimestampPath not a string", state: `{"Type":"Wait","End":true,"TimestampPath":"$.t"}`, input: `{"t":{"x":1}}`, cause: `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == {"x":1}`},
		{name: "TimestampPath too far", state: `{"Type":"Wait","End":true,"TimestampPath":"$.start_at"}`, input: `{"start_at":"` + far + `"}`, cause: "Wait state delay is too long."},
		{name: "Timestamp too far", state: `{"Type":"Wait","End":true,"Timestamp":"` + far + `"}`, input: `{}`, cause: "Wait state delay is too long."},
		{name: "InputPath selects nothing", state: `{"Type":"Wait","End":true,"Seconds":1,"InputPath":"$.x"}`, input: `{}`, cause: "Invalid path '$.x' : No results for path: $['x']"},
		{name: "OutputPath selects nothing", state: `{"Type":"Wait","End":true,"Seconds":1,"OutputPath":"$.x"}`, input: `{}`, cause: "Invalid path '$.x' : No results for path: $['x']"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			requireFail(t, step(t, tt.state, tt.input), aslerr.Runtime, runtimeCause(tt.cause))
		})
	}

	// The longest delay accepted is 2^31-1 seconds.
	o := step(t, `{"Type":"Wait","End":true,"SecondsPath":"$.s"}`, `{"s":2147483647}`)
	require.Equal(t, WaitUntil{Until: enteredTime.Add(math.MaxInt32 * time.Second), Then: Succeed{Output: map[string]any{"s": int64(math.MaxInt32)}}}, o)
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05-07:00", "2024-02-29T00:00:00+00:00"} {
		_, err := ParseTimestamp(s)
		require.NoError(t, err, s)
	}
	for _, s := range []string{"", "2024-01-02", "2024-01-02T03:04:05", "2024-01-02 03:04:05Z", "2024-01-02t03:04:05Z", "2024-01-02T03:04:05z", "2023-02-29T00:00:00Z", "2024-01-02T03:04:05+0700"} {
		_, err := ParseTimestamp(s)
		require.Error(t, err, s)
	}
}
