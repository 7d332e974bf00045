package awsproto_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway/awsproto"
)

func TestPathSegments(t *testing.T) {
	t.Parallel()
	for path, want := range map[string][]string{
		"/2015-03-31/functions":         {"2015-03-31", "functions"},
		"/2015-03-31/functions/":        {"2015-03-31", "functions"},
		"/v1/registries/name/a%2Fb%20c": {"v1", "registries", "name", "a/b c"},
		"/tags//x":                      {"tags", "", "x"},
		"/":                             {""},
	} {
		segs, ok := awsproto.PathSegments(path, 4)
		require.True(t, ok, path)
		require.Equal(t, want, segs, path)
	}
	for _, path := range []string{"/a/b/c/d/e", "/a/%zz"} {
		_, ok := awsproto.PathSegments(path, 4)
		require.False(t, ok, path)
	}
}

func TestMatchPath(t *testing.T) {
	t.Parallel()
	pattern := strings.Split("2015-03-31/functions/{FunctionName}/aliases/{Name}", "/")
	params, ok := awsproto.MatchPath(pattern, []string{"2015-03-31", "functions", "fn", "aliases", "live"})
	require.True(t, ok)
	require.Equal(t, map[string]string{"FunctionName": "fn", "Name": "live"}, params)
	for _, segs := range [][]string{
		{"2015-03-31", "functions", "", "aliases", "live"},    // an empty parameter
		{"2015-03-31", "functions", "fn", "versions", "live"}, // another literal
		{"2015-03-31", "functions", "fn", "aliases"},          // shorter
	} {
		_, ok := awsproto.MatchPath(pattern, segs)
		require.False(t, ok, segs)
	}
}

// FuzzPathSegments: any path splits into at most max segments, or is
// refused, without a panic; a path's segments match themselves as a
// pattern of literals.
func FuzzPathSegments(f *testing.F) {
	for _, p := range []string{"/2015-03-31/functions/fn", "/v1/registries/name/a%2Fb", "/tags//x", "/%zz", "", "/a/b/c/d/e/f/g/h/i"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		segs, ok := awsproto.PathSegments(path, 8)
		if !ok {
			return
		}
		if len(segs) == 0 || len(segs) > 8 {
			t.Fatalf("%q: %d segments", path, len(segs))
		}
		lit := make([]string, len(segs))
		for i, s := range segs {
			lit[i] = strings.ReplaceAll(s, "{", "(")
			segs[i] = lit[i]
		}
		if _, ok := awsproto.MatchPath(lit, segs); !ok {
			t.Fatalf("%q: does not match itself", path)
		}
	})
}
