package store

import (
	"context"
	"os"
	"testing"
)

// BenchmarkTransition measures one transition (one event, one outbox item)
// against the embedded server, and against SIGNALBOX_REDIS_URL when set.
func BenchmarkTransition(b *testing.B) {
	servers := []struct {
		name string
		opts Options
	}{{"embedded", Options{}}}
	if url := os.Getenv(EnvRedisURL); url != "" {
		servers = append(servers, struct {
			name string
			opts Options
		}{"redis", Options{URL: url}})
	}
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			ctx := context.Background()
			c := openTest(b, s.opts)
			id := create(b, c, "run", `{}`)
			seq := int64(0)
			for b.Loop() {
				p := step(id, RootThread, seq, "S")
				p.Outbox = []OutboxItem{{Item: WorkItem{Exec: id, Thread: RootThread, Seq: seq + 1, Kind: KindStep}}}
				if _, err := c.Transition(ctx, p); err != nil {
					b.Fatal(err)
				}
				seq++
			}
		})
	}
}
