package jsonata

import (
	"encoding/json"
	"os"
	"testing"
)

// Error messages are jsonata-js's, word for word: AWS passes them through
// in a failed state's cause. testdata/jsonata_js_errors.json holds the
// code and message jsonata-js 2.0.6 gave for each expression (made by
// running them through it with node; see bench jsonata for installing it).
func TestErrorMessagesAreJSONataJSs(t *testing.T) {
	b, err := os.ReadFile("testdata/jsonata_js_errors.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Expr, Code, Message string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	same := 0
	for _, c := range cases {
		x, err := Compile(c.Expr)
		if err == nil {
			_, err = x.Eval(map[string]any{}, &Options{Now: nil})
		}
		e, ok := err.(*Error)
		switch {
		case !ok:
			t.Errorf("%s: want %s %q, got %v", c.Expr, c.Code, c.Message, err)
		case e.Code != c.Code || e.Message != c.Message:
			t.Errorf("%s:\n  jsonata-js %s: %s\n  ours       %s: %s", c.Expr, c.Code, c.Message, e.Code, e.Message)
		default:
			same++
		}
	}
	t.Logf("%d of %d messages as jsonata-js's", same, len(cases))
}
