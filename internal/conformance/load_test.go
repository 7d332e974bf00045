package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadRecordedCases(t *testing.T) {
	t.Parallel()
	cases := loadReal(t)
	require.Len(t, cases, 760)
	require.True(t, sort.SliceIsSorted(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name }))

	byName := make(map[string]*Case, len(cases))
	var itemReaders, causesAsJSON int
	for _, c := range cases {
		byName[c.Name] = c
		require.Equal(t, c.Name+".json", filepath.Base(c.File))
		var def map[string]any
		require.NoError(t, json.Unmarshal(c.Definition, &def), c.Name)
		require.Contains(t, def, "States", c.Name)
		require.Contains(t, []string{StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted}, c.Expected.Status)
		require.Equal(t, c.Expected.Status == StatusSucceeded, c.Expected.HasOutput, c.Name)
		if c.ItemReader {
			itemReaders++
		}
		if _, ok := parseComposite(c.Expected.Cause); ok {
			causesAsJSON++
		}
	}
	require.Equal(t, 18, itemReaders)
	require.Equal(t, 12, causesAsJSON)

	c := byName["context_object_test_context_object__TestSnfBase__test_error_cause_path__dc6111c7"]
	require.NotNil(t, c)
	require.Equal(t, Result{Status: StatusFailed, Error: "StartState", Cause: "<ArnPart_0idx>"}, c.Expected)
	require.True(t, c.Placeholders)
	require.Equal(t, []string{"<ArnPart_0idx>"}, c.PlaceholderTokens)
	require.True(t, c.Features.ContextObject)
	require.Equal(t, []string{"Fail"}, c.Features.StateTypes)
	require.JSONEq(t, `{"StartAt":"StartState","States":{"StartState":{"CausePath":"$$.StateMachine.Name","ErrorPath":"$$.State.Name","Type":"Fail"}}}`, string(c.Definition))
	require.Equal(t, map[string]any{}, c.Input)
	require.Equal(t, "localstack/localstack", c.Source.Repo)

	c = byName["callback_test_callback__TestCallback__test_start_execution_sync_delegate_failure__bfc1c8c0"]
	require.NotNil(t, c)
	require.Equal(t, []string{"states"}, c.Needs)
	require.True(t, c.InputPlaceholders)
	require.NotEmpty(t, c.RecordedServiceEvents)
	cause, ok := parseComposite(c.Expected.Cause)
	require.True(t, ok, "a cause recorded as an object is kept as its JSON text")
	require.Equal(t, "SomeFailure", cause.(map[string]any)["Error"])

	c = byName["test_sfn_api__TestSnfApi__test_stop_execution__exec_hist_resp__96a30f97"]
	require.NotNil(t, c)
	require.Equal(t, Result{Status: StatusAborted}, c.Expected)
}

func TestLoadDecodesValues(t *testing.T) {
	t.Parallel()
	cases, err := Load(filepath.Join("testdata", "cases"))
	require.NoError(t, err)
	names := make([]string, len(cases))
	for i, c := range cases {
		names[i] = c.Name
	}
	require.Equal(t, []string{"fail_state__custom", "jsonata__output", "lambda_task__invoke", "masked__input", "pass_state__hello", "pass_state__number"}, names)

	number := cases[5]
	require.Equal(t, []any{int64(1), 2.5, "x", nil, true}, number.Input.(map[string]any)["a"])
	require.Equal(t, succeeded(map[string]any{"n": int64(1)}), number.Expected)
	require.Equal(t, "pass_state", number.Group())

	lambda := cases[2]
	require.Equal(t, []string{"lambda"}, lambda.Needs)
	require.Equal(t, []string{"/States/T/Resource <- function_arn"}, lambda.ResourceBindings)
	require.Equal(t, []any{map[string]any{"type": "LambdaFunctionScheduled", "state": "T", "details": map[string]any{"input": map[string]any{}}}}, lambda.RecordedServiceEvents)
}

func TestDecodeCase(t *testing.T) {
	t.Parallel()
	const def = `"definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`
	tests := []struct {
		name    string
		text    string
		want    Result // when wantErr is ""
		wantErr string
	}{
		{"null output", `{"name": "a", ` + def + `, "input": null, "expected": {"status": "SUCCEEDED", "output": null}}`,
			Result{Status: StatusSucceeded, HasOutput: true}, ""},
		{"null error and cause", `{"name": "a", ` + def + `, "input": {}, "expected": {"status": "FAILED", "error": null, "cause": null}}`,
			Result{Status: StatusFailed}, ""},
		{"object cause", `{"name": "a", ` + def + `, "input": {}, "expected": {"status": "FAILED", "error": "E", "cause": {"b": [1, 2], "a": "x"}}}`,
			Result{Status: StatusFailed, Error: "E", Cause: `{"b":[1,2],"a":"x"}`}, ""},
		{"timed out", `{"name": "a", ` + def + `, "input": {}, "expected": {"status": "TIMED_OUT"}}`,
			Result{Status: StatusTimedOut}, ""},
		{"not JSON", `{"name": `, Result{}, "unexpected end of JSON input"},
		{"missing name", `{` + def + `, "input": {}, "expected": {"status": "SUCCEEDED"}}`, Result{}, "missing name"},
		{"missing definition", `{"name": "a", "input": {}, "expected": {"status": "SUCCEEDED"}}`, Result{}, "missing definition"},
		{"definition not an object", `{"name": "a", "definition": [], "input": {}, "expected": {"status": "SUCCEEDED"}}`, Result{}, "definition: expected an object, got array"},
		{"missing input", `{"name": "a", ` + def + `, "expected": {"status": "SUCCEEDED"}}`, Result{}, "missing input"},
		{"missing status", `{"name": "a", ` + def + `, "input": {}, "expected": {}}`, Result{}, "expected: missing status"},
		{"unknown status", `{"name": "a", ` + def + `, "input": {}, "expected": {"status": "RUNNING"}}`, Result{}, `expected: unknown status "RUNNING"`},
		{"needs not a list", `{"name": "a", ` + def + `, "input": {}, "needs": "lambda", "expected": {"status": "SUCCEEDED"}}`, Result{}, "cannot unmarshal string"},
		{"events not a list", `{"name": "a", ` + def + `, "input": {}, "recorded_service_events": {}, "expected": {"status": "SUCCEEDED"}}`, Result{}, "recorded_service_events: not an array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := decodeCase([]byte(tt.text))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, c.Expected)
		})
	}
}

func TestDecodeDefinitionFindsDistributedMapIO(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		definition     string
		reader, writer bool
	}{
		{"none", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, false, false},
		{"reader", `{"StartAt":"M","States":{"M":{"Type":"Map","ItemReader":{"Resource":"arn:aws:states:::s3:getObject"},"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`, true, false},
		{"nested writer", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"M","States":{"M":{"Type":"Map","ResultWriter":{},"End":true}}}],"End":true}}}`, false, true},
		{"field of a payload", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ItemReader":1},"End":true}}}`, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := decodeDefinition([]byte(tt.definition))
			require.NoError(t, err)
			require.Equal(t, tt.reader, d.itemReader)
			require.Equal(t, tt.writer, d.resultWriter)
			require.JSONEq(t, tt.definition, string(d.text))
		})
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good, err := os.ReadFile(filepath.Join("testdata", "cases", "pass_state__hello.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.json"), good, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.json"), good, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"name": 1}`), 0o644))

	cases, err := Load(dir)
	require.Nil(t, cases)
	require.ErrorContains(t, err, filepath.Join(dir, "b.json")+`: name "pass_state__hello" already used by `+filepath.Join(dir, "a.json"))
	require.ErrorContains(t, err, filepath.Join(dir, "c.json")+": json: cannot unmarshal number")
}

func TestLoadEmptyDirectory(t *testing.T) {
	t.Parallel()
	_, err := Load(t.TempDir())
	require.ErrorContains(t, err, "no *.json cases")
}
