package conformance

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		expected string // JSON text of the expected output
		got      any    // actual output
		want     string // "" for a match, else the mismatch's message
	}{
		{"int equals float", `{"n": 1}`, map[string]any{"n": 1.0}, ""},
		{"float equals int", `{"n": 2.0}`, map[string]any{"n": int64(2)}, ""},
		{"Go int types", `[1, 2, 3]`, []any{1, uint8(2), int32(3)}, ""},
		{"json.Number", `{"n": 12345678901234567890}`, map[string]any{"n": json.Number("12345678901234567890")}, ""},
		{"json.Number with exponent", `1000`, json.Number("1e3"), ""},
		{"float precision", `0.30000000000000004`, sum(0.1, 0.2), ""},
		{"float by value", `0.3`, sum(0.1, 0.2), `/output: expected 0.3, got 0.30000000000000004`},
		{"different numbers", `{"n": 1}`, map[string]any{"n": 1.5}, `/output/n: expected 1, got 1.5`},
		{"big ints differ", `9007199254740993`, float64(9007199254740992), `/output: expected 9007199254740993, got 9.007199254740992e+15`},
		{"number is not string", `{"n": 1}`, map[string]any{"n": "1"}, `/output/n: expected 1, got "1" (expected number, got string)`},
		{"key order ignored", `{"a": 1, "b": {"c": 2, "d": 3}}`, map[string]any{"b": map[string]any{"d": int64(3), "c": int64(2)}, "a": int64(1)}, ""},
		{"missing field", `{"a": 1, "b": 2}`, map[string]any{"a": int64(1)}, `/output/b: missing, expected 2`},
		{"extra field", `{"a": 1}`, map[string]any{"a": int64(1), "z": nil}, `/output/z: unexpected, got null`},
		{"null is not missing", `{"a": null}`, map[string]any{}, `/output/a: missing, expected null`},
		{"arrays in order", `[1, 2]`, []any{int64(2), int64(1)}, `/output/0: expected 1, got 2`},
		{"shorter array", `[1, 2]`, []any{int64(1)}, `/output/1: missing, expected 2 (expected 2 elements, got 1)`},
		{"longer array", `[1]`, []any{int64(1), "x"}, `/output/1: unexpected, got "x" (expected 1 elements, got 2)`},
		{"array is not object", `[]`, map[string]any{}, `/output: expected [], got {} (expected array, got object)`},
		{"booleans", `[true]`, []any{false}, `/output/0: expected true, got false`},
		{"null vs false", `null`, false, `/output: expected null, got false (expected null, got boolean)`},
		{"pointer escaping", `{"a/b": {"c~d": 1}}`, map[string]any{"a/b": map[string]any{"c~d": int64(2)}}, `/output/a~1b/c~0d: expected 1, got 2`},
		{"not a JSON value", `{"a": ["x"]}`, map[string]any{"a": []string{"x"}}, `/output/a: expected ["x"], got <Go []string> (not a JSON value: []string)`},
		{"embedded JSON object", `{"s": "{\"a\":1,\"b\":[1,2]}"}`, map[string]any{"s": `{ "b": [1.0, 2], "a": 1 }`}, ""},
		{"embedded JSON array", `"[1,2]"`, "[1.0, 2.0]", ""},
		{"embedded JSON differs", `{"s": "{\"a\":{\"b\":1}}"}`, map[string]any{"s": `{"a":{"b":2}}`}, `/output/s/a/b: expected 1, got 2`},
		{"embedded JSON scalars are strings", `"1"`, "1.0", `/output: expected "1", got "1.0"`},
		{"embedded JSON on one side only", `"{\"a\":1}"`, "{a:1}", `/output: expected "{\"a\":1}", got "{a:1}"`},
		{"masks need placeholders", `"<uuid:1>"`, "0b5c8c1e-0000-4000-8000-000000000000", `/output: expected "<uuid:1>", got "0b5c8c1e-0000-4000-8000-000000000000"`},
		{"long string cut at difference", `"An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter references a negative value"`, "An error occurred while executing the state 'WaitState' (entered at the event id #2). The SecondsPath parameter references a positive value",
			`/output: expected "… parameter references a negative value", got "… parameter references a positive value"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Case{Expected: succeeded(js(t, tt.expected))}
			err := c.Check(succeeded(tt.got))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
			var m *Mismatch
			require.True(t, errors.As(err, &m))
		})
	}
}

func TestCheckPlaceholders(t *testing.T) {
	t.Parallel()
	arn := "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:TestStartTarget"
	tests := []struct {
		name     string
		tokens   []string
		expected string // JSON text of the expected output
		got      any
		want     string // "" for a match, else the mismatch's message
	}{
		{"whole uuid", []string{"<uuid:1>"}, `{"id": "<uuid:1>"}`, map[string]any{"id": "0b5c8c1e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"}, ""},
		{"arn parts", nil, `"` + arn + `"`, "arn:aws:states:us-east-1:123456789012:execution:sm-1:TestStartTarget", ""},
		{"arn literal differs", nil, `"` + arn + `"`, "arn:aws:states:us-east-1:123456789012:execution:sm-1:OtherTarget",
			`/output: expected "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:TestStartTarget", got "arn:aws:states:us-east-1:123456789012:execution:sm-1:OtherTarget"`},
		{"arn with wrong service", nil, `"` + arn + `"`, "arn:aws:lambda:us-east-1:123456789012:execution:sm-1:TestStartTarget",
			`/output: expected "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:TestStartTarget", got "arn:aws:lambda:us-east-1:123456789012:execution:sm-1:TestStartTarget"`},
		{"mask needs a non-empty run", nil, `"id-<uuid:1>"`, "id-", `/output: expected "id-<uuid:1>", got "id-"`},
		{"json input inside a message", []string{"<json-input:1>"}, `"could not be found in the input '<json-input:1>'"`, `could not be found in the input '{"int-literal":0}'`, ""},
		{"unlisted mask of the usual shape", nil, `"<request_id>"`, "ABC-123", ""},
		{"account id", nil, `"111111111111"`, "000000000001", ""},
		{"whole-value mask", []string{"date"}, `{"Date": "date"}`, map[string]any{"Date": "Thu, 01 Jan 2026 00:00:00 GMT"}, ""},
		{"whole-value mask from inventory", nil, `{"StartDate": "start-date"}`, map[string]any{"StartDate": "2026-01-01T00:00:00Z"}, ""},
		{"listed whole-value mask", []string{"my-token"}, `"my-token"`, "abc", ""},
		{"whole-value mask is not inline", []string{"date"}, `"ISO-8601 date-time"`, "ISO-8601 when-time", `/output: expected "ISO-8601 date-time", got "ISO-8601 when-time"`},
		{"whole-value mask needs a value", []string{"date"}, `"date"`, "", `/output: expected "date", got ""`},
		{"mask does not match a number", []string{"<uuid:1>"}, `{"id": "<uuid:1>"}`, map[string]any{"id": int64(7)}, `/output/id: expected "<uuid:1>", got 7 (expected string, got number)`},
		{"whole-value mask stands for a value of any type", []string{"date"}, `{"Date": "date"}`, map[string]any{"Date": []any{"Thu"}}, ""},
		{"whole-value mask stands for a number", []string{"RandomNumberGenerated"}, `{"n": "RandomNumberGenerated"}`, map[string]any{"n": int64(42)}, ""},
		{"whole-value mask does not stand for null", []string{"RandomNumberGenerated"}, `{"n": "RandomNumberGenerated"}`, map[string]any{"n": nil}, `/output/n: expected "RandomNumberGenerated", got null (expected string, got null)`},
		{"mask does not hide a missing field", []string{"<uuid:1>"}, `{"id": "<uuid:1>", "n": 1}`, map[string]any{"id": "x"}, `/output/n: missing, expected 1`},
		{"masks in embedded JSON", nil, `"{\"ExecutionArn\":\"` + arn + `\",\"Input\":\"{}\"}"`, `{"Input":"{ }","ExecutionArn":"arn:aws:states:eu-west-1:123456789012:execution:m:TestStartTarget"}`, ""},
		{"embedded JSON keeps its structure", []string{"<json-input:1>"}, `"{\"a\":\"<json-input:1>\"}"`, `{"a":{"b":1}}`, `/output/a: expected "<json-input:1>", got {"b":1} (expected string, got object)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Case{Expected: succeeded(js(t, tt.expected)), Placeholders: true, PlaceholderTokens: tt.tokens}
			err := c.Check(succeeded(tt.got))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestCheckResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		placeholders bool
		expected     Result
		got          Result
		want         string // "" for a match, else the mismatch's message
	}{
		{"success", false, succeeded(js(t, `{"a":1}`)), succeeded(js(t, `{"a":1.0}`)), ""},
		{"null output", false, succeeded(nil), succeeded(nil), ""},
		{"output without HasOutput", false, succeeded("x"), Result{Status: StatusSucceeded, Output: "x"}, ""},
		{"missing output", false, succeeded(nil), Result{Status: StatusSucceeded}, `/output: missing, expected null`},
		{"unexpected output", false, failed("E", "c"), Result{Status: StatusFailed, Error: "E", Cause: "c", HasOutput: true}, `/output: unexpected, got null`},
		{"status", false, succeeded(nil), failed("States.Runtime", "boom"), `/status: expected "SUCCEEDED", got "FAILED" (error "States.Runtime", cause "boom")`},
		{"status without error", false, Result{Status: StatusAborted}, Result{Status: StatusTimedOut}, `/status: expected "ABORTED", got "TIMED_OUT"`},
		{"failure", false, failed("MyError", "oops"), failed("MyError", "oops"), ""},
		{"error differs", false, failed("MyError", "oops"), failed("Other", "oops"), `/error: expected "MyError", got "Other"`},
		{"missing cause", false, failed("MyError", "oops"), failed("MyError", ""), `/cause: missing, expected "oops"`},
		{"unexpected cause", false, failed("MyError", ""), failed("MyError", "oops"), `/cause: unexpected, got "oops"`},
		{"unexpected error on success", false, succeeded(nil), Result{Status: StatusSucceeded, HasOutput: true, Error: "E"}, `/error: unexpected, got "E"`},
		{"no error no cause", false, Result{Status: StatusFailed}, Result{Status: StatusFailed}, ""},
		{"JSON cause by value", false, failed("Exception", `{"errorMessage":"boom","errorType":"Exception","stackTrace":[]}`),
			failed("Exception", `{"errorType": "Exception", "errorMessage": "boom", "stackTrace": []}`), ""},
		{"JSON cause differs", false, failed("Exception", `{"errorMessage":"boom","errorType":"Exception"}`),
			failed("Exception", `{"errorMessage":"bang","errorType":"Exception"}`), `/cause/errorMessage: expected "boom", got "bang"`},
		{"JSON cause with masks", true, failed("Exception", `{"requestId":"<uuid:3>","errorType":"Exception"}`),
			failed("Exception", `{"errorType":"Exception","requestId":"7d1f0a4e-1111-2222-3333-444455556666"}`), ""},
		{"masked cause", true, failed("StartState", "<ArnPart_0idx>"), failed("StartState", "my-machine"), ""},
		{"masked cause needs a value", true, failed("StartState", "<ArnPart_0idx>"), failed("StartState", ""), `/cause: missing, expected "<ArnPart_0idx>"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Case{Expected: tt.expected, Placeholders: tt.placeholders}
			err := c.Check(tt.got)
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
		})
	}
}

// sum adds at run time, so that the compiler does not fold the constants
// exactly.
func sum(a, b float64) float64 { return a + b }
