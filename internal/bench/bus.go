package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/signalbox/signalbox/internal/cli"
)

// `signalbox bench bus` measures the bus router (EventBridge's API) on
// buses of 1, 100, 1,000 and 10,000 rules (--rules) of five kinds in turn
// (busload.go: exact sources and detail-types, nested detail fields,
// prefixes, numeric ranges, anything-but), each event built to match
// exactly one rule, each rule with one queue target:
//   - the matcher alone: events per second through a pattern.Machine of
//     the rules (integrations/bus/pattern, what PutEvents matches with),
//     one goroutine, in this process, over the envelopes PutEvents would
//     match, each checked to match its rule alone;
//   - PutEvents: --events events from --clients goroutines by PutEvents of
//     10 (aws-sdk-go-v2 service/eventbridge) to a `signalbox serve` child
//     process on a Redis with an AOF fsynced every second (a
//     redis-server of the bench's own, or --redis-url), an event counted
//     done when its target queue has delivered it (consumers receive and
//     delete meanwhile, service/sqs; each event checked to have come to
//     its rule's queue); serve's and Redis's CPU per event.
//
// Each figure is reported beside the 1-rule baseline measured in the same
// run (the ratio), with the milestone's goals.

var benchBusHelp = cli.Help{
	Synopsis: "signalbox bench bus [--redis-url URL] [--rules 1,100,1000,10000] [--events N] [--clients N] [--queues N] [--match-seconds S] [--quick]",
	Summary: `Measure the bus router through EventBridge's API: for buses of 1 to 10,000 rules of realistic
variety (each event matching one rule, each rule one queue target), events matched per second by
the matcher alone (in this process), and events per second through PutEvents (batches of 10, an
event done when its queue has delivered it) to signalbox serve on a Redis with appendfsync
everysec, with serve's and Redis's CPU per event; ratios against the 1-rule baseline.`,
	Example: "signalbox bench bus --events 20000",
}

// The milestone's goals on a 2-core machine, reported beside the figures,
// never enforced.
const (
	busGoalMatchSlowdown = 3.0   // matching with the most rules at most this many times slower than with 1
	busGoalPutRate       = 10000 // events/s through PutEvents with the most rules
	busGoalRules         = 10000
	busMatchRounds       = 3
)

type benchBusOptions struct {
	rules                   []int
	events, clients, queues int
	matchFor                time.Duration
	signalbox, cpuProfile   string
}

func cmdBenchBus(args []string, stdout, stderr io.Writer) int {
	cli.TuneGC()
	fs := flag.NewFlagSet("bench bus", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", "", "measure serve on this Redis instead of a redis-server of the bench's own (appendonly yes, appendfsync everysec)")
	quick := fs.Bool("quick", false, "a quick run for tests: rules 1,100, 500 events, 8 clients, matching for 0.2 s (each may still be given)")
	rules := fs.String("rules", "1,100,1000,10000", "the rule counts measured, comma-separated; the first is the baseline")
	var o benchBusOptions
	fs.IntVar(&o.events, "events", 20000, "events put per PutEvents measurement")
	fs.IntVar(&o.clients, "clients", 16, "concurrent PutEvents goroutines (and goroutines creating the rules)")
	fs.IntVar(&o.queues, "queues", 4, "queue targets per bus: rule k targets queue k mod N")
	matchSeconds := fs.Float64("match-seconds", 1, "seconds of matching per rule count")
	fs.StringVar(&o.signalbox, "signalbox", "", "the signalbox binary whose serve is measured (default: this one)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "have serve write a CPU profile to this file")
	rest, code, ok := cli.Parse(fs, benchBusHelp, args, stdout)
	if !ok {
		return code
	}
	applyQuick(fs, *quick, map[string]func(){
		"rules": func() { *rules = "1,100" }, "events": func() { o.events = 500 }, "clients": func() { o.clients = 8 },
		"match-seconds": func() { *matchSeconds = 0.2 },
	})
	for _, s := range strings.Split(*rules, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 100000 {
			o.rules = nil
			break
		}
		o.rules = append(o.rules, n)
	}
	o.matchFor = time.Duration(*matchSeconds * float64(time.Second))
	if len(rest) > 0 || len(o.rules) == 0 || o.events < 10 || o.clients < 1 || o.queues < 1 || o.matchFor < 10*time.Millisecond {
		cli.Usage(stderr, benchBusHelp)
		return 2
	}
	return routerBench{name: "bench bus", errNoAPI: errNoBusAPI, signalbox: &o.signalbox, redisURL: *redisURL,
		run: func(ctx context.Context, url string) error { return benchBusOn(ctx, url, o, stdout, stderr) }}.exec(stderr)
}

// errNoBusAPI: the signalbox serve measured does not answer EventBridge's
// API (exit status 3).
var errNoBusAPI = errors.New("signalbox serve does not answer EventBridge's API")

// busRow is one rule count's figures.
type busRow struct {
	rules int
	match matchResult
	put   putResult
}

// benchBusOn measures the matcher, then serve on the Redis of redisURL,
// and prints the report.
func benchBusOn(ctx context.Context, redisURL string, o benchBusOptions, stdout, stderr io.Writer) error {
	loadBefore := loadAverage()
	// The rule counts take turns, round by round, so that the machine's
	// other load falls on each alike; a figure is the best of the rounds.
	rows := make([]busRow, len(o.rules))
	benches := make([]*matchBench, len(o.rules))
	for i, n := range o.rules {
		fmt.Fprintf(stderr, "matcher: building %d rule(s)...\n", n)
		mb, err := newMatchBench(n)
		if err != nil {
			return fmt.Errorf("matcher, %d rules: %w", n, err)
		}
		benches[i], rows[i] = mb, busRow{rules: n, match: matchResult{build: mb.build}}
	}
	for round := range busMatchRounds {
		for i, mb := range benches {
			fmt.Fprintf(stderr, "matcher: round %d of %d: %d rule(s)...\n", round+1, busMatchRounds, rows[i].rules)
			rate, err := mb.run(o.matchFor / busMatchRounds)
			if err != nil {
				return fmt.Errorf("matcher, %d rules: %w", rows[i].rules, err)
			}
			rows[i].match.perSecond = max(rows[i].match.perSecond, rate)
		}
	}
	benches = nil
	serve, err := startMeasuredServe(o.signalbox, redisURL, "sbbus-", o.cpuProfile)
	if err != nil {
		return err
	}
	defer serve.stop()
	base, prefix := serve.base, serve.prefix
	rs, err := newRedisStats(redisURL)
	if err != nil {
		return err
	}
	defer rs.Close()
	hc := benchHTTPClient(o.clients + 8)
	t := &topicTarget{name: "signalbox", key: "sb", account: "123456789012", pid: serve.pid, redis: rs, sqs: sqsClient(base, benchHTTPClient(o.clients+8))}
	eb := eventbridge.New(eventbridge.Options{BaseEndpoint: aws.String(base), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""), HTTPClient: hc, Retryer: aws.NopRetryer{}})
	if err := probeBusAPI(ctx, eb); err != nil {
		return err
	}
	for i, n := range o.rules {
		fmt.Fprintf(stderr, "PutEvents: %d rule(s): creating the rules, then %d events...\n", n, o.events)
		r, err := putThroughput(ctx, t, eb, fmt.Sprintf("sbbench-bus-%d", n), n, o.queues, o.events, o.clients)
		if err != nil {
			return fmt.Errorf("PutEvents, %d rules: %w", n, err)
		}
		fmt.Fprintf(stderr, "PutEvents: %d rule(s): again into the queues, with no consumer meanwhile...\n", n)
		q, dups, err := putIntoQueues(ctx, t, eb, fmt.Sprintf("sbbench-busq-%d", n), n, o.queues, o.events, o.clients)
		if err != nil {
			return fmt.Errorf("PutEvents into the queues, %d rules: %w", n, err)
		}
		r.queued, r.duplicates = q, r.duplicates+dups
		rows[i].put = r
	}
	fmt.Fprintf(stdout, "signalbox serve at %s, on %s, %s (keys under %s)\n", base, redisURL, redisPersistence(ctx, redisURL), prefix)
	fmt.Fprintf(stdout, "settings: rules of five kinds in turn (exact source and detail-type; detail-type and a nested detail field; source prefix and a nested field; source and a numeric range; source, anything-but on detail-type and a field), each event matching exactly one rule, each rule one queue target (rule k to queue k mod %d); ~%d-byte details; matcher: one goroutine over the envelopes (1 rule: one machine of one rule for each kind, each event matched against its rule's), the best of %d rounds of at least %s per rule count taken in turn; PutEvents: %d events per rule count from %d goroutines, PutEvents of 10 (aws-sdk-go-v2 service/eventbridge, retries off), an event done when its queue has delivered it (consumers: %d long-polling goroutines for 1 queue, %d each for %d, ReceiveMessage up to 10, WaitTimeSeconds 1, then DeleteMessageBatch); GOMAXPROCS %d in the bench (serve: %s), %d CPUs\n",
		o.queues, len(busDetailSample()), busMatchRounds, (o.matchFor / busMatchRounds).Round(time.Millisecond), o.events, o.clients, consumersPerQueue(1), consumersPerQueue(o.queues), o.queues, goruntime.GOMAXPROCS(0), childGOMAXPROCS(), goruntime.NumCPU())
	fmt.Fprintf(stdout, "load average at start: %s\n", loadBefore)
	printBusReport(stdout, rows)
	fmt.Fprintf(stdout, "load average at end: %s\n", loadAverage())
	return nil
}

func busDetailSample() string {
	_, _, d := busEvent(0, 0)
	return d
}

// printBusReport prints the table, each figure's ratio to the first rule
// count's, and the goals.
func printBusReport(w io.Writer, rows []busRow) {
	base := rows[0]
	fmt.Fprintf(w, "| rules | matcher events/s | vs %d rule(s) | PutEvents events/s delivered (acked) | vs %d rule(s) | into the queues events/s | serve µs CPU/event | Redis µs CPU/event | Redis commands, scripts/event | made again | rules created in |\n", base.rules, base.rules)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %.0f | %.2fx | %.0f (%.0f) | %.2fx | %.0f | %.0f | %.0f | %.1f, %.2f | %d | %.1fs |\n", r.rules, r.match.perSecond, r.match.perSecond/base.match.perSecond,
			r.put.done, r.put.acked, r.put.done/base.put.done, r.put.queued, r.put.cpu.server, r.put.cpu.redis, r.put.cpu.commands, r.put.cpu.scripts, r.put.duplicates, r.put.setup.Seconds())
	}
	i := slices.IndexFunc(rows, func(r busRow) bool { return r.rules == busGoalRules })
	if i < 0 {
		fmt.Fprintf(w, "goals (2-core machine): matching with %d rules at most %.0fx slower than with 1, >= %d events/s through PutEvents to queue targets with %d rules: not measured (--rules without %d)\n",
			busGoalRules, busGoalMatchSlowdown, busGoalPutRate, busGoalRules, busGoalRules)
		return
	}
	r := rows[i]
	slow := base.match.perSecond / r.match.perSecond
	baseNote := ""
	if base.rules != 1 {
		baseNote = fmt.Sprintf(" (the baseline measured: %d rules)", base.rules)
	}
	fmt.Fprintf(w, "goals (2-core machine): matching with %d rules at most %.0fx slower than with 1%s: %s (%.2fx slower); >= %d events/s through PutEvents to queue targets with %d rules: %s (%.0f/s into the queues; %.0f/s with the queues' consumers on the same machine)\n",
		busGoalRules, busGoalMatchSlowdown, baseNote, goalMet(base.rules == 1 && slow <= busGoalMatchSlowdown), slow, busGoalPutRate, busGoalRules, goalMet(r.put.queued >= busGoalPutRate), r.put.queued, r.put.done)
}

// probeBusAPI lists the buses: an answer, or an EventBridge error, says
// serve speaks EventBridge's API.
func probeBusAPI(ctx context.Context, c *eventbridge.Client) error {
	_, err := c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	if speaksAPI(err) {
		return nil
	}
	return fmt.Errorf("%w (ListEventBuses: %v)", errNoBusAPI, err)
}
