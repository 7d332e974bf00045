package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/integrations/httptask"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// crashDefinition exercises Pass, Choice, Wait, Parallel, Map and a Task
// with Retry: an HTTP Task calling the test's API (URL), which fails each
// execution's first attempt with 503 and answers the retry.
const crashDefinition = `{"StartAt":"Init","States":{
	"Init":{"Type":"Pass","Parameters":{"n.$":"$.n","items":[1,2,3,4]},"Assign":{"k.$":"$.n"},"Next":"Fan"},
	"Fan":{"Type":"Parallel","Branches":[
		{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
			"ItemProcessor":{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"v.$":"States.MathAdd($, $k)"},"End":true}}},"End":true}}},
		{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":1,"Next":"Echo"},"Echo":{"Type":"Pass","Parameters":{"n.$":"$.n"},"End":true}}},
		{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::http:invoke",
			"Parameters":{"ApiEndpoint":"URL/square","Method":"POST",
				"QueryParameters":{"n.$":"$.n","attempt.$":"$$.State.RetryCount"},"RequestBody":{"n.$":"$.n"}},
			"Retry":[{"ErrorEquals":["States.Http.StatusCode.503"],"IntervalSeconds":1,"BackoffRate":1,"MaxAttempts":3}],
			"ResultSelector":{"square.$":"$.ResponseBody.square"},"End":true}}}],
		"Next":"Odd?"},
	"Odd?":{"Type":"Choice","Choices":[{"Variable":"$[1].n","NumericGreaterThanEquals":1000000,"Next":"Never"}],"Default":"Done"},
	"Never":{"Type":"Fail","Error":"Unexpected"},
	"Done":{"Type":"Pass","Parameters":{"sum.$":"$[0]","n.$":"$[1].n","square.$":"$[2].square"},"End":true}}}`

func crashExpected(n int) string {
	return fmt.Sprintf(`{"n":%d,"sum":[{"v":%d},{"v":%d},{"v":%d},{"v":%d}],"square":%d}`, n, n+1, n+2, n+3, n+4, n*n)
}

// crashAPI is the API the crash test's HTTP Task calls: POST
// /square?n=N&attempt=A answers 503 to attempt 0 and {"square": N*N} to
// the others. It records every call by execution (n), attempt and
// idempotency key.
type crashAPI struct {
	mu       sync.Mutex
	keys     map[int64]map[int64]map[string]int // n → attempt → key → calls
	owner    map[string][2]int64                // key → (n, attempt)
	calls    int
	problems []string
}

func (a *crashAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, errN := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
	attempt, errA := strconv.ParseInt(r.URL.Query().Get("attempt"), 10, 64)
	key := r.Header.Get(httptask.IdempotencyHeader)
	a.mu.Lock()
	a.calls++
	switch {
	case errN != nil || errA != nil:
		a.problems = append(a.problems, fmt.Sprintf("a call to %s names no execution or attempt", r.URL))
	case key == "":
		a.problems = append(a.problems, fmt.Sprintf("execution %d, attempt %d: a call without an idempotency key", n, attempt))
	default:
		if o, ok := a.owner[key]; ok && o != [2]int64{n, attempt} {
			a.problems = append(a.problems, fmt.Sprintf("the key %s came with execution %d attempt %d, and before with execution %d attempt %d", key, n, attempt, o[0], o[1]))
		}
		a.owner[key] = [2]int64{n, attempt}
		if a.keys[n] == nil {
			a.keys[n] = map[int64]map[string]int{}
		}
		if a.keys[n][attempt] == nil {
			a.keys[n][attempt] = map[string]int{}
		}
		a.keys[n][attempt][key]++
	}
	a.mu.Unlock()
	if attempt == 0 {
		http.Error(w, "warming up", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"square":%d}`, n*n)
}

// check asserts that each execution of ns called exactly attempts 0 and 1,
// each under one key of its own, and none else called; it returns how
// many calls there were and how many of them a key revealed as redelivered.
func (a *crashAPI) check(t *testing.T, ns []int64) (calls, redelivered int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	require.Empty(t, a.problems)
	require.Len(t, a.keys, len(ns), "calls came from exactly the executions")
	for _, n := range ns {
		attempts := a.keys[n]
		require.Len(t, attempts, 2, "execution %d: attempts %v", n, attempts)
		for _, attempt := range []int64{0, 1} {
			keys := attempts[attempt]
			require.Len(t, keys, 1, "execution %d, attempt %d: one key for every delivery of the attempt, got %v", n, attempt, keys)
			for _, c := range keys {
				redelivered += c - 1
			}
		}
	}
	return a.calls, redelivered
}

// TestCrashWorkers kills worker processes with SIGKILL at random moments
// while executions run, and checks that every execution ends with the
// right output and a history with no transition duplicated or missing, and
// that its task's API saw each attempt under one idempotency key of its
// own: a call made twice for one attempt (a redelivery) carried that key.
func TestCrashWorkers(t *testing.T) {
	url := os.Getenv(store.EnvRedisURL)
	if url == "" {
		t.Skip("needs a shared Redis: set " + store.EnvRedisURL)
	}
	executions := 1000
	if testing.Short() {
		executions = 40
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "sbcrash-" + hex.EncodeToString(b[:])
	st, err := store.Open(ctx, store.Options{URL: url, Prefix: prefix})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, st.Purge(context.Background()))
		_ = st.Close()
	})

	// Workers come and go; a killed one is replaced.
	var mu sync.Mutex
	workers := map[int]*exec.Cmd{}
	logs := map[int]*bytes.Buffer{}
	next := 0
	spawn := func() {
		mu.Lock()
		defer mu.Unlock()
		cmd := exec.Command(signalbox(t), "worker", "--redis-url", url, "--redis-prefix", prefix, "--lease", "1s")
		logs[next] = &bytes.Buffer{}
		cmd.Stderr = logs[next]
		require.NoError(t, cmd.Start())
		workers[next] = cmd
		next++
	}
	kill := func() int {
		mu.Lock()
		defer mu.Unlock()
		ids := make([]int, 0, len(workers))
		for id := range workers {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		id := ids[mrand.IntN(len(ids))]
		_ = workers[id].Process.Kill()
		_ = workers[id].Wait()
		delete(workers, id)
		return id
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, w := range workers {
			_ = w.Process.Kill()
			_ = w.Wait()
		}
	})
	for range 3 {
		spawn()
	}

	// The API the HTTP Task calls, in this process.
	api := &crashAPI{keys: map[int64]map[int64]map[string]int{}, owner: map[string][2]int64{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	definition := strings.ReplaceAll(crashDefinition, "URL", srv.URL)

	d := runtime.NewDurable(st, nil)
	ids := make([]string, executions)
	inputs := make([]int, executions)
	kills := 0
	for i := range executions {
		inputs[i] = i
		s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "crash", Definition: []byte(definition), Name: fmt.Sprintf("e-%d", i), Input: map[string]any{"n": int64(i)}})
		require.NoError(t, err)
		ids[i] = s.ID
		if i%(executions/8) == executions/16 {
			kill()
			kills++
			spawn()
		}
	}

	// Keep killing while the executions run, then wait for all of them;
	// the deadline is a safety net only.
	deadline := time.Now().Add(3 * time.Minute)
	pending := slices.Clone(ids)
	for len(pending) > 0 {
		if !time.Now().Before(deadline) {
			mu.Lock()
			var errs []string
			for _, l := range logs {
				for _, line := range strings.Split(l.String(), "\n") {
					if strings.Contains(line, "ERROR") && len(errs) < 20 {
						errs = append(errs, line)
					}
				}
			}
			mu.Unlock()
			th, _ := st.ThreadGet(ctx, pending[0], store.RootThread)
			t.Fatalf("%d executions still running after the deadline; the first, %s, has its top-level thread at %+v; worker errors:\n%s",
				len(pending), pending[0], th, strings.Join(errs, "\n"))
		}
		if kills < 12 {
			kill()
			kills++
			spawn()
		}
		var still []string
		for _, id := range pending {
			e, err := st.ExecutionGet(ctx, id)
			require.NoError(t, err)
			if e.Status == "RUNNING" {
				still = append(still, id)
			}
		}
		pending = still
		time.Sleep(100 * time.Millisecond) // pacing the chaos, not synchronising
	}

	// Every execution succeeded with the right output, and its history
	// holds every transition exactly once: the same events as the
	// in-memory engine records for the definition, an independent oracle.
	// The oracle calls the API as execution -1, with the workers' handler.
	m, err := asl.Parse([]byte(definition))
	require.NoError(t, err)
	oracle := (&runtime.Engine{Tasks: newIntegrations(nil, nil, nil)}).Run(ctx, m, runtime.Execution{Input: map[string]any{"n": int64(-1)}, Clock: runtime.NewVirtualClock(time.Now())})
	require.Equal(t, runtime.StatusSucceeded, oracle.Status, "%s: %s", oracle.Error, oracle.Cause)
	var want []string
	for _, ev := range oracle.History() {
		want = append(want, string(ev.Type))
	}
	slices.Sort(want)
	for i, id := range ids {
		e, err := st.ExecutionGet(ctx, id)
		require.NoError(t, err)
		require.Equal(t, "SUCCEEDED", e.Status, "execution %d: %s: %s", i, e.Error, e.Cause)
		require.JSONEq(t, crashExpected(inputs[i]), string(e.Output), "execution %d", i)
		page, err := st.HistoryPage(ctx, &store.HistoryPageParams{ExecutionID: id, Limit: 1000})
		require.NoError(t, err)
		var types []string
		for j, ev := range page.Events {
			var v struct {
				ID   int64  `json:"id"`
				Type string `json:"type"`
			}
			require.NoError(t, json.Unmarshal(ev.JSON, &v))
			require.Equal(t, int64(j+1), v.ID, "execution %d: event ids", i)
			types = append(types, v.Type)
		}
		slices.Sort(types)
		require.Equal(t, want, types, "execution %d: its history differs from the in-memory engine's", i)
	}
	// Every attempt of every task was called under its own key: any call
	// made twice for one attempt carried the same key.
	ns := []int64{-1}
	for _, n := range inputs {
		ns = append(ns, int64(n))
	}
	calls, redelivered := api.check(t, ns)
	t.Logf("crash test: %d executions, %d workers killed with SIGKILL, lost 0, duplicated 0 (%d history events each); %d task calls, %d redelivered under the same idempotency key",
		executions, kills, len(want), calls, redelivered)
}
