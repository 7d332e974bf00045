package pattern

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func seedPatterns(tb testing.TB) (patterns, events []string) {
	for _, c := range loadCases(tb) {
		patterns = append(patterns, c.Pattern)
		if c.Want != "invalid" && len(c.Event) < 2000 {
			events = append(events, c.Event)
		}
	}
	return patterns, events
}

// FuzzParse: Parse never panics, answers a valid pattern or an *Error in
// AWS's words, within a bounded time; a valid pattern matches the table's
// events without error.
func FuzzParse(f *testing.F) {
	pats, _ := seedPatterns(f)
	for _, p := range pats {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, src string) {
		start := time.Now()
		p, err := Parse(src)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Parse took %v", d)
		}
		// The lexer agrees with encoding/json on what is JSON.
		notJSON := err != nil && strings.Contains(err.Error(), "Filter is not valid JSON")
		if valid := json.Valid([]byte(src)); (notJSON && valid) || (err == nil && !valid) {
			t.Fatalf("Parse(%q): %v; json.Valid: %v", src, err, valid)
		}
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, errPrefix) {
				t.Fatalf("Parse(%q): %v is not an *Error in AWS's words", src, err)
			}
			return
		}
		for _, ev := range []string{`{"a":"x"}`, `{"a":[1,{"b":null}],"detail":{"state":"x"}}`} {
			if _, err := p.Matches([]byte(ev)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzMachine: a Machine holding the fuzzed pattern and some of the
// table's answers, for any event, exactly the ids whose pattern's
// Matches is true; an event one refuses, the other refuses too.
func FuzzMachine(f *testing.F) {
	pats, evs := seedPatterns(f)
	for i, p := range pats {
		f.Add(p, evs[i%len(evs)])
	}
	var fixed []*Pattern
	for i, p := range pats {
		if i%7 != 0 {
			continue
		}
		if q, err := Parse(p); err == nil {
			fixed = append(fixed, q)
		}
	}
	f.Fuzz(func(t *testing.T, src, ev string) {
		p, err := Parse(src)
		if err != nil {
			return
		}
		m := NewMachine()
		all := append([]*Pattern{p}, fixed...)
		for i, q := range all {
			m.Add(idOf(i), q)
		}
		got, merr := m.Match([]byte(ev))
		// An event encoding/json reads as an object, within the depth
		// limit, is never refused.
		var obj map[string]any
		if merr != nil && json.Unmarshal([]byte(ev), &obj) == nil && !strings.Contains(merr.Error(), "deeper") {
			t.Fatalf("Match(%q): %v, but it is a JSON object", ev, merr)
		}
		if merr == nil && !json.Valid([]byte(ev)) {
			t.Fatalf("Match(%q) accepted invalid JSON", ev)
		}
		var want []string
		for i, q := range all {
			ok, err := q.Matches([]byte(ev))
			if (err != nil) != (merr != nil) {
				t.Fatalf("event %q: Matches error %v, Match error %v", ev, err, merr)
			}
			if ok {
				want = append(want, idOf(i))
			}
		}
		slices.Sort(want)
		if merr == nil && !slices.Equal(got, want) {
			t.Fatalf("pattern %s event %s\nMachine %v\nMatches %v", src, ev, got, want)
		}
	})
}

func idOf(i int) string { return string(rune('A'+i/26)) + string(rune('a'+i%26)) }
