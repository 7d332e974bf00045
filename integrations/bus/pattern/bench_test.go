package pattern

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// The benchmark's rules are varied as a bus's are: 200 sources, 50
// detail-types (one rule in 16 is broad: a source and anything-but), and
// eight shapes of detail conditions (exact, prefix,
// numeric range, anything-but list, wildcard, $or across fields,
// exists:false with equals-ignore-case, cidr with suffix). Its events are
// 256 CloudWatch-sized events drawn from the same vocabulary, so each
// matches a few rules of a large set.

const (
	benchSources = 200
	benchTypes   = 50
)

func benchRule(r *rand.Rand, i int) string {
	src := fmt.Sprintf("com.example.svc%d", r.IntN(benchSources))
	typ := fmt.Sprintf("Order Event %d", r.IntN(benchTypes))
	head := fmt.Sprintf(`"source":[%q],"detail-type":[%q]`, src, typ)
	if i%16 == 15 {
		// A broad rule: most events of a source (so events match some
		// rules of a large set, as on a real bus).
		return fmt.Sprintf(`{"source":[%q],"detail":{"status":[{"anything-but":["s0"]}]}}`, src)
	}
	var det string
	switch i % 8 {
	case 0:
		det = fmt.Sprintf(`"status":["s%d","s%d"]`, r.IntN(10), r.IntN(10))
	case 1:
		det = fmt.Sprintf(`"customer":{"region":[{"prefix":"eu-%d"}]}`, r.IntN(5))
	case 2:
		lo := r.IntN(1000)
		det = fmt.Sprintf(`"order":{"amount":[{"numeric":[">",%d,"<=",%d]}]}`, lo, lo+100+r.IntN(200))
	case 3:
		det = `"status":[{"anything-but":["cancelled","failed"]}]`
	case 4:
		det = fmt.Sprintf(`"object":{"key":[{"wildcard":"bucket-%d/*.jpg"}]}`, r.IntN(20))
	case 5:
		det = fmt.Sprintf(`"$or":[{"priority":["high"]},{"order":{"amount":[{"numeric":[">",%d]}]}}]`, 900+r.IntN(100))
	case 6:
		det = `"error":[{"exists":false}],"env":[{"equals-ignore-case":"prod"}]`
	case 7:
		det = fmt.Sprintf(`"ip":[{"cidr":"10.%d.0.0/16"}],"email":[{"suffix":"@x%d.com"}]`, r.IntN(8), r.IntN(4))
	}
	return fmt.Sprintf(`{%s,"detail":{%s}}`, head, det)
}

func benchEvent(r *rand.Rand) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":"%08x-6a7e-8feb-b491-4cf7a9f1bf37","detail-type":"Order Event %d","source":"com.example.svc%d","account":"111122223333","time":"2026-12-07T03:00:00Z","region":"eu-west-1","resources":["arn:aws:orders:eu-west-1:111122223333:order/%d"],"detail":{"status":"s%d","priority":%q,"env":%q,"customer":{"id":"c-%d","region":"eu-%d-north","tier":"gold"},"order":{"amount":%d.%02d,"currency":"EUR","items":[{"sku":"a-%d","qty":%d},{"sku":"b-%d","qty":1}]},"object":{"key":"bucket-%d/2026/12/photo-%d.jpg","size":%d},"ip":"10.%d.%d.%d","email":"user%d@x%d.com","tags":["t1","t2","t3"]}}`,
		r.Uint32(), r.IntN(benchTypes), r.IntN(benchSources), r.IntN(1e6), r.IntN(10),
		[]string{"high", "low", "normal"}[r.IntN(3)], []string{"PROD", "prod", "dev"}[r.IntN(3)],
		r.IntN(1e5), r.IntN(5), r.IntN(1200), r.IntN(100), r.IntN(100), 1+r.IntN(5), r.IntN(100),
		r.IntN(20), r.IntN(1e4), r.IntN(1e7), r.IntN(8), r.IntN(256), r.IntN(256), r.IntN(1e4), r.IntN(4))
}

func benchMachine(tb testing.TB, n int) *Machine {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	m := NewMachine()
	for i := range n {
		p, err := Parse(benchRule(r, i))
		if err != nil {
			tb.Fatal(err)
		}
		m.Add(fmt.Sprintf("rule-%05d", i), p)
	}
	return m
}

func benchEvents() [][]byte {
	r := rand.New(rand.NewPCG(7, 7))
	evs := make([][]byte, 256)
	for i := range evs {
		evs[i] = benchEvent(r)
	}
	return evs
}

// BenchmarkMachineMatch: ns/op is per event, the matcher alone (the
// event's scan included, the rules built beforehand).
func BenchmarkMachineMatch(b *testing.B) {
	evs := benchEvents()
	for _, n := range []int{1, 100, 1000, 10000} {
		m := benchMachine(b, n)
		if _, err := m.Match(evs[0]); err != nil { // lays the ranges out
			b.Fatal(err)
		}
		matched := 0
		for _, ev := range evs {
			ids, _ := m.Match(ev)
			matched += len(ids)
		}
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := m.Match(evs[i&255]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(matched)/float64(len(evs)), "matches/event")
		})
	}
}

// BenchmarkMachineBuild: the time to parse and add 10,000 rules, and the
// heap the Machine (with its Patterns) holds.
func BenchmarkMachineBuild(b *testing.B) {
	var heap uint64
	for b.Loop() {
		var before, after runtime.MemStats
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&before)
		b.StartTimer()
		m := benchMachine(b, 10000)
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.StartTimer()
		heap = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(m)
	}
	b.ReportMetric(float64(heap)/10000, "heap-B/rule")
}

// TestBenchRulesAgree checks the benchmark's machine against the rules
// one by one, so the numbers measure correct answers.
func TestBenchRulesAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1000))
	m := NewMachine()
	var ps []*Pattern
	for i := range 1000 {
		p, err := Parse(benchRule(r, i))
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
		m.Add(fmt.Sprintf("rule-%05d", i), p)
	}
	start := time.Now()
	total := 0
	for _, ev := range benchEvents()[:128] {
		got, err := m.Match(ev)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i, p := range ps {
			if ok, _ := p.Matches(ev); ok {
				want = append(want, fmt.Sprintf("rule-%05d", i))
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("event %s\nMachine %v\nMatches %v", ev, got, want)
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("the benchmark's events match no rule")
	}
	t.Logf("%d matches over 128 events (%v)", total, time.Since(start))
}

// BenchmarkMachineMatchRatio measures 1 and 10,000 rules in alternating
// rounds of the 256 events, keeping each size's best round: on a shared,
// loaded machine the ratio of the two is steadier than two separate runs.
// Reported: ns/event for each size and their ratio.
func BenchmarkMachineMatchRatio(b *testing.B) {
	evs := benchEvents()
	small, large := benchMachine(b, 1), benchMachine(b, 10000)
	small.Match(evs[0])
	large.Match(evs[0])
	round := func(m *Machine) float64 {
		start := time.Now()
		for _, ev := range evs {
			if _, err := m.Match(ev); err != nil {
				b.Fatal(err)
			}
		}
		return float64(time.Since(start).Nanoseconds()) / float64(len(evs))
	}
	bestSmall, bestLarge := 1e18, 1e18
	for b.Loop() {
		bestSmall = min(bestSmall, round(small))
		bestLarge = min(bestLarge, round(large))
	}
	b.ReportMetric(bestSmall, "ns/event@1")
	b.ReportMetric(bestLarge, "ns/event@10000")
	b.ReportMetric(bestLarge/bestSmall, "ratio")
}
