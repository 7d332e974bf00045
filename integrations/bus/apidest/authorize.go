package apidest

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
)

// Authorize adds a connection's credentials (a Basic or API key header, or
// an OAuth bearer token, fetched and cached as Invoke's are) and its
// invocation parameters (headers and query string: the connection's win
// over the request's) to a request made by someone else (the HTTP Task,
// arn:aws:states:::http:invoke), and returns body with the connection's
// body parameters merged when it is a JSON object.
func (v *Invoker) Authorize(ctx context.Context, connectionARN string, a Auth, h http.Header, q url.Values, body []byte) ([]byte, error) {
	for _, p := range a.Invocation.HeaderParameters {
		setHeader(h, p.Key, p.Value)
	}
	for _, p := range a.Invocation.QueryStringParameters {
		q.Set(p.Key, p.Value)
	}
	switch a.Type {
	case AuthBasic:
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.Username+":"+a.Password)))
	case AuthAPIKey:
		h.Set(a.APIKeyName, a.APIKeyValue)
	case AuthOAuth:
		tok, res, ok := v.token(ctx, &Call{Connection: connectionARN, Auth: a})
		if !ok {
			return nil, fmt.Errorf("apidest: the connection's OAuth token: %s", res.Reason)
		}
		h.Set("Authorization", "Bearer "+tok)
	}
	for k, vs := range h {
		if !token(k) || len(vs) > 0 && containsCtl(vs[0]) {
			return nil, fmt.Errorf("apidest: header %q is not a valid HTTP header", k)
		}
	}
	return mergeBody(body, a.Invocation.BodyParameters), nil
}

func containsCtl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' || s[i] == 0 {
			return true
		}
	}
	return false
}
