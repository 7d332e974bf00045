package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
)

// lambda5 is task5 with real function calls: five lambda:invoke Tasks,
// each invoking an HTTP function (a loopback server in this process that
// answers the event it gets) through the function runtime's dispatcher,
// as serve invokes an HTTP function. Its baseline, measured in the same
// run, is the bare HTTP round trip to the same server from 32 goroutines
// (benchBareHTTP): what the calls would cost with no workflow around them.
var benchLambda5 = benchWorkload{"lambda5", []byte(`{"StartAt":"A","States":{` +
	lambdaState("A", "B") + "," + lambdaState("B", "C") + "," + lambdaState("C", "D") + "," + lambdaState("D", "E") + "," + lambdaState("E", "") + `}}`), 0, 5, false}

func lambdaState(name, next string) string {
	end := `"End":true`
	if next != "" {
		end = `"Next":"` + next + `"`
	}
	return `"` + name + `":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"bench-echo","Payload.$":"$"},"OutputPath":"$.Payload",` + end + `}`
}

// functionServer is the HTTP function of lambda5: it answers each event
// with itself.
type functionServer struct {
	srv *http.Server
	url string
}

func startFunctionServer() (*functionServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &functionServer{srv: srv, url: "http://" + ln.Addr().String() + "/"}, nil
}

func (f *functionServer) Close() { _ = f.srv.Close() }

// register adds the lambda:invoke Tasks, resolving "bench-echo" to the
// server, to tasks; the returned func closes what it started.
func (f *functionServer) register(tasks *integrations.Mux) (func(), error) {
	r, err := function.NewStaticResolver("us-east-1", "123456789012", function.Config{Name: "bench-echo", Endpoint: f.url, ReservedConcurrency: -1})
	if err != nil {
		return nil, err
	}
	t := function.NewTasks(r, function.NewDispatcher(nil))
	t.Register(tasks)
	return t.Close, nil
}

// benchBareHTTP is the baseline of lambda5: n POSTs of a small event to
// the function server from 32 goroutines, per second.
func (f *functionServer) benchBareHTTP(ctx context.Context, n int) (float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var wg sync.WaitGroup
	var first error
	var once sync.Once
	start := time.Now()
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader([]byte(`{"n":1}`)))
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				if err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, fmt.Errorf("bare HTTP round trips: %w", first)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// wantsLambda reports whether the workloads asked for include lambda5.
func wantsLambda(workloads string) bool {
	return workloads == "" || strings.Contains(","+workloads+",", ",lambda5,")
}
