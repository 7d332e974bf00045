package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// wantError is the message a case's err stands for.
func wantError(err string) string {
	if strings.HasPrefix(err, "!") {
		return err[1:]
	}
	return "Invalid parameter: FilterPolicy: " + err
}

func errorScopes(c tcase) []Scope {
	switch c.errIn {
	case "attrs":
		return []Scope{MessageAttributes}
	case "body":
		return []Scope{MessageBody}
	}
	return []Scope{MessageAttributes, MessageBody}
}

func TestCases(t *testing.T) {
	t.Parallel()
	if len(cases) < 200 {
		t.Fatalf("the table holds %d cases, fewer than 200", len(cases))
	}
	names := map[string]bool{}
	runs := 0
	for _, c := range cases {
		if names[c.name] {
			t.Errorf("duplicate case name %q", c.name)
		}
		names[c.name] = true
		if c.err == "" && c.attrs == nil && c.body == "" {
			t.Errorf("%s: no message and no error", c.name)
		}
		t.Run(c.name, func(t *testing.T) {
			if c.err != "" {
				want := wantError(c.err)
				for _, scope := range errorScopes(c) {
					runs++
					p, err := Compile(c.policy, scope)
					var e *Error
					if !errors.As(err, &e) {
						t.Fatalf("%v: Compile accepted the policy (%v), want %q", scope, p != nil, want)
					}
					if e.Code != CodeInvalidParameter {
						t.Errorf("%v: code %s", scope, e.Code)
					}
					got := e.Message
					if strings.HasPrefix(c.err, "failed to parse JSON.") {
						got = got[:min(len(got), len(want))]
					}
					if got != want {
						t.Errorf("%v: error %q\n\t\twant %q", scope, e.Message, want)
					}
				}
				return
			}
			if c.attrs != nil {
				runs++
				p, err := Compile(c.policy, MessageAttributes)
				if err != nil {
					t.Fatalf("MessageAttributes: %v", err)
				}
				if got := p.MatchAttributes(c.attrs); got != c.want {
					t.Errorf("MessageAttributes: match %v, want %v", got, c.want)
				}
				if got := p.Match(c.attrs, c.body); got != c.want {
					t.Errorf("MessageAttributes: Match %v, want %v", got, c.want)
				}
				if p.MatchBody(`{}`) {
					t.Errorf("MessageAttributes policy matched a body")
				}
			}
			if c.body != "" {
				runs++
				p, err := Compile(c.policy, MessageBody)
				if err != nil {
					t.Fatalf("MessageBody: %v", err)
				}
				if got := p.MatchBody(c.body); got != c.want {
					t.Errorf("MessageBody: match %v, want %v", got, c.want)
				}
				if ref, ok := referenceMatchBody(p, c.body); ok && ref != c.want {
					t.Errorf("MessageBody: the reference matcher says %v", ref)
				}
				if got := p.Match(c.attrs, c.body); got != c.want {
					t.Errorf("MessageBody: Match %v, want %v", got, c.want)
				}
				if p.MatchAttributes(map[string]Attribute{"k": S("a")}) {
					t.Errorf("MessageBody policy matched attributes")
				}
			}
		})
	}
	t.Logf("%d cases, %d policy × scope × message runs", len(cases), runs)
}

func TestEmptyPolicyMatchesEverything(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "  ", "{}", " { } \n"} {
		for _, scope := range []Scope{MessageAttributes, MessageBody} {
			p, err := Compile(s, scope)
			if err != nil || p != nil {
				t.Fatalf("Compile(%q, %v) = %v, %v; want no policy", s, scope, p, err)
			}
			if !p.MatchAttributes(nil) || !p.MatchBody("not json") || !p.Match(nil, "") {
				t.Errorf("a nil policy refused a message")
			}
			if p.Scope() != MessageAttributes {
				t.Errorf("nil policy scope %v", p.Scope())
			}
		}
	}
}

func TestParseScope(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Scope{"": MessageAttributes, "MessageAttributes": MessageAttributes, "MessageBody": MessageBody} {
		got, err := ParseScope(in)
		if err != nil || got != want || (in != "" && got.String() != in) {
			t.Errorf("ParseScope(%q) = %v, %v", in, got, err)
		}
	}
	// AWS's words, recorded by localstack's snapshot tests.
	_, err := ParseScope("RandomValue")
	var e *Error
	if !errors.As(err, &e) || e.Code != "InvalidParameter" ||
		e.Message != "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes" {
		t.Errorf("ParseScope(RandomValue) = %v", err)
	}
	if _, err := ParseScope("messagebody"); err == nil {
		t.Errorf("scope values are case-sensitive")
	}
	if _, err := Compile(`{"a":["b"]}`, Scope(7)); err == nil {
		t.Errorf("Compile accepted an unknown scope")
	}
}

func TestErrorForSubscribe(t *testing.T) {
	t.Parallel()
	_, err := Compile(`{"key":[{"exists":"no"}]}`, MessageAttributes)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("no error: %v", err)
	}
	// AWS's words for Subscribe (localstack's snapshot tests).
	want := "Invalid parameter: Attributes Reason: FilterPolicy: exists match pattern must be either true or false."
	if got := e.ForSubscribe().Message; got != want {
		t.Errorf("ForSubscribe: %q, want %q", got, want)
	}
	if got := e.ForSubscribe().ForSubscribe().Message; got != want {
		t.Errorf("ForSubscribe twice: %q", got)
	}
	if e.Error() != "InvalidParameter: "+e.Message {
		t.Errorf("Error() = %q", e.Error())
	}
}

func TestPolicySizeLimit(t *testing.T) {
	t.Parallel()
	// A valid policy of exactly MaxPolicyBytes is accepted; one byte more is not.
	head, tail := `{"k":["`, `"]}`
	at := head + strings.Repeat("x", MaxPolicyBytes-len(head)-len(tail)) + tail
	if _, err := Compile(at, MessageAttributes); err != nil {
		t.Fatalf("policy of %d bytes: %v", len(at), err)
	}
	over := head + strings.Repeat("x", MaxPolicyBytes-len(head)-len(tail)+1) + tail
	_, err := Compile(over, MessageAttributes)
	if err == nil || err.(*Error).Message != "Invalid parameter: FilterPolicy: Filter policy is too long" {
		t.Errorf("policy of %d bytes: %v", len(over), err)
	}
}

func TestPolicyMustBeUTF8(t *testing.T) {
	t.Parallel()
	_, err := Compile("{\"k\":[\"\xff\"]}", MessageAttributes)
	if err == nil || !strings.HasPrefix(err.(*Error).Message, "Invalid parameter: FilterPolicy: failed to parse JSON.") {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestPolicyNestingBounded(t *testing.T) {
	t.Parallel()
	// Arrays nested far below any legal policy: refused, no stack blown.
	deep := `{"k":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`
	_, err := Compile(deep, MessageBody)
	if err == nil || !strings.HasPrefix(err.(*Error).Message, "Invalid parameter: FilterPolicy: failed to parse JSON.") {
		t.Errorf("deep arrays: %v", err)
	}
	objs := strings.Repeat(`{"a":`, 2000) + `["x"]` + strings.Repeat(`}`, 2000)
	if _, err := Compile(objs, MessageBody); err == nil {
		t.Errorf("2000 levels of objects accepted")
	}
}

func TestManyKeysRefusedQuickly(t *testing.T) {
	t.Parallel()
	// 20,000 keys in 256 KB: refused without quadratic work.
	var b strings.Builder
	b.WriteString(`{"$or":[{"a":["1"]},{"b":["2"]}]`)
	for i := 0; b.Len() < MaxPolicyBytes-40; i++ {
		fmt.Fprintf(&b, `,"k%d":["v"]`, i)
	}
	b.WriteString("}")
	start := time.Now()
	_, err := Compile(b.String(), MessageAttributes)
	if err == nil || !strings.Contains(err.Error(), "can not have more than 5 keys") {
		t.Errorf("many keys: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusing %d bytes of keys took %v", b.Len(), d)
	}
}

func TestBodyDepthBounded(t *testing.T) {
	t.Parallel()
	p, err := Compile(`{"k":["a"]}`, MessageBody)
	if err != nil {
		t.Fatal(err)
	}
	// At the limit the body is read; past it, it matches nothing.
	nest := func(n int) string {
		return `{"k":"a","x":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}`
	}
	if !p.MatchBody(nest(MaxBodyDepth)) {
		t.Errorf("a body %d deep did not match", MaxBodyDepth)
	}
	if p.MatchBody(nest(MaxBodyDepth + 1)) {
		t.Errorf("a body %d deep matched", MaxBodyDepth+1)
	}
	// The same on a policy path.
	q, err := Compile(`{"k":[{"exists":true}]}`, MessageBody)
	if err != nil {
		t.Fatal(err)
	}
	onPath := `{"k":` + strings.Repeat("[", 5000) + `"a"` + strings.Repeat("]", 5000) + `}`
	if q.MatchBody(onPath) {
		t.Errorf("a body 5001 deep matched")
	}
	// A hostile body of 256 KiB of brackets: no stack blown, no match.
	hostile := `{"k":` + strings.Repeat("[", 256*1024)
	if q.MatchBody(hostile) {
		t.Errorf("brackets matched")
	}
}

func TestMatchIsBounded(t *testing.T) {
	t.Parallel()
	// Near the worst a policy can ask: five keys under one array, 100
	// combinations (4x2 x 3x2 x 1x2 + 1x2 x 1x2), against a 256 KiB body
	// holding 6,500 elements of five values each on the policy's paths.
	// Linear: well under a second even on a loaded 2-core machine.
	policy := `{"r":{"$or":[` +
		`{"a":[` + values(4) + `],"b":[` + values(3) + `],"c":[` + values(1) + `]},` +
		`{"d":[{"prefix":"z"}],"e":[{"numeric":[">",5]}]}]}}`
	p, err := Compile(policy, MessageBody)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(`{"r":[`)
	for i := 0; b.Len() < 256*1024-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"a":"q","b":"q","c":"q","d":"q","e":1}`)
	}
	b.WriteString(`,{"a":"va","b":"va","c":"va"}]}`)
	body := b.String()
	start := time.Now()
	if !p.MatchBody(body) {
		t.Errorf("the last element did not match")
	}
	d := time.Since(start)
	t.Logf("%d-byte body against 5 keys of 100 combinations: %v", len(body), d)
	if d > 3*time.Second {
		t.Errorf("matching took %v", d)
	}
}

func TestConcurrentMatch(t *testing.T) {
	t.Parallel()
	p, err := Compile(`{"r":{"a":["1"],"b":["2"]}}`, MessageBody)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && p.MatchBody(`{"r":[{"a":"1","b":"2"}]}`)
				ok = ok && !p.MatchBody(`{"r":[{"a":"1"},{"b":"2"}]}`)
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Errorf("a concurrent match went wrong")
		}
	}
}

func BenchmarkMatchBody(b *testing.B) {
	p, err := Compile(`{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}`, MessageBody)
	if err != nil {
		b.Fatal(err)
	}
	body := `{"Records":[{"eventSource":"aws:s3","eventTime":"2022-11-21T03:41:29.743Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"insurance-bucket-demo","arn":"arn:aws:s3:::insurance-bucket-demo"},"object":{"key":"auto-insurance-2314.xml","size":17}}}]}`
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if !p.MatchBody(body) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkMatchAttributes(b *testing.B) {
	p, err := Compile(`{"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],"customer_interests":["rugby","football","baseball"],"price_usd":[{"numeric":[">=",100]}]}`, MessageAttributes)
	if err != nil {
		b.Fatal(err)
	}
	attrs := A("store", S("example_corp"), "event", S("order_placed"), "customer_interests", SA(`["soccer","rugby","hockey"]`), "price_usd", N("210.75"))
	for b.Loop() {
		if !p.MatchAttributes(attrs) {
			b.Fatal("no match")
		}
	}
}
