package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bucket"
	"github.com/signalbox/signalbox/runtime"
)

// BenchmarkDurableDistributedMapBucket100k runs b.N Distributed Maps over
// 100,000 JSON Lines items of a local bucket (integrations/bucket), one
// Pass state each, with a ResultWriter, carried out by Run's workers, in
// the Redis of SIGNALBOX_REDIS_URL (the embedded server otherwise):
// items/s from the start to the end of each execution, reading and
// writing included.
func BenchmarkDurableDistributedMapBucket100k(b *testing.B) {
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "inbox"), 0o755); err != nil {
		b.Fatal(err)
	}
	var lines strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&lines, `{"n":%d,"name":"item-%d"}`+"\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "inbox", "items.jsonl"), []byte(lines.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	svc, err := bucket.New(bucket.Options{Dir: dir, Create: []string{"outbox"}})
	if err != nil {
		b.Fatal(err)
	}
	defer svc.Close()
	mux := integrations.NewMux()
	svc.Register(mux)
	d := runtime.NewDurable(openStore(b), &runtime.Durable{Tasks: mux, Consumer: "bench"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	defer func() { cancel(); <-done }()
	def := []byte(`{"StartAt":"M","States":{"M":{"Type":"Map",
	"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"inbox","Key":"items.jsonl"}},
	"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"outbox","Prefix":"results"}},
	"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"$.n"},"End":true}}},"End":true}}}`)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		s, err := d.Start(ctx, runtime.StartParams{StateMachineName: "bench", Name: fmt.Sprint("e", i), Definition: def, Input: map[string]any{}})
		if err != nil {
			b.Fatal(err)
		}
		for {
			e, err := d.Describe(ctx, s.ID)
			if err != nil {
				b.Fatal(err)
			}
			if e.Status != "RUNNING" {
				if e.Status != "SUCCEEDED" {
					b.Fatalf("%s: %s %s", e.Status, e.Error, e.Cause)
				}
				break
			}
			time.Sleep(10 * time.Millisecond) // the poll's pace
		}
	}
	b.ReportMetric(float64(100000*b.N)/time.Since(start).Seconds(), "items/s")
}
