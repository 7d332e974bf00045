package events

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/signalbox/signalbox/gateway/awsproto"
	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/store/storetest"
)

// FuzzJSONRequest: any body decodes into every action's input and runs
// through its action over a real bus router: the answer is a result or a
// 4xx error in EventBridge's shape (SerializationException for a body
// that does not decode, the router's validation else), never a panic, a
// 5xx or an error of another kind.
func FuzzJSONRequest(f *testing.F) {
	for _, s := range []string{
		`{"Name":"orders","Tags":[{"Key":"a","Value":"b"},{"Key":"a","Value":"c"}]}`,
		`{"Name":"r","EventPattern":"{\"source\":[\"a\"]}","State":"DISABLED","EventBusName":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`,
		`{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:123456789012:q","RetryPolicy":{"MaximumRetryAttempts":186}}]}`,
		`{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:sqs:us-east-1:123456789012:q.fifo","SqsParameters":{"MessageGroupId":"g"},"InputTransformer":{"InputTemplate":"<a>","InputPathsMap":{"a":"$.detail"}}}]}`,
		`{"Name":"c","AuthorizationType":"OAUTH_CLIENT_CREDENTIALS","AuthParameters":{"OAuthParameters":{"AuthorizationEndpoint":"https://x","HttpMethod":"POST","ClientParameters":{"ClientID":"i","ClientSecret":"s"},"OAuthHttpParameters":{"HeaderParameters":[{"Key":"k","Value":"v","IsValueSecret":true}]}}}}`,
		`{"Name":"d","ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/c/1","InvocationEndpoint":"https://x/*","HttpMethod":"PUT","InvocationRateLimitPerSecond":-1}`,
		`{"ArchiveName":"a","EventSourceArn":"arn:aws:events:us-east-1:123456789012:event-bus/default","RetentionDays":-3}`,
		`{"EventPattern":"{}","Event":"{\"id\":1}"}`, `{"ResourceARN":"arn:aws:events:us-east-1:123456789012:rule/b/r","TagKeys":["k"]}`,
		`{"NextToken":"djEAYnVzZXMAYQ","Limit":1e400}`, `{"Limit":-1}`, `[]`, `{"Name":null}`, "\xff", `{"a":1} x`, ``,
	} {
		f.Add([]byte(s))
	}
	st := storetest.Open(f, "sbevfuzz")
	s := New(Options{Buses: bus.New(st, bus.Config{})})
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, a := range service.Actions {
			done := make(chan error, 1)
			go func() {
				_, err := a(s, ctx, body)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s(%q) hangs", name, body)
			}
			if err == nil {
				continue
			}
			e := toAWSError(err)
			if e.Status != http.StatusBadRequest {
				t.Fatalf("%s(%q): %d %s: %s", name, body, e.Status, e.Code, e.Message)
			}
			if _, ok := awsproto.As(err); !ok && e.Code == awsproto.Serialization {
				t.Fatalf("%s(%q): a serialization error not of the protocol layer: %v", name, body, err)
			}
		}
	})
}
