package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/signalbox/signalbox/asl"
	"github.com/signalbox/signalbox/internal/conformance"
	"github.com/signalbox/signalbox/internal/testclock"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// conformanceDir is where the recorded AWS cases live: ../shared beside the
// repository, or SIGNALBOX_CONFORMANCE_DIR.
func conformanceDir(t *testing.T) string {
	if d := os.Getenv("SIGNALBOX_CONFORMANCE_DIR"); d != "" {
		return d
	}
	d, err := filepath.Abs("../../../shared/conformance/asl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d); err != nil {
		t.Skipf("no conformance cases at %s (set SIGNALBOX_CONFORMANCE_DIR)", d)
	}
	return d
}

// TestConformance runs every recorded AWS case through the same path as
// `signalbox run --clock virtual`.
func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	supported := conformance.Supported{Variables: true, JSONata: true}
	conformance.Run(t, dir, supported, "testdata/conformance-known-differences.json", func(c *conformance.Case) (conformance.Result, error) {
		res, err := execute(context.Background(), runOptions{
			Definition:   c.Definition,
			Input:        c.Input,
			StateMachine: "StateMachine",
			Virtual:      true,
			Express:      c.Express,
		})
		if err != nil {
			return conformance.Result{}, err
		}
		out := conformance.Result{Status: string(res.Status), Error: res.Error, Cause: res.Cause}
		if res.Status == runtime.StatusSucceeded {
			out.Output, out.HasOutput = res.Output, true
		}
		return out, nil
	})
}

// TestConformanceDurable runs every recorded AWS case through the durable
// engine, the one Standard executions run on: each case on a store of its
// own (the embedded server, or SIGNALBOX_REDIS_URL's Redis under a prefix
// of its own), its timers fired on a virtual clock.
func TestConformanceDurable(t *testing.T) {
	dir := conformanceDir(t)
	supported := conformance.Supported{Variables: true, JSONata: true, StandardOnly: true}
	conformance.Run(t, dir, supported, "testdata/conformance-durable-known-differences.json", func(c *conformance.Case) (conformance.Result, error) {
		return executeDurable(context.Background(), c.Definition, c.Input)
	})
}

// executeDurable runs one execution of def on the durable engine to its
// end, on a store of its own and a virtual clock.
func executeDurable(ctx context.Context, def []byte, input any) (conformance.Result, error) {
	opts := store.OptionsFromEnv()
	opts.Prefix = storetest.Prefix("sbconf-")
	st, err := store.Open(ctx, opts)
	if err != nil {
		return conformance.Result{}, err
	}
	defer func() {
		_ = st.Purge(context.WithoutCancel(ctx))
		_ = st.Close()
	}()
	clk := testclock.New(time.Now().UTC().Truncate(time.Millisecond))
	d := runtime.NewDurable(st, &runtime.Durable{Now: clk.Now, Consumer: "conformance"})
	started, err := d.Start(ctx, runtime.StartParams{StateMachineName: "StateMachine", Definition: def, Input: input})
	if err != nil {
		return conformance.Result{}, err
	}
	advance := func(to time.Time) { clk.Advance(to.Sub(clk.Now())) }
	if err := d.DrainVirtual(ctx, started.ID, advance); err != nil {
		return conformance.Result{}, err
	}
	e, err := d.Describe(ctx, started.ID)
	if err != nil {
		return conformance.Result{}, err
	}
	out := conformance.Result{Status: e.Status, Error: e.Error, Cause: e.Cause}
	if runtime.Status(e.Status) == runtime.StatusSucceeded {
		if out.Output, err = asl.DecodeJSON(e.Output); err != nil {
			return conformance.Result{}, fmt.Errorf("the output: %w", err)
		}
		out.HasOutput = true
	}
	return out, nil
}
