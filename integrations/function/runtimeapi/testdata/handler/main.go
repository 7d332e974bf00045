// Command handler is a Lambda function built with aws-lambda-go, the
// runtimeapi tests' subject: what it does is chosen by the event's "op".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// event is what a test sends.
type event struct {
	Op    string `json:"op"`
	Sleep int    `json:"sleepMs,omitempty"` // op "sleep"
	Code  int    `json:"code,omitempty"`    // op "exit"
	Size  int    `json:"size,omitempty"`    // op "big"
	Value any    `json:"value,omitempty"`   // op "echo"
}

// OrderRejected is a custom error type: its name is the errorType.
type OrderRejected struct{ Reason string }

func (e *OrderRejected) Error() string { return "order rejected: " + e.Reason }

func handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	switch ev.Op {
	case "echo", "":
		return raw, nil
	case "pid":
		return map[string]int{"pid": os.Getpid()}, nil
	case "fail":
		return nil, &OrderRejected{Reason: "out of stock"}
	case "sleep":
		time.Sleep(time.Duration(ev.Sleep) * time.Millisecond) // past the deadline, as a careless handler would
		return "slept", nil
	case "slowlog": // sleeps, then says so
		time.Sleep(time.Duration(ev.Sleep) * time.Millisecond)
		fmt.Println("woke after", ev.Sleep)
		return "woke", nil
	case "panic":
		panic("boom")
	case "exit":
		os.Exit(ev.Code)
	case "big":
		return strings.Repeat("x", ev.Size), nil
	case "env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		wd, _ := os.Getwd()
		env["(cwd)"] = wd
		return env, nil
	case "ctx":
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		trace, _ := ctx.Value("x-amzn-trace-id").(string)
		return map[string]any{
			"requestId":     lc.AwsRequestID,
			"functionArn":   lc.InvokedFunctionArn,
			"deadlineMs":    dl.UnixMilli(),
			"clientContext": lc.ClientContext.Custom,
			"traceId":       trace,
			"envTraceId":    os.Getenv("_X_AMZN_TRACE_ID"),
			"functionName":  lambdacontext.FunctionName,
			"version":       lambdacontext.FunctionVersion,
			"memory":        lambdacontext.MemoryLimitInMB,
			"logGroup":      lambdacontext.LogGroupName,
			"logStream":     lambdacontext.LogStreamName,
		}, nil
	case "spawn": // a child process, to be killed with the sandbox's group
		child := exec.Command("sleep", "600")
		if err := child.Start(); err != nil {
			return nil, err
		}
		return map[string]int{"pid": os.Getpid(), "child": child.Process.Pid}, nil
	case "log":
		fmt.Println("to stdout")
		fmt.Fprintln(os.Stderr, "to stderr")
		return "logged", nil
	}
	return nil, errors.New("unknown op " + ev.Op)
}

func main() {
	if code := os.Getenv("EXIT_IN_INIT"); code != "" {
		fmt.Fprintln(os.Stderr, "failing in init")
		os.Exit(4)
	}
	lambda.Start(handle)
}
