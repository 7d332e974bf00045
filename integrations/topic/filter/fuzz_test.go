package filter

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// The parsers of user text: none panics, none takes unbounded time, and
// what they accept stays within AWS's limits. Seeded from the table. Run
// each for a minute: go test -fuzz FuzzCompile -fuzztime 1m.

func FuzzCompile(f *testing.F) {
	for _, c := range cases {
		f.Add(c.policy)
	}
	f.Fuzz(func(t *testing.T, policy string) {
		for _, scope := range []Scope{MessageAttributes, MessageBody} {
			start := time.Now()
			p, err := Compile(policy, scope)
			if d := time.Since(start); d > time.Second {
				t.Fatalf("%v: Compile took %v", scope, d)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Code != CodeInvalidParameter || !strings.HasPrefix(e.Message, "Invalid parameter: ") {
					t.Fatalf("%v: error %#v", scope, err)
				}
				if p != nil {
					t.Fatalf("%v: a policy and an error", scope)
				}
				continue
			}
			if p == nil {
				if s := strings.TrimSpace(policy); s != "" && !isEmptyObject(s) {
					t.Fatalf("%v: no policy for %q", scope, policy)
				}
				continue
			}
			if p.scope != scope || len(p.paths) == 0 || len(p.paths) > MaxKeys || len(p.branches) == 0 {
				t.Fatalf("%v: accepted %d keys, %d branches", scope, len(p.paths), len(p.branches))
			}
			fs := make([][]*field, len(p.branches))
			for i, b := range p.branches {
				fs[i] = b.fields
				if len(b.fields) == 0 || len(b.fields) > MaxKeys {
					t.Fatalf("%v: a branch of %d fields", scope, len(b.fields))
				}
			}
			if n := combinations(fs); n > MaxCombinations {
				t.Fatalf("%v: accepted %d combinations", scope, n)
			}
			if scope == MessageAttributes {
				for _, b := range p.branches {
					for _, f := range b.fields {
						if f.depth != 1 {
							t.Fatalf("nested key accepted in MessageAttributes scope")
						}
					}
				}
			}
			// Matching an accepted policy never fails: against itself as a
			// body, and against attributes named after its keys.
			p.MatchBody(policy)
			attrs := map[string]Attribute{}
			for i, name := range p.paths {
				attrs[name] = []Attribute{S(policy), N("1"), SA(policy), B()}[i%4]
			}
			p.MatchAttributes(attrs)
		}
	})
}

func isEmptyObject(s string) bool {
	var m map[string]any
	return json.Unmarshal([]byte(s), &m) == nil && len(m) == 0 && strings.HasPrefix(s, "{")
}

func FuzzMatchBody(f *testing.F) {
	for _, c := range cases {
		if c.body != "" {
			f.Add(c.policy, c.body)
		}
	}
	f.Add(`{"k":["a"]}`, `{"k":`+strings.Repeat("[", 2000)+`"a"`+strings.Repeat("]", 2000)+`}`)
	fallback, err := Compile(`{"r":{"a":["1",{"prefix":"x"}],"b":[{"numeric":[">",0]}]},"c":[{"exists":false}]}`, MessageBody)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, policy, body string) {
		p, err := Compile(policy, MessageBody)
		if err != nil || p == nil {
			p = fallback
		}
		start := time.Now()
		got := p.MatchBody(body)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("MatchBody took %v on %d bytes", d, len(body))
		}
		if got != p.MatchBody(body) {
			t.Fatalf("two answers for one body")
		}
		if got && (!json.Valid([]byte(body)) || !strings.HasPrefix(strings.TrimLeft(body, " \t\r\n"), "{")) {
			t.Fatalf("matched a body that is not a JSON object: %q", body)
		}
		// Blanks around the body change nothing.
		if p.MatchBody(" \n"+body+"\t ") != got {
			t.Fatalf("blanks changed the answer for %q", body)
		}
	})
}
