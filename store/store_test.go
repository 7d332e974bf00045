package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// EnvRedisCluster names a Redis Cluster's seed addresses
// ("host:port,host:port,..."), as .ci/redis-cluster.sh prints them; when
// set, the conformance suite also runs against that cluster.
const envRedisCluster = "SIGNALBOX_REDIS_CLUSTER"

// TestStoreEmbedded runs the conformance suite against the embedded server,
// a fresh one per test.
func TestStoreEmbedded(t *testing.T) {
	t.Parallel()
	runConformance(t, func(t *testing.T) *Client { return openTest(t, Options{}) })
}

// TestStoreEmbeddedOutbox runs the conformance suite against the embedded
// server with work handed over through the outboxes, as on a Redis
// Cluster.
func TestStoreEmbeddedOutbox(t *testing.T) {
	t.Parallel()
	runConformance(t, func(t *testing.T) *Client { return openTest(t, Options{Outbox: true}) })
}

// TestStoreRedis runs the conformance suite against SIGNALBOX_REDIS_URL.
func TestStoreRedis(t *testing.T) {
	t.Parallel()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skip(EnvRedisURL + " is not set")
	}
	runConformance(t, func(t *testing.T) *Client { return openTest(t, Options{URL: url}) })
}

// TestStoreRedisOutbox runs the conformance suite against
// SIGNALBOX_REDIS_URL with work handed over through the outboxes.
func TestStoreRedisOutbox(t *testing.T) {
	t.Parallel()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skip(EnvRedisURL + " is not set")
	}
	runConformance(t, func(t *testing.T) *Client { return openTest(t, Options{URL: url, Outbox: true}) })
}

// TestStoreCluster runs the conformance suite against SIGNALBOX_REDIS_CLUSTER.
func TestStoreCluster(t *testing.T) {
	t.Parallel()
	addrs := os.Getenv(envRedisCluster)
	if addrs == "" {
		t.Skip(envRedisCluster + " is not set")
	}
	runConformance(t, func(t *testing.T) *Client {
		return openTest(t, Options{URL: "redis+cluster://" + addrs})
	})
}

// openTest opens a client with a prefix of its own, and at the end of the
// test deletes the prefix's keys and closes it.
func openTest(t testing.TB, opts Options) *Client {
	t.Helper()
	if opts.Prefix == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		opts.Prefix = "sbtest-" + hex.EncodeToString(b[:])
	}
	ctx := context.Background()
	c, err := Open(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() {
		if c.embedded == nil {
			require.NoError(t, deletePrefix(ctx, c.rdb, c.keys.Prefix()))
		}
		require.NoError(t, c.Close())
	})
	return c
}

// deletePrefix deletes every key under prefix, on every master of a
// cluster.
func deletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) error {
	return purge(ctx, rdb, prefix)
}

// The fixtures.
const (
	testARN    = "arn:aws:states:us-east-1:123456789012:stateMachine:sm"
	testRecord = `{"state":"A"}`
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)

// createParams describes an execution named name: two events, a thread at
// state A and a step item in its outbox.
func createParams(name, input string) *ExecutionCreateParams {
	return &ExecutionCreateParams{
		StateMachineARN: testARN,
		Name:            name,
		DefinitionSHA:   "d3f",
		Input:           []byte(input),
		StartDate:       t0,
		TraceID:         "trace-1",
		SpanID:          "span-1",
		StateMachine:    "sm",
		Thread:          []byte(testRecord),
		Events: []Event{
			{JSON: []byte(`{"type":"ExecutionStarted","input":` + input + `}`)},
			{JSON: []byte(` {"type":"PassStateEntered"} `)},
		},
		Outbox: []OutboxItem{{Item: WorkItem{Exec: ExecutionID(testARN, name), Thread: RootThread, Kind: KindStep}}},
	}
}

// create creates the execution of createParams and returns its id.
func create(t testing.TB, c *Client, name, input string) string {
	t.Helper()
	res, err := c.ExecutionCreate(context.Background(), createParams(name, input))
	require.NoError(t, err)
	require.False(t, res.Existing)
	return res.Execution.ID
}

// history returns an execution's whole history as JSON strings, each
// event rendered from the list as HistoryPage renders it.
func history(t *testing.T, c *Client, id string) []string {
	t.Helper()
	vals, err := c.historyRange(context.Background(), c.keys.HistoryKey(id), 0, 1<<40)
	require.NoError(t, err)
	for i, v := range vals {
		b, err := renderEvent(int64(i+1), v)
		require.NoError(t, err)
		vals[i] = string(b)
	}
	return vals
}

// TestRenderEvent: the list keeps an event as the script pushed it, with
// neither its id nor, when it follows the event before it, the previous
// id; events written before, as whole JSON objects, read unchanged.
func TestRenderEvent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id   int64
		v    string
		want string
	}{
		{7, `~"type":"PassStateExited"`, `{"id":7,"previousEventId":6,"type":"PassStateExited"}`},
		{2, `^0|"type":"PassStateEntered"`, `{"id":2,"previousEventId":0,"type":"PassStateEntered"}`},
		{12, `^3|"type":"MapIterationStarted"`, `{"id":12,"previousEventId":3,"type":"MapIterationStarted"}`},
		{5, `^1|`, `{"id":5,"previousEventId":1}`},
		{4, `{"id":4,"previousEventId":3,"type":"WaitStateExited"}`, `{"id":4,"previousEventId":3,"type":"WaitStateExited"}`},
		// packed fields (eventcodec.go)
		{3, "~\x011796632031662\x02Pass\x03{}\x04B\"}", `{"id":3,"previousEventId":2,"timestamp":"2026-12-07T08:27:11.662Z","type":"PassStateEntered","stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"B"}}`},
	} {
		b, err := renderEvent(tt.id, tt.v)
		require.NoError(t, err, tt.v)
		require.Equal(t, tt.want, string(b))
		require.True(t, json.Valid(b), tt.v)
	}
	for _, bad := range []string{"", "x", "^|a", "^", "@\"type\":1"} {
		_, err := renderEvent(1, bad)
		require.ErrorIs(t, err, ErrCorrupt, "%q", bad)
	}
}

// step is a transition of thread at seq to state, with one event.
func step(id, thread string, seq int64, state string) *TransitionParams {
	return &TransitionParams{
		ExecutionID: id, Thread: thread, Seq: seq,
		Record: []byte(`{"state":"` + state + `"}`),
		Events: []Event{{JSON: []byte(`{"type":"PassStateEntered","name":"` + state + `"}`)}},
	}
}

// readAll reads every ready work item without waiting.
func readAll(t *testing.T, c *Client, consumer string) []Work {
	t.Helper()
	w, err := c.WorkRead(context.Background(), consumer, 100, 0)
	require.NoError(t, err)
	return w
}

func items(ws []Work) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Item.String()
	}
	return out
}

func redisZ(score int64, member string) redis.Z {
	return redis.Z{Score: float64(score), Member: member}
}

// FuzzRenderEvent: whatever an event's fields, the element the scripts
// push for it (args.events) renders back as the JSON object with its id
// and previous id first and the fields unchanged; and no stored string,
// however damaged, makes renderEvent panic.
func FuzzRenderEvent(f *testing.F) {
	f.Add(`{"type":"PassStateEntered","name":"A"}`, int64(3), int64(0), true)
	f.Add(`{}`, int64(1), int64(-1), false)
	f.Add(`{"a":"|^~@"}`, int64(9), int64(4), false)
	f.Add(`{"timestamp":"2026-12-07T08:27:11.662Z","type":"PassStateEntered","stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"B"}}`, int64(2), int64(-1), true)
	f.Add(`{"timestamp":"1969-12-31T23:59:59.999Z","type":"x"}`, int64(2), int64(1), true)
	f.Add(`{"timestamp":"2026-12-07T08:27:11.66Z", "type" :`+"\t"+`"MapIterationStarted","inputDetails":{"truncated":false}}`, int64(5), int64(0), false)
	f.Fuzz(func(t *testing.T, object string, id, prev int64, first bool) {
		_, _ = renderEvent(id, object) // any stored string: no panic
		if id < 1 || id > 1<<40 || prev < -1 || prev >= id || !json.Valid([]byte(object)) {
			return
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal([]byte(object), &fields) == nil && (fields["id"] != nil || fields["previousEventId"] != nil) {
			return // the store's own fields: an event never carries them
		}
		e := Event{JSON: []byte(object), PreviousID: prev}
		if prev == -1 {
			e.PreviousID = NoPreviousEvent
		}
		var a args
		evs := []Event{e}
		if !first {
			evs = []Event{{JSON: []byte(`{}`)}, e}
		}
		if err := a.events(evs); err != nil {
			return // not a JSON object
		}
		el := a[len(a)-1].(string)
		wantPrev := prev
		switch {
		case prev == -1:
			wantPrev = 0
		case prev == 0 && first:
			el = "^" + strconv.FormatInt(id-1, 10) + "|" + el[1:] // as the script fills in the thread's latest
			wantPrev = id - 1
		case prev == 0:
			wantPrev = id - 1
		}
		b, err := renderEvent(id, el)
		require.NoError(t, err, el)
		require.True(t, json.Valid(b), "%s", b)
		var got map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(b, &got))
		require.Equal(t, strconv.FormatInt(id, 10), string(got["id"]))
		require.Equal(t, strconv.FormatInt(wantPrev, 10), string(got["previousEventId"]))
		inner, err := e.inner()
		require.NoError(t, err)
		want := `{"id":` + strconv.FormatInt(id, 10) + `,"previousEventId":` + strconv.FormatInt(wantPrev, 10)
		if inner != "" {
			want += "," + inner
		}
		require.Equal(t, want+"}", string(b), "the fields come back byte for byte")
	})
}

// TestPackEvent: the runtime's common events pack to about a third of
// their bytes, and unpack byte for byte; fields without the runtime's
// timestamp, or with whitespace, pack and unpack unchanged too.
func TestPackEvent(t *testing.T) {
	t.Parallel()
	for _, fields := range []string{
		`"timestamp":"2026-12-07T08:27:11.662Z","type":"PassStateEntered","stateEnteredEventDetails":{"input":"{}","inputDetails":{"truncated":false},"name":"B"}`,
		`"timestamp":"2026-12-07T08:27:11.662Z","type":"PassStateExited","stateExitedEventDetails":{"name":"B","output":"{}","outputDetails":{"truncated":false}}`,
		`"timestamp":"2026-12-07T08:27:11.662Z","type":"ExecutionStarted","executionStartedEventDetails":{"input":"{}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/r"}`,
		`"timestamp":"2026-12-07T08:27:11.662Z","type":"ExecutionSucceeded","executionSucceededEventDetails":{"output":"{}","outputDetails":{"truncated":false}}`,
		`"timestamp":"0001-01-01T00:00:00.000Z","type":"x"`,
		`"timestamp":"2026-12-07T08:27:11.662+01:00","type":"x"`,
		`"timestamp":"2026-12-07T08:27:11.662Z"`,
		`"timestamp":1,"type":"x"`,
		"\"type\" :\t\"x\",\n\"y\"\r:[]",
		``,
	} {
		packed := packEvent(fields)
		require.Equal(t, fields, unpackEvent(packed), "%q", packed)
		if strings.HasPrefix(fields, `"timestamp":"2026-12-07T08:27:11.662Z","type":"P`) || strings.Contains(fields, `"Execution`) {
			require.Less(t, len(packed), len(fields)/2, "%q", packed)
		}
	}
}
