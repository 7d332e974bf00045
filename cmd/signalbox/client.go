package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/signalbox/signalbox/internal/cli"
)

// The client commands (start, describe, history, list) talk to a running
// `signalbox serve` through its Step Functions API, with the official AWS
// SDK's client: what they print is what that API answered, in the AWS
// CLI's shape (members under their wire names; timestamps in RFC 3339).
//
// A state machine may be named by its ARN or by its name. A name is looked
// up with ListStateMachines rather than turned into an ARN from a region
// and an account: the server decides those (serve --region, --account),
// and the lookup finds the machine whatever they are.

// envEndpoint names the environment variable that holds the default
// --endpoint of the client commands.
const envEndpoint = "SIGNALBOX_ENDPOINT"

// envAPIKey names the environment variable that holds a management key
// (api.keys) the client commands send in x-api-key: a server with api.keys
// and no credentials takes it in place of a signature.
const envAPIKey = "SIGNALBOX_API_KEY"

// defaultEndpoint is where `signalbox serve` listens by default.
const defaultEndpoint = "http://127.0.0.1:8080"

// Dummy credentials, used when the environment gives none: a server
// without configured credentials accepts any signature.
const (
	dummyAccessKeyID     = "signalbox"
	dummySecretAccessKey = "signalbox"
)

// clientOptions are the flags every client command takes.
type clientOptions struct {
	endpoint string
	region   string
}

// newClientFlags returns the flag set of a client command, with the
// shared --endpoint and --region flags.
func newClientFlags(name string, stderr io.Writer) (*flag.FlagSet, *clientOptions) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &clientOptions{}
	fs.StringVar(&o.endpoint, "endpoint", cmp.Or(os.Getenv(envEndpoint), defaultEndpoint), "the URL of the Signalbox server; default $"+envEndpoint+", else "+defaultEndpoint)
	fs.StringVar(&o.region, "region", "us-east-1", "the region requests are signed for")
	return fs, o
}

// client returns an SDK client for the server at o.endpoint. Credentials
// come from $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY (and
// $AWS_SESSION_TOKEN) when set, so that a server checking SigV4 signatures
// accepts the requests; otherwise they are dummies. $SIGNALBOX_API_KEY, when
// set, goes in x-api-key.
func (o *clientOptions) client() (*sfn.Client, error) {
	u, err := url.Parse(o.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--endpoint %q is not an http:// or https:// URL", o.endpoint)
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	token := os.Getenv("AWS_SESSION_TOKEN")
	if id == "" || secret == "" {
		id, secret, token = dummyAccessKeyID, dummySecretAccessKey, ""
	}
	cfg := aws.Config{
		Region:      o.region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, token),
		HTTPClient:  awshttp.NewBuildableClient().WithTimeout(time.Minute),
	}
	return sfn.NewFromConfig(cfg, func(opts *sfn.Options) {
		opts.BaseEndpoint = aws.String(o.endpoint)
		opts.APIOptions = append(opts.APIOptions, disableHostPrefix)
		if key := os.Getenv(envAPIKey); key != "" {
			opts.APIOptions = append(opts.APIOptions, smithyhttp.SetHeaderValue("x-api-key", key))
		}
		opts.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = time.Second
			// A refused connection means no server: say so at once.
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if errors.Is(err, syscall.ECONNREFUSED) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, so.Retryables...)
		})
	}), nil
}

// disableHostPrefix keeps the endpoint's host as given: the SDK prefixes
// StartSyncExecution's with "sync-" (AWS serves it at sync-states.<region>
// .amazonaws.com), and sync-127.0.0.1 or sync-localhost does not resolve.
// The SDK for Go v2 has no option for it, only the context flag of
// smithy-go that this middleware sets on every call.
func disableHostPrefix(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("SignalboxNoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// clientContext is cancelled by SIGINT or SIGTERM.
func clientContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// parseClientArgs parses args with fs, and checks that the number of
// positional arguments is between least and most. When the command is to
// end at once (its help asked for, or a wrong command line, whose usage
// it prints on stderr) it returns ok false and the exit status.
func parseClientArgs(fs *flag.FlagSet, h cli.Help, args []string, stdout io.Writer, least, most int) (rest []string, code int, ok bool) {
	if rest, code, ok = cli.Parse(fs, h, args, stdout); !ok {
		return nil, code, false
	}
	if len(rest) < least || len(rest) > most {
		cli.Usage(fs.Output(), h)
		return nil, 2, false
	}
	return rest, 0, true
}

// cmdStart starts an execution: signalbox start NAME|ARN [--input JSON |
// --input-file F] [--name EXEC_NAME] [--wait [--timeout D]].
func cmdStart(args []string, stdout, stderr io.Writer) int {
	fs, o := newClientFlags("start", stderr)
	input := fs.String("input", "", "the execution's input, a JSON text (default {})")
	inputFile := fs.String("input-file", "", "read the execution's input from this file (- for standard input)")
	name := fs.String("name", "", "the execution's name (default: one the server makes up)")
	wait := fs.Bool("wait", false, "wait until the execution ends, print its description, and exit 0 only when it SUCCEEDED")
	timeout := fs.Duration("timeout", 0, "with --wait: give up after this long (0: wait as long as it runs)")
	sync := fs.Bool("sync", false, "StartSyncExecution (an EXPRESS state machine): print its result, and exit 0 only when it SUCCEEDED")
	rest, code, ok := parseClientArgs(fs, helpStart, args, stdout, 1, 1)
	if !ok {
		return code
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["input"] && given["input-file"] {
		fmt.Fprintln(stderr, "signalbox start: give --input or --input-file, not both")
		return 2
	}
	if given["timeout"] && !*wait {
		fmt.Fprintln(stderr, "signalbox start: --timeout needs --wait")
		return 2
	}
	if *sync && *wait {
		fmt.Fprintln(stderr, "signalbox start: give --sync or --wait, not both")
		return 2
	}
	if *timeout < 0 {
		fmt.Fprintln(stderr, "signalbox start: --timeout must not be negative")
		return 2
	}
	in := &sfn.StartExecutionInput{}
	switch {
	case given["input"]:
		in.Input = input
	case given["input-file"]:
		var data []byte
		var err error
		if *inputFile == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(*inputFile)
		}
		if err != nil {
			fmt.Fprintf(stderr, "signalbox start: %v\n", err)
			return 2
		}
		in.Input = aws.String(string(data))
	}
	if given["name"] {
		in.Name = name
	}
	client, err := o.client()
	if err != nil {
		fmt.Fprintf(stderr, "signalbox start: %v\n", err)
		return 2
	}
	ctx, cancel := clientContext()
	defer cancel()
	// NAME#TestCase: a test case of the server's mocks (serve --mocks)
	machine, testCase, mocked := strings.Cut(rest[0], "#")
	if in.StateMachineArn, err = resolveStateMachine(ctx, client, machine); err != nil {
		return clientError(stderr, "start", o, err)
	}
	if mocked {
		in.StateMachineArn = aws.String(aws.ToString(in.StateMachineArn) + "#" + testCase)
	}
	if *sync {
		return startSync(ctx, client, in, stdout, stderr, o)
	}
	started, err := client.StartExecution(ctx, in)
	if err != nil {
		return clientError(stderr, "start", o, err)
	}
	if !*wait {
		return printJSON(stdout, stderr, started)
	}
	return waitExecution(ctx, client, aws.ToString(started.ExecutionArn), *timeout, stdout, stderr, o)
}

// startSync runs the execution in as StartSyncExecution, prints the
// answer and returns 0 when the execution SUCCEEDED, 1 otherwise.
func startSync(ctx context.Context, client *sfn.Client, in *sfn.StartExecutionInput, stdout, stderr io.Writer, o *clientOptions) int {
	out, err := client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{
		StateMachineArn: in.StateMachineArn, Name: in.Name, Input: in.Input,
	})
	if err != nil {
		return clientError(stderr, "start", o, err)
	}
	if code := printJSON(stdout, stderr, out); code != 0 {
		return code
	}
	if out.Status != types.SyncExecutionStatusSucceeded {
		return 1
	}
	return 0
}

// waitExecution polls DescribeExecution until the execution ends (or
// timeout passes, when it is not 0), prints the last description, and
// returns 0 when the execution SUCCEEDED, 1 otherwise.
func waitExecution(ctx context.Context, client *sfn.Client, arn string, timeout time.Duration, stdout, stderr io.Writer, o *clientOptions) int {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	delay := 20 * time.Millisecond
	for {
		desc, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return clientError(stderr, "start", o, err)
		}
		if desc.Status != types.ExecutionStatusRunning && desc.Status != types.ExecutionStatusPendingRedrive {
			if code := printJSON(stdout, stderr, desc); code != 0 {
				return code
			}
			if desc.Status != types.ExecutionStatusSucceeded {
				return 1
			}
			return 0
		}
		pause := delay
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				printJSON(stdout, stderr, desc)
				fmt.Fprintf(stderr, "signalbox start: %s after --timeout %s: %s\n", desc.Status, timeout, arn)
				return 1
			}
			pause = min(pause, left)
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			printJSON(stdout, stderr, desc)
			fmt.Fprintf(stderr, "signalbox start: stopped waiting (%v); the execution goes on: %s\n", context.Cause(ctx), arn)
			return 1
		case <-timer.C:
		}
		delay = min(2*delay, time.Second)
	}
}

// cmdDescribe describes an execution, a state machine (by ARN, version
// ARN or name), a state machine alias, an activity or a map run.
func cmdDescribe(args []string, stdout, stderr io.Writer) int {
	fs, o := newClientFlags("describe", stderr)
	rest, code, ok := parseClientArgs(fs, helpDescribe, args, stdout, 1, 1)
	if !ok {
		return code
	}
	client, err := o.client()
	if err != nil {
		fmt.Fprintf(stderr, "signalbox describe: %v\n", err)
		return 2
	}
	ctx, cancel := clientContext()
	defer cancel()
	arn := rest[0]
	var out any
	switch kind := arnResource(arn); kind {
	case "":
		sm, err := resolveStateMachine(ctx, client, arn)
		if err != nil {
			return clientError(stderr, "describe", o, err)
		}
		out, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: sm})
	case "execution", "express":
		out, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
	case "stateMachine":
		if isAliasARN(arn) {
			out, err = client.DescribeStateMachineAlias(ctx, &sfn.DescribeStateMachineAliasInput{StateMachineAliasArn: &arn})
		} else {
			out, err = client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: &arn})
		}
	case "activity":
		out, err = client.DescribeActivity(ctx, &sfn.DescribeActivityInput{ActivityArn: &arn})
	case "mapRun":
		out, err = client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &arn})
	default:
		fmt.Fprintf(stderr, "signalbox describe: %q is not the ARN of an execution, a state machine, an alias, an activity or a map run\n", arn)
		return 2
	}
	if err != nil {
		return clientError(stderr, "describe", o, err)
	}
	return printJSON(stdout, stderr, out)
}

// cmdMapRuns prints an execution's map runs, each described (its counts).
func cmdMapRuns(args []string, stdout, stderr io.Writer) int {
	fs, o := newClientFlags("map-runs", stderr)
	rest, code, ok := parseClientArgs(fs, helpMapRuns, args, stdout, 1, 1)
	if !ok {
		return code
	}
	client, err := o.client()
	if err != nil {
		fmt.Fprintf(stderr, "signalbox map-runs: %v\n", err)
		return 2
	}
	ctx, cancel := clientContext()
	defer cancel()
	out := []*sfn.DescribeMapRunOutput{}
	in := &sfn.ListMapRunsInput{ExecutionArn: &rest[0]}
	for {
		page, err := client.ListMapRuns(ctx, in)
		if err != nil {
			return clientError(stderr, "map-runs", o, err)
		}
		for _, r := range page.MapRuns {
			d, err := client.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: r.MapRunArn})
			if err != nil {
				return clientError(stderr, "map-runs", o, err)
			}
			out = append(out, d)
		}
		if page.NextToken == nil {
			return printJSON(stdout, stderr, out)
		}
		in.NextToken = page.NextToken
	}
}

// cmdHistory prints an execution's history events, all pages, as one JSON
// array.
func cmdHistory(args []string, stdout, stderr io.Writer) int {
	fs, o := newClientFlags("history", stderr)
	reverse := fs.Bool("reverse", false, "newest event first")
	pageSize := fs.Int("page-size", 0, "events per request, 1 to 1000 (0: the server's default); every page is printed")
	rest, code, ok := parseClientArgs(fs, helpHistory, args, stdout, 1, 1)
	if !ok {
		return code
	}
	if !checkPageSize(stderr, "history", *pageSize) {
		return 2
	}
	client, err := o.client()
	if err != nil {
		fmt.Fprintf(stderr, "signalbox history: %v\n", err)
		return 2
	}
	ctx, cancel := clientContext()
	defer cancel()
	pages := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(rest[0]), ReverseOrder: *reverse, MaxResults: int32(*pageSize),
	})
	events := []types.HistoryEvent{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return clientError(stderr, "history", o, err)
		}
		events = append(events, page.Events...)
	}
	return printJSON(stdout, stderr, events)
}

// cmdList prints the state machines, or the executions of one, all pages,
// as one JSON array.
func cmdList(args []string, stdout, stderr io.Writer) int {
	fs, o := newClientFlags("list", stderr)
	status := fs.String("status", "", "with STATE_MACHINE: only executions in this status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE)")
	pageSize := fs.Int("page-size", 0, "items per request, 1 to 1000 (0: the server's default); every page is printed")
	rest, code, ok := parseClientArgs(fs, helpList, args, stdout, 0, 1)
	if !ok {
		return code
	}
	if !checkPageSize(stderr, "list", *pageSize) {
		return 2
	}
	if *status != "" && len(rest) == 0 {
		fmt.Fprintln(stderr, "signalbox list: --status needs a STATE_MACHINE")
		return 2
	}
	client, err := o.client()
	if err != nil {
		fmt.Fprintf(stderr, "signalbox list: %v\n", err)
		return 2
	}
	ctx, cancel := clientContext()
	defer cancel()
	if len(rest) == 0 {
		machines, err := listStateMachines(ctx, client, int32(*pageSize))
		if err != nil {
			return clientError(stderr, "list", o, err)
		}
		return printJSON(stdout, stderr, machines)
	}
	sm, err := resolveStateMachine(ctx, client, rest[0])
	if err != nil {
		return clientError(stderr, "list", o, err)
	}
	pages := sfn.NewListExecutionsPaginator(client, &sfn.ListExecutionsInput{
		StateMachineArn: sm, StatusFilter: types.ExecutionStatus(*status), MaxResults: int32(*pageSize),
	})
	executions := []types.ExecutionListItem{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return clientError(stderr, "list", o, err)
		}
		executions = append(executions, page.Executions...)
	}
	return printJSON(stdout, stderr, executions)
}

// checkPageSize reports a --page-size out of AWS's range.
func checkPageSize(stderr io.Writer, cmd string, n int) bool {
	if n < 0 || n > 1000 {
		fmt.Fprintf(stderr, "signalbox %s: --page-size must be between 1 and 1000 (0: the server's default), got %d\n", cmd, n)
		return false
	}
	return true
}

// listStateMachines returns every state machine, all pages.
func listStateMachines(ctx context.Context, client *sfn.Client, pageSize int32) ([]types.StateMachineListItem, error) {
	pages := sfn.NewListStateMachinesPaginator(client, &sfn.ListStateMachinesInput{MaxResults: pageSize})
	machines := []types.StateMachineListItem{}
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		machines = append(machines, page.StateMachines...)
	}
	return machines, nil
}

// resolveStateMachine returns the ARN of a state machine given by ARN or
// by name. A name is looked up with ListStateMachines; one the server
// does not know is a StateMachineDoesNotExist error, as AWS words it.
func resolveStateMachine(ctx context.Context, client *sfn.Client, nameOrARN string) (*string, error) {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return aws.String(nameOrARN), nil
	}
	machines, err := listStateMachines(ctx, client, 0)
	if err != nil {
		return nil, err
	}
	for _, m := range machines {
		if aws.ToString(m.Name) == nameOrARN {
			return m.StateMachineArn, nil
		}
	}
	return nil, &types.StateMachineDoesNotExist{Message: aws.String(fmt.Sprintf("State Machine Does Not Exist: '%s'", nameOrARN))}
}

// arnResource returns the resource type of a Step Functions ARN
// (arn:PARTITION:states:REGION:ACCOUNT:TYPE:...): "execution",
// "stateMachine" and so on; "" when s is not an ARN at all, and "?" when
// it is an ARN of some other shape.
func arnResource(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	parts := strings.SplitN(s, ":", 7)
	if len(parts) < 7 || parts[2] != "states" || parts[6] == "" {
		return "?"
	}
	return parts[5]
}

// isAliasARN reports whether a state machine ARN names an alias
// (stateMachine:NAME:ALIAS) rather than the machine or a version
// (stateMachine:NAME:NUMBER).
func isAliasARN(arn string) bool {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 {
		return false
	}
	q := parts[7]
	return strings.IndexFunc(q, func(r rune) bool { return r < '0' || r > '9' }) >= 0
}

// clientError prints err on stderr (an API error as "Code: message") and
// returns the exit status 1.
func clientError(stderr io.Writer, cmd string, o *clientOptions, err error) int {
	var apiErr smithy.APIError
	var opErr *net.OpError
	switch {
	case errors.As(err, &apiErr):
		fmt.Fprintf(stderr, "%s: %s\n", apiErr.ErrorCode(), apiErr.ErrorMessage())
	case errors.As(err, &opErr) && opErr.Op == "dial":
		fmt.Fprintf(stderr, "signalbox %s: cannot reach the Signalbox server at %s (%v); is `signalbox serve` running there? Set --endpoint or $%s\n", cmd, o.endpoint, opErr, envEndpoint)
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "signalbox %s: interrupted\n", cmd)
	default:
		fmt.Fprintf(stderr, "signalbox %s: %v\n", cmd, err)
	}
	return 1
}

// printJSON prints an SDK value as indented JSON, the way the AWS CLI
// does (see wireJSON).
func printJSON(stdout, stderr io.Writer, v any) int {
	out, _ := wireJSON(reflect.ValueOf(v))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "signalbox: %v\n", err)
		return 1
	}
	_, _ = stdout.Write(buf.Bytes())
	return 0
}

// wireTimeLayout is RFC 3339 with milliseconds, the precision of AWS's times.
const wireTimeLayout = "2006-01-02T15:04:05.000Z07:00"

var (
	wireMetadataType = reflect.TypeFor[middleware.Metadata]()
	wireTimeType     = reflect.TypeFor[time.Time]()
)

// wireJSON turns an SDK value into plain JSON data as the service sent it:
// a struct's members under their wire names (the Go field name with its
// first letter lowered, which holds for every Step Functions shape), in
// the SDK's order; nil pointers, slices and maps, and empty enums, left
// out as absent; times in RFC 3339 (UTC, milliseconds). The second
// result is false when v is absent.
func wireJSON(v reflect.Value) (any, bool) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, false
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, false
		}
		out, _ := wireJSON(v.Elem())
		return out, true
	case reflect.Struct:
		if v.Type() == wireTimeType {
			return v.Interface().(time.Time).UTC().Format(wireTimeLayout), true
		}
		obj := orderedObject{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Type == wireMetadataType {
				continue
			}
			if x, ok := wireJSON(v.Field(i)); ok {
				obj = append(obj, objectMember{lowerFirst(f.Name), x})
			}
		}
		return obj, true
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, false
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i], _ = wireJSON(v.Index(i))
		}
		return out, true
	case reflect.Map:
		if v.IsNil() {
			return nil, false
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())], _ = wireJSON(it.Value())
		}
		return out, true
	case reflect.String:
		// Only enums are strings outside pointers; the empty one is unset.
		return v.String(), v.Len() > 0
	}
	return v.Interface(), true
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// orderedObject is a JSON object that keeps its members' order.
type orderedObject []objectMember

type objectMember struct {
	key   string
	value any
}

// MarshalJSON writes the members in order, with <, > and & unescaped.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(m.key); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(m.value); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
