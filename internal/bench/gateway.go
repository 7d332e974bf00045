package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/store"
)

// `signalbox bench gateway` is the gateway's load test: it starts a
// `signalbox serve` child process on loopback (on the Redis of --redis-url,
// else the embedded server) with two user routes, and drives it with
// --clients concurrent HTTP clients:
//   - GET /api/v1/health, the baseline: what the same server answers when
//     it does nothing;
//   - POST /load (async, a 5-state STANDARD machine): --requests
//     executions, each with its own input; then every execution is checked
//     through the Step Functions API: all SUCCEEDED, none lost, none
//     duplicated;
//   - POST /load-sync (sync, the same 5 states as an EXPRESS machine): its
//     peak rate with --clients clients, then p50/p99 at half that rate,
//     and GET /api/v1/health at that same rate, the latency baseline:
//     what loopback HTTP between two processes on this machine costs at
//     that load.

var benchGatewayHelp = cli.Help{
	Synopsis: "signalbox bench gateway [--redis-url URL] [--requests N] [--clients N] [--seconds S] [--sync-rate R] [--cpuprofile FILE]",
	Summary: `The gateway's load test: run signalbox serve as a child process with two user routes and drive
it over keep-alive connections: GET /api/v1/health as the baseline, executions through an async
route (each checked to have SUCCEEDED), and a sync route at its peak, then at half of it.`,
	Example: "signalbox bench gateway --requests 10000 --clients 50",
}

const loadDefinition = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Pass","Next":"D"},"D":{"Type":"Pass","Next":"E"},"E":{"Type":"Pass","End":true}}}`

const loadTestConfig = `stateMachines:
  - {name: load, definition: load.asl.json, type: STANDARD}
  - {name: loadsync, definition: load.asl.json, type: EXPRESS}
routes:
  - {method: POST, path: /load, stateMachine: load, mode: async, mapping: body}
  - {method: POST, path: /load-sync, stateMachine: loadsync, mode: sync, mapping: body}
`

func cmdBenchGateway(args []string, stdout, stderr io.Writer) int {
	cli.TuneGC() // the load generator's collector, as the server's
	fs := flag.NewFlagSet("bench gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", os.Getenv(store.EnvRedisURL), "the Redis the server works on (default $"+store.EnvRedisURL+", else the embedded server)")
	requests := fs.Int("requests", 10000, "executions started through the async route (and requests of each other measurement)")
	clients := fs.Int("clients", 50, "concurrent HTTP clients")
	seconds := fs.Float64("seconds", 3, "how long the sync route is driven at half its peak rate")
	cpuProfile := fs.String("cpuprofile", "", "have the server write a CPU profile to this file")
	syncRate := fs.Float64("sync-rate", 0, "drive the sync route (and health) at this rate per second instead of half the sync route's peak")
	if rest, code, ok := cli.Parse(fs, benchGatewayHelp, args, stdout); !ok || len(rest) > 0 || *requests < 1 || *clients < 1 {
		if ok {
			cli.Usage(stderr, benchGatewayHelp)
			code = 2
		}
		return code
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "signalbox bench gateway: %v\n", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "signalbox-load-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "load.asl.json"), []byte(loadDefinition), 0o644); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "signalbox.yaml"), []byte(loadTestConfig), 0o644); err != nil {
		return fail(err)
	}
	self, err := os.Executable()
	if err != nil {
		return fail(err)
	}
	prefix := randomKeyPrefix("sbload-")
	srv := exec.Command(self, "serve", "--addr", "127.0.0.1:0", "--config", filepath.Join(dir, "signalbox.yaml"), "--redis-prefix", prefix, "--workers", "32")
	if *cpuProfile != "" {
		srv.Args = append(srv.Args, "--cpuprofile", *cpuProfile)
	}
	srv.Env = append(os.Environ(), store.EnvRedisURL+"="+*redisURL)
	var serverLog bytes.Buffer
	srv.Stderr = &serverLog
	out, err := srv.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := srv.Start(); err != nil {
		return fail(err)
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
		if *redisURL != "" {
			if st, err := store.Open(context.Background(), store.Options{URL: *redisURL, Prefix: prefix}); err == nil {
				_ = st.Purge(context.Background())
				_ = st.Close()
			}
		}
	}()
	first, err := bufio.NewReader(out).ReadString('\n')
	base, ok := strings.CutPrefix(strings.TrimSpace(first), "signalbox serving on ")
	if err != nil || !ok {
		return fail(fmt.Errorf("the server did not start: %q %v\n%s", first, err, serverLog.String()))
	}
	store := "embedded"
	if *redisURL != "" {
		store = *redisURL
	}
	fmt.Fprintf(stdout, "signalbox serve at %s (store %s), %d clients\n", base, store, *clients)
	hc := &loadClient{addr: strings.TrimPrefix(base, "http://")}

	health := func(int) loadRequest { return loadRequest{method: http.MethodGet, path: "/api/v1/health"} }
	hs, err := drive(hc, *requests, *clients, 0, health, nil)
	if err != nil {
		return fail(fmt.Errorf("health: %w", err))
	}
	fmt.Fprintf(stdout, "GET /api/v1/health: %s\n", hs)

	arns := make([]string, *requests)
	post := func(path string) func(int) loadRequest {
		return func(i int) loadRequest {
			return loadRequest{method: http.MethodPost, path: path, body: fmt.Appendf(nil, `{"i":%d}`, i)}
		}
	}
	as, err := drive(hc, *requests, *clients, 0, post("/load"), func(i int, body []byte) error {
		// The ARN is taken out without decoding the answer (see
		// checkSyncOutput); checkExecutions then checks every one.
		_, rest, ok := bytes.Cut(body, []byte(`"executionArn":"`))
		arn, _, ok2 := bytes.Cut(rest, []byte(`"`))
		if !ok || !ok2 || !bytes.HasPrefix(arn, []byte("arn:aws:states:")) {
			return fmt.Errorf("an async answer without executionArn: %s", body)
		}
		arns[i] = string(arn)
		return nil
	})
	if err != nil {
		return fail(fmt.Errorf("async route: %w", err))
	}
	fmt.Fprintf(stdout, "POST /load (async): %s  (%.0f%% of health's rate)\n", as, 100*as.rps/hs.rps)
	if err := checkExecutions(base, arns); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "async executions: %d started, %d distinct, all SUCCEEDED: lost 0, duplicated 0\n", len(arns), len(arns))

	ss, err := drive(hc, *requests, *clients, 0, post("/load-sync"), checkSyncOutput)
	if err != nil {
		return fail(fmt.Errorf("sync route: %w", err))
	}
	fmt.Fprintf(stdout, "POST /load-sync (sync, peak): %s\n", ss)
	half := ss.rps / 2
	if *syncRate > 0 {
		half = *syncRate
	}
	n := max(1, int(half**seconds))
	hs2, err := drive(hc, n, *clients, half, post("/load-sync"), checkSyncOutput)
	if err != nil {
		return fail(fmt.Errorf("sync route at half its peak: %w", err))
	}
	fmt.Fprintf(stdout, "POST /load-sync at %.0f/s (half the peak): %s\n", half, hs2)
	hh, err := drive(hc, n, *clients, half, health, nil)
	if err != nil {
		return fail(fmt.Errorf("health at the sync route's half peak: %w", err))
	}
	fmt.Fprintf(stdout, "GET /api/v1/health at %.0f/s (the same rate, baseline): %s\n", half, hh)
	return 0
}

// checkSyncOutput checks that a sync answer is the execution's output,
// the request's own input {"i":i} (five Pass states pass it on), without
// decoding it: the load generator shares the machine with the server, and
// its own allocations would show as the server's latency.
func checkSyncOutput(i int, body []byte) error {
	num, ok := bytes.CutPrefix(bytes.TrimSpace(body), []byte(`{"i":`))
	if ok {
		num, ok = bytes.CutSuffix(num, []byte("}"))
	}
	if ok {
		f, err := strconv.ParseFloat(string(num), 64)
		ok = err == nil && f == float64(i)
	}
	if !ok {
		return fmt.Errorf("a sync answer that is not the execution's output {\"i\":%d}: %s", i, body)
	}
	return nil
}

// loadStats summarise one measurement.
type loadStats struct {
	n             int
	rps           float64
	p50, p99, max time.Duration
	// paced (an open-loop load): slotP50 and slotP99 are the latencies from
	// each request's slot in the pacing rather than from its write, so that
	// a request the pacer could not send on time counts its wait
	paced            bool
	slotP50, slotP99 time.Duration
}

func (s loadStats) String() string {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	out := fmt.Sprintf("%d requests, %.0f/s, p50 %.2f ms, p99 %.2f ms, max %.1f ms", s.n, s.rps, ms(s.p50), ms(s.p99), ms(s.max))
	if s.paced {
		out += fmt.Sprintf(" (from the slot: p50 %.2f ms, p99 %.2f ms)", ms(s.slotP50), ms(s.slotP99))
	}
	return out
}

// loadRequest is one request of a load: a JSON body when not nil.
type loadRequest struct {
	method, path string
	body         []byte
}

// loadClient sends requests over keep-alive connections of its own, one
// per client goroutine, writing HTTP/1.1 by hand and reading answers with
// net/http's parser: a lighter load generator than http.Client (whose
// two goroutines per connection add two hand-offs to every request), so
// that the figures are more the server's and less the client's.
type loadClient struct{ addr string }

// loadConn is one client goroutine's connection.
type loadConn struct {
	c   *loadClient
	nc  net.Conn
	br  *bufio.Reader
	bw  *bufio.Writer
	buf []byte
}

// do sends r and returns the answer's status and body, dialling first
// when the connection is closed.
func (lc *loadConn) do(r loadRequest) (int, []byte, error) {
	if lc.nc == nil {
		nc, err := net.Dial("tcp", lc.c.addr)
		if err != nil {
			return 0, nil, err
		}
		lc.nc, lc.br, lc.bw = nc, bufio.NewReader(nc), bufio.NewWriter(nc)
	}
	b := append(lc.buf[:0], r.method...)
	b = append(b, ' ')
	b = append(b, r.path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, lc.c.addr...)
	if r.body != nil {
		b = append(b, "\r\nContent-Type: application/json\r\nContent-Length: "...)
		b = strconv.AppendInt(b, int64(len(r.body)), 10)
	}
	b = append(b, "\r\n\r\n"...)
	b = append(b, r.body...)
	lc.buf = b
	_, err := lc.bw.Write(b)
	if err == nil {
		err = lc.bw.Flush()
	}
	var resp *http.Response
	if err == nil {
		resp, err = http.ReadResponse(lc.br, nil)
	}
	if err != nil {
		lc.close()
		return 0, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		lc.close()
	}
	return resp.StatusCode, body, err
}

func (lc *loadConn) close() {
	if lc.nc != nil {
		lc.nc.Close()
		lc.nc = nil
	}
}

// drive sends n requests from clients goroutines, as fast as they answer
// (rate 0) or paced at rate per second (open loop), and checks each answer
// is a 2xx whose body check accepts. A request's latency runs from just
// before it is written to when its answer has been read; paced, also from
// its slot in the pacing (begin + i/rate), which a late start cannot hide.
func drive(hc *loadClient, n, clients int, rate float64, build func(int) loadRequest, check func(int, []byte) error) (loadStats, error) {
	lat := make([]time.Duration, n)
	fromSlot := make([]time.Duration, n)
	conns := make([]*loadConn, clients) // each goroutine's
	for w := range conns {
		conns[w] = &loadConn{c: hc}
	}
	begin := time.Now()
	err := eachChunkOf(clients, n, 1, func(w, i, _ int) error {
		slot := begin
		if rate > 0 {
			slot = begin.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if wait := time.Until(slot); wait > 0 {
				time.Sleep(wait) // pacing the open-loop load
			}
		}
		req := build(i)
		t0 := time.Now()
		status, body, err := conns[w].do(req)
		lat[i] = time.Since(t0)
		fromSlot[i] = time.Since(slot)
		if err == nil && status/100 != 2 {
			err = fmt.Errorf("HTTP %d: %s", status, body)
		}
		if err == nil && check != nil {
			err = check(i, body)
		}
		return err
	})
	elapsed := time.Since(begin)
	for _, lc := range conns {
		lc.close()
	}
	if err != nil {
		return loadStats{}, err
	}
	slices.Sort(lat)
	slices.Sort(fromSlot)
	at := func(l []time.Duration, q float64) time.Duration { return l[min(n-1, int(q*float64(n)))] }
	return loadStats{n: n, rps: float64(n) / elapsed.Seconds(), p50: at(lat, 0.5), p99: at(lat, 0.99), max: lat[n-1],
		paced: rate > 0, slotP50: at(fromSlot, 0.5), slotP99: at(fromSlot, 0.99)}, nil
}

// checkExecutions waits until the executions of arns have ended, through
// the Step Functions API, and checks that each one SUCCEEDED and that the
// state machine has exactly these executions.
func checkExecutions(base string, arns []string) error {
	seen := map[string]bool{}
	for _, a := range arns {
		if seen[a] {
			return fmt.Errorf("execution %s was answered twice", a)
		}
		seen[a] = true
	}
	client := sfn.New(sfn.Options{
		BaseEndpoint: aws.String(base), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("load", "load", ""),
	})
	ctx := context.Background()
	smARN := "arn:aws:states:us-east-1:123456789012:stateMachine:load"
	deadline := time.Now().Add(10 * time.Minute)
	for {
		listed := map[string]sfntypes.ExecutionStatus{}
		p := sfn.NewListExecutionsPaginator(client, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), MaxResults: 1000})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("listing executions: %w", err)
			}
			for _, e := range page.Executions {
				if _, dup := listed[*e.ExecutionArn]; dup {
					return fmt.Errorf("execution %s listed twice", *e.ExecutionArn)
				}
				listed[*e.ExecutionArn] = e.Status
			}
		}
		running := 0
		for a := range seen {
			switch st, ok := listed[a]; {
			case !ok:
				return fmt.Errorf("execution %s was started but is not listed: lost", a)
			case st == sfntypes.ExecutionStatusRunning:
				running++
			case st != sfntypes.ExecutionStatusSucceeded:
				return fmt.Errorf("execution %s is %s", a, st)
			}
		}
		if len(listed) != len(seen) {
			return fmt.Errorf("%d executions listed, %d started: duplicated", len(listed), len(seen))
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("executions still running after 10 minutes")
		}
		time.Sleep(50 * time.Millisecond) // polling the server's progress
	}
}
