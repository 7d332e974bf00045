package runtimeapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/function/runtimeapi"
)

// A server makes one Pool, hands it to whatever invokes functions (the
// function package's Dispatcher, as its process Invoker) and closes it
// on shutdown, which stops every function process.
func ExampleNew() {
	pool := runtimeapi.New(runtimeapi.Options{
		// The AWS SDKs in functions call this server.
		Environment: map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:8080"},
		Logger:      slog.Default().With("component", "functions"),
	})
	defer pool.Close()

	var invoker function.Invoker = pool
	res, err := invoker.Invoke(context.Background(), &function.Config{
		Name:                "orders",
		ARN:                 "arn:aws:lambda:us-east-1:123456789012:function:orders",
		Version:             "$LATEST",
		Executable:          "bootstrap", // built with aws-lambda-go, or a custom runtime
		CodeDir:             "/srv/functions/orders",
		Timeout:             10 * time.Second,
		ReservedConcurrency: -1,
	}, &function.Invocation{Payload: []byte(`{"orderId":"o-1"}`)})
	if err != nil {
		fmt.Println("not run:", err) // *function.Error: throttled, closed, ...
		return
	}
	fmt.Println(res.FunctionError, string(res.Payload)) // "Unhandled" and the error document when it failed
}
