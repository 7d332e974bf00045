package apidest

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzBuild: no endpoint, method, path value, header or body panics the
// request's assembly or the auth's validation, and a request that is
// built can be turned into an HTTP request.
func FuzzBuild(f *testing.F) {
	f.Add("https://example.com/a/*/b", "POST", "x y", "X-H", "v", `{"a":1}`, "1e3")
	f.Add("http://[::1]:80/*?q=1", "get", "%2F", "Host", "\r\n", `[`, `"60"`)
	f.Add("https://h/**", "PATCH", "", "", "", ``, `null`)
	f.Fuzz(func(t *testing.T, endpoint, method, param, hk, hv, body, expires string) {
		c := &Call{Endpoint: endpoint, Method: method, PathParams: []string{param},
			Headers: map[string]string{hk: hv}, Body: []byte(body),
			Auth: Auth{Type: AuthAPIKey, APIKeyName: hk, APIKeyValue: hv,
				Invocation: InvocationParameters{BodyParameters: []Parameter{{Key: hk, Value: hv}}}}}
		if r, err := build(c); err == nil {
			if _, err := r.http(context.Background(), hv); err != nil {
				t.Fatalf("built %+v but no HTTP request: %v", c, err)
			}
		}
		_ = ValidateAuth(&c.Auth)
		_ = expiresIn(json.RawMessage(expires))
	})
}
