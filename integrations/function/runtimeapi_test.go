package function_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/function/runtimeapi"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// A Go handler built with aws-lambda-go (runtimeapi's test handler), run
// by the Runtime API pool behind the Dispatcher, answers lambda:invoke
// Tasks in a durable execution: its result is the Payload, its custom
// error type the Task's error (caught), its overrun of the Timeout
// Sandbox.Timedout.
func TestLambdaInvokeOfARuntimeAPIFunction(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "handler")
	cmd := exec.Command("go", "build", "-o", bin, "./runtimeapi/testdata/handler")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)

	r, err := function.NewStaticResolver("us-east-1", "123456789012",
		function.Config{Name: "orders", Executable: bin, Runtime: "provided.al2023", Handler: "bootstrap", Timeout: 2 * time.Second, ReservedConcurrency: -1})
	require.NoError(t, err)
	pool := runtimeapi.New(runtimeapi.Options{})
	t.Cleanup(func() { _ = pool.Close() })
	tasks := function.NewTasks(r, function.NewDispatcher(pool))
	t.Cleanup(tasks.Close)
	m := integrations.NewMux()
	tasks.Register(m)
	d := runtime.NewDurable(storetest.Open(t, "sbfnrtapi-"), &runtime.Durable{Tasks: m, Consumer: "w1"})
	ctx := context.Background()
	def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"orders","Payload.$":"$"},
		"Catch":[{"ErrorEquals":["OrderRejected","Sandbox.Timedout"],"Next":"Caught"}],
		"ResultSelector":{"payload.$":"$.Payload","status.$":"$.StatusCode","version.$":"$.ExecutedVersion"},"End":true},
		"Caught":{"Type":"Pass","End":true}}}`
	for input, want := range map[string]string{
		`{"op":"echo","value":7}`:       `{"payload":{"op":"echo","value":7},"status":200,"version":"$LATEST"}`,
		`{"op":"fail"}`:                 `{"Error":"OrderRejected","Cause":"{\"errorMessage\":\"order rejected: out of stock\",\"errorType\":\"OrderRejected\"}"}`,
		`{"op":"sleep","sleepMs":5000}`: ``,
	} {
		in, err := asl.DecodeJSON([]byte(input))
		require.NoError(t, err)
		started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "orders", Definition: []byte(def), Input: in})
		require.NoError(t, err)
		require.NoError(t, d.Drain(ctx))
		e, err := d.Describe(ctx, started.ID)
		require.NoError(t, err)
		require.Equal(t, "SUCCEEDED", e.Status, "%s: %s: %s", input, e.Error, e.Cause)
		if want == "" { // the timeout: Lambda's document, its request id aside
			out, err := asl.DecodeJSON(e.Output)
			require.NoError(t, err)
			require.Equal(t, "Sandbox.Timedout", out.(map[string]any)["Error"])
			require.Contains(t, out.(map[string]any)["Cause"], "Error: Task timed out after 2.00 seconds")
			continue
		}
		require.JSONEq(t, want, string(e.Output), input)
	}
}
