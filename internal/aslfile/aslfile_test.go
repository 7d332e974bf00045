package aslfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestYAMLBecomesJSON(t *testing.T) {
	t.Parallel()
	def, err := Parse("m.asl.yaml", []byte(`# a comment
StartAt: A
States:
  A:
    Type: Pass
    Result:
      when: 2024-01-01T00:00:00Z
      big: 18446744073709551615
      small: -3
      hex: 0x1F
      ratio: 1.50
      ok: true
      nothing: null
      quoted: "12"
      expr: "{% $a < 3 & $b > 1 %}"
      list: [1, two, {three: 3}]
      anchor: &x {k: v}
      again: *x
    End: true
`))
	require.NoError(t, err)
	require.True(t, def.YAML)
	require.JSONEq(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true,"Result":{
		"when":"2024-01-01T00:00:00Z","big":18446744073709551615,"small":-3,"hex":31,"ratio":1.50,
		"ok":true,"nothing":null,"quoted":"12","expr":"{% $a < 3 & $b > 1 %}",
		"list":[1,"two",{"three":3}],"anchor":{"k":"v"},"again":{"k":"v"}}}}}`, string(def.JSON))
	require.Contains(t, string(def.JSON), `"{% $a < 3 & $b > 1 %}"`, "no HTML escapes")
	require.Contains(t, string(def.JSON), `18446744073709551615`, "an integer keeps its digits")

	for ptr, line := range map[string]int{
		"":                              2,
		"/StartAt":                      2,
		"/States":                       3,
		"/States/A":                     4,
		"/States/A/Type":                5,
		"/States/A/Result/list/1":       16,
		"/States/A/Result/list/2/three": 16,
		"/States/A/End":                 19,
		"/States/A/Missing":             4, // a missing field: its object's line
		"/States/B":                     3,
		"/Nope/deeper":                  2,
	} {
		require.Equal(t, line, def.Line(ptr), "%q", ptr)
	}
}

func TestJSONLines(t *testing.T) {
	t.Parallel()
	src := `{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass",
          "Next": "B"},
    "B": {
      "Type": "Choice",
      "Choices": [
        {"Variable": "$.x", "IsPresent": true, "Next": "A"},

        {"Variable": "$.y", "IsNull": true, "Next": "A"}
      ],
      "a~b/c": 1
    }
  }
}`
	def, err := Parse("m.asl.json", []byte(src))
	require.NoError(t, err)
	require.False(t, def.YAML)
	require.Equal(t, src, string(def.JSON), "JSON is taken as it is")
	for ptr, line := range map[string]int{
		"":                         1,
		"/StartAt":                 2,
		"/States/A":                4,
		"/States/A/Next":           5,
		"/States/B/Choices":        8,
		"/States/B/Choices/0":      9,
		"/States/B/Choices/1":      11,
		"/States/B/Choices/1/Next": 11,
		"/States/B/a~0b~1c":        13,
		"/States/B/Missing":        6,
	} {
		require.Equal(t, line, def.Line(ptr), "%q", ptr)
	}

	// What is not JSON is left to the language to report; its lines are
	// known up to the error, and JSONErrorLine finds the error's.
	bad := []byte("{\"StartAt\": \"A\",\n \"States\": {\n  \"A\": {\"Type\": \"Pass\",, }}}")
	def, err = Parse("bad.json", bad)
	require.NoError(t, err)
	require.Equal(t, 2, def.Line("/States"))
	require.Equal(t, 3, JSONErrorLine(bad))
	require.Equal(t, 0, JSONErrorLine([]byte(src)))
}

func TestYAMLErrors(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		src  string
		line int
		msg  string
	}{
		"syntax":       {"StartAt: A\nStates:\n  A: [\n", 0, ""},
		"tabs":         {"StartAt: A\nStates:\n\tA: 1\n", 3, ""},
		"int key":      {"StartAt: A\nStates:\n  1: {Type: Succeed}\n", 3, "a key must be a string, got int (quote it)"},
		"duplicate":    {"StartAt: A\nStartAt: B\n", 2, ""},
		"merge key":    {"base: &b {Type: Succeed}\nStates:\n  A:\n    <<: *b\n", 4, "merge keys (<<) are not supported in a definition"},
		"infinity":     {"StartAt: A\nStates:\n  A: {Type: Pass, Result: .inf, End: true}\n", 3, "the number .inf has no JSON form"},
		"empty":        {"", 1, "the file holds no YAML document"},
		"laughs":       {laughs(), 0, "the document expands to more than 1048576 values (aliases of aliases?)"},
		"comment only": {"# nothing\n", 1, "the file holds no YAML document"},
	} {
		_, err := Parse("m.yaml", []byte(c.src))
		var ye *Error
		require.True(t, errors.As(err, &ye), "%s: %v", name, err)
		if c.line > 0 {
			require.Equal(t, c.line, ye.Line, "%s: %v", name, err)
		} else {
			require.Positive(t, ye.Line, "%s: %v", name, err)
		}
		if c.msg != "" {
			require.Equal(t, c.msg, ye.Message, name)
		}
		require.NotContains(t, ye.Message, "yaml:", name)
		require.True(t, strings.HasPrefix(ye.Error(), "line "), name)
	}
}

func TestIsYAML(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]bool{"a.yaml": true, "a.asl.yml": true, "A.YAML": true, "a.json": false, "a.asl": false, "yaml": false} {
		require.Equal(t, want, IsYAML(file), file)
	}
}

// laughs is a YAML document whose aliases double at each of 40 levels.
func laughs() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x]\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	return b.String()
}

// FuzzParse: any file, JSON or YAML, is read without a panic; YAML either
// becomes valid JSON or is an *Error, and every line is within the file.
func FuzzParse(f *testing.F) {
	f.Add("m.yaml", "StartAt: A\nStates:\n  A: {Type: Succeed}\n")
	f.Add("m.yaml", "a: &x [1, *x]\n")
	f.Add("m.yaml", "? [1]\n: 2\n")
	f.Add("m.json", `{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`)
	f.Add("m.json", "{\"a\":\n[1,\n{\"b\":")
	f.Fuzz(func(t *testing.T, name, src string) {
		def, err := Parse(name, []byte(src))
		// YAML breaks lines at \r too.
		lines := strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\n") + strings.Count(strings.ReplaceAll(src, "\r\n", "\n"), "\r") + 1
		if err != nil {
			var ye *Error
			if !errors.As(err, &ye) || ye.Line < 0 || ye.Line > lines+1 {
				t.Fatalf("%q: %v", src, err)
			}
			return
		}
		if def.YAML && !json.Valid(def.JSON) {
			t.Fatalf("%q became %s", src, def.JSON)
		}
		for p, n := range def.lines {
			if n < 1 || n > lines+1 {
				t.Fatalf("%q: %q at line %d", src, p, n)
			}
		}
		_ = JSONErrorLine([]byte(src))
	})
}
