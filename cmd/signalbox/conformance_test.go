package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/signalbox/signalbox/internal/conformance"
	"github.com/signalbox/signalbox/runtime"
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
