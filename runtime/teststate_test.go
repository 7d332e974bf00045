package runtime_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl/diag"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/httptask"
	"github.com/signalbox/signalbox/runtime"
)

// FuzzTestState: whatever a TestState request holds, the answer is a
// result with a known status or an error of the runtime's (validation,
// input, definition), never a panic; nothing is stored.
func FuzzTestState(f *testing.F) {
	for _, c := range [][4]string{
		{`{"Type":"Pass","End":true}`, `{"a":1}`, "", ""},
		{`{"Type":"Task","Resource":"arn:aws:states:::x","Retry":[{"ErrorEquals":["E"],"BackoffRate":3,"MaxDelaySeconds":5}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true}`, `{}`, "", "E"},
		{`{"Type":"Map","ItemsPath":"$.xs","ToleratedFailurePercentage":10,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}`, `{"xs":[1,2]}`, `[1,2]`, ""},
		{`{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}],"End":true}`, `{}`, `[{}]`, ""},
		{`{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":5,"Next":"B"},"B":{"Type":"Succeed"}}}`, `[]`, "", ""},
		{`{"Type":"Choice","QueryLanguage":"JSONata","Choices":[{"Condition":"{% $states.input %}","Next":"A"}]}`, `true`, "", ""},
	} {
		f.Add(c[0], c[1], c[2], c[3])
	}
	d := runtime.NewDurable(openStore(f), &runtime.Durable{Tasks: integrations.HandlerFunc(func(ctx context.Context, req *integrations.Request) (any, error) {
		return req.Parameters, nil
	})})
	f.Fuzz(func(t *testing.T, def, input, result, errName string) {
		p := &runtime.TestStateParams{Definition: def, Input: &input, Inspect: true, RoleArn: "arn:aws:iam::123456789012:role/r"}
		if len(def) > 0 && def[0] == '{' && len(def)%3 == 0 {
			p.StateName = "A"
		}
		switch {
		case result != "":
			p.Mock = &runtime.TestStateMock{Result: &result}
		case errName != "":
			p.Mock = &runtime.TestStateMock{Error: &runtime.TestStateError{Error: errName}}
		}
		res, err := d.TestState(context.Background(), p)
		if err != nil {
			var de *diag.Error
			if !errors.Is(err, runtime.ErrValidation) && !errors.Is(err, runtime.ErrInvalidInput) && !errors.Is(err, runtime.ErrInvalidDefinition) && !errors.As(err, &de) {
				t.Fatalf("an error of no known kind: %v", err)
			}
			return
		}
		switch res.Status {
		case runtime.TestSucceeded, runtime.TestCaughtError:
			if res.Output == nil {
				t.Fatalf("%s without an output", res.Status)
			}
		case runtime.TestFailed, runtime.TestRetriable:
			if res.Output != nil || res.NextState != "" {
				t.Fatalf("%s with an output or a next state: %+v", res.Status, res)
			}
		default:
			t.Fatalf("status %q", res.Status)
		}
		if res.Inspection == nil || res.Inspection.Stages["input"] != input {
			t.Fatalf("no inspection data, or not the input: %+v", res.Inspection)
		}
	})
}

// At TRACE, an HTTP task's TestState shows the request it sent and the
// response it got, a real call to a loopback server; DEBUG does not.
func TestTestStateTraceShowsTheHTTPCall(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`)
	}))
	t.Cleanup(srv.Close)
	mux := integrations.NewMux()
	mux.Handle(httptask.Resource, httptask.New(httptask.Options{}))
	d := runtime.NewDurable(openStore(t), &runtime.Durable{Tasks: mux})
	def := `{"Type":"Task","Resource":"arn:aws:states:::http:invoke","Parameters":{"ApiEndpoint":"` + srv.URL + `/orders","Method":"GET"},
		"ResultSelector":{"path.$":"$.ResponseBody.path"},"End":true}`
	for _, trace := range []bool{false, true} {
		res, err := d.TestState(context.Background(), &runtime.TestStateParams{Definition: def, RoleArn: "arn:aws:iam::123456789012:role/r", Inspect: true, Trace: trace})
		require.NoError(t, err)
		require.Equal(t, runtime.TestSucceeded, res.Status)
		require.JSONEq(t, `{"path":"/orders"}`, *res.Output)
		if !trace {
			require.Nil(t, res.Inspection.HTTP)
			continue
		}
		x := res.Inspection.HTTP
		require.NotNil(t, x)
		require.Equal(t, "GET", x.Request.Method)
		require.Equal(t, srv.URL+"/orders", x.Request.URL)
		require.Equal(t, "200", x.Response.StatusCode)
		require.Equal(t, "OK", x.Response.StatusMessage)
		require.Contains(t, x.Response.Headers, "Content-Type: application/json")
		require.JSONEq(t, `{"path":"/orders"}`, x.Response.Body)
	}
}
