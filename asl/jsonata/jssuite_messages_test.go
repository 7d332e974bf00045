package jsonata

import (
	"encoding/json"
	"os"
	"testing"
	"time"
)

// Every error the JSONata test suite expects, in jsonata-js's words:
// testdata/jsonata_js_suite_errors.json holds, for each case of the suite
// that expects an error (but $eval's, which AWS removes), the code and
// message jsonata-js 2.0.6 gave when run with node. AWS passes the message
// through in a failed state's cause, so ours must be the same, word for
// word, value renderings included.
func TestSuiteErrorMessagesAreJSONataJSs(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/jsonata_js_suite_errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Datasets map[string]json.RawMessage
		Cases    []struct {
			Expr, Code, Message, From string
			Dataset                   string
			Data, Bindings            json.RawMessage
		}
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	parse := func(raw json.RawMessage) any {
		t.Helper()
		v, err := ParseJSON(string(raw))
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		return v
	}
	same := 0
	for _, c := range file.Cases {
		var input any = Undefined
		switch {
		case c.Dataset != "":
			input = parse(file.Datasets[c.Dataset])
		case len(c.Data) > 0:
			input = parse(c.Data)
		}
		opts := &Options{Now: func() time.Time { return time.Date(2018, 3, 24, 14, 30, 0, 0, time.UTC) }}
		if len(c.Bindings) > 0 {
			if o, ok := parse(c.Bindings).(*Object); ok {
				opts.Bindings = map[string]any{}
				for i, k := range o.keys {
					opts.Bindings[k] = o.vals[i]
				}
			}
		}
		x, err := Compile(c.Expr)
		if err == nil {
			_, err = x.Eval(input, opts)
		}
		e, ok := err.(*Error)
		switch {
		case !ok:
			t.Errorf("%s (%s): want %s %q, got %v", c.Expr, c.From, c.Code, c.Message, err)
		case e.Code != c.Code || e.Message != c.Message:
			t.Errorf("%s (%s):\n  jsonata-js %s: %s\n  ours       %s: %s", c.Expr, c.From, c.Code, c.Message, e.Code, e.Message)
		default:
			same++
		}
	}
	t.Logf("%d of %d messages as jsonata-js's", same, len(file.Cases))
	if len(file.Cases) < 250 {
		t.Fatalf("only %d cases: the file is not what it should be", len(file.Cases))
	}
}
