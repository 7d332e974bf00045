package pattern

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(t testing.TB, src string) *Pattern {
	t.Helper()
	p, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%s): %v", src, err)
	}
	return p
}

func matchIDs(t testing.TB, m *Machine, ev string) []string {
	t.Helper()
	ids, err := m.Match([]byte(ev))
	if err != nil {
		t.Fatalf("Match(%s): %v", ev, err)
	}
	return ids
}

func TestMachineAddReplaceRemove(t *testing.T) {
	m := NewMachine()
	m.Add("b", mustParse(t, `{"source":["x"]}`))
	m.Add("a", mustParse(t, `{"source":["x"],"n":[{"numeric":[">",5]}]}`))
	m.Add("c", mustParse(t, `{"source":[{"prefix":"x"}]}`))
	if got := matchIDs(t, m, `{"source":"x","n":6}`); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("got %v", got)
	}
	// Replacing a's pattern: the old one no longer answers.
	m.Add("a", mustParse(t, `{"source":["y"]}`))
	if got := matchIDs(t, m, `{"source":"x","n":6}`); !slices.Equal(got, []string{"b", "c"}) {
		t.Fatalf("after replace: got %v", got)
	}
	if got := matchIDs(t, m, `{"source":"y"}`); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after replace: got %v", got)
	}
	m.Remove("b")
	m.Remove("nobody")
	if got := matchIDs(t, m, `{"source":"x"}`); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("after remove: got %v", got)
	}
	if m.Len() != 2 {
		t.Fatalf("Len = %d", m.Len())
	}
	if got := matchIDs(t, m, `{"other":1}`); got != nil {
		t.Fatalf("no match: got %v", got)
	}
}

// TestMachineChurn adds, replaces and removes many rules (enough removals
// to rebuild the machine several times) and checks every event against
// the live patterns one by one.
func TestMachineChurn(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	m := NewMachine()
	live := map[string]*Pattern{}
	for step := range 3000 {
		id := fmt.Sprintf("r%d", r.IntN(400))
		if r.IntN(3) == 0 {
			m.Remove(id)
			delete(live, id)
			continue
		}
		p := mustParse(t, benchRule(r, step))
		m.Add(id, p)
		live[id] = p
	}
	if m.Len() != len(live) {
		t.Fatalf("Len %d, live %d", m.Len(), len(live))
	}
	total := 0
	for _, ev := range benchEvents() {
		var want []string
		for id, p := range live {
			if ok, _ := p.Matches(ev); ok {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		got := matchIDs(t, m, string(ev))
		if !slices.Equal(got, want) {
			t.Fatalf("event %s\nMachine %v\nMatches %v", ev, got, want)
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no event matched")
	}
}

func TestEventErrors(t *testing.T) {
	p := mustParse(t, `{"a":["x"]}`)
	m := NewMachine()
	m.Add("r", p)
	bad := []string{
		``, `   `, `[1]`, `"x"`, `1`, `null`, `{`, `{"a":}`, `{"a":"x"} x`, `{"a":"x",}`,
		`{"a":[1,]}`, `{"a":"\x01"}`, `{"a":"\u12"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`,
		`{"a":"x"`, `{'a':1}`,
		`{"a":` + strings.Repeat(`[`, MaxEventDepth+1) + strings.Repeat(`]`, MaxEventDepth+1) + `}`,
	}
	for _, ev := range bad {
		if ok, err := p.Matches([]byte(ev)); err == nil {
			t.Errorf("Matches(%q) = %v, nil; want an error", ev, ok)
		}
		if ids, err := m.Match([]byte(ev)); err == nil {
			t.Errorf("Match(%q) = %v, nil; want an error", ev, ids)
		}
	}
	// At the depth limit the event is still read.
	deep := `{"a":"x","b":` + strings.Repeat(`[`, MaxEventDepth-1) + strings.Repeat(`]`, MaxEventDepth-1) + `}`
	if ok, err := p.Matches([]byte(deep)); err != nil || !ok {
		t.Errorf("deep event: %v, %v", ok, err)
	}
}

// TestBounded: the inputs that make naive matchers slow (many
// wildcards against a long value, an array of thousands of objects read
// with array consistency) stay fast.
func TestBounded(t *testing.T) {
	stars := `{"a":[{"wildcard":"` + strings.Repeat("*a", maxWildcards-1) + `*b"}]}`
	p := mustParse(t, stars)
	long := `{"a":"` + strings.Repeat("a", 200000) + `"}`
	objs := make([]string, 3000)
	for i := range objs {
		objs[i] = `{"b":"x","c":"z"}`
	}
	arr := `{"a":[` + strings.Join(objs, ",") + `,{"b":"x","c":"y"}]}`
	q := mustParse(t, `{"a":{"b":["x"],"c":["y"]}}`)
	// Three fields of 20,000 objects, flat and in nested arrays: without
	// the runs of candidates, 16 s each.
	objs = make([]string, 20000)
	for i := range objs {
		objs[i] = `{"b":1,"c":1}`
	}
	objs[len(objs)-1] = `{"b":1,"c":1,"d":2}`
	three := mustParse(t, `{"a":{"b":[1],"c":[1],"d":[2]}}`)
	for _, ev := range []string{
		`{"a":[` + strings.Join(objs, ",") + `]}`,
		`{"a":[[` + strings.Join(objs, ",") + `]]}`,
		`{"a":[[` + strings.Join(objs[:10000], ",") + `],[` + strings.Join(objs[10000:], ",") + `]]}`,
	} {
		start := time.Now()
		if ok, err := three.Matches([]byte(ev)); !ok || err != nil {
			t.Errorf("three fields: %v %v", ok, err)
		}
		m := NewMachine()
		m.Add("three", three)
		if got := matchIDs(t, m, ev); !slices.Equal(got, []string{"three"}) {
			t.Errorf("three fields: %v", got)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("three fields of 20,000 objects took %v", d)
		}
	}
	m := NewMachine()
	m.Add("stars", p)
	m.Add("array", q)
	start := time.Now()
	if ok, _ := p.Matches([]byte(long)); ok {
		t.Error("stars matched a value without b")
	}
	if ok, _ := q.Matches([]byte(arr)); !ok {
		t.Error("array: no match")
	}
	if got := matchIDs(t, m, long); got != nil {
		t.Errorf("long: %v", got)
	}
	if got := matchIDs(t, m, arr); !slices.Equal(got, []string{"array"}) {
		t.Errorf("array: %v", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	t.Logf("pathological inputs: %v", time.Since(start))
}

// TestArrayRuns: narrowing an array's leaves to the runs of the element
// a branch is in gives the answers a full scan gives, on random events of
// nested arrays of objects and random patterns over their fields.
func TestArrayRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var obj func(depth int) string
	val := func() string { return []string{`1`, `2`, `"x"`, `null`}[r.IntN(4)] }
	obj = func(depth int) string {
		var fs []string
		for _, k := range []string{"b", "c", "d"} {
			switch n := r.IntN(6); {
			case n == 0:
			case n < 3:
				fs = append(fs, fmt.Sprintf("%q:%s", k, val()))
			case n < 5 && depth < 2:
				var els []string
				for range 1 + r.IntN(8) {
					els = append(els, obj(depth+1))
				}
				fs = append(fs, fmt.Sprintf("%q:[%s]", k, strings.Join(els, ",")))
			default:
				fs = append(fs, fmt.Sprintf("%q:[%s,%s]", k, val(), val()))
			}
		}
		return "{" + strings.Join(fs, ",") + "}"
	}
	paths := []string{"a.b", "a.c", "a.d", "a.b.c", "a.c.b", "a.b.d", "a.d.b.c", "a.c.c"}
	defer func(n int) { minRuns = n }(minRuns)
	matched := 0
	for i := range 400 {
		var els []string
		for range 1 + r.IntN(20) {
			els = append(els, obj(0))
		}
		ev := []byte(`{"a":[` + strings.Join(els, ",") + `]}`)
		var fs []string
		for _, k := range r.Perm(len(paths))[:2+r.IntN(2)] {
			fs = append(fs, fmt.Sprintf("%q:[%s]", paths[k], []string{`1`, `"x"`}[r.IntN(2)]))
		}
		src := "{" + strings.Join(fs, ",") + "}"
		p := mustParse(t, src)
		m := NewMachine()
		m.Add("p", p)
		minRuns = 1 << 30
		want, _ := p.Matches(ev)
		wantM := matchIDs(t, m, string(ev))
		minRuns = 0
		got, _ := p.Matches(ev)
		gotM := matchIDs(t, m, string(ev))
		if got != want || len(gotM) != len(wantM) || (len(wantM) > 0) != want {
			t.Fatalf("case %d: pattern %s event %s: runs %v/%v, full scan %v/%v", i, src, ev, got, gotM, want, wantM)
		}
		if want {
			matched++
		}
	}
	if matched < 20 || matched > 380 {
		t.Fatalf("%d of 400 random cases match: the test is not discriminating", matched)
	}
	t.Logf("%d of 400 random cases match", matched)
}

// TestConcurrentMatch: a built Machine answers many goroutines at once
// (run with -race).
func TestConcurrentMatch(t *testing.T) {
	m := benchMachine(t, 1000)
	evs := benchEvents()
	want := make([][]string, len(evs))
	for i, ev := range evs {
		want[i] = matchIDs(t, m, string(ev))
	}
	// A new range after the answers above: the first matches below lay it
	// out concurrently.
	m.Add("late", mustParse(t, `{"detail":{"order":{"amount":[{"numeric":[">=",0]}]}}}`))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range evs {
				j := (i + g*31) % len(evs)
				got, err := m.Match(evs[j])
				if err != nil {
					errs <- err.Error()
					return
				}
				exp := slices.Clone(want[j])
				exp = append(exp, "late")
				slices.Sort(exp)
				if !slices.Equal(got, exp) {
					errs <- fmt.Sprintf("event %d: %v, want %v", j, got, exp)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
