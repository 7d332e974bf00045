package transform

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// ec2Event is the example event of "Amazon EventBridge input
// transformation".
const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING","n":1.50,"tags":{"a":"b\"c"},"list":[1,"x"]}}`

var ec2Paths = map[string]string{
	"timestamp": "$.time",
	"instance":  "$.detail.instance-id",
	"state":     "$.detail.state",
	"resource":  "$.resources[0]",
	"n":         "$.detail.n",
	"tags":      "$.detail.tags",
	"list":      "$.detail.list",
	"missing":   "$.detail.nope",
	"all":       "$.detail.list[*]",
	"none":      "$.detail.nope[*]",
}

var ruleCtx = Context{RuleArn: "arn:aws:events:us-east-1:123456789012:rule/r1", RuleName: "r1", IngestionTime: "2015-11-11T21:29:55Z"}

func TestApplyTemplate(t *testing.T) {
	for _, c := range []struct{ name, template, want string }{
		// The page's examples.
		{"json values", `{"timestamp" : <timestamp>, "instance_id": <instance>, "instance_state": <state>, "instance_resource": <resource>}`,
			`{"timestamp" : "2015-11-11T21:29:54Z", "instance_id": "i-0123456789", "instance_state": "RUNNING", "instance_resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}`},
		{"json string", `{"instance_state": "<instance> is in <state>"}`, `{"instance_state": "i-0123456789 is in RUNNING"}`},
		{"text", `<instance> is in state <state>`, `i-0123456789 is in state RUNNING`},
		{"json string template", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"escaped quotes", `<instance> is in state "<state>"`, `i-0123456789 is in state "RUNNING"`},
		{"api reference mix", `{"myInstance": <instance>,"myStatus": "<instance> is in state \"<state>\""}`,
			`{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \"RUNNING\""}`},
		{"reserved", `{"arn": <aws.events.rule-arn>, "name": "rule <aws.events.rule-name>", "at": <aws.events.event.ingestion-time>}`,
			`{"arn": "arn:aws:events:us-east-1:123456789012:rule/r1", "name": "rule r1", "at": "2015-11-11T21:29:55Z"}`},
		{"event json", `{"e": <aws.events.event.json>}`, `{"e": ` + ec2Event + `}`},
		{"event without detail", `{"e": <aws.events.event>}`,
			`{"e": {"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}}`},
		// Values that are not strings.
		{"number", `{"n": <n>, "s": "<n>"}`, `{"n": 1.50, "s": "1.50"}`},
		{"object", `{"t": <tags>}`, `{"t": {"a":"b\"c"}}`},
		{"object in string", `{"t": "tags <tags>"}`, `{"t": "tags {\"a\":\"b\\\"c\"}"}`},
		{"array", `[<list>, "<list>"]`, `[[1,"x"], "[1,\"x\"]"]`},
		{"object in text", `tags: <tags>`, `tags: {"a":"b\"c"}`},
		{"string escaped in string", `{"t": "<instance> <tags>"}`, `{"t": "i-0123456789 {\"a\":\"b\\\"c\"}"}`},
		// Nothing selected.
		{"missing json", `{"m": <missing>, "s": "x<missing>y"}`, `{"m": null, "s": "xy"}`},
		{"missing text", `a<missing>b`, `ab`},
		{"wildcard", `{"all": <all>, "none": <none>}`, `{"all": [1,"x"], "none": null}`},
		// Names that are not variables stay as written.
		{"unknown", `x <nope> <instance>`, `x <nope> i-0123456789`},
		{"unknown in json string", `{"a": "<nope>"}`, `{"a": "<nope>"}`},
		{"lone brackets", `a < b > c <state`, `a < b > c <state`},
		// A template that is only a placeholder is JSON: the value.
		{"only", `<tags>`, `{"a":"b\"c"}`},
		{"only string", `<state>`, `"RUNNING"`},
		{"html", `{"a": "<>&"}`, `{"a": "<>&"}`},
	} {
		s, err := Compile("", "", ec2Paths, c.template)
		if err != nil {
			t.Errorf("%s: Compile: %v", c.name, err)
			continue
		}
		got, err := s.Apply([]byte(ec2Event), ruleCtx)
		if err != nil {
			t.Errorf("%s: Apply: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if s.IsJSON() && !json.Valid(got) {
			t.Errorf("%s: %s is not JSON", c.name, got)
		}
	}
}

func TestApplyShapes(t *testing.T) {
	for _, c := range []struct{ name, input, path, want string }{
		{"none", "", "", ec2Event},
		{"input", `{ "a" : [1, 2] }`, "", `{"a":[1,2]}`},
		{"input string", `"hello"`, "", `"hello"`},
		{"path object", "", "$.detail.tags", `{"a":"b\"c"}`},
		{"path string", "", "$.detail.state", `"RUNNING"`},
		{"path number", "", "$.detail.n", `1.50`},
		{"path root", "", "$", ""},
		{"path missing", "", "$.nope", `null`},
		{"path wildcard", "", "$.detail.list[*]", `[1,"x"]`},
	} {
		s, err := Compile(c.input, c.path, nil, "")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := s.Apply([]byte(ec2Event), ruleCtx)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.want == "" { // the whole event, re-encoded
			var a, b any
			_ = json.Unmarshal(got, &a)
			_ = json.Unmarshal([]byte(ec2Event), &b)
			ga, _ := json.Marshal(a)
			gb, _ := json.Marshal(b)
			if string(ga) != string(gb) {
				t.Errorf("%s: got %s", c.name, got)
			}
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := (&Shape{kind: selected, path: mustPath("$.a")}).Apply([]byte("{"), ruleCtx); err == nil {
		t.Error("an event that is not JSON was shaped")
	}
}

func mustPath(s string) *path {
	p, err := compilePath(s)
	if err != nil {
		panic(err)
	}
	return p
}

func TestCompileInvalid(t *testing.T) {
	many := map[string]string{}
	for i := 0; i <= MaxPathsMap; i++ {
		many["k"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "$.a"
	}
	for _, c := range []struct {
		name, input, path string
		paths             map[string]string
		template, want    string
	}{
		{"two", `{}`, "$.a", nil, "", "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"input and transformer", `{}`, "", nil, "x", "Only one of Input, InputPath, or InputTransformer must be provided for target t1."},
		{"input not json", `{"a":`, "", nil, "", "Input for target t1 is not a valid JSON text."},
		{"input text", `hello`, "", nil, "", "Input for target t1 is not a valid JSON text."},
		{"input too long", `"` + strings.Repeat("x", MaxInput) + `"`, "", nil, "", "Member must have length less than or equal to 8192"},
		{"path", "", "detail", nil, "", "at 'inputPath' failed to satisfy constraint: Member must be a valid JSON path"},
		{"path context", "", "$$.a", nil, "", "Member must be a valid JSON path"},
		{"path variable", "", "$x.a", nil, "", "Member must be a valid JSON path"},
		{"path long", "", "$." + strings.Repeat("a", MaxPath), nil, "", "Member must have length less than or equal to 256"},
		{"map value", "", "", map[string]string{"a": "a.b"}, "<a>", "Map value Member must be a valid JSON path"},
		{"map key", "", "", map[string]string{"a b": "$.a"}, "<a b>", "Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+"},
		{"map key empty", "", "", map[string]string{"": "$.a"}, "x", "Map keys must satisfy constraint"},
		{"map key long", "", "", map[string]string{strings.Repeat("k", 257): "$.a"}, "x", "Map keys must satisfy constraint"},
		{"reserved", "", "", map[string]string{"aws.events.rule-arn": "$.a"}, "x", "reserved key aws.events.rule-arn"},
		{"reserved case", "", "", map[string]string{"AWS.Events.event": "$.a"}, "x", "reserved key"},
		{"too many", "", "", many, "x", "Member must have length less than or equal to 100"},
		{"empty template", "", "", map[string]string{}, "", "Member must have length greater than or equal to 1"},
		{"long template", "", "", nil, strings.Repeat("x", MaxTemplate+1), "Member must have length less than or equal to 8192"},
		{"key placeholder", "", "", map[string]string{"k": "$.a"}, `{<k>: 1}`, "InputTemplate for target t1 is not a valid JSON text"},
		{"bad json object", "", "", nil, `{"a": }`, "InputTemplate for target t1 is not a valid JSON text"},
		{"unknown placeholder value", "", "", nil, `{"a": <nope>}`, "InputTemplate for target t1 is not a valid JSON text"},
	} {
		_, err := CompileTarget("t1", c.input, c.path, c.paths, c.template)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Compile("", "", map[string]string{"k": "$.a"}, `{"<k>": 1}`); err != nil {
		t.Errorf("a placeholder inside a quoted key: %v", err)
	}
	if _, err := Compile("", "", many, "x"); err == nil {
		t.Error("101 paths accepted")
	}
	delete(many, "kaa")
	if _, err := Compile("", "", many, "x"); err != nil {
		t.Errorf("100 paths refused: %v", err)
	}
}

func TestApplyOutputBound(t *testing.T) {
	big := `{"detail":{"s":"` + strings.Repeat("x", 200_000) + `"}}`
	s, err := Compile("", "", map[string]string{"s": "$.detail.s"}, strings.Repeat("<s>", 6))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply([]byte(big), ruleCtx); err == nil {
		t.Fatal("1.2 MB of output produced")
	}
	s, _ = Compile("", "", map[string]string{"s": "$.detail.s"}, strings.Repeat("<s>", 5))
	if out, err := s.Apply([]byte(big), ruleCtx); err != nil || len(out) != 1_000_000 {
		t.Fatalf("1 MB of output: %d bytes, %v", len(out), err)
	}
}
