package pattern

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// tcase is one row of testdata/cases.json: a pattern, an event and the
// outcome ("match", "nomatch", or "invalid" with a substring of the
// expected InvalidEventPatternException message). The examples named
// docs-* and most operator examples are the EventBridge user guide's.
type tcase struct {
	Name    string `json:"name"`
	Pattern string `json:"pattern"`
	Event   string `json:"event"`
	Want    string `json:"want"`
	Error   string `json:"error"`
}

func loadCases(t testing.TB) []tcase {
	t.Helper()
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []tcase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestCases checks every row with Pattern.Matches, then puts every valid
// pattern of the table in one Machine and checks that, for every event
// of the table, Machine.Match answers exactly the patterns whose Matches
// is true.
func TestCases(t *testing.T) {
	cs := loadCases(t)
	if len(cs) < 300 {
		t.Fatalf("only %d cases", len(cs))
	}
	counts := map[string]int{}
	m := NewMachine()
	type named struct {
		id string
		p  *Pattern
	}
	var valid []named
	names := map[string]bool{}
	for _, c := range cs {
		counts[c.Want]++
		if names[c.Name] {
			t.Fatalf("duplicate case name %s", c.Name)
		}
		names[c.Name] = true
		p, err := Parse(c.Pattern)
		if c.Want == "invalid" {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("%s: Parse(%s) = %v, want an *Error", c.Name, c.Pattern, err)
				continue
			}
			if !strings.HasPrefix(pe.Message, "Event pattern is not valid. Reason: ") || !strings.Contains(pe.Message, c.Error) {
				t.Errorf("%s: message %q, want it to contain %q", c.Name, pe.Message, c.Error)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Parse(%s): %v", c.Name, c.Pattern, err)
			continue
		}
		got, err := p.Matches([]byte(c.Event))
		if err != nil {
			t.Errorf("%s: Matches: %v", c.Name, err)
			continue
		}
		if got != (c.Want == "match") {
			t.Errorf("%s: pattern %s event %s: Matches = %v, want %s", c.Name, c.Pattern, c.Event, got, c.Want)
		}
		m.Add(c.Name, p)
		valid = append(valid, named{c.Name, p})
	}
	t.Logf("%d cases: %v; %d patterns in one Machine", len(cs), counts, m.Len())

	events := map[string]bool{}
	for _, c := range cs {
		if c.Want != "invalid" {
			events[c.Event] = true
		}
	}
	checked := 0
	for ev := range events {
		var want []string
		for _, n := range valid {
			ok, err := n.p.Matches([]byte(ev))
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				want = append(want, n.id)
			}
		}
		slices.Sort(want)
		got, err := m.Match([]byte(ev))
		if err != nil {
			t.Fatalf("Match(%s): %v", ev, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("event %s:\nMachine: %v\nMatches: %v", ev, got, want)
		}
		checked++
	}
	t.Logf("%d distinct events checked against the Machine", checked)
}
