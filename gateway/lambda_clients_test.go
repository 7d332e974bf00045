package gateway_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdklambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	gwlambda "github.com/signalbox/signalbox/gateway/lambda"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/function/runtimeapi"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// The Lambda API through the official SDK, against a real gateway on
// loopback, on the function service on a real store; Invoke runs HTTP
// functions served by an httptest server.

type lambdaBundle struct {
	url    string
	fns    *function.Service
	client *sdklambda.Client
	inv    *failing
}

// newLambda serves the Lambda API on a function service, invoking
// through the invoke path's Dispatcher (HTTP functions; Runtime API
// programs fail as not supported unless an option gives a process pool)
// and its Async queue for Event invocations.
func newLambda(t *testing.T, opts ...func(*gateway.Options)) *lambdaBundle {
	t.Helper()
	st := storetest.Open(t, "sblambda-")
	l := newLoopback()
	b := &lambdaBundle{url: l.url, inv: &failing{inner: function.NewDispatcher(nil)}}
	rt := runtime.NewDurable(st, &runtime.Durable{})
	arn := strings.Split(rt.StateMachineARN("x"), ":")
	b.fns = function.NewService(st, function.Options{Region: arn[3], AccountID: arn[4], DataDir: t.TempDir(), Logger: testLogger(t)})
	async := function.NewAsync(b.inv, function.AsyncOptions{Retries: -1, Logger: testLogger(t)})
	t.Cleanup(async.Close)
	l.serve(t, gateway.Options{Runtime: rt, Functions: b.fns, FunctionInvoker: b.inv, FunctionAsync: async, Logger: testLogger(t)}, opts)
	b.client = sdklambda.NewFromConfig(sdkConfig("AKIDTEST", "secret"), func(o *sdklambda.Options) { o.BaseEndpoint = aws.String(b.url) })
	return b
}

// failing is an invoker that fails with fail when it is set, and else
// hands the invocation on.
type failing struct {
	inner function.Invoker
	fail  atomic.Pointer[function.Error]
}

func (f *failing) Invoke(ctx context.Context, fn *function.Config, inv *function.Invocation) (*function.Result, error) {
	if e := f.fail.Load(); e != nil {
		return nil, e
	}
	return f.inner.Invoke(ctx, fn, inv)
}

// functionServer is an HTTP function: it answers {"got": <event>,
// "path": <path>}, fails on {"fail": true}, and sends each event on got.
func functionServer(t *testing.T) (*httptest.Server, chan string) {
	got := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		if strings.Contains(string(b), `"fail":true`) {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"errorMessage":"asked to fail","errorType":"Failure"}`))
			return
		}
		fmt.Fprintf(w, `{"got":%s,"path":%q,"cc":%q}`, b, r.URL.Path, r.Header.Get(function.HeaderClientContext))
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func packageZip(t *testing.T, files map[string]string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, content := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		f, err := w.CreateHeader(h)
		require.NoError(t, err)
		_, err = f.Write([]byte(content))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

const testRole = "arn:aws:iam::123456789012:role/fn"

func requireLambdaCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	msg := requireAPICode(t, err, code, status)
	require.NotEmpty(t, msg)
}

func TestLambdaFunctionsThroughSDK(t *testing.T) {
	t.Parallel()
	b := newLambda(t)
	ctx := context.Background()
	zip1 := packageZip(t, map[string]string{"bootstrap": "#!/bin/sh\necho 1\n"})
	created, err := b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("orders"), Role: aws.String(testRole),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: zip1},
		Environment: &types.Environment{Variables: map[string]string{"STAGE": "dev"}}, Timeout: aws.Int32(30), MemorySize: aws.Int32(256),
		Tags: map[string]string{"team": "shop"}})
	require.NoError(t, err)
	require.Equal(t, "orders", aws.ToString(created.FunctionName))
	require.Equal(t, types.StateActive, created.State)
	require.Equal(t, int32(30), aws.ToInt32(created.Timeout))
	require.Equal(t, "$LATEST", aws.ToString(created.Version))
	require.Equal(t, int64(len(zip1)), created.CodeSize)
	arn := aws.ToString(created.FunctionArn)
	require.True(t, strings.HasSuffix(arn, ":function:orders"), arn)

	_, err = b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("orders"), Role: aws.String(testRole),
		Runtime: types.RuntimeProvidedal2023, Code: &types.FunctionCode{ZipFile: zip1}})
	var conflict *types.ResourceConflictException
	require.ErrorAs(t, err, &conflict)
	_, err = b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("slow"), Role: aws.String(testRole),
		Runtime: types.RuntimeProvidedal2023, Code: &types.FunctionCode{ZipFile: zip1}, Timeout: aws.Int32(901)})
	requireLambdaCode(t, err, "ValidationException", 400)
	_, err = b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("slip"), Role: aws.String(testRole),
		Runtime: types.RuntimeProvidedal2023, Code: &types.FunctionCode{ZipFile: packageZip(t, map[string]string{"../bootstrap": "x"})}})
	requireLambdaCode(t, err, "InvalidZipFileException", 502)

	got, err := b.client.GetFunction(ctx, &sdklambda.GetFunctionInput{FunctionName: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "shop"}, got.Tags)
	require.Equal(t, map[string]string{"STAGE": "dev"}, got.Configuration.Environment.Variables)
	require.Nil(t, got.Concurrency)
	_, err = b.client.GetFunction(ctx, &sdklambda.GetFunctionInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	require.Contains(t, aws.ToString(nf.Message), "Function not found")

	// the SDK's waiter reads State
	require.NoError(t, sdklambda.NewFunctionActiveV2Waiter(b.client).Wait(ctx, &sdklambda.GetFunctionInput{FunctionName: aws.String("orders")}, 5*time.Second))

	upd, err := b.client.UpdateFunctionConfiguration(ctx, &sdklambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("orders"),
		Description: aws.String("the orders"), RevisionId: created.RevisionId})
	require.NoError(t, err)
	require.Equal(t, "the orders", aws.ToString(upd.Description))
	_, err = b.client.UpdateFunctionConfiguration(ctx, &sdklambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("orders"),
		Description: aws.String("x"), RevisionId: created.RevisionId})
	var pre *types.PreconditionFailedException
	require.ErrorAs(t, err, &pre)

	v1, err := b.client.PublishVersion(ctx, &sdklambda.PublishVersionInput{FunctionName: aws.String("orders"), CodeSha256: upd.CodeSha256})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(v1.Version))
	code2, err := b.client.UpdateFunctionCode(ctx, &sdklambda.UpdateFunctionCodeInput{FunctionName: aws.String("orders"),
		ZipFile: packageZip(t, map[string]string{"bootstrap": "#!/bin/sh\necho 2\n"}), Publish: true})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(code2.Version))
	require.NotEqual(t, aws.ToString(v1.CodeSha256), aws.ToString(code2.CodeSha256))

	versions, err := b.client.ListVersionsByFunction(ctx, &sdklambda.ListVersionsByFunctionInput{FunctionName: aws.String("orders"), MaxItems: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, versions.Versions, 2)
	require.NotNil(t, versions.NextMarker)
	more, err := b.client.ListVersionsByFunction(ctx, &sdklambda.ListVersionsByFunctionInput{FunctionName: aws.String("orders"), Marker: versions.NextMarker})
	require.NoError(t, err)
	require.Len(t, more.Versions, 1)
	require.Equal(t, "2", aws.ToString(more.Versions[0].Version))

	alias, err := b.client.CreateAlias(ctx, &sdklambda.CreateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"),
		FunctionVersion: aws.String("1"), RoutingConfig: &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.1}}})
	require.NoError(t, err)
	require.Equal(t, arn+":live", aws.ToString(alias.AliasArn))
	ga, err := b.client.GetAlias(ctx, &sdklambda.GetAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	require.NoError(t, err)
	require.Equal(t, map[string]float64{"2": 0.1}, ga.RoutingConfig.AdditionalVersionWeights)
	ua, err := b.client.UpdateAlias(ctx, &sdklambda.UpdateAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RoutingConfig: &types.AliasRoutingConfiguration{}})
	require.NoError(t, err)
	require.Equal(t, "2", aws.ToString(ua.FunctionVersion))
	aliases, err := b.client.ListAliases(ctx, &sdklambda.ListAliasesInput{FunctionName: aws.String("orders")})
	require.NoError(t, err)
	require.Len(t, aliases.Aliases, 1)
	_, err = b.client.DeleteFunction(ctx, &sdklambda.DeleteFunctionInput{FunctionName: aws.String("orders"), Qualifier: aws.String("2")})
	require.ErrorAs(t, err, &conflict)
	_, err = b.client.DeleteAlias(ctx, &sdklambda.DeleteAliasInput{FunctionName: aws.String("orders"), Name: aws.String("live")})
	require.NoError(t, err)
	_, err = b.client.DeleteFunction(ctx, &sdklambda.DeleteFunctionInput{FunctionName: aws.String("orders"), Qualifier: aws.String("2")})
	require.NoError(t, err)

	_, err = b.client.PutFunctionConcurrency(ctx, &sdklambda.PutFunctionConcurrencyInput{FunctionName: aws.String("orders"), ReservedConcurrentExecutions: aws.Int32(7)})
	require.NoError(t, err)
	conc, err := b.client.GetFunctionConcurrency(ctx, &sdklambda.GetFunctionConcurrencyInput{FunctionName: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, int32(7), aws.ToInt32(conc.ReservedConcurrentExecutions))
	_, err = b.client.DeleteFunctionConcurrency(ctx, &sdklambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("orders")})
	require.NoError(t, err)
	conc, err = b.client.GetFunctionConcurrency(ctx, &sdklambda.GetFunctionConcurrencyInput{FunctionName: aws.String("orders")})
	require.NoError(t, err)
	require.Nil(t, conc.ReservedConcurrentExecutions)

	_, err = b.client.TagResource(ctx, &sdklambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	_, err = b.client.UntagResource(ctx, &sdklambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"team"}})
	require.NoError(t, err)
	tags, err := b.client.ListTags(ctx, &sdklambda.ListTagsInput{Resource: aws.String(arn)})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"env": "dev"}, tags.Tags)

	for _, n := range []string{"b-fn", "a-fn"} {
		_, err = b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String(n), Role: aws.String(testRole),
			Runtime: "http", Handler: aws.String("http://127.0.0.1:1/" + n), Code: &types.FunctionCode{}})
		require.NoError(t, err)
	}
	var names []string
	p := sdklambda.NewListFunctionsPaginator(b.client, &sdklambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	require.Equal(t, []string{"a-fn", "b-fn", "orders"}, names)

	_, err = b.client.DeleteFunction(ctx, &sdklambda.DeleteFunctionInput{FunctionName: aws.String("orders")})
	require.NoError(t, err)
	_, err = b.client.GetFunctionConfiguration(ctx, &sdklambda.GetFunctionConfigurationInput{FunctionName: aws.String("orders")})
	require.ErrorAs(t, err, &nf)

	// what Signalbox does not implement says so
	_, err = b.client.AddPermission(ctx, &sdklambda.AddPermissionInput{FunctionName: aws.String("a-fn"), StatementId: aws.String("s"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com")})
	requireLambdaCode(t, err, "InvalidParameterValueException", 400)
	require.Contains(t, err.Error(), "not supported by Signalbox")
	_, err = b.client.ListCapacityProviders(ctx, &sdklambda.ListCapacityProvidersInput{})
	requireLambdaCode(t, err, "InvalidParameterValueException", 400)
	require.Contains(t, err.Error(), "not supported by Signalbox")
}

func TestLambdaInvokeThroughSDK(t *testing.T) {
	t.Parallel()
	b := newLambda(t)
	ctx := context.Background()
	srv, got := functionServer(t)
	_, err := b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("echo"), Role: aws.String(testRole),
		Runtime: "http", Handler: aws.String(srv.URL + "/v1"), Code: &types.FunctionCode{}})
	require.NoError(t, err)

	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	out, err := b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"n":1}`),
		LogType: types.LogTypeTail, ClientContext: aws.String(cc)})
	require.NoError(t, err)
	require.Equal(t, int32(200), out.StatusCode)
	require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
	require.Nil(t, out.FunctionError)
	require.Nil(t, out.LogResult, "no CloudWatch log: no LogResult")
	require.JSONEq(t, `{"got":{"n":1},"path":"/v1","cc":"{\"custom\":{\"k\":\"v\"}}"}`, string(out.Payload), "the client context decoded")
	require.Equal(t, `{"n":1}`, <-got)

	// a function error is a result, with X-Amz-Function-Error
	out, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"fail":true}`)})
	require.NoError(t, err)
	require.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	require.JSONEq(t, `{"errorMessage":"asked to fail","errorType":"Failure"}`, string(out.Payload))
	<-got

	// versions and aliases: the version that ran
	_, err = b.client.PublishVersion(ctx, &sdklambda.PublishVersionInput{FunctionName: aws.String("echo")})
	require.NoError(t, err)
	_, err = b.client.UpdateFunctionConfiguration(ctx, &sdklambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"), Handler: aws.String(srv.URL + "/v2")})
	require.NoError(t, err)
	_, err = b.client.CreateAlias(ctx, &sdklambda.CreateAliasInput{FunctionName: aws.String("echo"), Name: aws.String("prod"), FunctionVersion: aws.String("1")})
	require.NoError(t, err)
	out, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo:prod"), Payload: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, "1", aws.ToString(out.ExecutedVersion))
	require.Contains(t, string(out.Payload), `"path":"/v1"`)
	<-got
	out, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), Qualifier: aws.String("$LATEST")})
	require.NoError(t, err)
	require.Contains(t, string(out.Payload), `"path":"/v2"`)
	require.Equal(t, "{}", <-got, "no payload: an empty object")
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo:prod"), Qualifier: aws.String("1")})
	requireLambdaCode(t, err, "InvalidParameterValueException", 400)

	// Event: 202 at once, run in the background
	out, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"async":1}`)})
	require.NoError(t, err)
	require.Equal(t, int32(202), out.StatusCode)
	select {
	case ev := <-got:
		require.Equal(t, `{"async":1}`, ev)
	case <-time.After(10 * time.Second):
		t.Fatal("the Event invocation did not run")
	}
	// DryRun: 204, nothing runs
	out, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeDryRun})
	require.NoError(t, err)
	require.Equal(t, int32(204), out.StatusCode)
	require.Empty(t, got)

	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("missing")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf)
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`not json`)})
	var bad *types.InvalidRequestContentException
	require.ErrorAs(t, err, &bad)
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`"` + strings.Repeat("x", 6<<20) + `"`)})
	var large *types.RequestTooLargeException
	require.ErrorAs(t, err, &large)
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: types.InvocationTypeEvent,
		Payload: []byte(`"` + strings.Repeat("x", 256<<10) + `"`)})
	require.ErrorAs(t, err, &large)
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo"), ClientContext: aws.String("%%%")})
	require.ErrorAs(t, err, &bad)
	require.Empty(t, got)

	// the invoker's failure is the Lambda error it names
	b.inv.fail.Store(&function.Error{Name: "Lambda.TooManyRequestsException", Cause: "Rate Exceeded."})
	_, err = b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("echo")}, func(o *sdklambda.Options) { o.RetryMaxAttempts = 1 })
	var tooMany *types.TooManyRequestsException
	require.ErrorAs(t, err, &tooMany)
}

func TestLambdaInvokeExecutableRecordsOnly(t *testing.T) {
	t.Parallel()
	// a function from a path: its record, and Invoke handing the invoker
	// its program
	b := newLambda(t)
	ctx := context.Background()
	prog := t.TempDir() + "/handler"
	require.NoError(t, os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755))
	_, err := b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("prog"), Role: aws.String(testRole),
		Runtime: "executable", Handler: aws.String(prog), Code: &types.FunctionCode{}})
	require.NoError(t, err)
	cfg, err := b.fns.Resolve(ctx, "prog", "")
	require.NoError(t, err)
	require.Equal(t, prog, cfg.Executable)
	require.Empty(t, cfg.Endpoint)
}

func TestLambdaUnsupportedOperationsListed(t *testing.T) {
	t.Parallel()
	ops := gwlambda.Operations()
	for _, name := range []string{"CreateFunction", "Invoke", "PublishVersion", "CreateAlias", "TagResource", "PutFunctionConcurrency"} {
		require.True(t, ops[name], name)
	}
	for _, name := range []string{"AddPermission", "CreateEventSourceMapping", "InvokeWithResponseStream", "PublishLayerVersion"} {
		v, ok := ops[name]
		require.True(t, ok, name)
		require.False(t, v, name)
	}
}

func TestLambdaMalformedRequests(t *testing.T) {
	t.Parallel()
	b := newLambda(t)
	for _, tc := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/2015-03-31/functions", `{"FunctionName":`, 400, "InvalidRequestContentException"},
		{"POST", "/2015-03-31/functions", `{"FunctionName":"x","Timeout":"3"}`, 400, "InvalidRequestContentException"},
		{"GET", "/2015-03-31/functions?MaxItems=x", ``, 400, "InvalidRequestContentException"},
		{"GET", "/2015-03-31/functions/a%2Fb", ``, 400, "ValidationException"},
		{"GET", "/2015-03-31/functions/" + strings.Repeat("a", 171), ``, 400, "ValidationException"},
		{"PATCH", "/2015-03-31/functions/x", ``, 400, "InvalidParameterValueException"},
		{"POST", "/2015-03-31/functions/x/invocations", `{}`, 404, "ResourceNotFoundException"},
	} {
		r := sendRaw(t, tc.method, b.url+tc.path, tc.body)
		require.Equal(t, tc.status, r.status, "%s %s: %s", tc.method, tc.path, r.body)
		require.Equal(t, tc.code, r.header.Get("X-Amzn-ErrorType"), "%s %s", tc.method, tc.path)
		var doc map[string]string
		require.NoError(t, json.Unmarshal(r.body, &doc))
		require.NotEmpty(t, doc["message"])
	}
	// a path outside the API's goes on to the user routes
	r := sendRaw(t, "GET", b.url+"/2015-03-30/functions", "")
	require.Equal(t, 404, r.status)
	require.Empty(t, r.header.Get("X-Amzn-ErrorType"))
}

// A custom runtime from a .zip: its bootstrap (a shell script speaking
// the Runtime API with curl, AWS's tutorial's) is unpacked, found and run
// by the process pool, with the function's environment.
func TestLambdaInvokeAPackageThroughSDK(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	pool := runtimeapi.New(runtimeapi.Options{Logger: testLogger(t)})
	t.Cleanup(func() { _ = pool.Close() })
	b := newLambda(t, func(o *gateway.Options) { o.FunctionInvoker = function.NewDispatcher(pool) })
	ctx := context.Background()
	const bootstrap = `#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/next")
  ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  rm -f "$HEADERS"
  curl -sS -X POST "$API/$ID/response" -d "{\"echo\":$EVENT,\"fn\":\"$AWS_LAMBDA_FUNCTION_NAME\",\"stage\":\"$STAGE\",\"data\":\"$(cat data/greeting.txt)\"}" >/dev/null
done
`
	_, err := b.client.CreateFunction(ctx, &sdklambda.CreateFunctionInput{FunctionName: aws.String("shell"), Role: aws.String(testRole),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code:        &types.FunctionCode{ZipFile: packageZip(t, map[string]string{"bootstrap": bootstrap, "data/greeting.txt": "hello"})},
		Environment: &types.Environment{Variables: map[string]string{"STAGE": "dev"}}, Timeout: aws.Int32(20)})
	require.NoError(t, err)
	out, err := b.client.Invoke(ctx, &sdklambda.InvokeInput{FunctionName: aws.String("shell"), Payload: []byte(`{"n":7}`)})
	require.NoError(t, err)
	require.Nil(t, out.FunctionError, string(out.Payload))
	require.JSONEq(t, `{"echo":{"n":7},"fn":"shell","stage":"dev","data":"hello"}`, string(out.Payload))
	require.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
}

// With credentials set, the Lambda API takes requests signed for service
// lambda by them, and refuses others.
func TestLambdaChecksCallers(t *testing.T) {
	t.Parallel()
	b := newLambda(t, func(o *gateway.Options) { o.Credentials = map[string]string{"AKIDTEST": "secret"} })
	ctx := context.Background()
	_, err := b.client.ListFunctions(ctx, &sdklambda.ListFunctionsInput{})
	require.NoError(t, err)
	wrong := sdklambda.NewFromConfig(sdkConfig("AKIDTEST", "nope"), func(o *sdklambda.Options) { o.BaseEndpoint = aws.String(b.url) })
	_, err = wrong.ListFunctions(ctx, &sdklambda.ListFunctionsInput{})
	requireLambdaCode(t, err, "InvalidSignatureException", 400) // awsproto's status, as the other APIs answer
	r := sendRaw(t, "GET", b.url+"/2015-03-31/functions", "")
	require.Equal(t, 400, r.status, string(r.body))
	require.Equal(t, "MissingAuthenticationTokenException", r.header.Get("X-Amzn-ErrorType"))
}
