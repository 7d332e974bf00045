package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/function"
	"github.com/signalbox/signalbox/integrations/function/runtimeapi"
)

// lambda5 is task5 with real function calls: five lambda:invoke Tasks,
// each invoking an HTTP function (a loopback server in this process that
// answers the event it gets) through the function runtime's dispatcher,
// as serve invokes an HTTP function. Its baseline, measured in the same
// run, is the bare HTTP round trip to the same server from 32 goroutines
// (benchBareHTTP): what the calls would cost with no workflow around them.
//
// lambdart5 is the same with a Runtime API function: the runtimeapi
// tests' aws-lambda-go handler (built by the bench with the go command)
// in the function runtime's process pool.
var (
	benchLambda5   = benchWorkload{"lambda5", lambda5Def("bench-echo"), 0, 5, false}
	benchLambdaRT5 = benchWorkload{"lambdart5", lambda5Def("bench-rt"), 0, 5, false}
)

func lambda5Def(fn string) []byte {
	return []byte(`{"StartAt":"A","States":{` + lambdaState("A", "B", fn) + "," + lambdaState("B", "C", fn) + "," +
		lambdaState("C", "D", fn) + "," + lambdaState("D", "E", fn) + "," + lambdaState("E", "", fn) + `}}`)
}

func lambdaState(name, next, fn string) string {
	end := `"End":true`
	if next != "" {
		end = `"Next":"` + next + `"`
	}
	return `"` + name + `":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"` + fn + `","Payload.$":"$"},"OutputPath":"$.Payload",` + end + `}`
}

// buildRuntimeHandler builds the aws-lambda-go handler of the runtimeapi
// tests into dir, from the repository the bench runs in.
func buildRuntimeHandler(dir string) (string, error) {
	root, err := findRepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "handler")
	cmd := exec.Command("go", "build", "-o", out, "./integrations/function/runtimeapi/testdata/handler")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the Runtime API handler: %v: %s", err, b)
	}
	return out, nil
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

// register adds the lambda:invoke Tasks to tasks, resolving "bench-echo"
// to the server and, given the executable, "bench-rt" to the Runtime API
// program in a process pool; the returned func closes what it started.
func (f *functionServer) register(tasks *integrations.Mux, executable string) (func(), error) {
	configs := []function.Config{{Name: "bench-echo", Endpoint: f.url, ReservedConcurrency: -1}}
	var processes function.Invoker
	var pool *runtimeapi.Pool
	if executable != "" {
		configs = append(configs, function.Config{Name: "bench-rt", Executable: executable, Timeout: 30 * time.Second, ReservedConcurrency: -1})
		pool = runtimeapi.New(runtimeapi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		processes = pool
	}
	r, err := function.NewStaticResolver("us-east-1", "123456789012", configs...)
	if err != nil {
		return nil, err
	}
	t := function.NewTasks(r, function.NewDispatcher(processes))
	t.Register(tasks)
	return func() {
		t.Close()
		if pool != nil {
			pool.Close()
		}
	}, nil
}

// benchBareHTTP is the baseline of lambda5: n POSTs of a small event to
// the function server from 32 goroutines, per second.
func (f *functionServer) benchBareHTTP(ctx context.Context, n int) (float64, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	start := time.Now()
	err := eachChunk(32, n, 1, func(int, int) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader([]byte(`{"n":1}`)))
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	})
	if err != nil {
		return 0, fmt.Errorf("bare HTTP round trips: %w", err)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// wants reports whether the workloads asked for include name.
func wants(workloads, name string) bool {
	return workloads == "" || strings.Contains(","+workloads+",", ","+name+",")
}
