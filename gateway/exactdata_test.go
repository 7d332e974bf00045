package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"
)

// Data arrives exactly as sent: an emoji escaped as a surrogate pair (what
// Python's json.dumps sends) was decoded to two U+FFFD; integers keep their
// type at int64's edges; a number beyond float64 and text that is not UTF-8
// are refused with AWS's errors instead of being changed.
func TestExecutionDataIsExact(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	sm := b.createMachine(t, "exact", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"e.$":"$.e","big.$":"$.big","neg.$":"$.neg","past.$":"$.past","s.$":"States.StringToJson($.text)"},"End":true}}}`, "")
	input := `{"e":"\ud83c\udd97 ok","big":9223372036854775807,"neg":-9223372036854775808,"past":9223372036854775808,"text":"{\"x\":\"\\ud83d\\ude00\"}"}`
	arn := b.start(t, sm, "exact", input)
	out := b.waitStatus(t, arn, types.ExecutionStatusSucceeded)
	var got map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(aws.ToString(out.Output))))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&got))
	require.Equal(t, "🆗 ok", got["e"])
	require.Equal(t, json.Number("9223372036854775807"), got["big"])
	require.Equal(t, json.Number("-9223372036854775808"), got["neg"])
	require.Equal(t, map[string]any{"x": "😀"}, got["s"], "States.StringToJson decodes the pair too")
	past, err := got["past"].(json.Number).Float64()
	require.NoError(t, err)
	require.Equal(t, 9223372036854775808.0, past)

	for _, bad := range []string{`{"n":1e400}`, `[-1e400]`, `1e999999`} {
		_, err := b.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Input: aws.String(bad)})
		requireAWSError(t, err, "InvalidExecutionInput")
	}

	// a body that is not UTF-8 is refused, not repaired
	raw := rawCall(t, b.url, "AWSStepFunctions.StartExecution", "{\"stateMachineArn\":\""+sm+"\",\"input\":\"{\\\"s\\\":\\\"\xff\\\"}\"}")
	requireRawError(t, raw, http.StatusBadRequest, "SerializationException")
}

// A definition is decoded as exactly as an input, on both engines: a
// surrogate pair in a Pass state's Result and in a string JSONata's $parse
// reads is one character (ojg made two U+FFFD of each), int64's edge stays
// an integer, and a number beyond float64 in a definition is
// InvalidDefinition (it became null, and the machine was created).
func TestDefinitionDataIsExact(t *testing.T) {
	t.Parallel()
	b := newSFN(t)
	ctx := context.Background()
	def := `{"QueryLanguage":"JSONata","StartAt":"R","States":{` +
		`"R":{"Type":"Pass","Output":{"e":"\ud83c\udd97","n":9223372036854775807},"Next":"P"},` +
		`"P":{"Type":"Pass","Output":"{% $merge([$states.input, {'p': $parse('\"\\ud83d\\ude00\"')}]) %}","End":true}}}`
	want := map[string]any{"e": "🆗", "n": json.Number("9223372036854775807"), "p": "😀"}
	decode := func(s string) map[string]any {
		var got map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&got))
		return got
	}

	standard := b.createMachine(t, "exact-def", def, "")
	out := b.waitStatus(t, b.start(t, standard, "one", `{}`), types.ExecutionStatusSucceeded)
	require.Equal(t, want, decode(aws.ToString(out.Output)), "standard (durable engine)")

	express := b.createMachine(t, "exact-def-express", def, types.StateMachineTypeExpress)
	sync, err := b.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Input: aws.String(`{}`)})
	require.NoError(t, err)
	require.Equal(t, types.SyncExecutionStatusSucceeded, sync.Status, "%s %s", aws.ToString(sync.Error), aws.ToString(sync.Cause))
	require.Equal(t, want, decode(aws.ToString(sync.Output)), "express (in-memory engine)")

	for _, bad := range []string{
		`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1e400,"End":true}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Pass","Result":[-1e999999],"End":true}}}`,
	} {
		_, err := b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
			Name: aws.String("beyond-float"), Definition: aws.String(bad), RoleArn: aws.String(sfnRole)})
		msg := requireAWSError(t, err, "InvalidDefinition")
		require.Contains(t, msg, "out of range", bad)
	}
}
