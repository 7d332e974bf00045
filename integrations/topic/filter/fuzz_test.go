package filter

import (
	"encoding/json"
	"errors"
	"fmt"
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
		// The naive reading agrees.
		if ref, ok := referenceMatchBody(p, body); ok && ref != got {
			t.Fatalf("MatchBody %v, the reference %v, for %q", got, ref, body)
		}
	})
}

// FuzzLexer holds MatchBody's reader to encoding/json: the same texts
// valid, the same tokens with the same values.
func FuzzLexer(f *testing.F) {
	for _, c := range cases {
		f.Add(c.policy)
		f.Add(c.body)
	}
	for _, s := range []string{`"\ud83d\ude00"`, `"\ud83d"`, `"\udc00\ud83d"`, "\"\xff\xfe\"", `"\u00"`, `01`, `-`, `1.`, `1e`, `-0.5e+3`,
		`[1,]`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `truex`, `[true false]`, " \t\n[\r] ", `{"a":{"b":[null,{}]}}`, "\"\x01\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := lexer{s: s}
		var got []string
		ok := true
		for {
			k, text := l.next(true)
			if k == tkErr {
				ok = false
				break
			}
			if k == tkEOF {
				break
			}
			got = append(got, tokenString(k, text))
			if len(got) > 1<<20 {
				t.Fatalf("runaway lexer")
			}
		}
		valid := json.Valid([]byte(s))
		if ok != valid {
			if ok && strings.Count(s, "[")+strings.Count(s, "{") > 10000 {
				return // encoding/json refuses nesting past 10000; MatchBody stops at 1000
			}
			t.Fatalf("lexer valid %v, encoding/json %v: %q", ok, valid, s)
		}
		if !valid {
			return
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var want []string
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			switch v := tok.(type) {
			case json.Delim:
				want = append(want, string(v))
			case string:
				want = append(want, "s:"+v)
			case json.Number:
				want = append(want, "n:"+string(v))
			case bool:
				want = append(want, fmt.Sprint(v))
			case nil:
				want = append(want, "null")
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tokens of %q:\n lexer %q\n  json %q", s, got, want)
		}
	})
}

func tokenString(k tkind, text string) string {
	switch k {
	case tkObjOpen:
		return "{"
	case tkObjClose:
		return "}"
	case tkArrOpen:
		return "["
	case tkArrClose:
		return "]"
	case tkKey, tkString:
		return "s:" + text
	case tkNumber:
		return "n:" + text
	case tkTrue:
		return "true"
	case tkFalse:
		return "false"
	}
	return "null"
}
