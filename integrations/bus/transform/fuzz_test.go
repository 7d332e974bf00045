package transform

import (
	"encoding/json"
	"testing"
)

// FuzzCompile: no template, path or input panics Compile.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"", "$.a", "{}", `{"a": <a>}`, `"<a> <b>"`, "<a", `{<a>: 1}`, `$['x`, `[<a>,"<b>"]`} {
		f.Add(s, s, "$.detail.a", s)
	}
	f.Fuzz(func(t *testing.T, input, inputPath, p, tmpl string) {
		_, _ = Compile(input, "", nil, "")
		_, _ = Compile("", inputPath, nil, "")
		_, _ = Compile("", "", map[string]string{"a": p, "b": "$.detail"}, tmpl)
	})
}

// FuzzApply: any accepted template applied to any event never panics, and
// a JSON template's output is JSON.
func FuzzApply(f *testing.F) {
	for _, c := range [][2]string{
		{`{"a": <a>, "s": "<a> <b>", "e": <aws.events.event>}`, ec2Event},
		{`<a> is <b>`, `{"detail":{"a":"x\"y","b":[1,{"c":null}]}}`},
		{`"<a>\"<b>\\"`, `{"detail":{"a":"\u2028<>&","b":1e400}}`},
		{`[<aws.events.event.json>, "<aws.events.rule-arn>"]`, `[1,2]`},
		{`{"k": "<b>"}`, `{"detail": "just a string"}`},
	} {
		f.Add(c[0], c[1], "$.detail.a")
	}
	f.Fuzz(func(t *testing.T, tmpl, event, p string) {
		s, err := Compile("", "", map[string]string{"a": p, "b": "$.detail.b"}, tmpl)
		if err != nil {
			return
		}
		out, err := s.Apply([]byte(event), Context{RuleArn: "arn\"x", RuleName: "n\\", IngestionTime: "t"})
		if err != nil {
			return
		}
		if s.IsJSON() && !json.Valid(out) {
			t.Fatalf("template %q on %q gave %q: not JSON", tmpl, event, out)
		}
	})
}
