package gateway_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// Requests no SDK would send: each gets an AWS-shaped error, and none
// stores anything.
func TestSFNMalformedRequests(t *testing.T) {
	t.Parallel()
	b := newSFN(t, func(o *gateway.Options) { o.MaxBodyBytes = 4096 })
	const create = "AWSStepFunctions.CreateStateMachine"
	validCreate := `{"name":"m","definition":` + quoteJSON(passDef) + `,"roleArn":"` + sfnRole + `"}`

	for _, c := range []struct {
		name, target, body string
		status             int
		typ                string
	}{
		{"bad JSON", create, `{"name":"m",`, 400, "SerializationException"},
		{"not an object", create, `["m"]`, 400, "SerializationException"},
		{"wrong member type", create, `{"name":7,"definition":"{}","roleArn":"` + sfnRole + `"}`, 400, "SerializationException"},
		{"data after the object", create, validCreate + `{}`, 400, "SerializationException"},
		{"empty body", create, ``, 400, "ValidationException"},
		{"missing member", create, `{"name":"m","roleArn":"` + sfnRole + `"}`, 400, "ValidationException"},
		{"oversize body", create, `{"name":"m","definition":"` + strings.Repeat(" ", 5000) + `"}`, 413, "RequestEntityTooLargeException"},
		{"unknown action", "AWSStepFunctions.LaunchRocket", `{}`, 400, "UnknownOperationException"},
		{"another service", "NoSuchService_20240101.Act", `{}`, 400, "UnknownOperationException"},
		{"no target", "", validCreate, 400, "UnknownOperationException"},
		{"TestState without a definition", "AWSStepFunctions.TestState", `{}`, 400, "ValidationException"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rawCall(t, b.url, c.target, c.body)
			requireRawError(t, r, c.status, c.typ)
		})
	}
	list, err := b.client.ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	require.Empty(t, list.StateMachines, "no malformed request stored anything")

	// The same endpoint takes the well-formed request.
	r := rawCall(t, b.url, create, validCreate)
	require.Equal(t, http.StatusOK, r.Status, "%v", r.Body)
	require.Equal(t, b.d.StateMachineARN("m"), r.Body["stateMachineArn"])
	_, isNumber := r.Body["creationDate"].(float64)
	require.True(t, isNumber, "timestamps are epoch seconds: %v", r.Body)
	require.Equal(t, "application/x-amz-json-1.0", r.Header.Get("Content-Type"))

	// A start whose body is over the limit starts nothing.
	r = rawCall(t, b.url, "AWSStepFunctions.StartExecution",
		`{"stateMachineArn":"`+b.d.StateMachineARN("m")+`","input":"`+strings.Repeat("a", 5000)+`"}`)
	requireRawError(t, r, 413, "RequestEntityTooLargeException")
	execs, err := b.client.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(b.d.StateMachineARN("m"))})
	require.NoError(t, err)
	require.Empty(t, execs.Executions)

	// A content type that is not JSON.
	req, err := http.NewRequest(http.MethodPost, b.url+"/", strings.NewReader(validCreate))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", create)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Equal(t, "SerializationException", body["__type"])
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A store that does not answer is an InternalFailure (HTTP 500), in AWS's
// shape.
func TestSFNInternalFailure(t *testing.T) {
	t.Parallel()
	keep := sfnOpenStore(t) // purges the prefix after the test
	opts := store.OptionsFromEnv()
	opts.Prefix = keep.Keys().Prefix()
	st, err := store.Open(context.Background(), opts)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	srv := httptest.NewServer(gateway.New(gateway.Options{Runtime: runtime.NewDurable(st, nil), Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}).Handler())
	defer srv.Close()
	_, err = sfnClient(srv.URL, "AKIDTEST", "secret").ListStateMachines(context.Background(), &sfn.ListStateMachinesInput{})
	requireAWSErrorStatus(t, err, "InternalFailure", http.StatusInternalServerError)
}
