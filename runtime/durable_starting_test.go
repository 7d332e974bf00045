package runtime

import (
	"context"
	"testing"
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
