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
	req, err := http.NewRequest(http.MethodPost, b.url+"/", bytes.NewReader([]byte("{\"stateMachineArn\":\""+sm+"\",\"input\":\"{\\\"s\\\":\\\"\xff\\\"}\"}")))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.StartExecution")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "SerializationException", answer["__type"], "%v", answer)
}
