package jpath

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Forms AWS's JSONPath takes that stricter parsers refuse, each in
// published AWS samples: white space after the path, filters comparing
// with an unquoted word, which is a string, and with a number without a
// digit before its point (aws-samples' document-text-analysis:
// "[?(@.Score > .85)]").
func TestAWSForms(t *testing.T) {
	doc := map[string]any{"items": []any{
		map[string]any{"lang": "fr", "v": int64(1)},
		map[string]any{"lang": "en", "v": int64(2)},
		map[string]any{"lang": "fr-CA", "v": int64(3)},
		map[string]any{"lang": ".5", "v": 0.9},
	}, "name": "n"}
	for _, c := range []struct {
		path string
		want any
	}{
		{"$.name ", "n"},
		{"$.name\t\n", "n"},
		{"$.items[?(@.lang==fr)].v", []any{int64(1)}},
		{"$.items[?(@.lang == fr-CA)].v", []any{int64(3)}},
		{"$.items[?(@.lang!=fr)].v", []any{int64(2), int64(3), 0.9}},
		{"$.items[?(@.lang=='en')].v", []any{int64(2)}},
		{"$.items[?(@.v==2)].lang", []any{"en"}},
		{`$.items[?(@.lang=="fr==x")].v`, []any{}},
		{"$.items[?(@.v > .95)].lang", []any{"fr", "en", "fr-CA"}},
		{"$.items[?(@.v<.95)].lang", []any{".5"}},
		{"$.items[?(@.v >= -.5 && @.v <= 1.)].v", []any{int64(1), 0.9}},
		{"$.items[?(@.lang == '.5')].v", []any{0.9}},
	} {
		p, err := Compile(c.path)
		require.NoError(t, err, c.path)
		got, ok := p.Get(Scope{Input: doc})
		require.True(t, ok, c.path)
		require.Equal(t, c.want, got, c.path)
		require.Equal(t, c.path, p.String(), "the path as written")
	}
	_, err := CompileReference("$.name ")
	require.NoError(t, err)
}

// A path ending in a JSONPath function compiles, as AWS creates a state
// machine holding one (a repost.aws question's "$.Jobs.sum()"), and finds
// nothing, as AWS's execution fails with "could not be found"; it is no
// reference path, and what comes before the function must be a path.
func TestAWSFormsFunctionFindsNothing(t *testing.T) {
	doc := map[string]any{"Jobs": []any{int64(1), int64(2)}, "sum()": "a member, not the function"}
	for _, src := range []string{"$.Jobs.sum()", "$.Jobs.length()", "$$.Execution.Input.length()", "$v.items.length()"} {
		p, err := Compile(src)
		require.NoError(t, err, src)
		_, ok := p.Get(Scope{Input: doc, Context: doc, Vars: func(string) (any, bool) { return doc, true }})
		require.False(t, ok, src)
		require.Equal(t, src, p.String())
		require.Equal(t, "No results for path: "+src, p.NotFound(Scope{Input: doc}))
		_, err = CompileReference(src)
		require.Error(t, err, src)
	}
	for _, src := range []string{"$..[.length()", "$.a b.sum()", "x.length()"} {
		_, err := Compile(src)
		require.Error(t, err, src)
	}
}
