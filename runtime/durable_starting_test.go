package runtime

import (
	"context"
	"testing"

	"github.com/signalbox/signalbox/store/storetest"
)

// A worker that takes an execution's first step while this process is
// still starting it waits for the start's cached fields instead of
// reading them back from the store.
func TestCachedWaitsForAStartUnderWay(t *testing.T) {
	d := &Durable{}
	end := d.beginStart("x1")
	got := make(chan *execInfo)
	go func() { got <- d.cached(context.Background(), "x1") }()
	want := &execInfo{id: "x1"}
	d.cacheExecution(want)
	end()
	if x := <-got; x != want {
		t.Fatalf("cached = %v, want the start's fields", x)
	}
	if x := d.cached(context.Background(), "other"); x != nil {
		t.Fatalf("cached of an execution nobody starts = %v", x)
	}

	// A failed start leaves nothing cached; a cancelled wait gives up.
	endFailed := d.beginStart("x2")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if x := d.cached(ctx, "x2"); x != nil {
		t.Fatalf("cancelled wait = %v", x)
	}
	endFailed()
	if x := d.cached(context.Background(), "x2"); x != nil {
		t.Fatalf("after a failed start = %v", x)
	}
	// A second start of the same execution keeps the first one's mark.
	e1 := d.beginStart("x3")
	e2 := d.beginStart("x3")
	e2()
	d.mu.Lock()
	_, marked := d.starting["x3"]
	d.mu.Unlock()
	if !marked {
		t.Fatal("the second start's end removed the first one's mark")
	}
	e1()
}

// A closed execution's cached fields are dropped: the cache holds the
// executions running in this process, not every one it ran.
func TestClosedExecutionsLeaveTheCache(t *testing.T) {
	d := &Durable{store: storetest.Open(t, "sbrtc-"), Consumer: "c"}
	ctx := context.Background()
	s, err := d.Start(ctx, StartParams{StateMachineName: "m", Definition: []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"W"},"W":{"Type":"Wait","Seconds":3600,"End":true}}}`), Input: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	cachedNow := func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.execs[s.ID] != nil
	}
	if !cachedNow() {
		t.Fatal("a started execution is not cached")
	}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if !cachedNow() {
		t.Fatal("an execution waiting in a Wait state left the cache")
	}
	if err := d.Stop(ctx, s.ID, "E", "c"); err != nil {
		t.Fatal(err)
	}
	if cachedNow() {
		t.Fatal("a stopped execution is still cached")
	}
	s2, err := d.Start(ctx, StartParams{StateMachineName: "m", Name: "quick", Definition: []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), Input: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	d.mu.Lock()
	_, kept := d.execs[s2.ID]
	d.mu.Unlock()
	if kept {
		t.Fatal("an execution that succeeded is still cached")
	}
}
