// Command bootstrap is a custom runtime written by hand against the
// Lambda Runtime API with net/http alone, as a provided.al2023
// function's bootstrap is. The runtimeapi tests run it; with MODE=
// init-error it reports an init error and exits, else it serves
// invocations by their event's "op".
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

var (
	host = "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API")
	api  = host + "/2018-06-01"
)

// exchange is one call of the API and what it answered.
type exchange struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"`
}

func call(method, path string, header map[string]string, body []byte) exchange {
	return callURL(method, api+path, header, body)
}

func callURL(method, url string, header map[string]string, body []byte) exchange {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		fail(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ex := exchange{Status: resp.StatusCode}
	if json.Valid(b) {
		ex.Body = b
	}
	return ex
}

func fail(err error) {
	if os.Getenv("MODE") == "stubborn" { // outlives its Runtime API (silently: its stderr may be gone)
		time.Sleep(time.Hour)
	}
	fmt.Fprintln(os.Stderr, "bootstrap:", err)
	os.Exit(2)
}

func main() {
	if os.Getenv("MODE") == "hang" { // an init that never ends
		fmt.Fprintln(os.Stderr, "initializing forever")
		time.Sleep(time.Hour)
	}
	if os.Getenv("MODE") == "init-error" {
		ex := call("POST", "/runtime/init/error", map[string]string{"Lambda-Runtime-Function-Error-Type": "Runtime.ConfigError"},
			[]byte(`{"errorMessage":"TABLE_NAME is not set","errorType":"Runtime.ConfigError","stackTrace":[]}`))
		fmt.Fprintln(os.Stderr, "init error reported:", ex.Status)
		os.Exit(1)
	}
	for {
		resp, err := http.Get(api + "/runtime/invocation/next")
		if err != nil {
			fail(err)
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			fail(fmt.Errorf("next: %d %s", resp.StatusCode, event))
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var ev struct {
			Op   string `json:"op"`
			Size int    `json:"size"`
		}
		_ = json.Unmarshal(event, &ev)
		switch ev.Op {
		case "headers":
			h := map[string]string{}
			for k := range resp.Header {
				h[k] = resp.Header.Get(k)
			}
			out, _ := json.Marshal(map[string]any{"headers": h, "event": json.RawMessage(event)})
			call("POST", "/runtime/invocation/"+id+"/response", nil, out)
		case "once": // answers, then exits: a one-shot runtime
			call("POST", "/runtime/invocation/"+id+"/response", nil, []byte(`"done"`))
			os.Exit(0)
		case "pid":
			call("POST", "/runtime/invocation/"+id+"/response", nil, []byte(fmt.Sprintf(`{"pid":%d}`, os.Getpid())))
		case "probe":
			// What the API answers a runtime that gets things wrong.
			probes := map[string]exchange{
				"unknownId":   call("POST", "/runtime/invocation/not-"+id+"/response", nil, []byte(`{}`)),
				"initAfter":   call("POST", "/runtime/init/error", nil, []byte(`{}`)),
				"unknownPath": call("GET", "/runtime/nothing", nil, nil),
				"extension":   callURL("POST", host+"/2020-01-01/extension/register", nil, nil),
			}
			out, _ := json.Marshal(probes)
			first := call("POST", "/runtime/invocation/"+id+"/response", nil, out)
			again := call("POST", "/runtime/invocation/"+id+"/response", nil, []byte(`"again"`))
			fmt.Fprintf(os.Stderr, "PROBE first=%d again=%d %s\n", first.Status, again.Status, again.Body)
		case "error-header-only":
			call("POST", "/runtime/invocation/"+id+"/error", map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.NoBody"}, nil)
		case "error-doc":
			call("POST", "/runtime/invocation/"+id+"/error", map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.Failure", "Content-Type": "application/vnd.aws.lambda.error+json"},
				[]byte(`{"errorMessage":"it failed","errorType":"Custom.Failure","stackTrace":["main.go:1"]}`))
		case "too-big":
			ex := call("POST", "/runtime/invocation/"+id+"/response", nil, []byte(`"`+strings.Repeat("y", ev.Size)+`"`))
			fmt.Fprintf(os.Stderr, "TOO-BIG status=%d %s\n", ex.Status, ex.Body)
		default:
			call("POST", "/runtime/invocation/"+id+"/response", nil, event)
		}
	}
}
