package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/signalbox/signalbox/internal/cli"
)

// `signalbox bench topic` measures the topic router through SNS's API: a
// `signalbox serve` child process on loopback, on a Redis with an AOF
// fsynced every second (a redis-server of the bench's own, or
// --redis-url), beside goaws v0.4.5 (goaws.go), both driven in the same
// run by the same clients. The publishers speak SNS's query protocol
// (which goaws speaks itself) with net/http directly (queryPublisher,
// --client http, the default: unsigned, the answers scanned), since the
// AWS SDK for Go v2's service/sns costs the bench more CPU per Publish
// (~150 µs) than a publish costs goaws (94 µs) and so bounded the figures
// on these 2 cores; --client sdk publishes by the SDK. The topics and
// queues are made, and the queues consumed, by the SDK's service/sns and
// service/sqs (goaws's SQS through the JSON-to-query adapter). Each topic
// fans out to 1 or to 10 standard queues, RawMessageDelivery on. Each
// figure is measured two ways:
//   - with consumers: consumers long-poll every queue concurrently and
//     delete what came, on the same 2 cores as the server (their
//     ReceiveMessage and DeleteMessageBatch work, and the SDK's, weigh on
//     the figures);
//   - into the queues (as the bus bench, intoQueues): no consumer runs
//     meanwhile; SNS's delivery to an SQS subscriber is done when SQS has
//     accepted the message; the consumers drain the queues after, checking
//     that each message came once from each queue.
//
// The figures:
//   - fanout throughput: --publishes publishes from --clients goroutines,
//     by Publish and by PublishBatch of 10: publishes per second from the
//     first publish's start until every queue has delivered every message
//     (with consumers), or until the queues' ApproximateNumberOfMessages
//     hold every delivery (into the queues); and, apart, the rate at
//     which the publishes were acknowledged;
//   - publish-to-delivery latency at a fixed rate (Publish, paced), p50
//     and p99 over every delivery, and over each publish's last delivery;
//     with consumers: receive's return − publish call's start; into the
//     queues: the delivery's SentTimestamp (epoch ms, truncated) + 1 ms −
//     publish call's start, a lower bound: serve stamps a message with
//     the time it took the publish (the time its publish script is given;
//     SNS's Timestamp too), which may be a wait for the script before the
//     message is in its queue; and, for both servers, each publish's
//     answer − its call's start, an upper bound (both deliver before they
//     answer), by which the goal is judged. goaws stamps SentTimestamp
//     when a message is received, not sent (v0.4.5,
//     gosqs.getMessageResult): into the queues its answers are its
//     measure. Each is measured from the publish's slot in the pacing
//     too (the run's start + i/rate: an open-loop measure, which counts a
//     publish the pacer started late). At --rate (default the issue's
//     5,000/s) and at a rate goaws
//     sustains (--peer-rate, by default 60% of goaws's fanout throughput
//     to 10 queues by Publish, measured first), so that both servers are
//     compared at one rate;
//   - CPU per publish: the bench's own process (client: its publishers,
//     and with consumers its consumers), serve's (or goaws's) process, and
//     Redis's (INFO), with the AOF rewrites Redis began meanwhile (forks
//     writing the dataset beside it: the CPU of those that ended is given
//     apart); into the queues, until the queues held every delivery.
//
// The servers take turns, measurement by measurement, and which goes first
// alternates from round to round; a figure is the median of the rounds.

var benchTopicHelp = cli.Help{
	Synopsis: "signalbox bench topic [--redis-url URL] [--client http|sdk] [--clients N] [--publishes N] [--rate N] [--peer-rate N] [--latency-seconds N] [--rounds N] [--fanouts 1,10] [--with-consumers=false] [--goaws PATH | --goaws none] [--quick]",
	Summary: `Measure the topic router through SNS's API: signalbox serve on a Redis with appendfsync everysec
(a redis-server of the bench's own, or --redis-url) and goaws v0.4.5, driven alternately by the
same clients (publishing by default through a lean net/http client of SNS's query protocol,
unsigned, as neither server checks signatures here; --client sdk: the AWS SDK's service/sns;
setup and consumers by the AWS SDK): fanout throughput to 1 and to 10 queues (Publish and
PublishBatch), publish-to-delivery latency p50/p99 at a fixed rate, and the bench's own,
serve's and Redis's CPU per publish; each with consumers receiving meanwhile (a publish done
when every queue has delivered it) and into the queues (no consumer meanwhile: done when the
queues hold every delivery; latency by the publishes' answers, and by the deliveries'
SentTimestamp; the queues drained and checked after).`,
	Example: "signalbox bench topic --rate 5000 --publishes 20000",
}

// The goals on a 2-core machine, reported beside the figures,
// never enforced.
const (
	topicGoalFanout1    = 10000 // publishes/s fanned out to one queue
	topicGoalP99Msec    = 10.0  // p99 publish to delivery, 10 queues ...
	topicGoalP99Rate    = 5000  // ... at this many publishes/s
	topicDeadline       = 5 * time.Minute
	topicBodySize       = 100
	topicFanoutQueues   = 10
	topicPeerRateShare  = 0.6 // of goaws's 10-queue Publish throughput
	topicPeerRateRounds = 100 // the derived rate rounded down to a multiple of this
)

type benchTopicOptions struct {
	clients, publishes, rounds, rate, peerRate int
	latency                                    time.Duration
	signalbox, goaws, cpuProfile, client       string
	fanouts                                    []int // the queue counts measured: 1, 10 or both
	withConsumers                              bool  // the measurements with consumers too
}

func cmdBenchTopic(args []string, stdout, stderr io.Writer) int {
	cli.TuneGC()
	fs := flag.NewFlagSet("bench topic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	redisURL := fs.String("redis-url", "", "measure serve on this Redis instead of a redis-server of the bench's own (appendonly yes, appendfsync everysec)")
	quick := fs.Bool("quick", false, "a quick run for tests: 1 round, 500 publishes, 8 clients, rate 500/s for 1 s (each may still be given)")
	var o benchTopicOptions
	fs.IntVar(&o.clients, "clients", 32, "concurrent publishing goroutines per server")
	fs.IntVar(&o.publishes, "publishes", 20000, "publishes per throughput measurement")
	fs.IntVar(&o.rate, "rate", topicGoalP99Rate, "publishes per second of the latency measurement")
	fs.IntVar(&o.peerRate, "peer-rate", 0, "a second latency rate, one goaws sustains (default: 60% of goaws's 10-queue Publish throughput, measured in the run)")
	latency := fs.Float64("latency-seconds", 5, "seconds of publishing per latency measurement")
	fs.IntVar(&o.rounds, "rounds", 1, "rounds of every measurement on each server (the median is reported)")
	fs.StringVar(&o.goaws, "goaws", "", "the goaws binary (default: built once into ${XDG_CACHE_HOME:-~/.cache}/signalbox-ci from .ci/tools/goaws); none: measure signalbox alone")
	fs.StringVar(&o.signalbox, "signalbox", "", "the signalbox binary whose serve is measured (default: this one)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "have serve write a CPU profile to this file")
	fanouts := fs.String("fanouts", "1,10", "the fanouts measured: topics of 1 queue, of 10, or both (comma-separated)")
	fs.BoolVar(&o.withConsumers, "with-consumers", true, "measure with consumers receiving meanwhile too (false: into the queues only)")
	fs.StringVar(&o.client, "client", "http", "the publishers' client: http (SNS's query protocol over net/http, unsigned, the answers scanned: the SDK's costs the bench more CPU than a publish costs goaws) or sdk (aws-sdk-go-v2 service/sns)")
	rest, code, ok := cli.Parse(fs, benchTopicHelp, args, stdout)
	if !ok {
		return code
	}
	applyQuick(fs, *quick, map[string]func(){
		"rounds": func() { o.rounds = 1 }, "publishes": func() { o.publishes = 500 }, "clients": func() { o.clients = 8 },
		"rate": func() { o.rate = 500 }, "latency-seconds": func() { *latency = 1 },
	})
	o.latency = time.Duration(*latency * float64(time.Second))
	for _, f := range strings.Split(*fanouts, ",") {
		switch strings.TrimSpace(f) {
		case "1":
			o.fanouts = append(o.fanouts, 1)
		case strconv.Itoa(topicFanoutQueues):
			o.fanouts = append(o.fanouts, topicFanoutQueues)
		default:
			o.fanouts = nil
		}
		if o.fanouts == nil {
			break
		}
	}
	if len(rest) > 0 || len(o.fanouts) == 0 || o.client != "http" && o.client != "sdk" || o.clients < 1 || o.publishes < 10 || o.rounds < 1 || o.rate < 1 || o.peerRate < 0 || o.latency < 100*time.Millisecond {
		cli.Usage(stderr, benchTopicHelp)
		return 2
	}
	return routerBench{name: "bench topic", errNoAPI: errNoTopicAPI, signalbox: &o.signalbox, redisURL: *redisURL,
		run: func(ctx context.Context, url string) error { return benchTopicOn(ctx, url, o, stdout, stderr) }}.exec(stderr)
}

// errNoTopicAPI: the signalbox serve measured does not answer SNS's API
// (exit status 3).
var errNoTopicAPI = errors.New("signalbox serve does not answer SNS's API")

// topicTarget is one server under measurement, with its clients.
type topicTarget struct {
	name, key string
	account   string // in its queues' ARNs
	sns       *sns.Client
	query     *queryPublisher // --client http: the publishers' client; nil: sns's
	sqs       *sqs.Client
	adapter   *queryAdapter // goaws's SQS adapter; nil for signalbox
	pid       int           // the server's process, for its CPU
	redis     *redisStats   // the server's Redis; nil for goaws (in memory)
}

// benchTopicOn measures serve on the Redis of redisURL beside goaws, and
// prints the report.
func benchTopicOn(ctx context.Context, redisURL string, o benchTopicOptions, stdout, stderr io.Writer) error {
	loadBefore := loadAverage()
	dir, err := os.MkdirTemp("", "signalbox-bench-topic-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	serve, err := startMeasuredServe(o.signalbox, redisURL, "sbtopic-", o.cpuProfile)
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
	clients := o.clients + 4*topicFanoutQueues // the publishers and the consumers share the connections
	sb := &topicTarget{name: "signalbox", key: "sb", account: "123456789012", pid: serve.pid, redis: rs,
		sns: snsClient(base, benchHTTPClient(clients)), sqs: sqsClient(base, benchHTTPClient(clients))}
	if err := probeTopicAPI(ctx, sb.sns); err != nil {
		return err
	}
	if o.client == "http" {
		sb.query = newQueryPublisher(base, o.clients)
	}
	targets := []*topicTarget{sb}
	goaws := "goaws: not measured (--goaws none)"
	if o.goaws != "none" {
		bin, err := goawsBinary(o.goaws, stderr)
		if err != nil {
			return err
		}
		gbase, gpid, stop, err := startGoawsPID(bin, dir)
		if err != nil {
			return err
		}
		defer stop()
		ad := &queryAdapter{hc: benchHTTPClient(clients)}
		g := &topicTarget{name: "goaws", key: "goaws", account: "100010001000", pid: gpid,
			sns: snsClient(gbase, benchHTTPClient(clients)), sqs: sqsClient(gbase, ad), adapter: ad}
		if o.client == "http" {
			g.query = newQueryPublisher(gbase, o.clients)
		}
		targets = append(targets, g)
		goaws = fmt.Sprintf("goaws %s (%s, in memory) at %s: SNS in its own query protocol; SQS through a JSON-to-query adapter in this process. goaws has no PublishBatch; its Publish delivers to every queue before it answers; its long poll looks for messages every 100 ms", goawsVersion, bin, gbase)
	}
	fmt.Fprintf(stdout, "signalbox serve at %s, on %s, %s (keys under %s)\n", base, redisURL, redisPersistence(ctx, redisURL), prefix)
	fmt.Fprintln(stdout, goaws)
	publishers := "--client sdk: aws-sdk-go-v2 service/sns (SigV4-signed, retries off)"
	if o.client == "http" {
		publishers = fmt.Sprintf("--client http (the default): SNS's query protocol over net/http, each form built once, unsigned (neither server checks signatures in the bench), keep-alive with %d idle connections per server, the status and MessageId (PublishBatch: Successful, Failed) checked by a scan of the answer", o.clients)
	}
	fmt.Fprintf(stdout, "settings: standard topics, each fanned out to 1 or %d standard queues (RawMessageDelivery), %d-byte messages; %d publishing goroutines per server, %s; setup and consumers: aws-sdk-go-v2 service/sns and service/sqs clients (retries off); consumers: %d long-polling goroutines per queue (ReceiveMessage up to 10, WaitTimeSeconds 1 for throughput, 20 for latency, then DeleteMessageBatch); %d publishes per throughput measurement; latency at a paced rate for %s each; %d round(s) (median); GOMAXPROCS %d in the bench (serve and goaws: %s), %d CPUs\n",
		topicFanoutQueues, topicBodySize, o.clients, publishers, consumersPerQueue(1), o.publishes, o.latency, o.rounds, goruntime.GOMAXPROCS(0), childGOMAXPROCS(), goruntime.NumCPU())
	fmt.Fprintf(stdout, "  (consumers per queue: %d with 1 queue, %d each with %d; into the queues: no consumer until the queues' ApproximateNumberOfMessages, asked every 20 ms once every publish is acknowledged, hold every delivery, then WaitTimeSeconds 1)\n", consumersPerQueue(1), consumersPerQueue(topicFanoutQueues), topicFanoutQueues)
	fmt.Fprintf(stdout, "load average at start: %s\n", loadBefore)

	res := map[string]*topicResults{}
	for _, t := range targets {
		res[t.name] = &topicResults{throughput: map[string][]fanoutResult{}, latency: map[string][]latencyResult{}}
	}
	seq := 0
	next := func() int { seq++; return seq }
	var shapes []fanoutMeasurement
	for _, m := range fanoutMeasurements {
		if slices.Contains(o.fanouts, m.queues) {
			shapes = append(shapes, m)
		}
	}
	ways := []bool{true} // into the queues
	if o.withConsumers {
		ways = []bool{false, true}
	}
	for round := range o.rounds {
		for _, m := range shapes {
			for _, into := range ways {
				for _, t := range turnOrder(targets, round) {
					if m.batch > 1 && t.adapter != nil {
						continue // goaws has no PublishBatch
					}
					label := m.label(into)
					fmt.Fprintf(stderr, "round %d of %d: %s: %s\n", round+1, o.rounds, t.name, label)
					r, err := fanoutThroughput(ctx, t, fmt.Sprintf("%s-%d", t.key, next()), m.queues, m.batch, o.publishes, o.clients, into)
					if err != nil {
						return fmt.Errorf("%s: %s: %w", t.name, label, err)
					}
					res[t.name].throughput[label] = append(res[t.name].throughput[label], r)
				}
			}
		}
	}
	rates := []int{o.rate}
	peerRate := o.peerRate
	if peerRate == 0 && len(targets) > 1 {
		// with consumers when measured; goaws's Publish delivers before it
		// answers, so into the queues is near it
		g := res["goaws"].throughput[fanoutMeasurement{queues: topicFanoutQueues, batch: 1}.label(!o.withConsumers)]
		if len(g) > 0 {
			peerRate = int(topicPeerRateShare*medianOf(g, func(r fanoutResult) float64 { return r.done })) / topicPeerRateRounds * topicPeerRateRounds
			peerRate = max(peerRate, topicPeerRateRounds)
		}
	}
	if peerRate > 0 && peerRate != o.rate {
		rates = append(rates, peerRate)
	}
	for round := range o.rounds {
		for _, rate := range rates {
			for _, q := range o.fanouts {
				for _, sent := range ways {
					for _, t := range turnOrder(targets, round) {
						label := latencyLabel(q, rate, sent)
						fmt.Fprintf(stderr, "round %d of %d: %s: latency, %s\n", round+1, o.rounds, t.name, label)
						r, err := fanoutLatency(ctx, t, fmt.Sprintf("%s-%d", t.key, next()), q, rate, o.latency, o.clients, sent)
						if err != nil {
							return fmt.Errorf("%s: latency, %s: %w", t.name, label, err)
						}
						res[t.name].latency[label] = append(res[t.name].latency[label], r)
					}
				}
			}
		}
	}
	for _, t := range targets {
		if t.adapter != nil {
			fmt.Fprintf(stdout, "goaws's SQS adapter costs the consumers, per request (CPU time of one thread): %s\n", t.adapter.cost())
		}
	}
	printTopicReport(stdout, targets, res, rates, peerRate, o)
	fmt.Fprintf(stdout, "load average at end: %s\n", loadAverage())
	return nil
}

// topicResults gathers one server's figures over the rounds, by
// measurement label.
type topicResults struct {
	throughput map[string][]fanoutResult
	latency    map[string][]latencyResult
}

// fanoutMeasurement is one throughput measurement's shape.
type fanoutMeasurement struct{ queues, batch int }

// label names the measurement into the queues (into), or with consumers.
func (m fanoutMeasurement) label(into bool) string {
	how := "Publish"
	if m.batch > 1 {
		how = fmt.Sprintf("PublishBatch of %d", m.batch)
	}
	return fmt.Sprintf("%s to %d queue(s)%s", how, m.queues, intoSuffix(into))
}

var fanoutMeasurements = []fanoutMeasurement{{1, 1}, {1, 10}, {topicFanoutQueues, 1}, {topicFanoutQueues, 10}}

// latencyLabel names a latency measurement: by SentTimestamp into the
// queues (sent), or with consumers.
func latencyLabel(queues, rate int, sent bool) string {
	return fmt.Sprintf("%d queue(s) at %d publishes/s%s", queues, rate, intoSuffix(sent))
}

func intoSuffix(into bool) string {
	if into {
		return ", into the queues"
	}
	return ""
}

// medianOf is the median of f over rs.
func medianOf[T any](rs []T, f func(T) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return median(v)
}

// printTopicReport prints each figure of each target, the ratios of
// signalbox's to goaws's, and the goals.
func printTopicReport(w io.Writer, targets []*topicTarget, res map[string]*topicResults, rates []int, peerRate int, o benchTopicOptions) {
	done := func(r fanoutResult) float64 { return r.done }
	throughput := func(into bool) {
		for _, m := range fanoutMeasurements {
			if !slices.Contains(o.fanouts, m.queues) {
				continue
			}
			var parts []string
			for _, t := range targets {
				rs := res[t.name].throughput[m.label(into)]
				if len(rs) == 0 {
					parts = append(parts, t.name+" n/a (no PublishBatch)")
					continue
				}
				line := fmt.Sprintf("%s %.0f/s (acked %.0f/s; %s; %d deliveries made again)", t.name, medianOf(rs, done), medianOf(rs, func(r fanoutResult) float64 { return r.acked }), cpuLine(t, rs[len(rs)-1].cpu), rs[len(rs)-1].duplicates)
				if g := res["goaws"]; g != nil && t.name != "goaws" && len(g.throughput[m.label(into)]) > 0 {
					line += fmt.Sprintf(" = %.2fx goaws", medianOf(rs, done)/medianOf(g.throughput[m.label(into)], done))
				}
				parts = append(parts, line)
			}
			fmt.Fprintf(w, "  %s: %s\n", m.label(false), strings.Join(parts, "; "))
		}
	}
	how := "--peer-rate"
	if o.peerRate == 0 {
		how = fmt.Sprintf("%.0f%% of goaws's Publish throughput to %d queues", 100*topicPeerRateShare, topicFanoutQueues)
	}
	rateNote := fmt.Sprintf("rate: --rate %d", o.rate)
	if len(rates) > 1 {
		rateNote = fmt.Sprintf("rates: --rate %d and %d, %s", o.rate, peerRate, how)
	}
	latency := func(sent bool) {
		for _, rate := range rates {
			for _, q := range o.fanouts {
				label := latencyLabel(q, rate, sent)
				var parts []string
				for _, t := range targets {
					rs := res[t.name].latency[label]
					if len(rs) == 0 {
						continue
					}
					a := medianPct(rs, func(r latencyResult) pct { return r.ack })
					as := medianPct(rs, func(r latencyResult) pct { return r.ackSlot })
					ack := fmt.Sprintf("acknowledged p50 %.2f / p99 %.2f ms, from the slot %.2f / %.2f ms", a.p50, a.p99, as.p50, as.p99)
					if sent && t.adapter != nil {
						// goaws's SentTimestamp is the receive's time
						parts = append(parts, fmt.Sprintf("%s %s (its Publish delivers before it answers; %d deliveries, %d made again; achieved %.0f publishes/s; %s)", t.name, ack,
							rs[len(rs)-1].deliveries, rs[len(rs)-1].duplicates, medianOf(rs, func(r latencyResult) float64 { return r.achieved }), cpuLine(t, rs[len(rs)-1].cpu)))
						continue
					}
					all := medianPct(rs, func(r latencyResult) pct { return r.all })
					last := medianPct(rs, func(r latencyResult) pct { return r.last })
					slot := medianPct(rs, func(r latencyResult) pct { return r.slot })
					parts = append(parts, fmt.Sprintf("%s p50 %.2f ms, p99 %.2f ms (last %.2f / %.2f ms; from the slot %.2f / %.2f ms; %s; %d deliveries, %d made again; achieved %.0f publishes/s; %s)", t.name, all.p50, all.p99, last.p50, last.p99, slot.p50, slot.p99, ack,
						rs[len(rs)-1].deliveries, rs[len(rs)-1].duplicates, medianOf(rs, func(r latencyResult) float64 { return r.achieved }),
						cpuLine(t, rs[len(rs)-1].cpu)))
				}
				fmt.Fprintf(w, "  %s: %s\n", latencyLabel(q, rate, false), strings.Join(parts, "; "))
			}
		}
	}
	if o.withConsumers {
		fmt.Fprintln(w, "fanout throughput with consumers (publishes/s, a publish done when every queue has delivered it; in brackets: publishes acknowledged/s; per publish: CPU of the bench's process (client: its publishers and consumers), of the server's process (the consumers' receives and deletes included) and of Redis, Redis's commands):")
		throughput(false)
	}
	fmt.Fprintln(w, "fanout throughput into the queues (publishes/s until the queues' ApproximateNumberOfMessages held every delivery, no consumer meanwhile; the queues drained and checked after; in brackets: publishes acknowledged/s; per publish, until the queues held every delivery: CPU of the bench's process (client: its publishers, and its asking for the queues' sizes), of the server's process and of Redis, Redis's commands):")
	throughput(true)
	if o.withConsumers {
		fmt.Fprintf(w, "publish-to-delivery latency with consumers (Publish paced at the rate from %d goroutines; receive's return - publish call's start; every delivery, and in brackets each publish's last delivery, and every delivery from its publish's slot in the pacing (the run's start + i/rate), which counts a publish started late; and each publish until its answer, from the call's start and from its slot; %s):\n", o.clients, rateNote)
		latency(false)
	}
	fmt.Fprintf(w, "publish-to-delivery latency into the queues (Publish paced at the rate from %d goroutines, no consumer meanwhile; the delivery's SentTimestamp, in epoch ms truncated, + 1 ms - publish call's start: a lower bound, serve stamping the time it took the publish, before its script wrote the message; every delivery, and in brackets each publish's last delivery, and every delivery from its publish's slot in the pacing (the run's start + i/rate), which counts a publish started late; read by draining the queues after; and each publish until its answer, from the call's start and from its slot: an upper bound of its last delivery, both servers delivering before they answer, and goaws's one measure, its SentTimestamp being the receive's time; %s):\n", o.clients, rateNote)
	latency(true)

	sb := res["signalbox"]
	fanGoal := func(batch int, into bool) string {
		rs := sb.throughput[fanoutMeasurement{1, batch}.label(into)]
		if len(rs) == 0 {
			return "not measured (--fanouts)"
		}
		r := medianOf(rs, done)
		if !into {
			return fmt.Sprintf("%.0f/s", r)
		}
		return fmt.Sprintf("%s (%.0f/s)", goalMet(r >= topicGoalFanout1), r)
	}
	p99Goal := func(sent bool) string {
		rs := sb.latency[latencyLabel(topicFanoutQueues, topicGoalP99Rate, sent)]
		if len(rs) == 0 {
			return fmt.Sprintf("not measured (--rate %d, --fanouts)", o.rate)
		}
		achieved := medianOf(rs, func(r latencyResult) float64 { return r.achieved })
		if !sent {
			p99, s99 := medianPct(rs, func(r latencyResult) pct { return r.all }).p99, medianPct(rs, func(r latencyResult) pct { return r.slot }).p99
			return fmt.Sprintf("p99 %.2f ms (from the slot %.2f ms) at %.0f publishes/s achieved", p99, s99, achieved)
		}
		// Into the queues, judged by the upper bound: met when the p99
		// until the answer is under the goal from the call's start and from
		// each publish's slot in the pacing (so a publish the pacer started
		// late counts its wait), the pacer having kept 95% of the rate.
		p99, s99 := medianPct(rs, func(r latencyResult) pct { return r.ack }).p99, medianPct(rs, func(r latencyResult) pct { return r.ackSlot }).p99
		return fmt.Sprintf("%s (p99 %.2f ms, from the slot %.2f ms, at %.0f publishes/s achieved)", goalMet(p99 < topicGoalP99Msec && s99 < topicGoalP99Msec && achieved >= 0.95*topicGoalP99Rate), p99, s99, achieved)
	}
	fmt.Fprintf(w, "goals (2-core machine), on the measures into the queues: >= %d publishes/s fanned out to one queue: Publish %s, PublishBatch %s; p99 publish-to-delivery (until the publish's answer, the delivery made before it) < %.0f ms to %d queues at %d publishes/s: %s\n",
		topicGoalFanout1, fanGoal(1, true), fanGoal(10, true), topicGoalP99Msec, topicFanoutQueues, topicGoalP99Rate, p99Goal(true))
	if o.withConsumers {
		fmt.Fprintf(w, "  the same with consumers on the same machine: Publish %s, PublishBatch %s to one queue; %s to %d queues\n", fanGoal(1, false), fanGoal(10, false), p99Goal(false), topicFanoutQueues)
	}
}

// cpuLine renders the use per publish (the last round's): the bench's
// process (client), the server's, Redis's.
func cpuLine(t *topicTarget, u cpuUse) string {
	if t.redis == nil {
		return fmt.Sprintf("client %.0f, %s %.0f µs CPU/publish", u.client, t.name, u.server)
	}
	return fmt.Sprintf("client %.0f, serve %.0f + Redis %.0f µs CPU/publish, Redis %.1f commands and %.1f scripts/publish, %d AOF rewrite(s) begun (children ended meanwhile: %.0f µs CPU/publish)",
		u.client, u.server, u.redis, u.commands, u.scripts, u.rewrites, u.redisChildren)
}

// snsClient is the bench's SNS client of the server at base.
// pct is a latency's p50 and p99, in ms.
type pct struct{ p50, p99 float64 }

func pctOf(lat []time.Duration) pct {
	p50, p99 := percentiles(lat)
	return pct{p50, p99}
}

// medianPct is the median over the rounds rs of a measure's p50 and of its
// p99.
func medianPct(rs []latencyResult, measure func(latencyResult) pct) pct {
	return pct{medianOf(rs, func(r latencyResult) float64 { return measure(r).p50 }), medianOf(rs, func(r latencyResult) float64 { return measure(r).p99 })}
}

func snsClient(base string, hc sns.HTTPClient) *sns.Client {
	return sns.New(sns.Options{
		BaseEndpoint: aws.String(base),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{},
	})
}

// probeTopicAPI lists the topics: an answer, or an SNS error, says serve
// speaks SNS's API.
func probeTopicAPI(ctx context.Context, c *sns.Client) error {
	_, err := c.ListTopics(ctx, &sns.ListTopicsInput{})
	if speaksAPI(err) {
		return nil
	}
	return fmt.Errorf("%w (ListTopics: %v)", errNoTopicAPI, err)
}
