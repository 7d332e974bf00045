package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/signalbox/signalbox/internal/cli"
	"github.com/signalbox/signalbox/store"
)

// `signalbox bench queue` measures the queue router through SQS's API:
// a `signalbox serve` child process on loopback, on a Redis with an AOF
// fsynced every second (a redis-server of the bench's own, or
// --redis-url), beside goaws (see goaws.go), both driven in the same run by
// the same client, the AWS SDK for Go v2's service/sqs, with --clients
// goroutines each:
//   - SendMessage, one message a call;
//   - SendMessageBatch, 10 messages a call;
//   - ReceiveMessage (up to 10) then DeleteMessageBatch of what came, until
//     the queue the two sends filled is empty (every message checked to
//     have come);
//   - long-poll wake-up: a receiver blocked in ReceiveMessage
//     (WaitTimeSeconds 20), one message sent: the time from the send
//     call's start to the receive's return, p50 and p99.
//
// The two servers take turns, measurement by measurement, and which goes
// first alternates from round to round; a figure is the median of the
// rounds. redis-benchmark's LPUSH and RPOP on the same Redis are printed
// as the baseline.

var benchQueueHelp = cli.Help{
	Synopsis: "signalbox bench queue [--redis-url URL | --embedded] [--clients N] [--messages N] [--samples N] [--rounds N] [--goaws PATH | --goaws none] [--query] [--quick]",
	Summary: `Measure the queue router through SQS's API: signalbox serve on a Redis with appendfsync everysec
(a redis-server of the bench's own, or --redis-url) and goaws v0.4.5, driven alternately by the
same AWS SDK client: SendMessage, SendMessageBatch of 10, ReceiveMessage + DeleteMessageBatch
(messages per second) and the long-poll wake-up latency, beside redis-benchmark's LPUSH/RPOP.`,
	Example: "signalbox bench queue --clients 32 --messages 20000",
}

// The goals on a 2-core machine, reported beside the figures,
// never enforced: messages per second sent in batches of 10 and received
// and deleted, each also above goaws's in the same run, and the long
// poll's wake-up at p99.
const (
	queueGoalBatchSend   = 30000
	queueGoalReceive     = 20000
	queueGoalWakeP99Msec = 5.0
)

// queueBodySize is every message's body size, in bytes.
const queueBodySize = 100

type benchQueueOptions struct {
	clients, messages, samples, rounds int
	baselineRequests                   int // redis-benchmark's -n
	signalbox, goaws, cpuProfile       string
	query                              bool
}

func cmdBenchQueue(args []string, stdout, stderr io.Writer) int {
	cli.TuneGC()
	fs := flag.NewFlagSet("bench queue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", "", "measure serve on this Redis instead of a redis-server of the bench's own (appendonly yes, appendfsync everysec)")
	embedded := fs.Bool("embedded", false, "serve on its embedded store (volatile; for tests): no Redis, no baseline")
	quick := fs.Bool("quick", false, "a quick run for tests: 1 round, 600 messages, 10 samples, 8 clients, 20000 redis-benchmark requests (each may still be given)")
	var o benchQueueOptions
	fs.IntVar(&o.clients, "clients", 32, "concurrent client goroutines per server")
	fs.IntVar(&o.messages, "messages", 10000, "messages per throughput measurement (each send measurement sends this many; the receive measurement drains both)")
	fs.IntVar(&o.samples, "samples", 200, "long-poll wake-up samples per server")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds of every measurement on each server (the median is reported)")
	fs.IntVar(&o.baselineRequests, "baseline-requests", 100000, "redis-benchmark's requests of each command (-n)")
	fs.StringVar(&o.goaws, "goaws", "", "the goaws binary (default: built once into ${XDG_CACHE_HOME:-~/.cache}/signalbox-ci from .ci/tools/goaws); none: measure signalbox alone")
	fs.StringVar(&o.signalbox, "signalbox", "", "the signalbox binary whose serve is measured (default: this one)")
	fs.BoolVar(&o.query, "query", false, "also drive signalbox through goaws's adapter (SQS's query protocol): the control for the adapter's cost")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "have serve write a CPU profile to this file")
	rest, code, ok := cli.Parse(fs, benchQueueHelp, args, stdout)
	if !ok {
		return code
	}
	applyQuick(fs, *quick, map[string]func(){
		"rounds": func() { o.rounds = 1 }, "messages": func() { o.messages = 600 }, "samples": func() { o.samples = 10 },
		"clients": func() { o.clients = 8 }, "baseline-requests": func() { o.baselineRequests = 20000 },
	})
	if len(rest) > 0 || o.clients < 1 || o.messages < 10 || o.samples < 1 || o.rounds < 1 || o.baselineRequests < 1 || (*embedded && *redisURL != "") {
		cli.Usage(stderr, benchQueueHelp)
		return 2
	}
	return routerBench{name: "bench queue", errNoAPI: errNoQueueAPI, signalbox: &o.signalbox, redisURL: *redisURL, embedded: *embedded,
		hint: "or measure an existing server with --redis-url, or the embedded store with --embedded",
		run:  func(ctx context.Context, url string) error { return benchQueueOn(ctx, url, o, stdout, stderr) }}.exec(stderr)
}

// errNoQueueAPI: the signalbox serve measured does not answer SQS's API
// (exit status 3, so that a test can tell it from a failure).
var errNoQueueAPI = errors.New("signalbox serve does not answer SQS's API")

// queueTarget is one server under measurement, with its client.
type queueTarget struct {
	name    string
	key     string // in its queues' names
	client  *sqs.Client
	adapter *queryAdapter // goaws's; nil for signalbox
	stop    func()
	// pid and redis, for signalbox's targets: serve's process and its
	// Redis (nil on the embedded store), whose CPU and commands each
	// measurement reports per message; pid 0 for goaws.
	pid   int
	redis *redisStats
}

// benchQueueOn measures serve on the Redis of redisURL ("" the embedded
// store) beside goaws, and prints the report.
func benchQueueOn(ctx context.Context, redisURL string, o benchQueueOptions, stdout, stderr io.Writer) error {
	loadBefore := loadAverage()
	dir, err := os.MkdirTemp("", "signalbox-bench-queue-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	serve, err := startMeasuredServe(o.signalbox, redisURL, "sbqueue-", o.cpuProfile)
	if err != nil {
		return err
	}
	defer serve.stop()
	base, prefix := serve.base, serve.prefix
	hc := benchHTTPClient(o.clients)
	var rs *redisStats
	if redisURL != "" {
		if rs, err = newRedisStats(redisURL); err != nil {
			return err
		}
		defer rs.Close()
	}
	targets := []*queueTarget{{name: "signalbox", key: "sb", client: sqsClient(base, hc), pid: serve.pid, redis: rs}}
	if err := probeQueueAPI(ctx, targets[0].client); err != nil {
		return err
	}
	if o.query {
		ad := &queryAdapter{hc: benchHTTPClient(o.clients)}
		targets = append(targets, &queueTarget{name: "signalbox-query", key: "sbq", client: sqsClient(base, ad), pid: serve.pid, redis: rs})
	}
	goaws := "goaws: not measured (--goaws none)"
	if o.goaws != "none" {
		bin, err := goawsBinary(o.goaws, stderr)
		if err != nil {
			return err
		}
		gbase, stop, err := startGoaws(bin, dir)
		if err != nil {
			return err
		}
		defer stop()
		ad := &queryAdapter{hc: benchHTTPClient(o.clients)}
		targets = append(targets, &queueTarget{name: "goaws", key: "goaws", client: sqsClient(gbase, ad), adapter: ad, stop: stop})
		goaws = fmt.Sprintf("goaws %s (%s, in memory) at %s, reached through a JSON-to-query adapter in this process (goaws speaks only the query protocol)", goawsVersion, bin, gbase)
	}

	storeDesc := "the embedded store (volatile)"
	if redisURL != "" {
		storeDesc = redisURL + ", " + redisPersistence(ctx, redisURL)
	}
	fmt.Fprintf(stdout, "signalbox serve at %s, on %s (keys under %s)\n", base, storeDesc, prefix)
	fmt.Fprintln(stdout, goaws)
	if o.query {
		fmt.Fprintln(stdout, "signalbox-query: the same serve reached through goaws's adapter (SQS's query protocol), the control for the adapter's cost")
	}
	fmt.Fprintf(stdout, "settings: %d client goroutines per server, one aws-sdk-go-v2 service/sqs client each (AWS JSON 1.0, retries off), %d-byte bodies, %d messages per send measurement, %d long-poll samples, %d round(s) (median); GOMAXPROCS %d in the bench (serve and goaws: %s), %d CPUs\n",
		o.clients, queueBodySize, o.messages, o.samples, o.rounds, goruntime.GOMAXPROCS(0), childGOMAXPROCS(), goruntime.NumCPU())
	fmt.Fprintf(stdout, "load average at start: %s\n", loadBefore)
	if redisURL != "" {
		if lpush, rpop, err := redisBenchmarkLists(redisURL, o.baselineRequests); err != nil {
			fmt.Fprintf(stdout, "baseline: redis-benchmark: %v\n", err)
		} else {
			fmt.Fprintf(stdout, "baseline: redis-benchmark -t lpush,rpop -q (50 clients, %d requests) on this Redis: LPUSH %.0f/s, RPOP %.0f/s\n", o.baselineRequests, lpush, rpop)
		}
	} else {
		fmt.Fprintln(stdout, "baseline: none (no Redis: the embedded store)")
	}

	results := map[string]*queueResults{}
	for _, t := range targets {
		results[t.name] = &queueResults{}
	}
	for round := range o.rounds {
		if err := queueRound(ctx, turnOrder(targets, round), round, o, results, stderr); err != nil {
			return err
		}
	}
	for _, t := range targets {
		if t.adapter != nil {
			fmt.Fprintf(stdout, "goaws's adapter costs the client, per request (JSON to query, XML to JSON; CPU time of one thread, after the run, on requests and answers of the run): %s\n", t.adapter.cost())
		}
	}
	printQueueReport(stdout, targets, results)
	fmt.Fprintf(stdout, "load average at end: %s\n", loadAverage())
	return nil
}

// queueRound runs every measurement once on each target, in order.
func queueRound(ctx context.Context, order []*queueTarget, round int, o benchQueueOptions, results map[string]*queueResults, progress io.Writer) error {
	queues := map[string]string{}
	for _, t := range order {
		u, err := createBenchQueue(ctx, t.client, fmt.Sprintf("%s-%d", t.key, round))
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		queues[t.name] = u
	}
	for _, m := range queueMeasurements {
		for _, t := range order {
			fmt.Fprintf(progress, "round %d of %d: %s: %s\n", round+1, o.rounds, t.name, m.name)
			if err := measureQueue(ctx, t, m, queues[t.name], o, results[t.name]); err != nil {
				return fmt.Errorf("%s: %s: %w", t.name, m.name, err)
			}
		}
	}
	for _, t := range order {
		u, err := createBenchQueue(ctx, t.client, fmt.Sprintf("%s-wait-%d", t.key, round))
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		fmt.Fprintf(progress, "round %d of %d: %s: long-poll wake-ups\n", round+1, o.rounds, t.name)
		wake, send, err := longPollWakeups(ctx, t.client, u, o.samples)
		if err != nil {
			return fmt.Errorf("%s: long poll: %w", t.name, err)
		}
		r := results[t.name]
		r.wake, r.wakeSend = append(r.wake, wake...), append(r.wakeSend, send...)
	}
	return nil
}

// measureQueue runs m on t's queue and, for signalbox's targets, records
// what it cost per message: serve's CPU, Redis's CPU and commands.
func measureQueue(ctx context.Context, t *queueTarget, m queueMeasurement, queueURL string, o benchQueueOptions, r *queueResults) error {
	if t.pid == 0 {
		return m.run(ctx, t.client, queueURL, o, r)
	}
	meter, err := startCPU(ctx, &topicTarget{pid: t.pid, redis: t.redis})
	if err != nil {
		return err
	}
	messages := o.messages
	if m.name == queueReceiveName {
		messages = r.sent
	}
	if err := m.run(ctx, t.client, queueURL, o, r); err != nil {
		return err
	}
	u, err := meter.per(ctx, messages)
	if err != nil {
		return err
	}
	if r.cpu == nil {
		r.cpu = map[string][]cpuUse{}
	}
	r.cpu[m.name] = append(r.cpu[m.name], u)
	return nil
}

// printQueueReport prints each figure of each target, the ratios of
// signalbox's to goaws's, and the goals (signalbox's over AWS JSON).
func printQueueReport(w io.Writer, targets []*queueTarget, results map[string]*queueResults) {
	gw := results["goaws"]
	each := func(f func(t *queueTarget, r *queueResults) string) string {
		parts := make([]string, len(targets))
		for i, t := range targets {
			parts[i] = t.name + " " + f(t, results[t.name])
		}
		return strings.Join(parts, ", ")
	}
	for _, m := range []struct {
		label string
		get   func(*queueResults) []float64
	}{
		{"SendMessage (1 message a call)", func(r *queueResults) []float64 { return r.send }},
		{"SendMessageBatch (10 messages a call)", func(r *queueResults) []float64 { return r.batch }},
		{"ReceiveMessage (up to 10) + DeleteMessageBatch", func(r *queueResults) []float64 { return r.receive }},
	} {
		fmt.Fprintf(w, "%s: %s\n", m.label, each(func(t *queueTarget, r *queueResults) string {
			line := fmt.Sprintf("%.0f msg/s", median(m.get(r)))
			if gw != nil && r != gw {
				line += fmt.Sprintf(" (%.2fx goaws)", median(m.get(r))/median(m.get(gw)))
			}
			return line
		}))
	}
	sb := results["signalbox"]
	for _, t := range targets {
		r := results[t.name]
		if len(r.cpu) == 0 {
			continue
		}
		parts := []string{}
		for _, m := range queueMeasurements {
			us := r.cpu[m.name]
			part := fmt.Sprintf("%s serve %.1f", m.name, medianOf(us, func(u cpuUse) float64 { return u.server }))
			if t.redis != nil {
				part += fmt.Sprintf(" + Redis %.1f µs CPU, %.2f commands, %.2f scripts",
					medianOf(us, func(u cpuUse) float64 { return u.redis }), medianOf(us, func(u cpuUse) float64 { return u.commands }),
					medianOf(us, func(u cpuUse) float64 { return u.scripts }))
			} else {
				part += " µs CPU"
			}
			parts = append(parts, part)
		}
		fmt.Fprintf(w, "  (%s per message, medians: %s)\n", t.name, strings.Join(parts, "; "))
	}
	fmt.Fprintf(w, "  (each receive measurement drains the %d messages the two sends left, each checked to have come; duplicates: %s; empty receives: %s)\n", sb.drained,
		each(func(_ *queueTarget, r *queueResults) string { return strconv.Itoa(r.duplicates) }),
		each(func(_ *queueTarget, r *queueResults) string { return strconv.Itoa(r.empty) }))
	_, g99 := percentiles(gw.wakeOrNil())
	fmt.Fprintf(w, "long-poll wake-up (WaitTimeSeconds 20; send call's start to receive's return; %d samples each): %s\n", len(sb.wake),
		each(func(_ *queueTarget, r *queueResults) string {
			p50, p99 := percentiles(r.wake)
			line := fmt.Sprintf("p50 %.2f ms, p99 %.2f ms", p50, p99)
			if gw != nil && r != gw {
				line += fmt.Sprintf(" (p99 %.2fx goaws's)", p99/g99)
			}
			return line
		}))
	fmt.Fprintf(w, "  (of which the SendMessage call itself, alone on the idle server: %s)\n",
		each(func(_ *queueTarget, r *queueResults) string {
			p50, p99 := percentiles(r.wakeSend)
			return fmt.Sprintf("p50 %.2f ms, p99 %.2f ms", p50, p99)
		}))
	above := func(get func(*queueResults) []float64) bool {
		return gw == nil || median(get(sb)) > median(get(gw))
	}
	batch, recv := median(sb.batch), median(sb.receive)
	_, p99 := percentiles(sb.wake)
	fmt.Fprintf(w, "goals (2-core machine): batch send >= %d msg/s and above goaws: %s (%.0f); receive+delete >= %d msg/s and above goaws: %s (%.0f); long-poll wake-up p99 <= %.0f ms: %s (%.2f ms)\n",
		queueGoalBatchSend, goalMet(batch >= queueGoalBatchSend && above(func(r *queueResults) []float64 { return r.batch })), batch,
		queueGoalReceive, goalMet(recv >= queueGoalReceive && above(func(r *queueResults) []float64 { return r.receive })), recv,
		queueGoalWakeP99Msec, goalMet(p99 <= queueGoalWakeP99Msec), p99)
}

// startServeChild runs `signalbox serve ARGS...` on the Redis of redisURL
// ("" the embedded store) and returns its base URL once it listens, and a
// function that stops it (SIGTERM) and waits for it.
func startServeChild(bin, redisURL string, args ...string) (base string, stop func(), err error) {
	base, _, stop, err = startServeChildPID(bin, redisURL, args...)
	return base, stop, err
}

// startServeChildPID is startServeChild, which also returns the child's
// process id (for its CPU time).
func startServeChildPID(bin, redisURL string, args ...string) (base string, pid int, stop func(), err error) {
	srv := exec.Command(bin, append([]string{"serve"}, args...)...)
	srv.Env = append(os.Environ(), store.EnvRedisURL+"="+redisURL)
	var serverLog bytes.Buffer
	srv.Stderr = &serverLog
	out, err := srv.StdoutPipe()
	if err != nil {
		return "", 0, nil, err
	}
	if err := srv.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}
	first, err := bufio.NewReader(out).ReadString('\n')
	base, ok := strings.CutPrefix(strings.TrimSpace(first), "signalbox serving on ")
	if err != nil || !ok {
		stop()
		return "", 0, nil, fmt.Errorf("the server did not start: %q %v\n%s", first, err, serverLog.String())
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return base, srv.Process.Pid, stop, nil
}

// benchHTTPClient is the HTTP client of one server's SDK client: keep-alive
// connections enough for every goroutine.
func benchHTTPClient(clients int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 4 * clients
		t.MaxIdleConnsPerHost = 4 * clients
	})
}

// sqsClient is the bench's SQS client of the server at base: the same
// settings for every server.
func sqsClient(base string, hc sqs.HTTPClient) *sqs.Client {
	return sqs.New(sqs.Options{
		BaseEndpoint: aws.String(base),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}

// probeQueueAPI asks the server for a queue's URL: an SQS error
// (QueueDoesNotExist) says it speaks SQS's API, anything else that it
// does not (errNoQueueAPI).
func probeQueueAPI(ctx context.Context, c *sqs.Client) error {
	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("sbbench-probe-none")})
	var apiErr smithy.APIError
	if err == nil || (errors.As(err, &apiErr) && strings.Contains(apiErr.ErrorCode(), "NonExistentQueue")) ||
		(errors.As(err, &apiErr) && strings.Contains(apiErr.ErrorCode(), "QueueDoesNotExist")) {
		return nil
	}
	return fmt.Errorf("%w (GetQueueUrl of a missing queue: %v)", errNoQueueAPI, err)
}

// childGOMAXPROCS says what the child processes' GOMAXPROCS is.
func childGOMAXPROCS() string {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		return v + " (GOMAXPROCS set)"
	}
	return fmt.Sprintf("Go's default, %d", goruntime.NumCPU())
}

// loadAverage is /proc/loadavg's three figures, or why not.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ") + " (1, 5, 15 min)"
}

// redisPersistence reads the Redis's persistence settings.
func redisPersistence(ctx context.Context, redisURL string) string {
	st, err := store.Open(ctx, store.Options{URL: redisURL, Prefix: randomKeyPrefix("sbprobe-")})
	if err != nil {
		return "persistence unknown: " + err.Error()
	}
	defer st.Close()
	return st.Persistence(ctx).String()
}

// redisBenchLine is one line of redis-benchmark -q.
var redisBenchLine = regexp.MustCompile(`(?m)^(LPUSH|RPOP)[^:]*: ([\d.]+) requests per second`)

// redisBenchmarkLists runs `redis-benchmark -t lpush,rpop -q` against the
// server of redisURL. (Its keys are redis-benchmark's own, "mylist":
// RPOP takes out what LPUSH put in.)
func redisBenchmarkLists(redisURL string, requests int) (lpush, rpop float64, err error) {
	u, err := url.Parse(redisURL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return 0, 0, fmt.Errorf("needs a redis:// URL, not %q", redisURL)
	}
	args := []string{"-h", u.Hostname(), "-p", cmp.Or(u.Port(), "6379"), "-t", "lpush,rpop", "-n", strconv.Itoa(requests), "-c", "50", "-q"}
	if pw, ok := u.User.Password(); ok {
		args = append(args, "-a", pw)
	}
	if u.Scheme == "rediss" {
		args = append(args, "--tls")
	}
	out, err := exec.Command("redis-benchmark", args...).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("redis-benchmark: %w", err)
	}
	// (-q still draws its progress on the terminal's line, after \r.)
	for _, m := range redisBenchLine.FindAllStringSubmatch(strings.ReplaceAll(string(out), "\r", "\n"), -1) {
		f, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "LPUSH" {
			lpush = f
		} else {
			rpop = f
		}
	}
	if lpush == 0 || rpop == 0 {
		return 0, 0, fmt.Errorf("redis-benchmark printed %q", out)
	}
	return lpush, rpop, nil
}

// percentiles are the p50 and p99 of lat, in ms.
func percentiles(lat []time.Duration) (p50, p99 float64) {
	if len(lat) == 0 {
		return 0, 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(q float64) float64 {
		return float64(s[min(len(s)-1, int(q*float64(len(s))))]) / float64(time.Millisecond)
	}
	return at(0.5), at(0.99)
}
