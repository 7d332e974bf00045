package mock

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`{
		"StateMachines": {"SM": {"TestCases": {"TC": {"A": "R", "B": "R"}}}},
		"MockedResponses": {"R": {
			"10-11": {"Throw": {"Error": "E"}},
			"0": {"Return": [1, 2.5, "x", null]},
			"1-3": {"Return": null},
			"4": {"Throw": {"Error": "Custom.Error", "Cause": "because"}}
		}}
	}`))
	require.NoError(t, err)
	tc := cfg.stateMachines["SM"]["TC"]
	require.Same(t, tc["A"], tc["B"], "states naming one response share it")
	require.Equal(t, &mockedResponse{name: "R", entries: []entry{
		{first: 0, last: 0, ret: []any{int64(1), 2.5, "x", nil}},
		{first: 1, last: 3, ret: nil},
		{first: 4, last: 4, fail: &failure{name: "Custom.Error", cause: "because"}},
		{first: 10, last: 11, fail: &failure{name: "E"}},
	}}, tc["A"], "entries are sorted by invocation, gaps allowed")
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	const okResponses = `"MockedResponses": {"R": {"0": {"Return": 1}}}`
	const okMachines = `"StateMachines": {"SM": {"TestCases": {"TC": {"S": "R"}}}}`
	for _, tc := range []struct {
		name string
		json string
		want []Problem // Message holds a substring of the expected message
	}{
		{"not JSON", `{"StateMachines": `, []Problem{{"", "not valid JSON"}}},
		{"not an object", `[1]`, []Problem{{"", "must be an object, not an array"}}},
		{"missing top-level fields", `{}`, []Problem{
			{"", `missing the field "StateMachines"`},
			{"", `missing the field "MockedResponses"`},
		}},
		{"unknown top-level field", `{` + okMachines + `, ` + okResponses + `, "Mocks": {}}`, []Problem{
			{"/Mocks", `unknown field "Mocks"`},
		}},
		{"StateMachines not an object", `{"StateMachines": [], ` + okResponses + `}`, []Problem{
			{"/StateMachines", "must be an object, not an array"},
		}},
		{"state machine without TestCases", `{"StateMachines": {"SM": {"Tests": {}}}, ` + okResponses + `}`, []Problem{
			{"/StateMachines/SM", `missing the field "TestCases"`},
			{"/StateMachines/SM/Tests", `unknown field "Tests"`},
		}},
		{"test case not an object", `{"StateMachines": {"SM": {"TestCases": {"TC": "R"}}}, ` + okResponses + `}`, []Problem{
			{"/StateMachines/SM/TestCases/TC", "must be an object, not a string"},
		}},
		{"state mapped to a non-string", `{"StateMachines": {"SM": {"TestCases": {"TC": {"S": 3}}}}, ` + okResponses + `}`, []Problem{
			{"/StateMachines/SM/TestCases/TC/S", "must be the name of a mocked response (a string), not a number"},
		}},
		{"undefined response", `{"StateMachines": {"SM": {"TestCases": {"TC": {"S/1": "Nope"}}}}, ` + okResponses + `}`, []Problem{
			{"/StateMachines/SM/TestCases/TC/S~11", `the mocked response "Nope" is not defined in MockedResponses`},
		}},
		{"invalid response reported once", `{` + okMachines + `, "MockedResponses": {"R": {"x": {"Return": 1}}}}`, []Problem{
			{"/MockedResponses/R/x", `"x" is not an invocation number`},
		}},
		{"response with no entries", `{"StateMachines": {}, "MockedResponses": {"R": {}}}`, []Problem{
			{"/MockedResponses/R", "has no entries"},
		}},
		{"bad keys", `{"StateMachines": {}, "MockedResponses": {"R": {
			"": {"Return": 1}, "-1": {"Return": 1}, "1-": {"Return": 1}, " 2": {"Return": 1},
			"3-4-5": {"Return": 1}, "7-6": {"Return": 1}, "99999999999999999999": {"Return": 1}, "+8": {"Return": 1}
		}}}`, []Problem{
			{"/MockedResponses/R/", `"" is not an invocation number`},
			{"/MockedResponses/R/ 2", `" 2" is not an invocation number`},
			{"/MockedResponses/R/+8", `"+8" is not an invocation number`},
			{"/MockedResponses/R/-1", `"" is not an invocation number`},
			{"/MockedResponses/R/1-", `"" is not an invocation number`},
			{"/MockedResponses/R/3-4-5", `"4-5" is not an invocation number`},
			{"/MockedResponses/R/7-6", `the range "7-6" ends before it starts`},
			{"/MockedResponses/R/99999999999999999999", `"99999999999999999999" is too large`},
		}},
		{"overlapping ranges", `{"StateMachines": {}, "MockedResponses": {"R": {
			"0-2": {"Return": 1}, "2": {"Return": 2}, "5-9": {"Return": 3}, "9-12": {"Return": 4}, "13": {"Return": 5}
		}}}`, []Problem{
			{"/MockedResponses/R/2", `overlaps the entry "0-2"`},
			{"/MockedResponses/R/9-12", `overlaps the entry "5-9"`},
		}},
		{"entry not an object", `{"StateMachines": {}, "MockedResponses": {"R": {"0": 1}}}`, []Problem{
			{"/MockedResponses/R/0", "must be an object, not a number"},
		}},
		{"both Return and Throw", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}`, []Problem{
			{"/MockedResponses/R/0", `has both "Return" and "Throw"`},
		}},
		{"neither Return nor Throw", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Retrun": 1}}}}`, []Problem{
			{"/MockedResponses/R/0/Retrun", `unknown field "Retrun"`},
			{"/MockedResponses/R/0", `has neither "Return" nor "Throw"`},
		}},
		{"Throw not an object", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": "E"}}}}`, []Problem{
			{"/MockedResponses/R/0/Throw", "must be an object, not a string"},
		}},
		{"Throw without Error", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}`, []Problem{
			{"/MockedResponses/R/0/Throw", `missing the field "Error"`},
		}},
		{"Throw with bad fields", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": "", "Cause": 1, "Code": 2}}}}}`, []Problem{
			{"/MockedResponses/R/0/Throw/Code", `unknown field "Code"`},
			{"/MockedResponses/R/0/Throw/Error", "must not be empty"},
			{"/MockedResponses/R/0/Throw/Cause", "must be a string, not a number"},
		}},
		{"Throw Error not a string", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": null}}}}}`, []Problem{
			{"/MockedResponses/R/0/Throw/Error", "must be an error name (a string), not null"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse([]byte(tc.json))
			require.Nil(t, cfg)
			verr, ok := err.(*ValidationError)
			require.True(t, ok, "error %v is a *ValidationError", err)
			require.Empty(t, verr.File)
			require.Len(t, verr.Problems, len(tc.want), "problems: %v", verr.Problems)
			for i, want := range tc.want {
				require.Equal(t, want.Pointer, verr.Problems[i].Pointer, "problem %d: %v", i, verr.Problems[i])
				require.Contains(t, verr.Problems[i].Message, want.Message, "problem %d", i)
			}
		})
	}
}

func TestValidationErrorMessage(t *testing.T) {
	t.Parallel()
	err := &ValidationError{File: "mocks.json", Problems: []Problem{
		{Pointer: "", Message: "first"},
		{Pointer: "/MockedResponses/R", Message: "second"},
	}}
	require.EqualError(t, err, "mock: invalid mock configuration mocks.json: first; /MockedResponses/R: second")
}
