package lambda

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzMatch: any method and path match a route, the unknown one, or none
// (outside the API's prefixes), without a panic; a route's parameters
// are never empty.
func FuzzMatch(f *testing.F) {
	for _, p := range []string{"/2015-03-31/functions", "/2015-03-31/functions/fn", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn/invocations",
		"/2015-03-31/functions/fn/aliases/live", "/2017-03-31/tags/arn", "/2015-03-31/functions//code", "/2015-03-31/functions/%zz", "/2015-03-31", "/v1/x"} {
		f.Add(http.MethodGet, p)
		f.Add(http.MethodPost, p)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		rt, params := match(method, path)
		if rt == nil {
			return
		}
		for k, v := range params {
			if v == "" {
				t.Fatalf("%s %s: empty %s", method, path, k)
			}
		}
		if rt != &unknownRoute && rt.method != method {
			t.Fatalf("%s %s matched %s %s", method, path, rt.method, strings.Join(rt.segs, "/"))
		}
	})
}
